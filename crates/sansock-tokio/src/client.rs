//! Client side: [`connect`] a `ws://` or `wss://` URL (DNS, TCP, TLS, then the core's client
//! handshake), or run the handshake over a stream you already have with [`client`].

use crate::tls::{ClientSocket, MaybeTlsStream};
use crate::{ClientSettings, Error, Tokio, WebSocketStream, WsUrl};
use sansock_core::{ClientRequest, Response};
use sansock_driver::dial::first_connected;
use sansock_driver::handshake::within;
use sansock_driver::proxy::{Proxy, tunnel};
use sansock_driver::tls::TlsConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

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
    connect_with(WsUrl::parse(url)?, ClientSettings::new()).await
}

/// Connects with subprotocols, headers and settings; `wss` uses the webpki roots.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    let tls = sansock_driver::tls::default_for(&url)?;
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

pub(crate) async fn connect_inner(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    let deadline = settings.handshake_deadline();
    let proxy = settings.proxy_for(&url)?;
    let work = async {
        let socket = match &proxy {
            None => ClientSocket::Plain(dial(&url.host, url.port).await?),
            Some(proxy) => through(proxy, &url, &settings, deadline, tls.clone()).await?,
        };
        let stream = match (url.tls, tls) {
            (false, _) => MaybeTlsStream::Plain(socket),
            #[cfg(feature = "rustls")]
            (true, Some(config)) => {
                MaybeTlsStream::Tls(crate::tls::handshake(socket, &url.host, config).await?)
            }
            (true, _) => return Err(Error::TlsUnavailable),
        };
        client(stream, &url.request, settings).await
    };
    within::<Tokio, _>(deadline, work).await
}

/// A TCP connection to the first address of `host:port` that takes one.
async fn dial(host: &str, port: u16) -> Result<TcpStream, Error> {
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(Error::Dns)?;
    let tcp = first_connected(addrs, TcpStream::connect).await?;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// A tunnel through `proxy` to `url`'s host: TCP to the proxy (TLS for an `https://` one), then
/// the core's proxy handshake.
async fn through(
    proxy: &Proxy,
    url: &WsUrl,
    settings: &ClientSettings,
    deadline: std::time::Instant,
    tls: Option<TlsConfig>,
) -> Result<ClientSocket, Error> {
    let tcp = dial(proxy.host(), proxy.port()).await?;
    let socket = if proxy.is_tls() {
        #[cfg(feature = "rustls")]
        {
            let config = sansock_driver::tls::for_proxy(tls)?;
            ClientSocket::Tls(crate::tls::handshake(tcp, proxy.host(), config).await?)
        }
        #[cfg(not(feature = "rustls"))]
        {
            let _ = tls;
            return Err(Error::TlsUnavailable);
        }
    } else {
        ClientSocket::Plain(tcp)
    };
    let limits = settings.limits();
    tunnel::<_, Tokio, _, _>(socket, proxy, url, limits, deadline, async |host, port| {
        let addrs = tokio::net::lookup_host((host.as_str(), port)).await;
        addrs.map(Iterator::collect::<Vec<_>>).map_err(Error::Dns)
    })
    .await
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
    let (driver, response) =
        sansock_driver::handshake::connect::<S, Tokio>(stream, request, settings).await?;
    Ok((WebSocketStream::from_driver(driver), response))
}
