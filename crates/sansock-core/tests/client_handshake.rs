//! The client's opening handshake: the request it writes, and its checks of the response fed
//! whole, byte by byte, and with the first frame glued behind; non-101 answers with a body.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::T0;
use sansock_core::accept_key;
use sansock_core::testing::TestEntropy;
use sansock_core::{
    ClientConfig, ClientHandshake, ClientHandshakeError, ClientRequest, ClientStep, Event,
    HandshakeLimits, Message, Role,
};

fn start(request: &ClientRequest) -> (ClientHandshake, String) {
    let (hs, bytes) = ClientHandshake::new(
        request,
        ClientConfig::default(),
        Box::new(TestEntropy::new(3)),
    )
    .unwrap();
    (hs, String::from_utf8(bytes).unwrap())
}

fn key_of(request: &str) -> &str {
    request
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("the request has a key")
}

fn response_for(request: &str, extra: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
        accept_key(key_of(request).as_bytes())
    )
}

/// Feeds `input` in `chunk`-byte pieces until the handshake decides.
fn run(
    mut hs: ClientHandshake,
    input: &[u8],
    chunk: usize,
) -> Result<(ClientStep, usize), ClientHandshakeError> {
    let mut offset = 0;
    for piece in input.chunks(chunk.max(1)) {
        match hs.receive(T0, piece)? {
            ClientStep::NeedMore(next) => hs = next,
            done => return Ok((done, offset)),
        }
        offset += piece.len();
    }
    Ok((ClientStep::NeedMore(hs), offset))
}

#[test]
fn rfc_accept_key_vector() {
    assert_eq!(
        accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn request_carries_host_target_protocols_headers_and_a_fresh_key() {
    let request = ClientRequest::new("example.com:9001", "/chat?room=1")
        .with_protocol("echo-protocol")
        .with_protocol("chat")
        .with_header("Origin", "http://example.com");
    let (_, text) = start(&request);
    assert!(text.starts_with("GET /chat?room=1 HTTP/1.1\r\n"));
    for line in [
        "Host: example.com:9001",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: echo-protocol, chat",
        "Origin: http://example.com",
    ] {
        assert!(text.contains(&format!("\r\n{line}\r\n")), "{line}");
    }
    assert!(text.ends_with("\r\n\r\n"));
    // The nonce comes from the injected entropy: another seed gives another key.
    let (_, other) = {
        let (hs, b) = ClientHandshake::new(
            &request,
            ClientConfig::default(),
            Box::new(TestEntropy::new(4)),
        )
        .unwrap();
        (hs, String::from_utf8(b).unwrap())
    };
    assert_ne!(key_of(&text), key_of(&other));
    assert_eq!(key_of(&text).len(), 24);
}

#[test]
fn invalid_request_parts_are_refused_before_anything_is_sent() {
    for request in [
        ClientRequest::new("exa mple.com", "/"),
        ClientRequest::new("example.com", "/a b"),
        ClientRequest::new("example.com", "/").with_protocol("two words"),
        ClientRequest::new("example.com", "/").with_header("X", "a\r\nEvil: 1"),
    ] {
        assert!(
            ClientHandshake::new(
                &request,
                ClientConfig::default(),
                Box::new(TestEntropy::new(1))
            )
            .is_err()
        );
    }
}

#[test]
fn every_chunking_accepts_and_hands_the_glued_frame_to_the_connection() {
    let request = ClientRequest::new("localhost", "/").with_protocol("echo-protocol");
    for chunk in [1, 2, 5, 17, 1000] {
        let (hs, text) = start(&request);
        let mut input =
            response_for(&text, "Sec-WebSocket-Protocol: echo-protocol\r\n").into_bytes();
        let head_len = input.len();
        input.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
        let (step, offset) = run(hs, &input, chunk).unwrap();
        let ClientStep::Done {
            mut connection,
            response,
            consumed,
        } = step
        else {
            panic!("not done")
        };
        assert_eq!(offset + consumed, head_len, "chunk {chunk}");
        assert_eq!(response.protocol(), Some("echo-protocol"));
        assert_eq!(connection.role(), Role::Client);
        connection.handle_bytes(T0, &input[offset + consumed..]);
        assert!(matches!(
            connection.poll_event(),
            Ok(Some(Event::Message(Message::Text(t)))) if t == "hi"
        ));
    }
}

#[test]
fn wrong_or_missing_accept_is_refused() {
    let (hs, _) = start(&ClientRequest::new("localhost", "/"));
    let bad = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
               Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    assert!(matches!(
        run(hs, bad.as_bytes(), 999),
        Err(ClientHandshakeError::InvalidAccept)
    ));
    let (hs, text) = start(&ClientRequest::new("localhost", "/"));
    let missing = response_for(&text, "").replace("Sec-WebSocket-Accept", "X-Not-Accept");
    assert!(matches!(
        run(hs, missing.as_bytes(), 999),
        Err(ClientHandshakeError::InvalidAccept)
    ));
}

#[test]
fn missing_upgrade_or_connection_is_refused() {
    let (hs, text) = start(&ClientRequest::new("localhost", "/"));
    let r = response_for(&text, "").replace("Upgrade: websocket\r\n", "");
    assert!(matches!(
        run(hs, r.as_bytes(), 999),
        Err(ClientHandshakeError::MissingUpgrade)
    ));
    let (hs, text) = start(&ClientRequest::new("localhost", "/"));
    let r = response_for(&text, "").replace("Connection: Upgrade", "Connection: close");
    assert!(matches!(
        run(hs, r.as_bytes(), 999),
        Err(ClientHandshakeError::MissingConnectionUpgrade)
    ));
}

#[test]
fn a_protocol_or_extension_not_offered_is_refused() {
    let (hs, text) = start(&ClientRequest::new("localhost", "/").with_protocol("a"));
    let r = response_for(&text, "Sec-WebSocket-Protocol: b\r\n");
    assert!(matches!(
        run(hs, r.as_bytes(), 999),
        Err(ClientHandshakeError::UnexpectedProtocol)
    ));
    let (hs, text) = start(&ClientRequest::new("localhost", "/"));
    let r = response_for(&text, "Sec-WebSocket-Protocol: a\r\n");
    assert!(matches!(
        run(hs, r.as_bytes(), 999),
        Err(ClientHandshakeError::UnexpectedProtocol)
    ));
    let (hs, text) = start(&ClientRequest::new("localhost", "/"));
    let r = response_for(&text, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    assert!(matches!(
        run(hs, r.as_bytes(), 999),
        Err(ClientHandshakeError::UnexpectedExtension)
    ));
}

#[test]
fn non_101_carries_status_headers_and_the_whole_body_however_it_arrives() {
    let answer = b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\norigin not allowed";
    for chunk in [1, 3, 40, answer.len()] {
        let (hs, _) = start(&ClientRequest::new("localhost", "/"));
        match run(hs, answer, chunk) {
            Err(ClientHandshakeError::Rejected {
                status,
                response,
                body,
            }) => {
                assert_eq!(status, 403);
                assert_eq!(
                    response.head().header_str("content-type"),
                    Some("text/plain")
                );
                assert_eq!(body, b"origin not allowed", "chunk {chunk}");
            }
            other => panic!("chunk {chunk}: {other:?}"),
        }
    }
}

#[test]
fn non_101_body_is_bounded_by_the_limit() {
    let limits = HandshakeLimits::default().with_max_body_bytes(4);
    let (hs, _) = ClientHandshake::new(
        &ClientRequest::new("localhost", "/"),
        ClientConfig::default().with_limits(limits),
        Box::new(TestEntropy::new(1)),
    )
    .unwrap();
    let answer = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1000000\r\n\r\nabcdefgh";
    let err = run(hs, answer, answer.len()).unwrap_err();
    assert_eq!(err.status(), Some(500));
    let ClientHandshakeError::Rejected { body, .. } = err else {
        unreachable!()
    };
    assert_eq!(body, b"abcd");
}

#[test]
fn oversized_and_malformed_responses_are_errors() {
    let (hs, _) = start(&ClientRequest::new("localhost", "/"));
    let huge = format!("HTTP/1.1 101 OK\r\nX: {}\r\n\r\n", "a".repeat(20 << 10));
    assert!(matches!(
        run(hs, huge.as_bytes(), 1000),
        Err(ClientHandshakeError::HeadTooLarge)
    ));
    let (hs, _) = start(&ClientRequest::new("localhost", "/"));
    assert!(matches!(
        run(hs, b"NOT HTTP\r\n\r\n", 100),
        Err(ClientHandshakeError::Malformed)
    ));
}

#[test]
fn too_many_response_headers_is_an_error() {
    let (hs, _) = start(&ClientRequest::new("localhost", "/"));
    let many: String = (0..100).map(|i| format!("X-{i}: v\r\n")).collect();
    let r = format!("HTTP/1.1 101 Switching Protocols\r\n{many}\r\n");
    assert!(matches!(
        run(hs, r.as_bytes(), 1000),
        Err(ClientHandshakeError::TooManyHeaders)
    ));
}

/// Found by the fuzz corpus under overflow checks: httparse gives `""` (not a slice of the
/// input) for a missing or non-UTF-8 reason phrase, and taking its offset in the input
/// overflowed — a panic in debug builds.
#[test]
fn a_missing_or_non_utf8_reason_phrase_is_no_panic() {
    for (status_line, status) in [
        (&b"HTTP/1.1 101"[..], 101),
        (b"HTTP/1.1 101 ", 101),
        (b"HTTP/1.1 101 Sw\xe4tching", 101),
        (b"HTTP/1.1 404", 404),
        (b"HTTP/1.0 101 &\tt\t\t\xe4", 101),
    ] {
        let (hs, request) = start(&ClientRequest::new("localhost", "/"));
        let good = response_for(&request, "");
        let rest = &good[good.find("\r\n").unwrap()..];
        let answer = [status_line, rest.as_bytes()].concat();
        let result = run(hs, &answer, answer.len());
        match (status, result) {
            // HTTP/1.0 is refused: a typed error, whatever the reason phrase.
            (_, Err(_)) if status_line.starts_with(b"HTTP/1.0") => {}
            (101, Ok((ClientStep::Done { .. }, _))) => {}
            (404, Err(e)) => assert_eq!(e.status(), Some(404)),
            (_, other) => panic!("{:?}: {other:?}", String::from_utf8_lossy(status_line)),
        }
    }
}
