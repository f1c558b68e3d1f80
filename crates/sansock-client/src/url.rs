//! [`WsUrl`]: a `ws://` or `wss://` URL parsed into what a client needs — whether to use TLS,
//! the host and port to connect to, the core's handshake request (Host, path, query) — and
//! which proxy leads there.

use crate::proxy::{Proxy, ProxyChoice};
use sansock_core::ClientRequest;
use sansock_driver::HandshakeError;

/// A parsed `ws://` or `wss://` URL and the request it makes.
#[derive(Debug, Clone)]
pub struct WsUrl {
    /// `wss`.
    pub tls: bool,
    /// The host to resolve (brackets removed from IPv6 literals).
    pub host: String,
    /// The port (80 or 443 unless given).
    pub port: u16,
    /// The handshake request: `Host`, path and query; add subprotocols and headers here.
    pub request: ClientRequest,
    /// Which proxy leads there.
    proxy: ProxyChoice,
}

impl WsUrl {
    /// Parses `url`.
    ///
    /// ```
    /// let url = sansock_client::WsUrl::parse("wss://example.com/chat?room=1").unwrap();
    /// assert_eq!((url.tls, url.host.as_str(), url.port), (true, "example.com", 443));
    /// assert_eq!(url.request.target(), "/chat?room=1");
    /// ```
    ///
    /// The host is lowercased; a host that is not ASCII is refused (write an internationalised
    /// name in its `xn--` form), and so is a path that is not percent-encoded.
    ///
    /// # Errors
    /// [`HandshakeError::Url`] for another scheme, no host, credentials, a fragment, or what
    /// is not a URL.
    pub fn parse(url: &str) -> Result<Self, HandshakeError> {
        let parts = crate::uri::split(url, "")?;
        let tls = match parts.scheme.as_str() {
            "ws" => false,
            "wss" => true,
            other => {
                return Err(HandshakeError::Url(format!(
                    "scheme {other:?} is not ws or wss"
                )));
            }
        };
        if parts.userinfo.is_some() {
            return Err(HandshakeError::Url(
                "credentials in the URL are not sent; use a header".into(),
            ));
        }
        let default_port = if tls { 443 } else { 80 };
        let port = parts.port.unwrap_or(default_port);
        let name = if parts.ipv6 {
            format!("[{}]", parts.host)
        } else {
            parts.host.clone()
        };
        let host_header = if port == default_port {
            name
        } else {
            format!("{name}:{port}")
        };
        Ok(WsUrl {
            tls,
            host: parts.host,
            port,
            request: ClientRequest::new(host_header, parts.target),
            proxy: ProxyChoice::FromEnv,
        })
    }

    /// Offers a subprotocol.
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.request = self.request.with_protocol(protocol);
        self
    }

    /// Adds a request header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request = self.request.with_header(name, value);
        self
    }

    /// The proxy to connect through: `Some(proxy)` for that one, `None` for none whatever the
    /// environment says, or a [`ProxyChoice`]. Default: the proxy the environment names for
    /// the URL (`wss_proxy`/`ws_proxy`, `https_proxy`/`http_proxy`, `all_proxy`, minus
    /// `no_proxy`), as curl and Python's `websockets` do.
    ///
    /// ```
    /// use sansock_client::{Proxy, WsUrl};
    /// let url = WsUrl::parse("ws://example.com/")?.with_proxy(Proxy::parse("socks5h://127.0.0.1:9050")?);
    /// assert_eq!(url.proxy()?.map(|p| p.port()), Some(9050));
    /// # Ok::<(), sansock_driver::HandshakeError>(())
    /// ```
    pub fn with_proxy(mut self, proxy: impl Into<ProxyChoice>) -> Self {
        self.proxy = proxy.into();
        self
    }

    /// The proxy a connection to this URL goes through.
    ///
    /// # Errors
    /// [`HandshakeError::Url`] when the environment's proxy is not a proxy URL.
    pub fn proxy(&self) -> Result<Option<Proxy>, HandshakeError> {
        match &self.proxy {
            ProxyChoice::FromEnv => Proxy::from_env(self),
            ProxyChoice::Direct => Ok(None),
            ProxyChoice::Use(proxy) => Ok(Some(proxy.clone())),
        }
    }
}
