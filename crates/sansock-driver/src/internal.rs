//! Not API: the pieces of the drive loop that Sansock's own crates need (`sansock-client` runs
//! its connect sequence and proxy tunnel with them, `sansock-hyper` opens connections an HTTP
//! server upgraded, `sansock-blocking` polls the [`Driver`] under its `WebSocket` itself).
//! They are versioned with those crates, change in any release, and are hidden from the docs. Applications and adapters of your own use the public items.

use crate::{Config, Runtime, Transport, WebSocketStream};
use core::time::Duration;
use sansock_core::{HandshakeConfig, HandshakeLimits};
use std::time::Instant;

pub use crate::driver::{Driver, Negotiated};
pub use crate::opening::{accept, connect, negotiated, open, read_some, within, write_all};
pub use crate::runtime::{deadline_after, read_into_spare};

/// When a handshake that starts now under `settings` must be over.
pub fn handshake_deadline<H>(settings: &Config<H>) -> Instant {
    deadline_after(settings.handshake_timeout)
}

/// How long a handshake under `settings` may take.
pub fn handshake_timeout<H>(settings: &Config<H>) -> Duration {
    settings.handshake_timeout
}

/// The limits on a handshake's head (they also bound a proxy's answer).
pub fn limits<H>(settings: &Config<H>) -> HandshakeLimits {
    settings.limits
}

/// The most body bytes a client keeps from a refusal (an HTTP/2 client reads the body itself).
pub fn max_body_bytes<H>(settings: &Config<H>) -> usize {
    settings.max_body_bytes
}

/// The handshake's configuration, for the core's handshake; the rest of the settings stay for
/// the driver.
pub fn take_handshake<X: ?Sized>(settings: &mut Config<HandshakeConfig<X>>) -> HandshakeConfig<X> {
    settings.take_handshake()
}

/// A server's handshake configuration: [`take_handshake`] with the shared memory budget when
/// the settings chose none ([`ServerSettings::shared_budget`](crate::ServerSettings::shared_budget)).
pub fn take_server_handshake(settings: &mut crate::ServerSettings) -> sansock_core::ServerConfig {
    settings.take_server_handshake()
}

/// Records a refused upgrade (a `tracing` event with the `tracing` feature).
pub fn refused(status: u16, path: Option<&str>, why: &dyn core::fmt::Display) {
    crate::trace::refused(status, path, why);
}

/// The stream over a driver whose handshake is done.
pub fn into_stream<S: Transport<R>, R: Runtime>(driver: Driver<S, R>) -> WebSocketStream<S, R> {
    WebSocketStream::from_driver(driver)
}

/// The driver under a stream (the blocking adapter polls it itself).
pub fn into_driver<S: Transport<R>, R: Runtime>(stream: WebSocketStream<S, R>) -> Driver<S, R> {
    stream.into_driver()
}
