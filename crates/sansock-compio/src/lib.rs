//! Sansock on compio: WebSocket clients and servers (`ws://` and `wss://`) on a
//! completion-based runtime — io_uring on Linux, IOCP on Windows — with bounded write buffers,
//! close/keepalive/idle timeouts and split halves.
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
//! **Why compio.** It is maintained, its operations own their buffers (what io_uring needs,
//! and what the core's lent receive buffer was made for), it runs on Linux, Windows and macOS,
//! and it falls back by itself: where io_uring is missing or forbidden (an old kernel, a
//! container whose seccomp profile blocks `io_uring_setup`), its runtime starts on epoll
//! instead, with a warning in its log, and everything here works the same ([`driver`] says
//! which one runs). monoio, the other candidate, is Linux-first, and its fallback has to be
//! chosen when the runtime is built.
//!
//! **How it fits.** A read goes straight into the connection's own receive buffer, which the
//! kernel holds while the read is in flight (no copy, no buffer shared between connections); a
//! write hands the kernel the connection's output in a buffer the stream keeps and reuses. The
//! drive loop is `sansock-driver`'s, the protocol the core's; this crate gives compio's pieces
//! ([`Compio`], [`TcpStream`], [`Connector`]) and the functions to call: server [`accept`] /
//! [`accept_with`], client [`connect`] / [`connect_with`] / [`client`].
//!
//! **Its limits**, which are compio's: one thread per core, each with its own runtime and its
//! own connections (no work stealing: spread the accepting over threads yourself, with
//! `SO_REUSEPORT` say); connections are not `Send`.
//!
//! ```no_run
//! use sansock_compio::accept;
//! # async fn run() -> std::io::Result<()> {
//! let listener = compio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! loop {
//!     let (tcp, _) = listener.accept().await?;
//!     compio::runtime::spawn(async move {
//!         let Ok(mut ws) = accept(tcp).await else { return };
//!         while let Some(Ok(message)) = ws.recv().await {
//!             if ws.send(message).await.is_err() {
//!                 break;
//!             }
//!         }
//!     })
//!     .detach();
//! }
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod forward;
mod runtime;
mod server;
mod slot;
mod tls;

#[cfg(feature = "rustls")]
pub use client::connect_with_tls;
pub use client::{
    ClientSocket, ClientStream, Connector, MaybeTlsStream, Reconnecting, client, connect,
    connect_with,
};
pub use runtime::{Compio, CompioTimer, TcpStream};
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
    ClientSettings, Error, HandshakeError, Outbox, Received, ServerSettings, Shutdown,
};
pub use server::{accept, accept_with};
#[cfg(feature = "rustls")]
pub use tls::RustlsStream;

/// A WebSocket connection over the compio transport `S` ([`TcpStream`], or TLS over it). See
/// [`sansock_driver::WebSocketStream`] for its methods: `recv`, `send`, `ping`, `close`,
/// `split`, and the `Stream`/`Sink` traits.
pub type WebSocketStream<S> = sansock_driver::WebSocketStream<S, Compio>;
/// The receiving half of a split [`WebSocketStream`].
pub type ReadHalf<S> = sansock_driver::ReadHalf<S, Compio>;
/// The sending half of a split [`WebSocketStream`].
pub type WriteHalf<S> = sansock_driver::WriteHalf<S, Compio>;
/// The halves passed to `reunite` come from different streams.
pub type ReuniteError<S> = sansock_driver::ReuniteError<S, Compio>;

/// Which of compio's drivers the current thread's runtime runs on: io_uring, or the polling
/// (epoll) one it falls back to where io_uring is missing or forbidden.
///
/// # Panics
/// Outside a compio runtime.
pub fn driver() -> compio::driver::DriverType {
    compio::runtime::Runtime::with_current(|runtime| runtime.driver_type())
}

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
