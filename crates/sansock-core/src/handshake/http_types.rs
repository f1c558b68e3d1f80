//! The handshake in the `http` crate's types (feature `http`), for HTTP stacks that read and
//! write the heads themselves (hyper, axum, h2). Server: [`UpgradeRequest::from_http`] checks the
//! request's parts exactly as [`ServerHandshake`](super::ServerHandshake) checks bytes (the same
//! code: the fields are laid out as the head they stand for) — an HTTP/1.1 upgrade, or an HTTP/2
//! extended CONNECT (RFC 8441) — and the answers come out as `http::Response`s. Client:
//! [`ClientHandshake::new_http2`] gives the extended CONNECT to send and
//! [`ClientHandshake::receive_http2`] checks the answer. Nothing here parses bytes.

use super::client::{
    ClientHandshake, ClientHandshakeError, ClientRequest, Response as ClientResponse, rejected,
};
use super::config::{ClientConfig, ServerConfig};
use super::head::{Head, HeadError};
use super::http_write::InvalidHeader;
use super::server::{
    Accept, Accepted, Reject, RejectedAccept, ServerHandshakeError, UpgradeRequest,
};
use crate::Timestamp;
use crate::connection::Connection;
use crate::entropy::Entropy;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use http::{HeaderName, HeaderValue, Response, StatusCode, Version};

impl UpgradeRequest {
    /// Checks a request an HTTP server has parsed (its method, target, version and headers)
    /// against RFC 6455 §4.2.1 and `config`'s limits, as [`ServerHandshake::receive`] does —
    /// or, for an HTTP/2 request, as the extended CONNECT of RFC 8441: `protocol` is its
    /// `:protocol` pseudo-header, which the `http` crate keeps outside the parts (hyper puts it
    /// in the extensions as `hyper::ext::Protocol`); `None` for HTTP/1.1.
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
    /// let request = UpgradeRequest::from_http(&parts, None, ServerConfig::default()).unwrap();
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
        protocol: Option<&str>,
        config: ServerConfig,
    ) -> Result<UpgradeRequest, ServerHandshakeError> {
        let version = match parts.version {
            Version::HTTP_09 | Version::HTTP_10 => "HTTP/1.0",
            Version::HTTP_11 => "HTTP/1.1",
            _ => "HTTP/2",
        };
        let http2 = version == "HTTP/2";
        let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        // HTTP/2 carries the host as `:authority` (RFC 9113 §8.3.1): it stands as `Host`.
        let authority = parts
            .uri
            .authority()
            .filter(|_| http2 && !parts.headers.contains_key(http::header::HOST))
            .map(|a| ("host", a.as_str().as_bytes()));
        let fields = authority.into_iter().chain(
            parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
        let head = Head::from_fields(
            parts.method.as_str(),
            target,
            version,
            fields,
            &config.limits,
        )
        .map_err(|e| ServerHandshakeError::new(e.into(), None))?;
        if http2 {
            UpgradeRequest::check_extended_connect(head, protocol, config)
        } else {
            UpgradeRequest::check(head, config)
        }
    }

    /// As [`accept`](Self::accept), with the response as an `http::Response` for the HTTP
    /// server to send — 101 with the upgrade's headers over HTTP/1.1, 200 with only the
    /// subprotocol and the extension over HTTP/2 (RFC 8441 §5) — after which the server hands
    /// over the transport (the connection, or the stream).
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn accept_http(
        self,
        now: Timestamp,
        accept: &Accept,
    ) -> Result<Accepted<Response<()>>, RejectedAccept> {
        let carrier = self.carrier();
        self.agree(now, accept, |headers| {
            let mut response = Response::new(());
            *response.status_mut() = status(carrier.status());
            append(&mut response, headers);
            response
        })
    }
}

impl ClientHandshake {
    /// Starts a handshake as an HTTP/2 extended CONNECT (RFC 8441 §4): the request to send on
    /// a new stream — `CONNECT` to `scheme://host/target`, `Sec-WebSocket-Version: 13`, the
    /// offered subprotocols and extensions, the extra headers. The caller's HTTP/2 library adds
    /// the `:protocol` pseudo-header (`websocket`), which the `http` crate keeps outside the
    /// request (h2: `h2::ext::Protocol` in the extensions). No key: RFC 8441 §5 drops it.
    ///
    /// # Errors
    /// [`InvalidHeader`] if a header, the host, the target or a subprotocol would break the
    /// request.
    pub fn new_http2(
        request: &ClientRequest,
        scheme: &str,
        config: ClientConfig,
        entropy: Box<dyn Entropy>,
    ) -> Result<(ClientHandshake, http::Request<()>), InvalidHeader> {
        request.check()?;
        let uri = alloc::format!("{scheme}://{}{}", request.host(), request.target());
        let mut builder = http::Request::builder()
            .method(http::Method::CONNECT)
            .version(Version::HTTP_2)
            .uri(uri)
            .header("sec-websocket-version", "13");
        if !request.protocols().is_empty() {
            builder = builder.header("sec-websocket-protocol", request.protocols().join(", "));
        }
        if !config.extensions.is_empty() {
            let offers: Vec<String> = config.extensions.iter().map(|e| e.offer()).collect();
            builder = builder.header("sec-websocket-extensions", offers.join(", "));
        }
        for (name, value) in request.headers() {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http = builder.body(()).map_err(|_| InvalidHeader)?;
        let handshake = ClientHandshake::keyless(config, request.protocols().to_vec(), entropy);
        Ok((handshake, http))
    }

    /// Checks the server's answer to [`new_http2`](Self::new_http2)'s request at `now`: a 2xx
    /// accepts (RFC 8441 §5), with a subprotocol and extensions the client offered; gives the
    /// open connection and the response.
    ///
    /// # Errors
    /// [`ClientHandshakeError::Rejected`] for any other status (with `body`, what the caller
    /// read of it), and the errors of the subprotocol and extension checks.
    pub fn receive_http2(
        self,
        now: Timestamp,
        response: &http::response::Parts,
        body: Vec<u8>,
    ) -> Result<(Connection, Box<ClientResponse>), ClientHandshakeError> {
        let fields = response
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()));
        let head = Head::from_response_fields(response.status.as_u16(), fields, self.limits())
            .map_err(|e| match e {
                HeadError::TooManyHeaders => ClientHandshakeError::TooManyHeaders,
                _ => ClientHandshakeError::HeadTooLarge,
            })?;
        if !response.status.is_success() {
            return Err(rejected(head, body));
        }
        self.open_http2(now, head)
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
        let request = UpgradeRequest::from_http(&parts, None, ServerConfig::default()).unwrap();
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
        let typed = UpgradeRequest::from_http(&parts, None, ServerConfig::default())
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
            let error = UpgradeRequest::from_http(&parts(build), None, ServerConfig::default())
                .unwrap_err();
            assert_eq!(error.kind(), kind);
            let response = error.to_http();
            assert_eq!(response.status(), kind.status());
        }
        let error =
            UpgradeRequest::from_http(&parts(|b| b.method("POST")), None, ServerConfig::default())
                .unwrap_err();
        assert_eq!(error.kind(), K::MethodNotAllowed);
        assert_eq!(error.to_http().headers()["allow"], "GET");
        let error = UpgradeRequest::from_http(
            &parts(|b| b.header("Sec-WebSocket-Version", "8")),
            None,
            ServerConfig::default(),
        )
        .unwrap_err();
        assert_eq!(error.to_http().headers()["sec-websocket-version"], "13");
        let (no_upgrade, ()) = http::Request::get("/")
            .header("Host", "a")
            .body(())
            .unwrap()
            .into_parts();
        let error =
            UpgradeRequest::from_http(&no_upgrade, None, ServerConfig::default()).unwrap_err();
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
        let error = UpgradeRequest::from_http(&many, None, ServerConfig::default()).unwrap_err();
        assert_eq!(error.kind(), ServerHandshakeErrorKind::TooManyHeaders);
        assert_eq!(error.to_http().status(), 431);
        let roomy =
            ServerConfig::default().with_limits(HandshakeLimits::default().with_max_headers(100));
        let request = UpgradeRequest::from_http(&many, None, roomy).unwrap();
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

    /// An HTTP/2 extended CONNECT as hyper hands it over: `:authority` in the URI, no `Host`.
    fn connect(
        build: impl FnOnce(http::request::Builder) -> http::request::Builder,
    ) -> http::request::Parts {
        let builder = http::Request::builder()
            .method("CONNECT")
            .uri("https://example.com/chat?room=1")
            .version(Version::HTTP_2)
            .header("Sec-WebSocket-Version", "13");
        build(builder).body(()).unwrap().into_parts().0
    }

    #[test]
    fn an_http2_extended_connect_is_an_upgrade_answered_with_200() {
        use super::super::server::Carrier;
        let parts = connect(|b| {
            b.header("Sec-WebSocket-Protocol", "chat")
                .header("Sec-WebSocket-Extensions", "permessage-deflate")
                .header("Origin", "https://example.com")
        });
        let request =
            UpgradeRequest::from_http(&parts, Some("websocket"), ServerConfig::default()).unwrap();
        assert_eq!(request.carrier(), Carrier::Http2);
        assert_eq!(request.host(), "example.com");
        assert_eq!(request.target(), "/chat?room=1");
        assert_eq!(request.origin(), Some("https://example.com"));
        assert_eq!(request.extensions().len(), 1);
        let response = request
            .accept_http(Timestamp::ZERO, &Accept::new().with_protocol("chat"))
            .unwrap()
            .response;
        // RFC 8441 §5: 200, no Upgrade, Connection or Sec-WebSocket-Accept.
        assert_eq!(response.status(), 200);
        let names: Vec<&str> = response.headers().keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["sec-websocket-protocol"]);
    }

    #[test]
    fn http2_specifics_are_checked() {
        use ServerHandshakeErrorKind as K;
        let check = |parts: &http::request::Parts, protocol| {
            UpgradeRequest::from_http(parts, protocol, ServerConfig::default()).map(|_| ())
        };
        // No `:protocol`: a plain CONNECT (a tunnel), not a WebSocket.
        let plain = connect(|b| b);
        assert_eq!(
            check(&plain, None).unwrap_err().kind(),
            K::NotWebSocketUpgrade
        );
        assert_eq!(
            check(&plain, Some("webtransport")).unwrap_err().kind(),
            K::NotWebSocketUpgrade
        );
        // A GET over HTTP/2 cannot upgrade.
        let get = connect(|b| b.method("GET"));
        assert_eq!(
            check(&get, Some("websocket")).unwrap_err().kind(),
            K::NotWebSocketUpgrade
        );
        // The version is still RFC 6455's.
        let old = connect(|b| b.header("Sec-WebSocket-Version", "8"));
        let error = UpgradeRequest::from_http(&old, Some("websocket"), ServerConfig::default())
            .unwrap_err();
        assert_eq!(error.kind(), K::UnsupportedVersion);
        assert_eq!(error.to_http().headers()["sec-websocket-version"], "13");
        // A key sent anyway is not looked at (RFC 8441 §5), and no accept key is sent back.
        let keyed = connect(|b| b.header("Sec-WebSocket-Key", "not even base64"));
        let accepted =
            UpgradeRequest::from_http(&keyed, Some("websocket"), ServerConfig::default())
                .unwrap()
                .accept_http(Timestamp::ZERO, &Accept::new())
                .unwrap();
        assert!(accepted.response.headers().is_empty());
        // No authority at all: no host.
        let (nohost, ()) = http::Request::builder()
            .method("CONNECT")
            .uri("/chat")
            .version(Version::HTTP_2)
            .header("Sec-WebSocket-Version", "13")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(
            check(&nohost, Some("websocket")).unwrap_err().kind(),
            K::MissingHost
        );
    }
}
