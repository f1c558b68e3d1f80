//! Sansock on tokio: WebSocket clients and servers (`ws://` and `wss://`) over any tokio
//! transport, with bounded write buffers, close/keepalive/idle timeouts and split halves.
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
//! This crate gives tokio's pieces — its transports and timers to the drive loop
//! (`sansock-driver`), its DNS, TCP and tokio-rustls to the connect sequence ([`Connector`] for
//! `sansock-client`) — and the functions to call: server [`accept`] / [`accept_with`], client
//! [`connect`] / [`connect_with`] / [`client`]; both give a [`WebSocketStream`]. Every protocol
//! decision is the core's. It re-exports what a tokio application needs from the other crates:
//! the settings and errors, [`WsUrl`], [`Proxy`], and [`Reconnecting`] with its [`Backoff`].
//! Broadcasting to many connections is `sansock-topics`' (a crate of its own).
//!
//! ```no_run
//! use sansock_tokio::{Message, accept};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! loop {
//!     let (tcp, _) = listener.accept().await?;
//!     tokio::spawn(async move {
//!         let Ok(mut ws) = accept(tcp).await else { return };
//!         while let Some(Ok(message)) = ws.recv().await {
//!             if ws.send(message).await.is_err() {
//!                 break;
//!             }
//!         }
//!     });
//! }
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod proxy_header;
mod server;

#[cfg(feature = "rustls")]
pub use client::connect_with_tls;
pub use client::{
    ClientSocket, ClientStream, Connector, MaybeTlsStream, Reconnecting, client, connect,
    connect_with,
};
pub use proxy_header::{DEFAULT_MAX_PROXY_HEADER, ProxyHeaderError, read_proxy_header};
pub use sansock_client::{Backoff, Proxy, ProxyChoice, WsUrl};
pub use sansock_core::PreparedMessage;
pub use sansock_core::proxy::ProxyError;
pub use sansock_core::{
    Accept, CloseCode, Closed, Ending, Event, Initiator, MemoryBudget, Message, MessagePart,
    MessageRef, Reject, Response, SendError, State, Stats, UpgradeRequest, Utf8Bytes,
};
#[cfg(feature = "deflate")]
pub use sansock_core::{DeflatePolicy, PerMessageDeflate};
pub use sansock_driver::{
    ClientSettings, Error, HandshakeError, Outbox, Received, ServerSettings, Shutdown, Tokio,
};
pub use server::{accept, accept_with};

/// A WebSocket connection over the tokio transport `S` (TCP, TLS, a Unix socket, an upgraded
/// hyper connection — anything `AsyncRead + AsyncWrite + Unpin`). See
/// [`sansock_driver::WebSocketStream`] for its methods: `recv`, `send`, `ping`, `close`,
/// `split`, and the `Stream`/`Sink` traits.
pub type WebSocketStream<S> = sansock_driver::WebSocketStream<S, Tokio>;
/// The receiving half of a split [`WebSocketStream`].
pub type ReadHalf<S> = sansock_driver::ReadHalf<S, Tokio>;
/// The sending half of a split [`WebSocketStream`].
pub type WriteHalf<S> = sansock_driver::WriteHalf<S, Tokio>;
/// The halves passed to `reunite` come from different streams.
pub type ReuniteError<S> = sansock_driver::ReuniteError<S, Tokio>;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
