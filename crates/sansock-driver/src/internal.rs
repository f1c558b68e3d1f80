//! Not API: the pieces of the drive loop that Sansock's own crates need (`sansock-client` runs
//! its connect sequence and proxy tunnel with them, `sansock-hyper` opens connections an HTTP
//! server upgraded). They are versioned with those crates, change in any release, and are
//! hidden from the docs. Applications and adapters of your own use the public items.

use crate::Config;
use core::time::Duration;
use sansock_core::HandshakeLimits;
use std::time::Instant;

pub use crate::driver::Negotiated;
pub use crate::opening::{negotiated, open, read_some, within, write_all};
pub use crate::runtime::deadline_after;

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
pub fn take_handshake<H: Default>(settings: &mut Config<H>) -> H {
    core::mem::take(&mut settings.handshake)
}

/// Records a refused upgrade (a `tracing` event with the `tracing` feature).
pub fn refused(status: u16, path: Option<&str>, why: &dyn core::fmt::Display) {
    crate::trace::refused(status, path, why);
}
