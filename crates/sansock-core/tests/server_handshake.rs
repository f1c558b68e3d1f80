//! The server's opening handshake: a real browser request fed whole, byte by byte and with a
//! frame glued behind it; every rejection with its HTTP status and ready-to-send response.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::T0;
use sansock_core::{
    Accept, AcceptError, Event, HandshakeLimits, Message, Reject, ServerConfig, ServerHandshake,
    ServerHandshakeError, ServerHandshakeErrorKind as K, ServerStep, UpgradeRequest,
};

/// What Chromium sends for `new WebSocket("ws://localhost:8080/chat?room=1", "echo-protocol")`.
const BROWSER: &str = "GET /chat?room=1 HTTP/1.1\r\n\
Host: localhost:8080\r\n\
Connection: keep-alive, Upgrade\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n\
Upgrade: websocket\r\n\
Origin: http://localhost:8080\r\n\
Sec-WebSocket-Version: 13\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
Sec-WebSocket-Protocol: echo-protocol, chat\r\n\r\n";

/// Feeds `input` in chunks of `chunk` bytes until the handshake decides.
fn run(
    config: ServerConfig,
    input: &[u8],
    chunk: usize,
) -> Result<(UpgradeRequest, usize, usize), ServerHandshakeError> {
    let mut hs = ServerHandshake::new(config);
    let mut offset = 0;
    for piece in input.chunks(chunk.max(1)) {
        match hs.receive(piece)? {
            ServerStep::NeedMore(next) => hs = next,
            ServerStep::Upgrade { request, consumed } => return Ok((*request, offset, consumed)),
        }
        offset += piece.len();
    }
    panic!("the handshake never completed");
}

fn upgrade(input: &[u8]) -> UpgradeRequest {
    run(ServerConfig::default(), input, input.len()).unwrap().0
}

fn error(input: &[u8]) -> ServerHandshakeError {
    run(ServerConfig::default(), input, input.len()).unwrap_err()
}

fn browser_with(change: impl Fn(&str) -> String) -> Vec<u8> {
    change(BROWSER).into_bytes()
}

#[test]
fn browser_request_is_parsed_and_exposed() {
    let r = upgrade(BROWSER.as_bytes());
    assert_eq!(r.target(), "/chat?room=1");
    assert_eq!(r.path(), "/chat");
    assert_eq!(r.query(), Some("room=1"));
    assert_eq!(r.host(), "localhost:8080");
    assert_eq!(r.origin(), Some("http://localhost:8080"));
    assert_eq!(r.protocols().collect::<Vec<_>>(), ["echo-protocol", "chat"]);
    assert_eq!(r.extensions()[0].name, "permessage-deflate");
    assert_eq!(
        r.extensions()[0].param("client_max_window_bits"),
        Some(None)
    );
    assert_eq!(r.header("pragma"), Some("no-cache"));
    assert_eq!(r.head().headers().count(), 13);
}

#[test]
fn every_chunking_gives_the_same_request_and_leaves_the_frame_after_it() {
    let frame = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let mut input = BROWSER.as_bytes().to_vec();
    input.extend_from_slice(&frame);
    for chunk in [1, 2, 3, 7, 64, 500, input.len()] {
        let (request, offset, consumed) = run(ServerConfig::default(), &input, chunk).unwrap();
        assert_eq!(offset + consumed, BROWSER.len(), "chunk {chunk}");
        assert_eq!(request.path(), "/chat");
        // The leftover bytes are the connection's first frame.
        let accepted = request.accept(T0, &Accept::new()).unwrap();
        let mut conn = accepted.connection;
        conn.handle_bytes(T0, &input[offset + consumed..]);
        match conn.poll_event() {
            Ok(Some(Event::Message(Message::Text(t)))) => assert_eq!(t, "Hello"),
            other => panic!("chunk {chunk}: {other:?}"),
        }
    }
}

#[test]
fn accept_writes_the_rfc_accept_key_and_the_chosen_protocol() {
    let accepted = upgrade(BROWSER.as_bytes())
        .accept(
            T0,
            &Accept::new()
                .with_protocol("echo-protocol")
                .with_header("X-Server", "sansock"),
        )
        .unwrap();
    let response = String::from_utf8(accepted.response).unwrap();
    assert!(response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(response.contains("\r\nUpgrade: websocket\r\n"));
    assert!(response.contains("\r\nConnection: Upgrade\r\n"));
    assert!(response.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert!(response.contains("\r\nSec-WebSocket-Protocol: echo-protocol\r\n"));
    assert!(response.contains("\r\nX-Server: sansock\r\n"));
    assert!(
        !response.contains("Sec-WebSocket-Extensions"),
        "no extension configured"
    );
    assert!(response.ends_with("\r\n\r\n"));
}

#[test]
fn accept_refuses_a_protocol_not_offered_and_gives_the_request_back() {
    let r = upgrade(BROWSER.as_bytes());
    let refused = r
        .accept(T0, &Accept::new().with_protocol("superchat"))
        .unwrap_err();
    assert_eq!(refused.error, AcceptError::ProtocolNotOffered);
    let refused = refused
        .request
        .accept(
            T0,
            &Accept::new().with_header("X-Evil", "a\r\nSet-Cookie: x=1"),
        )
        .unwrap_err();
    assert!(matches!(refused.error, AcceptError::InvalidHeader(_)));
    assert!(
        refused
            .request
            .accept(T0, &Accept::new().with_protocol("chat"))
            .is_ok()
    );
}

#[test]
fn reject_writes_status_headers_and_body() {
    let bytes = upgrade(BROWSER.as_bytes()).reject(
        &Reject::new(403)
            .with_header("X-Reason", "origin")
            .with_body("origin not allowed"),
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    assert!(text.contains("X-Reason: origin\r\n"));
    assert!(text.contains("Content-Length: 18\r\n"));
    assert!(text.ends_with("\r\n\r\norigin not allowed"));
    assert_eq!(Reject::new(101).status, 400, "101 is not a rejection");
}

fn assert_rejected(input: &[u8], kind: K, status: u16) -> ServerHandshakeError {
    let e = error(input);
    assert_eq!((e.kind(), e.status()), (kind, status));
    let text = String::from_utf8_lossy(e.response()).to_string();
    assert!(text.starts_with(&format!("HTTP/1.1 {status} ")), "{text}");
    assert!(text.ends_with("\r\n\r\n"));
    e
}

#[test]
fn missing_key_is_400() {
    let input = browser_with(|s| s.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""));
    assert_rejected(&input, K::InvalidKey, 400);
}

#[test]
fn key_of_15_bytes_is_400() {
    // "YWJjZGVmZ2hpamtsbW5v" is base64 for 15 bytes.
    let input = browser_with(|s| s.replace("dGhlIHNhbXBsZSBub25jZQ==", "YWJjZGVmZ2hpamtsbW5v"));
    assert_rejected(&input, K::InvalidKey, 400);
    let input = browser_with(|s| s.replace("dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!!!!!!!"));
    assert_rejected(&input, K::InvalidKey, 400);
}

#[test]
fn repeated_key_is_400() {
    let input = browser_with(|s| {
        s.replace(
            "Pragma",
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nPragma",
        )
    });
    assert_rejected(&input, K::InvalidKey, 400);
}

#[test]
fn version_8_is_426_with_the_supported_version() {
    let input =
        browser_with(|s| s.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
    let e = assert_rejected(&input, K::UnsupportedVersion, 426);
    assert!(String::from_utf8_lossy(e.response()).contains("\r\nSec-WebSocket-Version: 13\r\n"));
    let input = browser_with(|s| s.replace("Sec-WebSocket-Version: 13\r\n", ""));
    assert_rejected(&input, K::UnsupportedVersion, 426);
}

#[test]
fn header_of_64_kib_is_431() {
    let big = format!("X-Big: {}\r\n", "a".repeat(64 << 10));
    let input = browser_with(|s| s.replace("Pragma", &format!("{big}Pragma")));
    assert_rejected(&input, K::HeadTooLarge, 431);
    // The limit holds however the bytes arrive, and a larger limit admits the request.
    assert_eq!(
        run(ServerConfig::default(), &input, 1)
            .unwrap_err()
            .status(),
        431
    );
    let roomy = ServerConfig::default()
        .with_limits(HandshakeLimits::default().with_max_head_bytes(128 << 10));
    assert!(run(roomy, &input, 4096).is_ok());
}

#[test]
fn ten_thousand_tiny_headers_are_431() {
    let many: String = (0..10_000).map(|i| format!("a{i}: b\r\n")).collect();
    let input = browser_with(|s| s.replace("Pragma", &format!("{many}Pragma")));
    let roomy = ServerConfig::default()
        .with_limits(HandshakeLimits::default().with_max_head_bytes(1 << 20));
    // Even with a head limit large enough, the header count limit answers 431.
    let e = run(roomy, &input, input.len()).unwrap_err();
    assert_eq!((e.kind(), e.status()), (K::TooManyHeaders, 431));
    // With default limits the byte limit trips first: 431 too.
    assert_eq!(error(&input).status(), 431);
}

#[test]
fn byte_at_a_time_16_kib_head_is_accepted() {
    // 16 KiB fed one byte per call: each byte is scanned once (the head reader looks back at most
    // two bytes), so this is linear, unlike re-parsing the growing buffer on every call.
    let pad = format!("X-Pad: {}\r\n", "p".repeat((15 << 10) - BROWSER.len()));
    let input = browser_with(|s| s.replace("Pragma", &format!("{pad}Pragma")));
    assert!(input.len() < 16 << 10);
    assert!(run(ServerConfig::default(), &input, 1).is_ok());
}

#[test]
fn other_malformed_requests_get_the_right_status() {
    let post = browser_with(|s| s.replacen("GET", "POST", 1));
    let e = assert_rejected(&post, K::MethodNotAllowed, 405);
    assert!(String::from_utf8_lossy(e.response()).contains("Allow: GET"));
    assert_rejected(
        &browser_with(|s| s.replace("HTTP/1.1", "HTTP/1.0")),
        K::HttpVersion,
        505,
    );
    assert_rejected(
        &browser_with(|s| s.replace("Host: localhost:8080\r\n", "")),
        K::MissingHost,
        400,
    );
    assert_rejected(
        &browser_with(|s| s.replace("Upgrade: websocket", "Upgrade: h2c")),
        K::NotWebSocketUpgrade,
        400,
    );
    assert_rejected(
        &browser_with(|s| s.replace("keep-alive, Upgrade", "keep-alive")),
        K::MissingConnectionUpgrade,
        400,
    );
    assert_rejected(
        &browser_with(|s| s.replace("echo-protocol, chat", "echo protocol")),
        K::MalformedProtocols,
        400,
    );
    assert_rejected(
        &browser_with(|s| s.replace("permessage-deflate; client_max_window_bits", "x;;")),
        K::MalformedExtensions,
        400,
    );
    assert_rejected(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n", K::Malformed, 400);
}

#[test]
fn case_insensitive_upgrade_and_connection_tokens() {
    let input = browser_with(|s| {
        s.replace("Upgrade: websocket", "UPGRADE: WebSocket")
            .replace("Connection: keep-alive, Upgrade", "connection: UPGRADE")
    });
    assert!(run(ServerConfig::default(), &input, input.len()).is_ok());
}

#[test]
fn a_plain_http_request_is_an_error_that_still_shows_the_request() {
    let e = error(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(e.kind(), K::NotWebSocketUpgrade);
    let head = e.head().expect("the head parsed");
    assert_eq!(head.header_str("host"), Some("x"));
}
