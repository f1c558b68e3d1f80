//! The one drive loop under every Sansock adapter.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `tokio` | no | tokio's transports and timers (`Tokio`) |
//! | `futures-io` | no | the futures-io traits' transports and async-io's timers (`FuturesIo`) |
//! | `deflate` | no | permessage-deflate (RFC 7692): the settings' `deflate` setter |
//! | `tracing` | no | `tracing` spans and events for each connection |
//! | `metrics` | no | server-wide counters through the `metrics` facade (the book's "Deploying" chapter has the names) |
//!
//! `sansock-tokio`, `sansock-futures` and `sansock-blocking` differ only in how they read, write
//! and wait. Each names a [`Runtime`] (a [`Transport`] and a [`Timer`]); everything else is here,
//! once: the loop that moves bytes and time between a transport and the sans-IO
//! [`sansock_core::Connection`], behind the async [`WebSocketStream`] and its split halves; the
//! opening handshake over a connected stream ([`WebSocketStream::accept_with`],
//! [`WebSocketStream::client`]), the settings ([`Config`]) and the errors of each phase
//! ([`HandshakeError`], [`Error`]).
//!
//! Not here: getting a client a stream (URL, DNS, TCP, proxies, TLS, reconnects) is
//! `sansock-client`'s, broadcasting is `sansock-topics`', and HTTP servers' upgrades are
//! `sansock-hyper`'s. Applications use an adapter crate, which re-exports what they need from
//! here; this crate is for those adapters and for writing a new one. No protocol decision is
//! made here: that is the core's.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod batch;
mod blocking_rt;
mod config;
mod driver;
mod error;
#[cfg(feature = "futures-io")]
mod futures_rt;
#[doc(hidden)]
pub mod internal;
mod metrics;
mod opening;
mod runtime;
mod shutdown;
mod split;
mod stream;
#[cfg(feature = "tokio")]
mod tokio_rt;
mod trace;
mod write;

pub use batch::{Outbox, Received};
pub use blocking_rt::{Blocking, BlockingStream, Deadline, block_on, wait};
pub use config::{ClientSettings, Config, ServerSettings};
pub use error::{Error, HandshakeError};
#[cfg(feature = "futures-io")]
pub use futures_rt::{FuturesIo, FuturesTimer};
pub use runtime::{Runtime, Timer, Transport};
pub use shutdown::Shutdown;
pub use split::{ReadHalf, ReuniteError, WriteHalf};
pub use stream::WebSocketStream;
#[cfg(feature = "tokio")]
pub use tokio_rt::{Tokio, TokioTimer};

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
