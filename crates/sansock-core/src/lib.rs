//! Sansock's core: WebSocket (RFC 6455) as pure state machines over byte buffers.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | runtime CPU detection for SIMD UTF-8 validation |
//! | `deflate` | yes | permessage-deflate (RFC 7692): `PerMessageDeflate` (needs `std`) |
//! | `getrandom` | no | `DefaultRng::from_os()`, a ChaCha generator seeded from the operating system |
//! | `http` | no | the server's handshake in the `http` crate's types, for servers that parsed the request already (hyper, axum) |
//! | `testing` | no | test helpers, hidden from the docs (their entropy is predictable: never for production) |
//! | `arbitrary` | no | the fuzz harnesses, hidden from the docs |
//!
//! This crate does no I/O, reads no clock and draws no randomness of its own. Bytes go in,
//! events and bytes come out; time is passed in as a [`Timestamp`], and masking keys and
//! handshake nonces come from an injected [`Entropy`]. The adapters (`sansock-tokio`,
//! `sansock-futures`, `sansock-blocking`) only move bytes and time between a transport and this
//! crate. It is `#![no_std]` (with `alloc`).
//!
//! # The run loop
//!
//! A server reads the request with a [`ServerHandshake`], lets the application inspect the
//! [`UpgradeRequest`] and accept it, then drives the [`Connection`]: after every input, drain
//! events, write what [`Connection::transmit`] holds, and wait for more input or the next
//! [`Connection::poll_timeout`].
//!
//! ```
//! use sansock_core::*;
//!
//! // Bytes "from the network": a browser's upgrade request, with a masked "Hello" glued on.
//! let mut input = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
//!     Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
//!     Sec-WebSocket-Version: 13\r\n\r\n".to_vec();
//! input.extend_from_slice(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//! let now = Timestamp::ZERO;
//!
//! let ServerStep::Upgrade { request, consumed } =
//!     ServerHandshake::new(ServerConfig::default()).receive(&input).unwrap()
//! else { unreachable!("the whole request is there") };
//! assert_eq!(request.path(), "/chat");
//! assert_eq!(request.origin(), Some("http://example.com"));
//! let accepted = request.accept(now, &Accept::new().with_protocol("chat")).unwrap();
//! let mut wire: Vec<u8> = accepted.response; // "HTTP/1.1 101 Switching Protocols ..."
//! let mut conn = accepted.connection;
//!
//! // The bytes after the request are the connection's.
//! conn.handle_bytes(now, &input[consumed..]);
//! while let Some(event) = conn.poll_event().expect("the peer follows the protocol") {
//!     if let Event::Message(message) = event {
//!         conn.send(&message).unwrap(); // echo
//!     }
//! }
//! // The output, piece by piece (`transmit_pieces` gives them all, for one vectored write).
//! while !conn.transmit().is_empty() {
//!     wire.extend_from_slice(conn.transmit()); // a transport write, in a real loop
//!     let written = conn.transmit().len();
//!     conn.advance_transmit(written);
//! }
//! assert!(wire.ends_with(&[0x81, 0x05, b'H', b'e', b'l', b'l', b'o']));
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
// Tests, and the fuzz harness's derived `Arbitrary` impls, need `std`; the library never does.
#[cfg(any(test, feature = "arbitrary"))]
extern crate std;

mod budget;
mod close;
mod config;
mod connection;
#[cfg(feature = "deflate")]
mod deflate;
mod entropy;
mod error;
mod event;
mod extension;
pub mod frame;
mod handshake;
#[cfg(feature = "arbitrary")]
#[doc(hidden)]
pub mod harness;
#[doc(hidden)]
pub mod internal;
mod message;
mod prepared;
pub mod proxy;
pub mod proxy_protocol;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
mod time;
mod utf8;
mod utf8_bytes;

pub use budget::MemoryBudget;
pub use close::{CloseCode, MAX_CLOSE_REASON};
pub use config::{ConnectionConfig, HandshakeLimits};
pub use connection::{Connection, Input, Role, State, Stats};
#[cfg(feature = "deflate")]
pub use deflate::{DeflatePolicy, PerMessageDeflate};
pub use entropy::{DefaultRng, Entropy};
pub use error::{ProtocolError, SendError};
pub use event::{Closed, Ending, Event, EventRef, Initiator};
pub use extension::{ClientExtension, Extension, ExtensionError, ExtensionOffer, ServerExtension};
pub use handshake::{
    Accept, AcceptError, Accepted, Carrier, ClientConfig, ClientHandshake, ClientHandshakeError,
    ClientRequest, ClientStep, HandshakeConfig, Head, InvalidHeader, Reject, RejectedAccept,
    Response, ServerConfig, ServerHandshake, ServerHandshakeError, ServerHandshakeErrorKind,
    ServerStep, UpgradeRequest, accept_key,
};
pub use message::{Message, MessageKind, MessagePart, MessageRef};
pub use prepared::PreparedMessage;
pub use time::Timestamp;
pub use utf8::InvalidUtf8;
pub use utf8_bytes::Utf8Bytes;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
