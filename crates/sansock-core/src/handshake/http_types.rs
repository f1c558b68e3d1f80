//! The server's handshake in the `http` crate's types (feature `http`), for servers whose HTTP
//! stack has read the request already (hyper, axum): [`UpgradeRequest::from_http`] checks the
//! request's parts exactly as [`ServerHandshake`](super::ServerHandshake) checks bytes (the same
//! code: the fields are laid out as the head they stand for), and the answers come out as
//! `http::Response`s. Reading and writing HTTP is the server's; nothing here parses bytes.

use super::config::ServerConfig;
use super::head::Head;
use super::server::{
    Accept, Accepted, Reject, RejectedAccept, ServerHandshakeError, UpgradeRequest,
};
use crate::Timestamp;
use alloc::vec::Vec;
use http::{HeaderName, HeaderValue, Response, StatusCode, Version};

impl UpgradeRequest {
    /// Checks a request an HTTP server has parsed (its method, target, version and headers)
    /// against RFC 6455 §4.2.1 and `config`'s limits, as [`ServerHandshake::receive`] does.
    ///
    /// ```
    /// use sansock_core::{ServerConfig, UpgradeRequest};
    /// let (parts, ()) = http::Request::get("/chat")
    ///     .header("Host", "example.com")
    ///     .header("Upgrade", "websocket")
    ///     .header("Connection", "Upgrade")
    ///     .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
    ///     .header("Sec-WebSocket-Version", "13")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// let request = UpgradeRequest::from_http(&parts, ServerConfig::default()).unwrap();
    /// assert_eq!(request.path(), "/chat");
    /// ```
    ///
    /// # Errors
    /// [`ServerHandshakeError`] for a request that is not a valid upgrade or is over a limit;
    /// [`to_http`](ServerHandshakeError::to_http) gives the answer.
    ///
    /// [`ServerHandshake::receive`]: super::ServerHandshake::receive
    pub fn from_http(
        parts: &http::request::Parts,
        config: ServerConfig,
    ) -> Result<UpgradeRequest, ServerHandshakeError> {
        let minor_version = match parts.version {
            Version::HTTP_09 | Version::HTTP_10 => 0,
            _ => 1,
        };
        let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let fields = parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()));
        let head = Head::from_fields(
            parts.method.as_str(),
            target,
            minor_version,
            fields,
            &config.limits,
        )
        .map_err(|e| ServerHandshakeError::new(e.into(), None))?;
        UpgradeRequest::check(head, config)
    }

    /// As [`accept`](Self::accept), with the 101 response as an `http::Response` for the HTTP
    /// server to send (it writes the status line and the headers; the connection's bytes
    /// follow once the server hands over the transport).
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn accept_http(
        self,
        now: Timestamp,
        accept: &Accept,
    ) -> Result<Accepted<Response<()>>, RejectedAccept> {
        self.agree(now, accept, |headers| {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
            append(&mut response, headers);
            response
        })
    }
}

impl ServerHandshakeError {
    /// The refusal as an `http::Response` (status, the header its kind calls for, no body),
    /// for an HTTP server to send.
    pub fn to_http(&self) -> Response<Vec<u8>> {
        let mut response = Response::new(Vec::new());
        *response.status_mut() = status(self.status());
        if let Some(header) = self.kind().extra_header() {
            append(&mut response, &mut core::iter::once(header));
        }
        response
    }
}

impl Reject {
    /// The rejection as an `http::Response`: its status, headers and body.
    ///
    /// ```
    /// let response = sansock_core::Reject::new(403).with_body("no").to_http();
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.body(), b"no");
    /// ```
    pub fn to_http(&self) -> Response<Vec<u8>> {
        let mut response = Response::new(self.body.clone());
        *response.status_mut() = status(self.status);
        append(
            &mut response,
            &mut self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        response
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

/// Appends headers already checked by this crate (a name that is a token, a value without CR,
/// LF or NUL); anything the `http` crate still refuses is left out rather than sent.
fn append<B>(response: &mut Response<B>, headers: &mut dyn Iterator<Item = (&str, &str)>) {
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerHandshake;
    use crate::ServerHandshakeErrorKind;
    use crate::handshake::ServerStep;
    use alloc::string::String;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn parts(
        build: impl FnOnce(http::request::Builder) -> http::request::Builder,
    ) -> http::request::Parts {
        let builder = http::Request::get("/chat?room=1")
            .header("Host", "example.com")
            .header("Upgrade", "websocket")
            .header("Connection", "keep-alive, Upgrade")
            .header("Sec-WebSocket-Key", KEY)
            .header("Sec-WebSocket-Version", "13");
        build(builder).body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_valid_request_reads_as_from_bytes() {
        let parts = parts(|b| {
            b.header("Origin", "http://example.com")
                .header("Sec-WebSocket-Protocol", "a, b")
        });
        let request = UpgradeRequest::from_http(&parts, ServerConfig::default()).unwrap();
        assert_eq!(request.target(), "/chat?room=1");
        assert_eq!(request.path(), "/chat");
        assert_eq!(request.query(), Some("room=1"));
        assert_eq!(request.host(), "example.com");
        assert_eq!(request.origin(), Some("http://example.com"));
        assert_eq!(request.protocols().collect::<Vec<_>>(), ["a", "b"]);
        let accepted = request
            .accept_http(
                Timestamp::ZERO,
                &Accept::new().with_protocol("b").with_header("X-A", "1"),
            )
            .unwrap();
        let response = accepted.response;
        assert_eq!(response.status(), 101);
        let h = response.headers();
        assert_eq!(h["upgrade"], "websocket");
        assert_eq!(h["connection"], "Upgrade");
        assert_eq!(h["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(h["sec-websocket-protocol"], "b");
        assert_eq!(h["x-a"], "1");
    }

    #[test]
    fn the_http_answer_matches_the_bytes_answer() {
        // The same request through both doors: the same 101 headers, in the same order.
        let parts = parts(|b| b);
        let mut wire = String::from("GET /chat?room=1 HTTP/1.1\r\n");
        for (n, v) in &parts.headers {
            wire.push_str(&alloc::format!("{}: {}\r\n", n, v.to_str().unwrap()));
        }
        wire.push_str("\r\n");
        let Ok(ServerStep::Upgrade { request, .. }) =
            ServerHandshake::new(ServerConfig::default()).receive(wire.as_bytes())
        else {
            panic!("not an upgrade")
        };
        let bytes = request
            .accept(Timestamp::ZERO, &Accept::new())
            .unwrap()
            .response;
        let typed = UpgradeRequest::from_http(&parts, ServerConfig::default())
            .unwrap()
            .accept_http(Timestamp::ZERO, &Accept::new())
            .unwrap()
            .response;
        let mut rendered = String::from("HTTP/1.1 101 Switching Protocols\r\n");
        for (n, v) in typed.headers() {
            let n = n.as_str();
            // Header names come back lower-case from the http crate.
            let shown = ["Upgrade", "Connection", "Sec-WebSocket-Accept"]
                .into_iter()
                .find(|s| s.eq_ignore_ascii_case(n))
                .unwrap();
            rendered.push_str(&alloc::format!("{shown}: {}\r\n", v.to_str().unwrap()));
        }
        rendered.push_str("\r\n");
        assert_eq!(String::from_utf8(bytes).unwrap(), rendered);
    }

    #[test]
    fn every_check_of_the_byte_path_applies() {
        use ServerHandshakeErrorKind as K;
        type Edit = fn(http::request::Builder) -> http::request::Builder;
        let cases: [(K, Edit); 5] = [
            (K::UnsupportedVersion, |b| {
                b.header("Sec-WebSocket-Version", "8")
            }),
            (K::InvalidKey, |b| b.header("Sec-WebSocket-Key", "short")),
            (K::MalformedProtocols, |b| {
                b.header("Sec-WebSocket-Protocol", "a b")
            }),
            (K::MalformedExtensions, |b| {
                b.header("Sec-WebSocket-Extensions", "x;;")
            }),
            (K::MissingHost, |b| b.header("Host", "other.example")),
        ];
        for (kind, build) in cases {
            let error =
                UpgradeRequest::from_http(&parts(build), ServerConfig::default()).unwrap_err();
            assert_eq!(error.kind(), kind);
            let response = error.to_http();
            assert_eq!(response.status(), kind.status());
        }
        let error =
            UpgradeRequest::from_http(&parts(|b| b.method("POST")), ServerConfig::default())
                .unwrap_err();
        assert_eq!(error.kind(), K::MethodNotAllowed);
        assert_eq!(error.to_http().headers()["allow"], "GET");
        let error = UpgradeRequest::from_http(
            &parts(|b| b.header("Sec-WebSocket-Version", "8")),
            ServerConfig::default(),
        )
        .unwrap_err();
        assert_eq!(error.to_http().headers()["sec-websocket-version"], "13");
        let (no_upgrade, ()) = http::Request::get("/")
            .header("Host", "a")
            .body(())
            .unwrap()
            .into_parts();
        let error = UpgradeRequest::from_http(&no_upgrade, ServerConfig::default()).unwrap_err();
        assert_eq!(error.kind(), K::NotWebSocketUpgrade);
    }

    #[test]
    fn limits_apply_and_can_be_changed_later() {
        use crate::HandshakeLimits;
        let many = parts(|mut b| {
            for i in 0..70 {
                b = b.header(alloc::format!("x-{i}"), "v");
            }
            b
        });
        let error = UpgradeRequest::from_http(&many, ServerConfig::default()).unwrap_err();
        assert_eq!(error.kind(), ServerHandshakeErrorKind::TooManyHeaders);
        assert_eq!(error.to_http().status(), 431);
        let roomy =
            ServerConfig::default().with_limits(HandshakeLimits::default().with_max_headers(100));
        let request = UpgradeRequest::from_http(&many, roomy).unwrap();
        let tight = ServerConfig::default().with_limits(
            HandshakeLimits::default()
                .with_max_headers(100)
                .with_max_head_bytes(64),
        );
        let error = request.with_config(tight).unwrap_err();
        assert_eq!(error.kind(), ServerHandshakeErrorKind::HeadTooLarge);
    }

    #[test]
    fn a_rejection_keeps_status_headers_and_body() {
        let response = Reject::new(401)
            .with_header("WWW-Authenticate", "Bearer")
            .with_body("token required")
            .to_http();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(response.body(), b"token required");
    }
}
