//! The server's side of the opening handshake (RFC 6455 §4.2).
//!
//! [`ServerHandshake`] reads the request incrementally and checks it; the application inspects
//! the resulting [`UpgradeRequest`] (path, host, origin, headers, offered subprotocols and
//! extensions) and accepts or rejects it. Every failure carries the response to send.

use super::accept_key::{accept_key, is_valid_key};
use super::config::ServerConfig;
use super::head::{Head, HeadError, HeadProgress, HeadReader, StartLine};
use super::http_write::{InvalidHeader, ResponseWriter, check_header};
use super::{all_tokens, list_contains, list_items};
use crate::Timestamp;
use crate::connection::Connection;
use crate::extension::{Extension, ExtensionOffer};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// A server waiting for (the rest of) an upgrade request.
#[derive(Debug, Clone, Default)]
pub struct ServerHandshake {
    config: ServerConfig,
    reader: HeadReader,
}

/// What [`ServerHandshake::receive`] made of its input.
#[derive(Debug)]
pub enum ServerStep {
    /// The request is incomplete; all input was taken. Call `receive` again with more.
    NeedMore(ServerHandshake),
    /// A valid upgrade request. `consumed` bytes of the last input belonged to it; the rest are
    /// frames for the connection.
    Upgrade {
        /// The request, for the application to accept or reject.
        request: Box<UpgradeRequest>,
        /// How many bytes of the last input were the request's.
        consumed: usize,
    },
}

impl ServerHandshake {
    /// A server handshake with `config`.
    pub fn new(config: ServerConfig) -> Self {
        ServerHandshake {
            config,
            reader: HeadReader::default(),
        }
    }

    /// Takes request bytes. Linear in the input however it is split.
    ///
    /// # Errors
    /// [`ServerHandshakeError`] for a request that is malformed, too large or not a WebSocket
    /// upgrade; its [`response`](ServerHandshakeError::response) is ready to send.
    pub fn receive(mut self, input: &[u8]) -> Result<ServerStep, ServerHandshakeError> {
        use ServerHandshakeErrorKind as K;
        let limits = self.config.limits;
        let consumed = match self.reader.push(input, limits.max_head_bytes) {
            HeadProgress::Partial => return Ok(ServerStep::NeedMore(self)),
            HeadProgress::TooLarge => return Err(ServerHandshakeError::new(K::HeadTooLarge, None)),
            HeadProgress::Complete { consumed } => consumed,
        };
        let head = match Head::parse(self.reader.into_bytes(), &limits, true) {
            Ok(head) => head,
            Err(e) => return Err(ServerHandshakeError::new(e.into(), None)),
        };
        let request = UpgradeRequest::check(head, self.config)?;
        Ok(ServerStep::Upgrade {
            request: Box::new(request),
            consumed,
        })
    }
}

/// How an upgrade request came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Carrier {
    /// An HTTP/1.1 `GET` with `Upgrade: websocket` (RFC 6455 §4): answered with 101, and the
    /// connection becomes the WebSocket's.
    Http1,
    /// An HTTP/2 extended `CONNECT` with `:protocol` `websocket` (RFC 8441): answered with 200,
    /// and one stream of the connection becomes the WebSocket's.
    Http2,
}

/// A valid upgrade request, waiting for the application's decision.
pub struct UpgradeRequest {
    head: Head,
    config: ServerConfig,
    offered_extensions: Vec<ExtensionOffer>,
    carrier: Carrier,
}

impl core::fmt::Debug for UpgradeRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UpgradeRequest")
            .field("target", &self.target())
            .field("head", &self.head)
            .finish()
    }
}

impl UpgradeRequest {
    /// Checks a parsed request against RFC 6455 §4.2.1.
    pub(crate) fn check(
        head: Head,
        config: ServerConfig,
    ) -> Result<UpgradeRequest, ServerHandshakeError> {
        use ServerHandshakeErrorKind as K;
        let fail = |kind, head: Head| Err(ServerHandshakeError::new(kind, Some(head)));
        let StartLine::Request { method, .. } = &head.start else {
            return fail(K::Malformed, head);
        };
        if head.range_str(method) != "GET" {
            return fail(K::MethodNotAllowed, head);
        }
        if head.minor_version < 1 {
            return fail(K::HttpVersion, head);
        }
        if head.count("host") != 1 {
            return fail(K::MissingHost, head);
        }
        if !list_contains(head.header_all("upgrade"), "websocket") {
            return fail(K::NotWebSocketUpgrade, head);
        }
        if !list_contains(head.header_all("connection"), "upgrade") {
            return fail(K::MissingConnectionUpgrade, head);
        }
        // The version before the key: a client of another version may send another key.
        if !Self::version_13(&head) {
            return fail(K::UnsupportedVersion, head);
        }
        if head.count("sec-websocket-key") != 1
            || !head.header("sec-websocket-key").is_some_and(is_valid_key)
        {
            return fail(K::InvalidKey, head);
        }
        Self::check_common(head, config, Carrier::Http1)
    }

    /// Checks an HTTP/2 extended CONNECT (RFC 8441 §4, §5): the method is `CONNECT` and
    /// `protocol` (the `:protocol` pseudo-header) is `websocket`; `Upgrade`, `Connection` and the
    /// key are HTTP/1.1's and not looked at; the rest is as on HTTP/1.1.
    #[cfg(feature = "http")]
    pub(crate) fn check_extended_connect(
        head: Head,
        protocol: Option<&str>,
        config: ServerConfig,
    ) -> Result<UpgradeRequest, ServerHandshakeError> {
        use ServerHandshakeErrorKind as K;
        if head.method() != "CONNECT" || protocol != Some("websocket") {
            return Err(ServerHandshakeError::new(
                K::NotWebSocketUpgrade,
                Some(head),
            ));
        }
        if head.count("host") != 1 {
            return Err(ServerHandshakeError::new(K::MissingHost, Some(head)));
        }
        if !Self::version_13(&head) {
            return Err(ServerHandshakeError::new(K::UnsupportedVersion, Some(head)));
        }
        Self::check_common(head, config, Carrier::Http2)
    }

    fn version_13(head: &Head) -> bool {
        head.count("sec-websocket-version") == 1
            && head.header("sec-websocket-version") == Some(b"13")
    }

    /// The checks both carriers share, after their own: the subprotocols and the extension
    /// offers.
    fn check_common(
        head: Head,
        config: ServerConfig,
        carrier: Carrier,
    ) -> Result<UpgradeRequest, ServerHandshakeError> {
        use ServerHandshakeErrorKind as K;
        let fail = |kind, head: Head| Err(ServerHandshakeError::new(kind, Some(head)));
        if !all_tokens(list_items(head.header_all("sec-websocket-protocol"))) {
            return fail(K::MalformedProtocols, head);
        }
        let mut offered_extensions = Vec::new();
        let mut malformed = false;
        for value in head.header_all("sec-websocket-extensions") {
            let parsed = core::str::from_utf8(value)
                .ok()
                .and_then(|v| ExtensionOffer::parse_list(v).ok());
            match parsed {
                Some(list) => offered_extensions.extend(list),
                None => malformed = true,
            }
        }
        if malformed {
            return fail(K::MalformedExtensions, head);
        }
        Ok(UpgradeRequest {
            head,
            config,
            offered_extensions,
            carrier,
        })
    }

    /// The request checked again under `config` (its limits: the head's bytes and fields), to
    /// accept with `config`'s connection settings and extensions instead of those it was read
    /// with.
    ///
    /// # Errors
    /// [`ServerHandshakeError`] (431) when the request is over `config`'s limits.
    pub fn with_config(mut self, config: ServerConfig) -> Result<Self, ServerHandshakeError> {
        if let Err(e) = self.head.fits(&config.limits) {
            return Err(ServerHandshakeError::new(e.into(), Some(self.head)));
        }
        self.config = config;
        Ok(self)
    }

    /// How the request came: HTTP/1.1's upgrade or HTTP/2's extended CONNECT.
    pub fn carrier(&self) -> Carrier {
        self.carrier
    }

    /// The request target: path and query, as sent (e.g. `/chat?room=1`).
    pub fn target(&self) -> &str {
        self.head.target()
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.head.path()
    }

    /// The query (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.head.query()
    }

    /// The `Host` header (over HTTP/2, the `:authority`).
    pub fn host(&self) -> &str {
        self.head.header_str("host").unwrap_or("")
    }

    /// The `Origin` header, which browsers always send (check it against an allow-list).
    pub fn origin(&self) -> Option<&str> {
        self.head.header_str("origin")
    }

    /// The request's head: every header, as received.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The value of the first header named `name` (case-insensitive), if UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header_str(name)
    }

    /// The subprotocols the client offered, in its order of preference.
    pub fn protocols(&self) -> impl Iterator<Item = &str> {
        list_items(self.head.header_all("sec-websocket-protocol"))
            .filter_map(|p| core::str::from_utf8(p).ok())
    }

    /// The extensions the client offered, in order.
    pub fn extensions(&self) -> &[ExtensionOffer] {
        &self.offered_extensions
    }

    /// Accepts the upgrade at `now`: checks `accept`, negotiates extensions, writes the 101
    /// response and returns it with the open connection.
    ///
    /// # Errors
    /// [`RejectedAccept`] (which gives the request back) when `accept` names a subprotocol the
    /// client did not offer or carries an invalid header.
    pub fn accept(self, now: Timestamp, accept: &Accept) -> Result<Accepted, RejectedAccept> {
        let status = self.carrier.status();
        self.agree(now, accept, |headers| {
            let mut w = ResponseWriter::new(status);
            for (name, value) in headers {
                w = w.header(name, value);
            }
            w.finish(None)
        })
    }

    /// What [`accept`](Self::accept) and its HTTP-types twin share: the checks of `accept`,
    /// the negotiation and the connection; `respond` makes the response from its headers, in
    /// order.
    pub(crate) fn agree<R>(
        self,
        now: Timestamp,
        accept: &Accept,
        respond: impl FnOnce(&mut dyn Iterator<Item = (&str, &str)>) -> R,
    ) -> Result<Accepted<R>, RejectedAccept> {
        let error = if let Some(p) = &accept.protocol {
            (!self.protocols().any(|o| o == p)).then_some(AcceptError::ProtocolNotOffered)
        } else {
            None
        };
        let error = error.or_else(|| {
            accept
                .headers
                .iter()
                .any(|(n, v)| check_header(n, v).is_err())
                .then_some(AcceptError::InvalidHeader(InvalidHeader))
        });
        if let Some(error) = error {
            return Err(RejectedAccept {
                request: Box::new(self),
                error,
            });
        }
        // HTTP/2 has no connection-level upgrade and no key to answer (RFC 8441 §5).
        let http1 = self.carrier == Carrier::Http1;
        let key =
            http1.then(|| accept_key(self.head.header("sec-websocket-key").unwrap_or_default()));
        let (extension, extension_header) = self.negotiate_extensions();
        let ours = [
            http1.then_some(("Upgrade", "websocket")),
            http1.then_some(("Connection", "Upgrade")),
            key.as_deref().map(|k| ("Sec-WebSocket-Accept", k)),
            accept
                .protocol
                .as_deref()
                .map(|p| ("Sec-WebSocket-Protocol", p)),
            extension_header
                .as_deref()
                .map(|e| ("Sec-WebSocket-Extensions", e)),
        ];
        let extra = accept.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let response = respond(&mut ours.into_iter().flatten().chain(extra));
        let connection = Connection::server(self.config.connection, now, extension);
        Ok(Accepted {
            connection,
            response,
            protocol: accept.protocol.clone(),
            extension: extension_header,
        })
    }

    /// The first configured extension that accepts one of the client's offers.
    fn negotiate_extensions(&self) -> (Option<Box<dyn Extension>>, Option<String>) {
        for ext in &self.config.extensions {
            let offers: Vec<&ExtensionOffer> = self
                .offered_extensions
                .iter()
                .filter(|o| o.name.eq_ignore_ascii_case(ext.name()))
                .collect();
            if offers.is_empty() {
                continue;
            }
            if let Some((header, instance)) = ext.negotiate(&offers) {
                return (Some(instance), Some(header));
            }
        }
        (None, None)
    }

    /// Refuses the upgrade: the response to send before closing the transport.
    pub fn reject(self, reject: &Reject) -> Vec<u8> {
        reject.to_bytes()
    }
}

/// The application's "yes": an optional subprotocol and extra response headers.
///
/// ```
/// use sansock_core::Accept;
/// let accept = Accept::new().with_protocol("echo-protocol").with_header("X-Server", "sansock");
/// assert_eq!(accept.protocol.as_deref(), Some("echo-protocol"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accept {
    /// The chosen subprotocol: must be one the client offered.
    pub protocol: Option<String>,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
}

impl Accept {
    /// Accept with no subprotocol and no extra headers.
    pub fn new() -> Self {
        Accept::default()
    }

    /// Chooses `protocol`.
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The application's "no": a status, headers and a body.
///
/// Invalid headers are left out of the response rather than sent.
///
/// ```
/// use sansock_core::Reject;
/// let reject = Reject::new(403).with_body("origin not allowed");
/// assert_eq!(reject.status, 403);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reject {
    /// The HTTP status (not 101; values outside 200–599 are sent as 400).
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reject {
    /// A rejection with `status`, no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Reject {
            status: if (200..=599).contains(&status) {
                status
            } else {
                400
            },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header, unless it is invalid (a header the caller could not mean to send).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        if check_header(&name, &value).is_ok() {
            self.headers.push((name, value));
        }
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The HTTP response: status line, headers, `Content-Length`, `Connection: close`, body.
    /// Also what a server sends to a plain HTTP request it serves instead of upgrading (a page
    /// at `/`, a 404).
    ///
    /// ```
    /// let page = sansock_core::Reject::new(200)
    ///     .with_header("Content-Type", "text/plain")
    ///     .with_body("hi");
    /// assert_eq!(
    ///     page.to_bytes(),
    ///     b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
    /// );
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = ResponseWriter::new(self.status);
        for (n, v) in &self.headers {
            w = w.header(n, v);
        }
        w.finish(Some(&self.body))
    }
}

/// An accepted upgrade: the open connection and the response to send first (101, or 200 over
/// HTTP/2) — its bytes
/// (`R = Vec<u8>`), or an `http::Response` from
/// [`accept_http`](UpgradeRequest::accept_http) (feature `http`).
#[derive(Debug)]
pub struct Accepted<R = Vec<u8>> {
    /// The open connection.
    pub connection: Connection,
    /// The response: send it before anything from `connection.transmit()`.
    pub response: R,
    /// The chosen subprotocol.
    pub protocol: Option<String>,
    /// The negotiated extension's response element, if any.
    pub extension: Option<String>,
}

/// Why [`UpgradeRequest::accept`] refused the application's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptError {
    /// The chosen subprotocol was not offered by the client.
    ProtocolNotOffered,
    /// An extra header is invalid.
    InvalidHeader(InvalidHeader),
}

impl core::fmt::Display for AcceptError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AcceptError::ProtocolNotOffered => {
                f.write_str("the accepted subprotocol is not one the client offered")
            }
            AcceptError::InvalidHeader(e) => write!(f, "an extra response header is invalid: {e}"),
        }
    }
}

impl core::error::Error for AcceptError {}

/// A refused `Accept`, with the request handed back so the application can decide again.
#[derive(Debug)]
pub struct RejectedAccept {
    /// The request, unchanged.
    pub request: Box<UpgradeRequest>,
    /// What was wrong with the `Accept`.
    pub error: AcceptError,
}

/// Why a request is not a valid WebSocket upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerHandshakeErrorKind {
    /// Not valid HTTP/1.x: 400.
    Malformed,
    /// The head exceeds `max_head_bytes`: 431.
    HeadTooLarge,
    /// More than `max_headers` fields: 431.
    TooManyHeaders,
    /// Not `GET`: 405.
    MethodNotAllowed,
    /// Older than HTTP/1.1: 505.
    HttpVersion,
    /// No `Host`, or more than one: 400.
    MissingHost,
    /// No `Upgrade: websocket` (a plain HTTP request, perhaps): 400.
    NotWebSocketUpgrade,
    /// `Connection` lacks the `upgrade` token: 400.
    MissingConnectionUpgrade,
    /// `Sec-WebSocket-Version` is missing or not 13: 426 with `Sec-WebSocket-Version: 13`.
    UnsupportedVersion,
    /// `Sec-WebSocket-Key` is missing, repeated, or not base64 of 16 bytes: 400.
    InvalidKey,
    /// `Sec-WebSocket-Protocol` is not a list of tokens: 400.
    MalformedProtocols,
    /// `Sec-WebSocket-Extensions` breaks the grammar: 400.
    MalformedExtensions,
}

impl Carrier {
    /// The status of the answer that accepts: 101 on HTTP/1.1, 200 on HTTP/2.
    pub fn status(self) -> u16 {
        match self {
            Carrier::Http1 => 101,
            Carrier::Http2 => 200,
        }
    }
}

impl From<HeadError> for ServerHandshakeErrorKind {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::TooManyHeaders => ServerHandshakeErrorKind::TooManyHeaders,
            HeadError::TooLarge => ServerHandshakeErrorKind::HeadTooLarge,
            HeadError::Malformed => ServerHandshakeErrorKind::Malformed,
        }
    }
}

impl ServerHandshakeErrorKind {
    /// The header a refusal of this kind carries besides the status, if any: which version
    /// to use (426), which method is allowed (405).
    pub(crate) fn extra_header(self) -> Option<(&'static str, &'static str)> {
        match self {
            ServerHandshakeErrorKind::UnsupportedVersion => Some(("Sec-WebSocket-Version", "13")),
            ServerHandshakeErrorKind::MethodNotAllowed => Some(("Allow", "GET")),
            _ => None,
        }
    }

    /// The HTTP status the response carries.
    pub fn status(self) -> u16 {
        use ServerHandshakeErrorKind as K;
        match self {
            K::HeadTooLarge | K::TooManyHeaders => 431,
            K::MethodNotAllowed => 405,
            K::HttpVersion => 505,
            K::UnsupportedVersion => 426,
            _ => 400,
        }
    }
}

/// A request that cannot be upgraded, with the response to send before closing.
#[derive(Debug)]
pub struct ServerHandshakeError {
    kind: ServerHandshakeErrorKind,
    response: Vec<u8>,
    head: Option<Box<Head>>,
}

impl ServerHandshakeError {
    pub(crate) fn new(kind: ServerHandshakeErrorKind, head: Option<Head>) -> Self {
        let mut w = ResponseWriter::new(kind.status());
        if let Some((name, value)) = kind.extra_header() {
            w = w.header(name, value);
        }
        ServerHandshakeError {
            kind,
            response: w.finish(Some(b"")),
            head: head.map(Box::new),
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> ServerHandshakeErrorKind {
        self.kind
    }

    /// The HTTP status of [`response`](Self::response).
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The ready-to-send response.
    pub fn response(&self) -> &[u8] {
        &self.response
    }

    /// The parsed request head, when it was valid HTTP (so a plain HTTP request can be served
    /// instead, e.g. a page at `/`).
    pub fn head(&self) -> Option<&Head> {
        self.head.as_deref()
    }
}

impl core::fmt::Display for ServerHandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "invalid upgrade request ({:?}): answering {}",
            self.kind,
            self.status()
        )
    }
}

impl core::error::Error for ServerHandshakeError {}
