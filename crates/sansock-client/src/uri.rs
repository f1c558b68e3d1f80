//! Splitting a URL into the parts a client needs (scheme, credentials, host, port, path and
//! query), on the `http` crate's `Uri` parser: RFC 3986 syntax without IDNA. A host that is not
//! ASCII is refused with a clear error (an internationalised name is written in its `xn--`
//! form), as is a fragment; names are lowercased, as DNS and `Host` compare them anyway.

use sansock_driver::HandshakeError;

/// A URL's parts.
pub(crate) struct UrlParts {
    pub(crate) scheme: String,
    /// `user:password` as written (percent-encoded), if any.
    pub(crate) userinfo: Option<String>,
    /// The host, lowercased, IPv6 literals without brackets.
    pub(crate) host: String,
    /// Whether the host is an IPv6 literal (it needs brackets in a `Host` header).
    pub(crate) ipv6: bool,
    pub(crate) port: Option<u16>,
    /// The path (at least `/`) and the query, as written.
    pub(crate) target: String,
}

/// Splits `url`; `what` names it in errors ("proxy …" or nothing).
pub(crate) fn split(url: &str, what: &str) -> Result<UrlParts, HandshakeError> {
    let bad = |why: &str| HandshakeError::Url(format!("{what}{url:?}: {why}"));
    if !url.is_ascii() {
        return Err(bad(
            "not ASCII: write an internationalised host name in its xn-- form and \
             percent-encode the path",
        ));
    }
    if url.contains('#') {
        return Err(bad("a WebSocket or proxy URL has no fragment"));
    }
    let uri: http::Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
    let scheme = uri
        .scheme_str()
        .ok_or_else(|| bad("no scheme"))?
        .to_ascii_lowercase();
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    let userinfo = authority
        .as_str()
        .rsplit_once('@')
        .map(|(userinfo, _)| userinfo.to_string());
    let host = authority.host();
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let ipv6 = host.starts_with('[');
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    // What follows the host: `http` parses the digits but gives no port past 65535.
    let after_host = authority
        .as_str()
        .rsplit_once(authority.host())
        .map_or("", |(_, rest)| rest);
    let port = match after_host.strip_prefix(':') {
        None | Some("") => None,
        Some(digits) => Some(
            digits
                .parse::<u16>()
                .map_err(|_| bad("the port is not 0 to 65535"))?,
        ),
    };
    let target = match uri.path_and_query().map(|pq| pq.as_str()) {
        None | Some("") => "/".to_string(),
        Some(pq) if pq.starts_with('/') => pq.to_string(),
        Some(pq) => format!("/{pq}"),
    };
    Ok(UrlParts {
        scheme,
        userinfo,
        host,
        ipv6,
        port,
        target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, Option<String>, String, bool, Option<u16>, String) {
        let p = split(url, "").unwrap();
        (p.scheme, p.userinfo, p.host, p.ipv6, p.port, p.target)
    }

    #[test]
    fn the_parts_of_a_url() {
        assert_eq!(
            parts("wss://Example.COM:8443/chat?room=1"),
            (
                "wss".into(),
                None,
                "example.com".into(),
                false,
                Some(8443),
                "/chat?room=1".into()
            )
        );
        assert_eq!(parts("ws://example.com").5, "/");
        assert_eq!(parts("ws://example.com?x=1").5, "/?x=1");
        assert_eq!(
            parts("ws://[::1]:9001/"),
            (
                "ws".into(),
                None,
                "::1".into(),
                true,
                Some(9001),
                "/".into()
            )
        );
        assert_eq!(
            parts("socks5h://us%40er:p%3Ass@proxy:1080").1.as_deref(),
            Some("us%40er:p%3Ass")
        );
    }

    #[test]
    fn what_is_refused_and_why() {
        for (url, why) in [
            ("ws://bücher.example/", "xn--"),
            ("ws://example.com/a#b", "fragment"),
            ("ws://example.com/a b", "invalid"),
            ("ws:///path", "invalid"),
            ("example.com:80", "scheme"),
            ("ws://example.com:99999/", "port"),
        ] {
            match split(url, "") {
                Err(HandshakeError::Url(message)) => {
                    assert!(message.contains(why), "{url}: {message}")
                }
                other => panic!("{url}: {:?}", other.map(|p| p.host)),
            }
        }
    }
}
