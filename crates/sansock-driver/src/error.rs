//! The adapters' errors, one type per phase: [`HandshakeError`] for what can fail before a
//! connection is open (getting there — URL, DNS, TCP, a proxy, TLS — and the opening handshake,
//! on either side) and [`Error`] for what can fail on an open connection. The core's errors are
//! inside them; I/O, DNS, TLS and timeouts are what the adapters add.

use sansock_core::{ClientHandshakeError, Closed, ProtocolError, SendError, ServerHandshakeError};

/// What can go wrong before a connection is open: a client's way there (URL, DNS, TCP, a proxy,
/// TLS) and the opening handshake on either side. Nothing was handed to the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The transport failed during the handshake.
    Io(std::io::Error),
    /// The opening handshake (for a client: everything from DNS on) took longer than the
    /// settings' handshake timeout.
    Timeout,
    /// The URL is not a `ws://` or `wss://` URL with a host (or a proxy URL is not one).
    Url(String),
    /// The host name did not resolve.
    Dns(std::io::Error),
    /// No TCP connection could be made to any resolved address.
    Connect(std::io::Error),
    /// The proxy did not open a tunnel: it refused (an HTTP status, 407 when it wants
    /// credentials; a SOCKS reply code), turned the credentials down, closed, or broke its
    /// protocol.
    Proxy(sansock_core::proxy::ProxyError),
    /// The TLS handshake failed (bad certificate, wrong name, no common protocol…).
    Tls(std::io::Error),
    /// `wss://` without the `rustls` feature.
    TlsUnavailable,
    /// A header, a subprotocol or the host of the client's request would break the request
    /// head (a name that is not a token, or CR, LF or NUL in a value): nothing was sent.
    InvalidRequest(sansock_core::InvalidHeader),
    /// The operating system gave no randomness for the client's masking keys and nonce.
    NoRandomness,
    /// The server's answer did not open the connection: a refusal (a non-101 status, with its
    /// headers and body) or an answer that breaks the handshake.
    Response(Box<ClientHandshakeError>),
    /// The upgrade request was not a valid WebSocket handshake; its error response was sent.
    BadRequest(Box<ServerHandshakeError>),
    /// The application rejected the upgrade request; the rejection was sent.
    Rejected(u16),
    /// The connection opened, then failed before it was handed out: a reconnecting client's
    /// connect hook returned this error.
    Hook(Error),
}

/// What can go wrong on an open Sansock connection, whatever the adapter.
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
    /// A message part arrived where whole messages are read (`recv`, the `Stream`):
    /// with [`ConnectionConfig::message_parts`](sansock_core::ConnectionConfig::message_parts)
    /// set, receive events (`recv_event`). Nothing is lost: here is the part, and
    /// the next call goes on after it.
    UnexpectedPart(sansock_core::MessagePart),
}

impl core::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HandshakeError::Io(e) => write!(f, "I/O error during the handshake: {e}"),
            HandshakeError::Timeout => {
                f.write_str("the opening handshake took longer than the handshake timeout")
            }
            HandshakeError::Url(why) => write!(f, "invalid WebSocket URL: {why}"),
            HandshakeError::Dns(e) => write!(f, "DNS lookup failed: {e}"),
            HandshakeError::Connect(e) => write!(f, "TCP connection failed: {e}"),
            HandshakeError::Proxy(e) => write!(f, "proxy: {e}"),
            HandshakeError::Tls(e) => write!(f, "TLS handshake failed: {e}"),
            HandshakeError::TlsUnavailable => f.write_str("wss:// needs the `rustls` feature"),
            HandshakeError::InvalidRequest(e) => write!(f, "invalid client request: {e}"),
            HandshakeError::NoRandomness => {
                f.write_str("the operating system gave no randomness for the masking keys")
            }
            HandshakeError::Response(e) => write!(f, "handshake failed: {e}"),
            HandshakeError::BadRequest(e) => write!(f, "bad upgrade request: {e}"),
            HandshakeError::Rejected(status) => write!(f, "upgrade rejected with {status}"),
            HandshakeError::Hook(e) => write!(f, "the connect hook failed: {e}"),
        }
    }
}

impl std::error::Error for HandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandshakeError::Io(e)
            | HandshakeError::Dns(e)
            | HandshakeError::Connect(e)
            | HandshakeError::Tls(e) => Some(e),
            HandshakeError::Response(e) => Some(e.as_ref()),
            HandshakeError::BadRequest(e) => Some(e.as_ref()),
            HandshakeError::InvalidRequest(e) => Some(e),
            HandshakeError::Hook(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for HandshakeError {
    /// A failure of a connection that had just opened (a reconnecting client's connect hook).
    fn from(e: Error) -> Self {
        HandshakeError::Hook(e)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
            Error::Send(e) => write!(f, "cannot send: {e}"),
            Error::AbnormalClose(c) => write!(f, "the connection ended abnormally: {c}"),
            Error::AlreadyClosed => {
                f.write_str("the connection is closed: nothing more can be sent or received")
            }
            Error::WriteBufferFull(_) => f.write_str(
                "the write buffer is full and the socket takes nothing now: \
                 flush when it is writable, then send the message again",
            ),
            Error::UnexpectedPart(_) => {
                f.write_str("a message part arrived where whole messages are read")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Protocol(e) => Some(e),
            Error::Send(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// The connection is over, whichever way it ended: closed already (`AlreadyClosed`, a send
    /// after the close), ended without a closing handshake (`AbnormalClose`), failed by a
    /// protocol error, refused by a spent memory budget (closing with 1013), or its transport
    /// broke. Nothing more can be sent on it; what it received up to the end was delivered.
    pub fn is_closed(&self) -> bool {
        match self {
            Error::AlreadyClosed | Error::AbnormalClose(_) | Error::Protocol(_) => true,
            Error::Send(e) => matches!(e, SendError::Closed | SendError::OverBudget),
            Error::Io(_) => !self.is_would_block(),
            _ => false,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::Error;
    use sansock_core::{CloseCode, Closed, Ending, Initiator, SendError, Utf8Bytes};

    fn abnormal(ending: Ending) -> Error {
        Error::AbnormalClose(Closed {
            code: CloseCode(1006),
            reason: Utf8Bytes::default(),
            initiator: Initiator::Neither,
            ending,
        })
    }

    #[test]
    fn every_flavour_of_over_is_closed_and_nothing_else() {
        let over = [
            Error::AlreadyClosed,
            Error::Send(SendError::Closed),
            Error::Send(SendError::OverBudget),
            abnormal(Ending::IdleTimedOut),
            Error::Protocol(sansock_core::ProtocolError::InvalidUtf8),
            Error::Io(std::io::ErrorKind::ConnectionReset.into()),
        ];
        for e in &over {
            assert!(e.is_closed(), "{e}");
        }
        let not_over = [
            Error::Io(std::io::ErrorKind::WouldBlock.into()),
            Error::Send(SendError::ControlPayloadTooLong),
            Error::WriteBufferFull(sansock_core::Message::from("later")),
        ];
        for e in &not_over {
            assert!(!e.is_closed(), "{e}");
        }
    }

    #[test]
    fn an_abnormal_close_says_what_happened_in_words() {
        let text = abnormal(Ending::IdleTimedOut).to_string();
        assert_eq!(
            text,
            "the connection ended abnormally: nothing arrived for the idle timeout (keepalive \
             pings unanswered): the peer is presumed dead (code 1006)"
        );
    }
}

#[cfg(test)]
mod handshake_tests {
    use super::{Error, HandshakeError};

    #[test]
    fn a_hook_failure_keeps_the_connection_error_as_its_source() {
        let e = HandshakeError::from(Error::AlreadyClosed);
        assert!(matches!(e, HandshakeError::Hook(Error::AlreadyClosed)));
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("the connection is closed: nothing more can be sent or received")
        );
    }
}
