//! The adapters' one error type: the core's errors, plus what I/O, DNS, TLS and timeouts add.

use sansock_core::{ClientHandshakeError, Closed, ProtocolError, SendError, ServerHandshakeError};

/// Everything that can go wrong on a Sansock connection, whatever the adapter.
///
/// An [`Error::Io`] of kind `WouldBlock` or `TimedOut` (a non-blocking socket, a socket timeout)
/// leaves the connection usable: repeat the call later. Use [`Error::is_would_block`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed.
    Io(std::io::Error),
    /// The peer broke the protocol; the close frame was sent (if the transport took it).
    Protocol(ProtocolError),
    /// The application asked for something the connection cannot do; nothing changed.
    Send(SendError),
    /// The connection ended without a closing handshake (the peer vanished, did not answer our
    /// close, or went silent past the idle timeout): how, in [`Closed::ending`].
    AbnormalClose(Closed),
    /// The connection is over; nothing more can be sent or received.
    AlreadyClosed,
    /// More than the write high-water mark is queued and the transport takes nothing now (a
    /// non-blocking socket): the message comes back unsent. Flush when writable, then retry.
    WriteBufferFull(sansock_core::Message),
    /// The upgrade request was not a valid WebSocket handshake; its error response was sent.
    BadRequest(Box<ServerHandshakeError>),
    /// The application rejected the upgrade request; the rejection was sent.
    Rejected(u16),
    /// The server's answer did not complete the handshake (a non-101 status among them).
    Handshake(Box<ClientHandshakeError>),
    /// The URL is not a `ws://` or `wss://` URL with a host.
    Url(String),
    /// The host name did not resolve.
    Dns(std::io::Error),
    /// No TCP connection could be made to any resolved address.
    Connect(std::io::Error),
    /// The TLS handshake failed (bad certificate, wrong name, no common protocol…).
    Tls(std::io::Error),
    /// `wss://` without the `rustls` feature.
    TlsUnavailable,
    /// The opening handshake took longer than the configured timeout.
    HandshakeTimeout,
    /// A message part arrived where whole messages are read (`recv`, `read`, the `Stream`):
    /// with [`ConnectionConfig::message_parts`](sansock_core::ConnectionConfig::message_parts)
    /// set, receive events (`recv_event`, `read_event`). Nothing is lost: here is the part, and
    /// the next call goes on after it.
    UnexpectedPart(sansock_core::MessagePart),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
            Error::Send(e) => write!(f, "cannot send: {e}"),
            Error::AbnormalClose(c) => write!(
                f,
                "connection ended abnormally ({:?}, code {})",
                c.ending, c.code
            ),
            Error::AlreadyClosed => f.write_str("the connection is closed"),
            Error::WriteBufferFull(_) => f.write_str("the write buffer is full"),
            Error::BadRequest(e) => write!(f, "bad upgrade request: {e}"),
            Error::Rejected(status) => write!(f, "upgrade rejected with {status}"),
            Error::Handshake(e) => write!(f, "handshake failed: {e}"),
            Error::Url(why) => write!(f, "invalid WebSocket URL: {why}"),
            Error::Dns(e) => write!(f, "DNS lookup failed: {e}"),
            Error::Connect(e) => write!(f, "TCP connection failed: {e}"),
            Error::Tls(e) => write!(f, "TLS handshake failed: {e}"),
            Error::TlsUnavailable => f.write_str("wss:// needs the `rustls` feature"),
            Error::HandshakeTimeout => f.write_str("the opening handshake timed out"),
            Error::UnexpectedPart(_) => {
                f.write_str("a message part arrived where whole messages are read")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) | Error::Dns(e) | Error::Connect(e) | Error::Tls(e) => Some(e),
            Error::Protocol(e) => Some(e),
            Error::Send(e) => Some(e),
            Error::BadRequest(e) => Some(e.as_ref()),
            Error::Handshake(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl Error {
    /// The transport had nothing to give yet (`WouldBlock` or `TimedOut`): nothing was lost,
    /// and the call can be repeated.
    pub fn is_would_block(&self) -> bool {
        matches!(self, Error::Io(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut))
    }
}

impl From<SendError> for Error {
    fn from(e: SendError) -> Self {
        Error::Send(e)
    }
}
