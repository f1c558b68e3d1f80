//! The client's side of the opening handshake (RFC 6455 §4.1).
//!
//! [`ClientHandshake::new`] writes the request with a fresh nonce from the injected
//! [`Entropy`]; [`ClientHandshake::receive`] reads the response incrementally and checks the
//! status, `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, and that the chosen subprotocol and
//! extension were offered. A non-101 answer is an error carrying status, headers and body.

use super::accept_key::{accept_key, encode_key};
use super::config::ClientConfig;
use super::head::{Head, HeadError, HeadProgress, HeadReader, StartLine};
use super::http_write::{InvalidHeader, check_header};
use super::{all_tokens, list_contains, list_items};
use crate::Timestamp;
use crate::connection::Connection;
use crate::entropy::Entropy;
use crate::extension::{Extension, ExtensionOffer};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// What the client asks for: host, path and query, subprotocols, extra headers.
///
/// ```
/// use sansock_core::ClientRequest;
/// let request = ClientRequest::new("example.com:8080", "/chat?room=1")
///     .with_protocol("echo-protocol")
///     .with_header("Origin", "http://example.com");
/// assert_eq!(request.host(), "example.com:8080");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    host: String,
    target: String,
    protocols: Vec<String>,
    headers: Vec<(String, String)>,
}

impl ClientRequest {
    /// A request for `target` (path and optional query; `/` if empty) on `host` (with the port
    /// when it is not the scheme's default).
    pub fn new(host: impl Into<String>, target: impl Into<String>) -> Self {
        let mut target = target.into();
        if !target.starts_with('/') {
            target.insert(0, '/');
        }
        ClientRequest {
            host: host.into(),
            target,
            protocols: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Offers a subprotocol (in order of preference).
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocols.push(protocol.into());
        self
    }

    /// Adds a header (`Origin`, `Authorization`, cookies…).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `Host` value.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The request target.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The offered subprotocols.
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// The extra headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether nothing here would break a request: host and target plain, subprotocols
    /// tokens, headers that cannot split it.
    pub(crate) fn check(&self) -> Result<(), InvalidHeader> {
        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
        let ok = plain(&self.host)
            && plain(&self.target)
            && self
                .protocols
                .iter()
                .all(|p| all_tokens([p.as_bytes()].into_iter()) && !p.is_empty())
            && self.headers.iter().all(|(n, v)| check_header(n, v).is_ok());
        if ok { Ok(()) } else { Err(InvalidHeader) }
    }
}

/// A client waiting for the server's response.
pub struct ClientHandshake {
    config: ClientConfig,
    key: String,
    protocols: Vec<String>,
    entropy: Box<dyn Entropy>,
    reader: HeadReader,
    /// A non-101 response whose body is still arriving: (head, body so far, expected length).
    rejected: Option<(Head, Vec<u8>, usize)>,
}

impl core::fmt::Debug for ClientHandshake {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientHandshake")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// What [`ClientHandshake::receive`] made of its input.
#[derive(Debug)]
// `Done` holds the connection by value: a step is made once per read of the handshake and moved
// out at once, and boxing the connection would cost every client an allocation for nothing.
#[allow(clippy::large_enum_variant)]
pub enum ClientStep {
    /// The response is incomplete; all input was taken.
    NeedMore(ClientHandshake),
    /// The server accepted. `consumed` bytes of the last input were the response's; the rest
    /// are frames for the connection.
    Done {
        /// The open connection.
        connection: Connection,
        /// The server's response.
        response: Box<Response>,
        /// How many bytes of the last input were the response's.
        consumed: usize,
    },
}

/// The server's accepting response (101 over HTTP/1.1, 200 over HTTP/2).
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) head: Head,
}

impl Response {
    /// The subprotocol the server chose, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.head.header_str("sec-websocket-protocol")
    }

    /// The negotiated extensions, as the server wrote them.
    pub fn extensions(&self) -> Option<&str> {
        self.head.header_str("sec-websocket-extensions")
    }

    /// The whole response head.
    pub fn head(&self) -> &Head {
        &self.head
    }
}

impl ClientHandshake {
    /// Starts a handshake: returns it and the request bytes to send.
    ///
    /// # Errors
    /// [`InvalidHeader`] if a header, the host, the target or a subprotocol would break the
    /// request.
    pub fn new(
        request: &ClientRequest,
        config: ClientConfig,
        mut entropy: Box<dyn Entropy>,
    ) -> Result<(ClientHandshake, Vec<u8>), InvalidHeader> {
        request.check()?;
        let mut nonce = [0u8; 16];
        entropy.fill_bytes(&mut nonce);
        let key = encode_key(&nonce);
        let mut out = String::with_capacity(256);
        let _ = write!(
            out,
            "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n",
            request.target, request.host
        );
        if !request.protocols.is_empty() {
            let _ = write!(
                out,
                "Sec-WebSocket-Protocol: {}\r\n",
                request.protocols.join(", ")
            );
        }
        if !config.extensions.is_empty() {
            let offers: Vec<String> = config.extensions.iter().map(|e| e.offer()).collect();
            let _ = write!(out, "Sec-WebSocket-Extensions: {}\r\n", offers.join(", "));
        }
        for (n, v) in &request.headers {
            let _ = write!(out, "{n}: {v}\r\n");
        }
        out.push_str("\r\n");
        let handshake = ClientHandshake {
            config,
            key,
            protocols: request.protocols.clone(),
            entropy,
            reader: HeadReader::default(),
            rejected: None,
        };
        Ok((handshake, out.into_bytes()))
    }

    /// A handshake with no key (an HTTP/2 extended CONNECT has none), for the `http` types'
    /// constructor.
    #[cfg(feature = "http")]
    pub(crate) fn keyless(
        config: ClientConfig,
        protocols: Vec<String>,
        entropy: Box<dyn Entropy>,
    ) -> Self {
        ClientHandshake {
            config,
            key: String::new(),
            protocols,
            entropy,
            reader: HeadReader::default(),
            rejected: None,
        }
    }

    /// Takes response bytes at `now`. Linear in the input however it is split.
    ///
    /// # Errors
    /// [`ClientHandshakeError`] when the server refused or answered wrongly.
    pub fn receive(
        mut self,
        now: Timestamp,
        input: &[u8],
    ) -> Result<ClientStep, ClientHandshakeError> {
        if let Some((head, mut body, expected)) = self.rejected.take() {
            let take = (expected - body.len()).min(input.len());
            body.extend_from_slice(&input[..take]);
            if body.len() < expected {
                self.rejected = Some((head, body, expected));
                return Ok(ClientStep::NeedMore(self));
            }
            return Err(rejected(head, body));
        }
        let limits = self.config.limits;
        let consumed = match self.reader.push(input, limits.max_head_bytes) {
            HeadProgress::Partial => return Ok(ClientStep::NeedMore(self)),
            HeadProgress::TooLarge => return Err(ClientHandshakeError::HeadTooLarge),
            HeadProgress::Complete { consumed } => consumed,
        };
        let head = match Head::parse(
            core::mem::take(&mut self.reader).into_bytes(),
            &limits,
            false,
        ) {
            Ok(head) => head,
            Err(HeadError::TooManyHeaders) => return Err(ClientHandshakeError::TooManyHeaders),
            Err(HeadError::TooLarge) => return Err(ClientHandshakeError::HeadTooLarge),
            Err(HeadError::Malformed) => return Err(ClientHandshakeError::Malformed),
        };
        let StartLine::Response { status, .. } = head.start else {
            return Err(ClientHandshakeError::Malformed);
        };
        if status != 101 {
            let rest = &input[consumed..];
            let expected = head
                .header_str("content-length")
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(rest.len())
                .min(limits.max_body_bytes);
            let take = expected.min(rest.len());
            if take < expected {
                self.rejected = Some((head, rest[..take].to_vec(), expected));
                return Ok(ClientStep::NeedMore(self));
            }
            return Err(rejected(head, rest[..take].to_vec()));
        }
        let extension = self.check_101(&head)?;
        let connection = Connection::client(self.config.connection, now, self.entropy, extension);
        Ok(ClientStep::Done {
            connection,
            response: Box::new(Response { head }),
            consumed,
        })
    }

    /// Checks a 101 response (RFC 6455 §4.1, the client's checks 1–6).
    fn check_101(&self, head: &Head) -> Result<Option<Box<dyn Extension>>, ClientHandshakeError> {
        use ClientHandshakeError as E;
        if head.minor_version < 1 {
            return Err(E::Malformed);
        }
        if !list_contains(head.header_all("upgrade"), "websocket") {
            return Err(E::MissingUpgrade);
        }
        if !list_contains(head.header_all("connection"), "upgrade") {
            return Err(E::MissingConnectionUpgrade);
        }
        let expected = accept_key(self.key.as_bytes());
        if head.count("sec-websocket-accept") != 1
            || head.header("sec-websocket-accept").map(<[u8]>::trim_ascii)
                != Some(expected.as_bytes())
        {
            return Err(E::InvalidAccept);
        }
        self.check_agreement(head)
    }

    /// The head limits of the answer.
    #[cfg(feature = "http")]
    pub(crate) fn limits(&self) -> &crate::HandshakeLimits {
        &self.config.limits
    }

    /// An accepting HTTP/2 answer: its checks, then the connection.
    #[cfg(feature = "http")]
    pub(crate) fn open_http2(
        self,
        now: Timestamp,
        head: Head,
    ) -> Result<(Connection, Box<Response>), ClientHandshakeError> {
        let extension = self.check_agreement(&head)?;
        let connection = Connection::client(self.config.connection, now, self.entropy, extension);
        Ok((connection, Box::new(Response { head })))
    }

    /// The checks of an accepting answer that do not depend on how it came: the chosen
    /// subprotocol was offered, and so was each accepted extension (whose instance it gives).
    pub(crate) fn check_agreement(
        &self,
        head: &Head,
    ) -> Result<Option<Box<dyn Extension>>, ClientHandshakeError> {
        use ClientHandshakeError as E;
        let chosen: Vec<&[u8]> = list_items(head.header_all("sec-websocket-protocol")).collect();
        match chosen.as_slice() {
            [] => {}
            [one] if self.protocols.iter().any(|p| p.as_bytes() == *one) => {}
            _ => return Err(E::UnexpectedProtocol),
        }
        let mut accepted: Vec<ExtensionOffer> = Vec::new();
        for value in head.header_all("sec-websocket-extensions") {
            let list = core::str::from_utf8(value)
                .ok()
                .and_then(|v| ExtensionOffer::parse_list(v).ok())
                .ok_or(E::UnexpectedExtension)?;
            accepted.extend(list);
        }
        let mut instance: Option<Box<dyn Extension>> = None;
        for response in &accepted {
            let offered = self
                .config
                .extensions
                .iter()
                .find(|e| e.name().eq_ignore_ascii_case(&response.name));
            match (offered, &instance) {
                (Some(ext), None) => {
                    instance = Some(ext.accept(response).map_err(E::ExtensionRefused)?);
                }
                _ => return Err(E::UnexpectedExtension),
            }
        }
        Ok(instance)
    }
}

pub(crate) fn rejected(head: Head, body: Vec<u8>) -> ClientHandshakeError {
    let status = match head.start {
        StartLine::Response { status, .. } => status,
        StartLine::Request { .. } => 0,
    };
    ClientHandshakeError::Rejected {
        status,
        response: Box::new(Response { head }),
        body,
    }
}

/// Why the server's response does not complete the handshake.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientHandshakeError {
    /// The server answered with something other than 101.
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The response head (all headers).
        response: Box<Response>,
        /// The body (up to `Content-Length` and `max_body_bytes`).
        body: Vec<u8>,
    },
    /// Not a valid HTTP/1.1 response.
    Malformed,
    /// The head exceeds `max_head_bytes`.
    HeadTooLarge,
    /// More than `max_headers` fields.
    TooManyHeaders,
    /// A 101 without `Upgrade: websocket`.
    MissingUpgrade,
    /// A 101 whose `Connection` lacks `upgrade`.
    MissingConnectionUpgrade,
    /// `Sec-WebSocket-Accept` is missing or does not match our key.
    InvalidAccept,
    /// The server chose a subprotocol we did not offer (or several).
    UnexpectedProtocol,
    /// The server named an extension we did not offer, twice, or malformed.
    UnexpectedExtension,
    /// An offered extension refused the server's parameters.
    ExtensionRefused(&'static str),
}

impl ClientHandshakeError {
    /// The HTTP status, for a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientHandshakeError::Rejected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl core::fmt::Display for ClientHandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use ClientHandshakeError as E;
        match self {
            E::Rejected { status, .. } => write!(f, "the server refused the upgrade with {status}"),
            E::Malformed => f.write_str("malformed HTTP response"),
            E::HeadTooLarge => f.write_str("response head too large"),
            E::TooManyHeaders => f.write_str("too many response headers"),
            E::MissingUpgrade => f.write_str("101 response without Upgrade: websocket"),
            E::MissingConnectionUpgrade => f.write_str("101 response without Connection: upgrade"),
            E::InvalidAccept => f.write_str("Sec-WebSocket-Accept does not match the key"),
            E::UnexpectedProtocol => f.write_str("server chose a subprotocol that was not offered"),
            E::UnexpectedExtension => f.write_str("server chose an extension that was not offered"),
            E::ExtensionRefused(why) => write!(f, "extension parameters refused: {why}"),
        }
    }
}

impl core::error::Error for ClientHandshakeError {}
