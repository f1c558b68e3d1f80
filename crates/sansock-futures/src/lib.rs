//! Sansock on the futures-io traits: WebSocket clients and servers for async-std and smol
//! (`ws://` and `wss://`), with bounded write buffers, close/keepalive/idle timeouts and split
//! halves — the same API as `sansock-tokio`.
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
//! | `smol` | no | `connect` over smol's TCP (`sansock_futures::smol`) |
//! | `async-std` | no | `connect` over async-std's TCP (`sansock_futures::async_std`); async-std is discontinued upstream (RUSTSEC-2025-0052): prefer smol |
//!
//! This crate gives the futures-io pieces — transports and async-io's timers (the reactor under
//! both async-std and smol) to the drive loop ([`sansock_driver`]'s, shared with the other
//! adapters), each runtime's DNS and TCP ([`Tcp`]) and futures-rustls to the connect sequence
//! ([`Connector`]) — and the functions to call; every protocol decision is the core's. It
//! re-exports the settings, errors, [`WsUrl`], [`Proxy`] and [`Backoff`].
//!
//! Server: [`accept`] / [`accept_with`] on any `AsyncRead + AsyncWrite + Unpin`. When a
//! connection ends the driver closes the transport's write side with `poll_close`; async-std's
//! `TcpStream` only flushes there (async-io's `Async` does not shut down), so on async-std the
//! TCP connection ends when the [`WebSocketStream`] is dropped: drop it once `recv` returns
//! `None`, or the client waits for its close timeout. Client:
//! [`client`] on a stream you have, or `connect` from the runtime's module — `smol::connect`
//! (feature `smol`) or `async_std::connect` (feature `async-std`).
//!
//! ```no_run
//! # #[cfg(feature = "smol")]
//! # fn main() -> std::io::Result<()> {
//! use sansock_futures::accept;
//! smol::block_on(async {
//!     let listener = smol::net::TcpListener::bind("127.0.0.1:8080").await?;
//!     loop {
//!         let (tcp, _) = listener.accept().await?;
//!         smol::spawn(async move {
//!             let Ok(mut ws) = accept(tcp).await else { return };
//!             while let Some(Ok(message)) = ws.recv().await {
//!                 if ws.send(message).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         })
//!         .detach();
//!     }
//! })
//! # }
//! # #[cfg(not(feature = "smol"))]
//! # fn main() {}
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "async-std")]
pub mod async_std;
mod connect;
mod server;
#[cfg(feature = "smol")]
pub mod smol;

pub use connect::{ClientSocket, ClientStream, Connector, MaybeTlsStream, Tcp, client};
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
    ClientSettings, Error, FuturesIo, HandshakeError, Outbox, Received, ServerSettings, Shutdown,
};
pub use server::{accept, accept_with};

/// A WebSocket connection over the futures-io transport `S` (async-std's or smol's TCP, TLS, a
/// Unix socket — anything `AsyncRead + AsyncWrite + Unpin`). See
/// [`sansock_driver::WebSocketStream`] for its methods: `recv`, `send`, `ping`, `close`,
/// `split`, and the `Stream`/`Sink` traits.
pub type WebSocketStream<S> = sansock_driver::WebSocketStream<S, FuturesIo>;
/// The receiving half of a split [`WebSocketStream`].
pub type ReadHalf<S> = sansock_driver::ReadHalf<S, FuturesIo>;
/// The sending half of a split [`WebSocketStream`].
pub type WriteHalf<S> = sansock_driver::WriteHalf<S, FuturesIo>;
/// The halves passed to `reunite` come from different streams.
pub type ReuniteError<S> = sansock_driver::ReuniteError<S, FuturesIo>;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
