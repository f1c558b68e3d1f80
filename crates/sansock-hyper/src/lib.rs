//! Sansock inside hyper 1.x and axum 0.8: the WebSocket upgrade on a port (and a router) that
//! serves the rest of the site too.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `deflate` | yes | permessage-deflate (RFC 7692) |
//! | `tracing` | yes | `tracing` spans and events for each connection |
//! | `metrics` | no | server-wide counters through the `metrics` facade (the book's "Deploying" chapter has the names) |
//! | `axum` | no | an axum 0.8 extractor: `sansock_hyper::axum::WebSocketUpgrade` |
//! | `aws-lc-rs` | yes | the HTTP/2 and `wss://` client's TLS with rustls' aws-lc-rs provider (post-quantum key exchange) |
//! | `ring` | no | rustls' ring provider instead (no post-quantum key exchange; rustls deprecates it) |
//! | `webpki-roots` | yes | the client trusts Mozilla's root certificates, compiled in |
//! | `native-roots` | no | the client trusts the platform's root certificates (rustls-native-certs) |
//!
//! The HTTP server reads the request; [`upgrade`] checks it with the core's own checks (RFC 6455
//! §4.2.1, the same code as for a bare TCP stream, not a second copy), lets the application look
//! at the path, origin, offered subprotocols and extensions and accept or reject it, negotiates
//! permessage-deflate as `sansock_tokio::accept_with` does, and gives the response to return
//! with an [`UpgradeFuture`] that resolves to the [`WebSocket`] once hyper hands over the
//! connection. Bytes hyper read past the request head (a first frame in the same packet) reach
//! the connection. With the feature `axum`, [`axum::WebSocketUpgrade`] is the same as an
//! extractor.
//!
//! This crate only moves the request and the transport between hyper and the driver; every
//! protocol decision is the core's.
//!
//! ```no_run
//! use http_body_util::Full;
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response};
//! use sansock_hyper::{Accept, ServerSettings};
//!
//! async fn handle(mut request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
//!     if !sansock_hyper::is_upgrade_request(&request) {
//!         return Ok(Response::new(Full::from("a page")));
//!     }
//!     let upgrade = match sansock_hyper::upgrade(&mut request, ServerSettings::new()) {
//!         Ok(upgrade) => upgrade,
//!         Err(refused) => return Ok(refused.into_response()),
//!     };
//!     let (response, websocket) = match upgrade.accept(&Accept::new()) {
//!         Ok(accepted) => accepted,
//!         Err(refused) => return Ok(refused.into_response()),
//!     };
//!     tokio::spawn(async move {
//!         let Ok(mut ws) = websocket.await else { return };
//!         while let Some(Ok(message)) = ws.recv().await {
//!             if ws.send(message).await.is_err() {
//!                 break;
//!             }
//!         }
//!     });
//!     Ok(response)
//! }
//! ```
//!
//! Serve the connection with upgrades on (`http1::Builder::serve_connection(..)
//! .with_upgrades()`, or hyper-util's `auto` builder's `serve_connection_with_upgrades`): without
//! it hyper never hands the connection over.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
pub mod axum;
mod client;
mod h2_stream;
mod http2_client;
mod http_upgrade;
mod server;
mod upgrade;

pub use client::{ClientStream, ClientWebSocket, Http2Connection, Http2Unavailable, connect_http2};
pub use h2_stream::H2Stream;
pub use sansock_core::{
    Accept, AcceptError, Carrier, CloseCode, Closed, Event, Message, MessagePart, Reject,
    ServerHandshakeError, ServerHandshakeErrorKind, UpgradeRequest, Utf8Bytes,
};
#[cfg(feature = "deflate")]
pub use sansock_core::{DeflatePolicy, PerMessageDeflate};
pub use sansock_tokio::{
    Error, HandshakeError, MemoryBudget, PreparedMessage, ServerSettings, Shutdown,
};
pub use server::{CONNECTION_WINDOW, STREAM_WINDOW, server_builder};
pub use upgrade::{Upgrade, UpgradeError, UpgradeFuture, is_upgrade_request, upgrade};

/// A WebSocket on a connection hyper handed over: `sansock_tokio`'s stream, with `recv`,
/// `send`, `ping`, `close`, `split`, and the `Stream`/`Sink` traits.
pub type WebSocket =
    sansock_tokio::WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>;

/// The body of the responses this crate gives (the 101 is empty; a refusal carries its body).
pub type Body = http_body_util::Full<bytes::Bytes>;

/// The README's examples, run as doc tests.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
