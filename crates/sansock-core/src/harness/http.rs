//! The fuzz harness of the handshake in the `http` crate's types (features `arbitrary` and
//! `http`): arbitrary request parts — HTTP/1.1 or HTTP/2, any method, target, headers and
//! `:protocol` — through [`UpgradeRequest::from_http`], then the answer. Over HTTP/1.1 the
//! verdict must be the one the byte path gives for the same request.

use crate::handshake::{Carrier, ServerStep};
use crate::{
    Accept, HandshakeLimits, ServerConfig, ServerHandshake, ServerHandshakeErrorKind, Timestamp,
    UpgradeRequest,
};
use alloc::string::String;
use alloc::vec::Vec;
use http::{HeaderName, HeaderValue, Method, Version};

/// Input: a flags byte (bit 0 HTTP/2, bit 1 a `:protocol`, bits 2–3 the method), then lines:
/// the first is the target, the second the `:protocol` value, each further one `name:value`.
pub fn http_request(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut lines = rest.split(|&b| b == b'\n');
    let target = lines.next().unwrap_or_default();
    let protocol = lines.next().unwrap_or_default();
    let http2 = flags & 1 == 1;
    let method = match (flags >> 2) & 3 {
        0 => Method::GET,
        1 => Method::CONNECT,
        2 => Method::POST,
        _ => Method::OPTIONS,
    };
    let target = core::str::from_utf8(target).unwrap_or("/");
    let uri = if http2 {
        alloc::format!("https://example.com{target}")
    } else {
        String::from(target)
    };
    let Ok(uri) = uri.parse::<http::Uri>() else {
        return;
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri)
        .version(if http2 {
            Version::HTTP_2
        } else {
            Version::HTTP_11
        });
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (parts, ()) = request.into_parts();
    let protocol = (flags & 2 == 2).then(|| core::str::from_utf8(protocol).unwrap_or("websocket"));
    let limits = HandshakeLimits::default()
        .with_max_head_bytes(4096)
        .with_max_headers(16);
    let config = ServerConfig::default().with_limits(limits);
    let verdict = UpgradeRequest::from_http(&parts, protocol, config.clone());
    if !http2 {
        same_as_bytes(&parts, &verdict, config);
    }
    match verdict {
        Ok(request) => {
            assert_eq!(request.carrier() == Carrier::Http2, http2);
            let accept = match request.protocols().next() {
                Some(p) => Accept::new().with_protocol(p),
                None => Accept::new(),
            };
            let carrier = request.carrier();
            let Ok(accepted) = request.accept_http(Timestamp::ZERO, &accept) else {
                return;
            };
            let response = accepted.response;
            assert_eq!(response.status().as_u16(), carrier.status());
            let has_key = response.headers().contains_key("sec-websocket-accept");
            assert_eq!(has_key, carrier == Carrier::Http1);
            assert_eq!(
                response.headers().contains_key("upgrade"),
                carrier == Carrier::Http1
            );
        }
        Err(e) => {
            let status = e.to_http().status().as_u16();
            assert!(matches!(status, 400 | 405 | 426 | 431 | 505), "{status}");
        }
    }
}

/// The byte path's verdict on the same HTTP/1.1 request, where the bytes parse: the same.
fn same_as_bytes(
    parts: &http::request::Parts,
    verdict: &Result<UpgradeRequest, crate::ServerHandshakeError>,
    config: ServerConfig,
) {
    let mut wire: Vec<u8> = Vec::new();
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    wire.extend_from_slice(alloc::format!("{} {target} HTTP/1.1\r\n", parts.method).as_bytes());
    for (name, value) in &parts.headers {
        wire.extend_from_slice(name.as_str().as_bytes());
        wire.extend_from_slice(b": ");
        wire.extend_from_slice(value.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"\r\n");
    use ServerHandshakeErrorKind as K;
    let bytes = match ServerHandshake::new(config).receive(&wire) {
        Ok(ServerStep::Upgrade { .. }) => Ok(()),
        Ok(ServerStep::NeedMore(_)) => return,
        // What only the byte parser refuses (httparse is stricter about some bytes than the
        // `http` crate, and counts the head with its own layout): not a verdict to compare.
        Err(e) if matches!(e.kind(), K::Malformed | K::HeadTooLarge | K::TooManyHeaders) => return,
        Err(e) => Err(e.kind()),
    };
    let typed = match verdict {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), K::HeadTooLarge | K::TooManyHeaders) => return,
        Err(e) => Err(e.kind()),
    };
    assert_eq!(
        typed,
        bytes,
        "the two doors disagree on {:?}",
        String::from_utf8_lossy(&wire)
    );
}
