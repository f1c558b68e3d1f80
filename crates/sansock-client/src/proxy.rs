//! Proxies for clients: [`Proxy`] (a proxy URL — `http://`, `https://`, `socks5://`,
//! `socks5h://`, `socks4a://`, `socks4://` — with its credentials), which proxy a connection uses
//! ([`ProxyChoice`]: the environment by default, one given, or none), and `tunnel`, which runs
//! the core's proxy handshake over a transport. Dialling the proxy and the TLS to an `https://`
//! proxy are the connect sequence's (`connector.rs`); what is said to the proxy is the core's
//! (`sansock_core::proxy`).

use crate::WsUrl;
use bytes::BytesMut;
use sansock_core::HandshakeLimits;
use sansock_core::proxy::{Credentials, ProxyHandshake, ProxyProtocol, ProxyTarget};
use sansock_driver::internal::{read_some, within, write_all};
use sansock_driver::{HandshakeError, Runtime, Transport};
use std::time::Instant;

/// A proxy to reach WebSocket servers through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    protocol: ProxyProtocol,
    /// TLS to the proxy itself (`https://`).
    tls: bool,
    /// The client resolves the target's name and sends an address (`socks5://`, `socks4://`).
    resolve_locally: bool,
    host: String,
    port: u16,
    credentials: Option<Credentials>,
}

impl Proxy {
    /// Parses a proxy URL: `http://` (the default scheme, port 1080 for SOCKS and 80 or 443
    /// otherwise unless given), `https://`, `socks5://` (the client resolves the target's name),
    /// `socks5h://` (the proxy does), `socks4a://` (the proxy does), `socks4://` (the client
    /// does, IPv4 only). Credentials go in the URL: `http://user:pass@proxy:3128`
    /// (percent-encoded).
    ///
    /// ```
    /// let proxy = sansock_client::Proxy::parse("socks5h://bob:secret@127.0.0.1:1080").unwrap();
    /// assert_eq!((proxy.host(), proxy.port()), ("127.0.0.1", 1080));
    /// let proxy = sansock_client::Proxy::parse("proxy.corp:3128").unwrap(); // http:// implied
    /// assert_eq!(proxy.port(), 3128);
    /// ```
    ///
    /// # Errors
    /// [`HandshakeError::Url`] for another scheme, no host, a path or a fragment.
    pub fn parse(url: &str) -> Result<Self, HandshakeError> {
        let with_scheme;
        let url = if url.contains("://") {
            url
        } else {
            with_scheme = format!("http://{url}");
            &with_scheme
        };
        let bad = |why: &str| HandshakeError::Url(format!("proxy {url:?}: {why}"));
        let parts = crate::uri::split(url, "proxy ")?;
        let (protocol, tls, resolve_locally, default_port) = match parts.scheme.as_str() {
            "http" => (ProxyProtocol::HttpConnect, false, false, 80),
            "https" => (ProxyProtocol::HttpConnect, true, false, 443),
            "socks5" => (ProxyProtocol::Socks5, false, true, 1080),
            "socks5h" => (ProxyProtocol::Socks5, false, false, 1080),
            "socks4a" => (ProxyProtocol::Socks4a, false, false, 1080),
            "socks4" => (ProxyProtocol::Socks4a, false, true, 1080),
            other => return Err(bad(&format!("scheme {other:?} is not a proxy's"))),
        };
        if parts.target != "/" {
            return Err(bad("a proxy URL has no path or query"));
        }
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| bad("credentials are not percent-encoded UTF-8"))
        };
        let credentials = match &parts.userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                Some(Credentials::new(decode(user)?, decode(password)?))
            }
        };
        Ok(Proxy {
            protocol,
            tls,
            resolve_locally,
            host: parts.host,
            port: parts.port.unwrap_or(default_port),
            credentials,
        })
    }

    /// The proxy the environment names for `url` (the rules of curl and Python's `websockets`):
    /// `wss_proxy` or `ws_proxy`, then `https_proxy` or `http_proxy`, then `all_proxy`, lower
    /// case before upper case, unless `no_proxy` lists the host.
    ///
    /// # Errors
    /// [`HandshakeError::Url`] when the variable holds no proxy URL.
    pub fn from_env(url: &WsUrl) -> Result<Option<Self>, HandshakeError> {
        crate::proxy_env::proxy_for(url.tls, &url.host, url.port, |name| {
            std::env::var(name).ok()
        })
        .map(|p| Self::parse(&p))
        .transpose()
    }

    /// The proxy's host (to dial, and for an `https://` proxy the name its certificate has).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the connection to the proxy itself is TLS (`https://`).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client resolves the target's name (`socks5://`, `socks4://`) rather than
    /// the proxy.
    pub fn resolves_locally(&self) -> bool {
        self.resolve_locally
    }

    /// The protocol spoken to the proxy.
    pub fn protocol(&self) -> ProxyProtocol {
        self.protocol
    }
}

/// `%XX` escapes in a URL's user name or password.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Which proxy a client uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyChoice {
    /// The one the environment names for the URL ([`Proxy::from_env`]), if any: the default,
    /// as for curl and Python's `websockets`.
    #[default]
    FromEnv,
    /// None: connect directly whatever the environment says.
    Direct,
    /// This one, for every URL.
    Use(Proxy),
}

impl From<Option<Proxy>> for ProxyChoice {
    fn from(proxy: Option<Proxy>) -> Self {
        proxy.map_or(ProxyChoice::Direct, ProxyChoice::Use)
    }
}

impl From<Proxy> for ProxyChoice {
    fn from(proxy: Proxy) -> Self {
        ProxyChoice::Use(proxy)
    }
}

/// Asks the proxy on `io` (connected, and TLS already for an `https://` proxy) for a tunnel to
/// `url`'s host and port, and gives `io` back once it leads there. For a proxy that
/// [`resolves_locally`](Proxy::resolves_locally) the name is resolved with `resolve` (the
/// adapter's DNS) and the first address is sent. Past `deadline` (the handshake's) it gives up
/// with [`HandshakeError::Timeout`], on a blocking transport too.
///
/// # Errors
/// [`HandshakeError::Proxy`] when the proxy refuses, wants credentials, closes or breaks its protocol;
/// [`HandshakeError::Timeout`]; [`HandshakeError::Dns`]; I/O errors.
pub(crate) async fn tunnel<S, R, F, A>(
    mut io: S,
    proxy: &Proxy,
    url: &WsUrl,
    limits: HandshakeLimits,
    deadline: Instant,
    resolve: F,
) -> Result<S, HandshakeError>
where
    S: Transport<R>,
    R: Runtime,
    F: AsyncFnOnce(String, u16) -> Result<A, HandshakeError>,
    A: IntoIterator<Item = std::net::SocketAddr>,
{
    let work = async {
        let host = if proxy.resolve_locally {
            let first = resolve(url.host.clone(), url.port)
                .await?
                .into_iter()
                .next();
            let addr =
                first.ok_or_else(|| HandshakeError::Dns(std::io::ErrorKind::NotFound.into()))?;
            addr.ip().to_string()
        } else {
            url.host.clone()
        };
        let mut hs = ProxyHandshake::new(
            proxy.protocol,
            &ProxyTarget::new(host, url.port),
            proxy.credentials.as_ref(),
            limits,
        )
        .map_err(HandshakeError::Proxy)?;
        let mut buf = BytesMut::new();
        loop {
            if !hs.transmit().is_empty() {
                write_all::<S, R>(&mut io, hs.transmit())
                    .await
                    .map_err(HandshakeError::Io)?;
                let n = hs.transmit().len();
                hs.advance_transmit(n);
            }
            match read_some::<S, R>(&mut io, &mut buf, deadline).await {
                Ok(()) => {}
                Err(HandshakeError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(HandshakeError::Proxy(hs.receive_eof()));
                }
                Err(e) => return Err(e),
            }
            hs.receive(&buf).map_err(HandshakeError::Proxy)?;
            if hs.is_connected() {
                return Ok(io);
            }
        }
    };
    // A blocking transport stops its reads at the deadline; this ends the wait there.
    within::<R, _>(deadline, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = Proxy::parse("http://u%40x:p%3Aw@proxy:3128").unwrap();
        assert_eq!(p.credentials, Some(Credentials::new("u@x", "p:w")));
        assert_eq!(
            (p.protocol, p.tls, p.port),
            (ProxyProtocol::HttpConnect, false, 3128)
        );
        assert_eq!(Proxy::parse("https://proxy").unwrap().port(), 443);
        assert!(Proxy::parse("https://proxy").unwrap().is_tls());
        let s = Proxy::parse("socks5://[::1]").unwrap();
        assert_eq!(
            (s.host(), s.port(), s.resolves_locally()),
            ("::1", 1080, true)
        );
        assert!(!Proxy::parse("socks5h://h").unwrap().resolves_locally());
        assert_eq!(
            Proxy::parse("socks4a://h").unwrap().protocol(),
            ProxyProtocol::Socks4a
        );
        assert!(Proxy::parse("socks4://h").unwrap().resolves_locally());
        assert!(Proxy::parse("ftp://h").is_err());
        assert!(Proxy::parse("http://h/path").is_err());
        assert!(Proxy::parse("http://u%zz@h").is_err());
    }

    #[test]
    fn choice() {
        let url = WsUrl::parse("ws://example.com/").unwrap();
        assert_eq!(url.clone().with_proxy(None).proxy().unwrap(), None);
        let p = Proxy::parse("http://p:1").unwrap();
        assert_eq!(url.with_proxy(p.clone()).proxy().unwrap(), Some(p));
        assert_eq!(ProxyChoice::from(None), ProxyChoice::Direct);
    }
}
