//! The proxy handshakes byte for byte: what each protocol sends, every answer a proxy can give
//! (each reply code, fed whole and a byte at a time), and the limits on what it may send.

#![allow(clippy::unwrap_used, clippy::panic)]
use sansock_core::HandshakeLimits;
use sansock_core::proxy::{Credentials, ProxyError, ProxyHandshake, ProxyProtocol, ProxyTarget};

/// Where a handshake stands after [`ProxyHandshake::receive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProxyStep {
    Continue,
    Connected,
}

/// Feeds `input` and says whether the tunnel is up.
fn step(p: &mut ProxyHandshake, input: &[u8]) -> Result<ProxyStep, ProxyError> {
    p.receive(input)?;
    Ok(if p.is_connected() {
        ProxyStep::Connected
    } else {
        ProxyStep::Continue
    })
}

fn start(protocol: ProxyProtocol, host: &str, creds: Option<&Credentials>) -> ProxyHandshake {
    ProxyHandshake::new(
        protocol,
        &ProxyTarget::new(host, 443),
        creds,
        HandshakeLimits::default(),
    )
    .unwrap()
}

/// Takes what the handshake has to send.
fn sent(p: &mut ProxyHandshake) -> Vec<u8> {
    let out = p.transmit().to_vec();
    p.advance_transmit(out.len());
    out
}

/// Feeds `answer` whole, then (on a fresh handshake from `make`) a byte at a time; both must
/// give the same last result.
fn both_ways(
    make: impl Fn() -> ProxyHandshake,
    answers: &[&[u8]],
) -> Result<ProxyStep, ProxyError> {
    let mut whole = make();
    let mut result = Ok(ProxyStep::Continue);
    for answer in answers {
        sent(&mut whole);
        result = step(&mut whole, answer);
        if result.is_err() {
            break;
        }
    }
    let mut bytewise = make();
    let mut result2 = Ok(ProxyStep::Continue);
    'outer: for answer in answers {
        sent(&mut bytewise);
        for b in answer.iter() {
            result2 = step(&mut bytewise, &[*b]);
            if result2.is_err() {
                break 'outer;
            }
        }
    }
    assert_eq!(result, result2, "whole and byte by byte differ");
    result
}

#[test]
fn http_connect_request_has_host_and_basic_credentials() {
    let creds = Credentials::new("alice", "s3cret");
    let mut p = start(ProxyProtocol::HttpConnect, "example.com", Some(&creds));
    let request = String::from_utf8(sent(&mut p)).unwrap();
    assert_eq!(
        request,
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
         Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"
    );
    let mut p = start(ProxyProtocol::HttpConnect, "[::1]", None);
    assert!(sent(&mut p).starts_with(b"CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n"));
}

#[test]
fn http_connect_2xx_connects_and_1xx_is_skipped() {
    let make = || start(ProxyProtocol::HttpConnect, "example.com", None);
    assert_eq!(
        both_ways(make, &[b"HTTP/1.1 200 Connection established\r\n\r\n"]),
        Ok(ProxyStep::Connected)
    );
    assert_eq!(
        both_ways(make, &[b"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n"]),
        Ok(ProxyStep::Connected)
    );
    assert_eq!(
        both_ways(
            make,
            &[b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 OK\r\n\r\n"]
        ),
        Ok(ProxyStep::Connected)
    );
}

#[test]
fn http_connect_refusals_keep_status_and_headers() {
    let make = || start(ProxyProtocol::HttpConnect, "example.com", None);
    let err = both_ways(
        make,
        &[b"HTTP/1.1 407 Proxy Authentication Required\r\n\
            Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n"],
    )
    .unwrap_err();
    assert!(err.is_auth_required());
    assert_eq!(err.status(), Some(407));
    let ProxyError::Refused { head, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        head.header_str("proxy-authenticate"),
        Some("Basic realm=\"corp\"")
    );
    for (status, transient) in [(403, false), (400, false), (502, true), (503, true)] {
        let answer = format!("HTTP/1.1 {status} Nope\r\n\r\n");
        let err = both_ways(make, &[answer.as_bytes()]).unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.is_transient(), transient, "{status}");
        assert!(!err.is_auth_required());
        assert!(err.to_string().contains(&status.to_string()));
    }
}

#[test]
fn http_connect_limits_and_garbage() {
    let make = || {
        ProxyHandshake::new(
            ProxyProtocol::HttpConnect,
            &ProxyTarget::new("example.com", 443),
            None,
            HandshakeLimits::default()
                .with_max_head_bytes(256)
                .with_max_headers(4),
        )
        .unwrap()
    };
    let huge = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(300));
    assert_eq!(
        both_ways(make, &[huge.as_bytes()]),
        Err(ProxyError::TooLarge)
    );
    let many = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n";
    assert_eq!(
        both_ways(make, &[many.as_bytes()]),
        Err(ProxyError::TooLarge)
    );
    assert!(matches!(
        both_ways(make, &[b"SSH-2.0-OpenSSH\r\n\r\n"]),
        Err(ProxyError::Malformed(_))
    ));
    assert_eq!(
        both_ways(make, &[b"HTTP/1.1 200 OK\r\n\r\nextra"]),
        Err(ProxyError::UnexpectedData)
    );
}

#[test]
fn data_before_the_request_is_written_or_after_the_answer_is_an_error() {
    let mut p = start(ProxyProtocol::HttpConnect, "example.com", None);
    assert_eq!(
        step(&mut p, b"HTTP/1.1 200 OK\r\n\r\n"),
        Err(ProxyError::UnexpectedData)
    );
    let mut p = start(ProxyProtocol::Socks4a, "example.com", None);
    sent(&mut p);
    assert_eq!(
        step(&mut p, &[0, 0x5A, 0, 0, 0, 0, 0, 0]),
        Ok(ProxyStep::Connected)
    );
    assert_eq!(step(&mut p, b"x"), Err(ProxyError::UnexpectedData));
    let mut p = start(ProxyProtocol::Socks5, "example.com", None);
    assert_eq!(p.receive_eof(), ProxyError::Closed);
}

#[test]
fn socks5_without_credentials_sends_the_name_for_the_proxy_to_resolve() {
    let mut p = start(ProxyProtocol::Socks5, "example.com", None);
    assert_eq!(sent(&mut p), [5, 1, 0]);
    assert_eq!(step(&mut p, &[5, 0]), Ok(ProxyStep::Continue));
    let mut request = vec![5, 1, 0, 3, 11];
    request.extend_from_slice(b"example.com");
    request.extend_from_slice(&443u16.to_be_bytes());
    assert_eq!(sent(&mut p), request);
    assert_eq!(
        step(&mut p, &[5, 0, 0, 1, 127, 0, 0, 1, 0x1F, 0x90]),
        Ok(ProxyStep::Connected)
    );
}

#[test]
fn socks5_addresses_ipv4_and_ipv6() {
    let mut p = start(ProxyProtocol::Socks5, "192.0.2.7", None);
    sent(&mut p);
    step(&mut p, &[5, 0]).unwrap();
    assert_eq!(sent(&mut p), [5, 1, 0, 1, 192, 0, 2, 7, 1, 187]);
    let mut p = start(ProxyProtocol::Socks5, "[2001:db8::1]", None);
    sent(&mut p);
    step(&mut p, &[5, 0]).unwrap();
    let out = sent(&mut p);
    assert_eq!(&out[..4], [5, 1, 0, 4]);
    assert_eq!(out.len(), 4 + 16 + 2);
}

#[test]
fn socks5_with_credentials_and_every_bound_address_type() {
    let creds = Credentials::new("bob", "pw");
    let make = || start(ProxyProtocol::Socks5, "example.com", Some(&creds));
    let mut p = make();
    assert_eq!(sent(&mut p), [5, 2, 0, 2]);
    step(&mut p, &[5, 2]).unwrap();
    assert_eq!(sent(&mut p), [1, 3, b'b', b'o', b'b', 2, b'p', b'w']);
    let v4: &[u8] = &[5, 0, 0, 1, 1, 2, 3, 4, 0, 80];
    let mut v6 = vec![5, 0, 0, 4];
    v6.extend_from_slice(&[0; 18]);
    let mut name = vec![5, 0, 0, 3, 4];
    name.extend_from_slice(b"host\x00\x50");
    for reply in [v4, &v6, &name] {
        assert_eq!(
            both_ways(make, &[&[5, 2], &[1, 0], reply]),
            Ok(ProxyStep::Connected)
        );
    }
    // The proxy may also take no authentication when credentials were offered.
    assert_eq!(both_ways(make, &[&[5, 0], v4]), Ok(ProxyStep::Connected));
}

#[test]
fn socks5_failures() {
    let creds = Credentials::new("bob", "wrong");
    let with = || start(ProxyProtocol::Socks5, "example.com", Some(&creds));
    let without = || start(ProxyProtocol::Socks5, "example.com", None);
    assert_eq!(
        both_ways(with, &[&[5, 2], &[1, 1]]),
        Err(ProxyError::Socks5AuthFailed(1))
    );
    assert_eq!(
        both_ways(without, &[&[5, 0xFF]]),
        Err(ProxyError::Socks5NoAcceptableMethod)
    );
    assert!(
        both_ways(without, &[&[5, 0xFF]])
            .unwrap_err()
            .is_auth_required()
    );
    // Chose user/password though only "none" was offered.
    assert!(matches!(
        both_ways(without, &[&[5, 2]]),
        Err(ProxyError::Malformed(_))
    ));
    assert!(matches!(
        both_ways(without, &[&[4, 0]]),
        Err(ProxyError::Malformed(_))
    ));
    for code in 1..=9u8 {
        let reply = [5, code, 0, 1, 0, 0, 0, 0, 0, 0];
        let err = both_ways(without, &[&[5, 0], &reply]).unwrap_err();
        assert_eq!(err, ProxyError::Socks5Refused(code));
        assert_eq!(
            err.is_transient(),
            matches!(code, 1 | 3 | 4 | 5 | 6),
            "{code}"
        );
    }
    assert!(matches!(
        both_ways(without, &[&[5, 0], &[5, 0, 0, 9, 0, 0]]),
        Err(ProxyError::Malformed(_))
    ));
    let long = Credentials::new("u".repeat(256), "p");
    assert!(matches!(
        ProxyHandshake::new(
            ProxyProtocol::Socks5,
            &ProxyTarget::new("h", 1),
            Some(&long),
            HandshakeLimits::default()
        ),
        Err(ProxyError::InvalidCredentials(_))
    ));
    assert!(matches!(
        ProxyHandshake::new(
            ProxyProtocol::Socks5,
            &ProxyTarget::new("a".repeat(256), 1),
            None,
            HandshakeLimits::default()
        ),
        Err(ProxyError::InvalidTarget(_))
    ));
}

#[test]
fn socks4a_sends_the_name_or_the_address() {
    let mut p = start(ProxyProtocol::Socks4a, "example.com", None);
    let mut expected = vec![4, 1, 1, 187, 0, 0, 0, 1, 0];
    expected.extend_from_slice(b"example.com\0");
    assert_eq!(sent(&mut p), expected);
    let creds = Credentials::new("id", "");
    let mut p = start(ProxyProtocol::Socks4a, "10.1.2.3", Some(&creds));
    assert_eq!(sent(&mut p), [4, 1, 1, 187, 10, 1, 2, 3, b'i', b'd', 0]);
    assert!(matches!(
        ProxyHandshake::new(
            ProxyProtocol::Socks4a,
            &ProxyTarget::new("::1", 1),
            None,
            HandshakeLimits::default()
        ),
        Err(ProxyError::InvalidTarget(_))
    ));
    assert!(matches!(
        ProxyHandshake::new(
            ProxyProtocol::Socks4a,
            &ProxyTarget::new("h", 1),
            Some(&Credentials::new("u", "p")),
            HandshakeLimits::default()
        ),
        Err(ProxyError::InvalidCredentials(_))
    ));
}

#[test]
fn socks4a_replies() {
    let make = || start(ProxyProtocol::Socks4a, "example.com", None);
    assert_eq!(
        both_ways(make, &[&[0, 0x5A, 0, 0, 0, 0, 0, 0]]),
        Ok(ProxyStep::Connected)
    );
    for code in [0x5B, 0x5C, 0x5D] {
        assert_eq!(
            both_ways(make, &[&[0, code, 0, 0, 0, 0, 0, 0]]),
            Err(ProxyError::Socks4Refused(code))
        );
    }
    assert!(matches!(
        both_ways(make, &[&[4, 0x5A, 0, 0, 0, 0, 0, 0]]),
        Err(ProxyError::Malformed(_))
    ));
}

#[test]
fn a_name_with_spaces_or_line_breaks_is_refused_before_anything_is_sent() {
    for host in ["exa mple.com", "a\r\nX-Evil: 1", "", "a/b"] {
        assert!(matches!(
            ProxyHandshake::new(
                ProxyProtocol::HttpConnect,
                &ProxyTarget::new(host, 1),
                None,
                HandshakeLimits::default()
            ),
            Err(ProxyError::InvalidTarget(_))
        ));
    }
    let creds = Credentials::new("a:b", "c");
    assert!(matches!(
        ProxyHandshake::new(
            ProxyProtocol::HttpConnect,
            &ProxyTarget::new("h", 1),
            Some(&creds),
            HandshakeLimits::default()
        ),
        Err(ProxyError::InvalidCredentials(_))
    ));
}
