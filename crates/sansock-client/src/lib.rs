//! Getting a Sansock client connected: everything between a `ws://` or `wss://` URL and an open
//! connection, once for every runtime.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `tokio` | no | `MaybeTls` as a tokio `AsyncRead + AsyncWrite` |
//! | `futures-io` | no | `MaybeTls` as a futures-io `AsyncRead + AsyncWrite` |
//! | `rustls` | no | TLS with rustls: `TlsConfig` (yours, or `TlsConfig::from_features`) |
//! | `aws-lc-rs` | no | rustls' aws-lc-rs crypto provider, its own default (post-quantum key exchange) |
//! | `ring` | no | rustls' ring provider (no post-quantum key exchange; rustls deprecates it) |
//! | `webpki-roots` | no | Mozilla's root certificates, compiled in |
//! | `native-roots` | no | the platform's root certificates (rustls-native-certs; `SSL_CERT_FILE` applies on Unix) |
//!
//! - [`WsUrl`]: the URL parsed (RFC 6455 §3) into host, port, TLS and the handshake request,
//!   with the proxy that leads there ([`Proxy`], [`ProxyChoice`]: the environment's by default).
//! - [`connect`]: the one connect sequence — DNS, TCP to the first address that answers, the
//!   proxy's tunnel (HTTP CONNECT or SOCKS, spoken by the core), TLS ([`TlsConfig`]), the
//!   WebSocket handshake — all within the handshake timeout.
//! - [`Connector`]: what a runtime gives that sequence (resolve, TCP, a TLS handshake, sleep).
//!   `sansock-tokio`, `sansock-futures` and `sansock-blocking` each have one, and their
//!   `connect` functions are this crate's [`connect`] with it.
//! - [`Reconnecting`]: a client that connects again by itself, with [`Backoff`].
//!
//! Applications use an adapter, which re-exports what they need from here. The drive loop is
//! `sansock-driver`'s; what is said on the wire (to the proxy, to the server) is the core's.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod connector;
mod maybe_tls;
mod proxy;
mod proxy_env;
mod reconnect;
mod tls;
mod tls_stream;
mod uri;
mod url;

pub use connector::{ClientSocket, Connector, MaybeTlsStream, connect, dial};
pub use maybe_tls::{MaybeTls, NoTls, TlsOver};
pub use proxy::{Proxy, ProxyChoice};
pub use reconnect::{Backoff, NoHook, Reconnecting, is_retryable, is_retryable_close};
pub use tls::TlsConfig;
pub use tls_stream::{TlsEngine, TlsStream};
pub use url::WsUrl;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
