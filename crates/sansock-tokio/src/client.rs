//! Client side: [`connect`] a `ws://` or `wss://` URL (DNS, TCP, TLS, then the core's client
//! handshake), or run the handshake over a stream you already have with [`client`].

use crate::config::ClientSettings;
use crate::tls::MaybeTlsStream;
use crate::{Error, WebSocketStream};
use sansock_core::{ClientHandshake, ClientRequest, ClientStep, DefaultRng, Response, Timestamp};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

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
}

impl WsUrl {
    /// Parses `url`.
    ///
    /// ```
    /// let url = sansock_tokio::WsUrl::parse("wss://example.com/chat?room=1").unwrap();
    /// assert_eq!((url.tls, url.host.as_str(), url.port), (true, "example.com", 443));
    /// assert_eq!(url.request.target(), "/chat?room=1");
    /// ```
    ///
    /// # Errors
    /// [`Error::Url`] for another scheme, no host, credentials or a fragment.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let parsed = url::Url::parse(url).map_err(|e| Error::Url(e.to_string()))?;
        let tls = match parsed.scheme() {
            "ws" => false,
            "wss" => true,
            other => return Err(Error::Url(format!("scheme {other:?} is not ws or wss"))),
        };
        if parsed.fragment().is_some() {
            return Err(Error::Url("WebSocket URLs have no fragment".into()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Error::Url(
                "credentials in the URL are not sent; use a header".into(),
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| Error::Url("no host".into()))?;
        let port = parsed
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 });
        let host_header = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let target = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        Ok(WsUrl {
            tls,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            request: ClientRequest::new(host_header, target),
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
}

/// Connects to `url` with default settings.
///
/// ```no_run
/// # async fn run() -> Result<(), sansock_tokio::Error> {
/// let (mut ws, _response) = sansock_tokio::connect("ws://127.0.0.1:8080/").await?;
/// ws.send("hello").await?;
/// if let Some(reply) = ws.recv().await {
///     println!("{:?}", reply?);
/// }
/// ws.close(None, "").await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Url`], [`Error::Dns`], [`Error::Connect`], [`Error::Tls`],
/// [`Error::Handshake`] (a non-101 answer carries its status, headers and body),
/// [`Error::HandshakeTimeout`].
pub async fn connect(url: &str) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    connect_with(WsUrl::parse(url)?, ClientSettings::default()).await
}

/// Connects with subprotocols, headers and settings; `wss` uses the webpki roots.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    #[cfg(feature = "rustls")]
    let tls = if url.tls {
        Some(crate::tls::default_client_config()?)
    } else {
        None
    };
    #[cfg(not(feature = "rustls"))]
    let tls = None;
    connect_inner(url, settings, tls).await
}

/// Connects with your own rustls configuration (private roots, client certificates, ALPN…).
///
/// # Errors
/// As [`connect`].
#[cfg(feature = "rustls")]
pub async fn connect_with_tls(
    url: WsUrl,
    settings: ClientSettings,
    tls: std::sync::Arc<rustls::ClientConfig>,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    connect_inner(url, settings, Some(tls)).await
}

#[cfg(feature = "rustls")]
type TlsConfig = std::sync::Arc<rustls::ClientConfig>;
#[cfg(not(feature = "rustls"))]
type TlsConfig = ();

async fn connect_inner(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    let timeout = settings.handshake_timeout;
    let work = async {
        let addrs: Vec<_> = tokio::net::lookup_host((url.host.as_str(), url.port))
            .await
            .map_err(Error::Dns)?
            .collect();
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = tcp.ok_or(Error::Connect(last))?;
        let _ = tcp.set_nodelay(true);
        let stream = match (url.tls, tls) {
            (false, _) => MaybeTlsStream::Plain(tcp),
            #[cfg(feature = "rustls")]
            (true, Some(config)) => crate::tls::wrap(tcp, &url.host, config).await?,
            (true, _) => return Err(Error::TlsUnavailable),
        };
        handshake(stream, &url.request, settings).await
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| Error::HandshakeTimeout)?
}

/// Runs the client handshake over a transport you already have.
///
/// # Errors
/// [`Error::Handshake`], [`Error::HandshakeTimeout`], I/O errors.
pub async fn client<S>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocketStream<S>, Box<Response>), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let timeout = settings.handshake_timeout;
    tokio::time::timeout(timeout, handshake(stream, request, settings))
        .await
        .map_err(|_| Error::HandshakeTimeout)?
}

async fn handshake<S>(
    mut stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocketStream<S>, Box<Response>), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let rng = DefaultRng::from_os().map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let (mut hs, bytes) = ClientHandshake::new(request, settings.handshake, Box::new(rng))
        .map_err(|e| Error::Url(e.to_string()))?;
    stream.write_all(&bytes).await.map_err(Error::Io)?;
    let epoch = Instant::now();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        let now = Timestamp::from_duration(epoch.elapsed());
        match hs
            .receive(now, &buf[..n])
            .map_err(|e| Error::Handshake(Box::new(e)))?
        {
            ClientStep::NeedMore(next) => hs = next,
            ClientStep::Done {
                connection,
                response,
                consumed,
            } => {
                let protocol = response.protocol().map(String::from);
                let ws = WebSocketStream::from_parts(
                    stream,
                    connection,
                    &buf[consumed..n],
                    epoch,
                    settings.write_high_water,
                    protocol,
                );
                return Ok((ws, response));
            }
        }
    }
}
