//! Sansock on blocking I/O: WebSocket clients and servers over `std::net` (`ws://`, and
//! `wss://` with rustls) or any `Read + Write`, one thread per connection or a non-blocking
//! poll loop (mio, polling).
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rustls` | yes | `wss://` for clients through rustls (the provider and roots below, or your `TlsConfig`) |
//! | `aws-lc-rs` | yes | rustls' aws-lc-rs crypto provider, its own default (post-quantum key exchange) |
//! | `ring` | no | rustls' ring provider instead (no post-quantum key exchange; rustls deprecates it) |
//! | `webpki-roots` | yes | Mozilla's root certificates, compiled in |
//! | `native-roots` | no | the platform's root certificates (rustls-native-certs; `SSL_CERT_FILE` applies on Unix) |
//! | `deflate` | yes | permessage-deflate (RFC 7692): `PerMessageDeflate` and the settings' `deflate` setter |
//! | `tracing` | yes | `tracing` spans and events for each connection |
//! | `metrics` | no | server-wide counters through the `metrics` facade (the book's "Deploying" chapter has the names) |
//!
//! This crate gives the blocking pieces — every `Read + Write` stream as a transport of the
//! drive loop ([`sansock_driver`]'s, shared with the async adapters, run on this thread), std's
//! DNS and TCP and rustls' handshake to the connect sequence ([`Connector`]) — and the functions
//! to call: server [`accept`] / [`accept_with`], client [`connect`] / [`connect_with`] /
//! [`client`]; both give a [`WebSocket`]. The protocol is the core's.
//!
//! ```no_run
//! use sansock_blocking::accept;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = std::net::TcpListener::bind("127.0.0.1:8080")?;
//! for tcp in listener.incoming() {
//!     let Ok(tcp) = tcp else { continue };
//!     std::thread::spawn(move || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//!         let mut ws = accept(tcp)?;
//!         while let Some(message) = ws.recv()? {
//!             ws.send(message)?;
//!         }
//!         Ok(())
//!     });
//! }
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod reconnect;
mod server;
mod tls;
mod websocket;

#[cfg(feature = "rustls")]
pub use client::connect_with_tls;
pub use client::{
    ClientSocket, ClientStream, Connector, MaybeTlsStream, client, connect, connect_with,
};
pub use reconnect::Reconnecting;
pub use sansock_client::{Backoff, Proxy, ProxyChoice, WsUrl};
pub use sansock_core::PreparedMessage;
pub use sansock_core::proxy::ProxyError;
pub use sansock_core::{
    Accept, CloseCode, Closed, Ending, Event, Initiator, MemoryBudget, Message, Reject, Response,
    SendError, State, Stats, UpgradeRequest, Utf8Bytes,
};
#[cfg(feature = "deflate")]
pub use sansock_core::{DeflatePolicy, PerMessageDeflate};
pub use sansock_driver::{
    BlockingStream, ClientSettings, Error, HandshakeError, Outbox, Received, ServerSettings,
    Shutdown,
};
pub use server::{accept, accept_with};
#[cfg(feature = "rustls")]
pub use tls::RustlsStream;
pub use websocket::WebSocket;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
