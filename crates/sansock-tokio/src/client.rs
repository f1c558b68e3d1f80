//! Client side: [`connect`] a `ws://` or `wss://` URL (DNS, TCP, TLS, then the core's client
//! handshake), or run the handshake over a stream you already have with [`client`].

use crate::tls::MaybeTlsStream;
use crate::{ClientSettings, Error, Tokio, WebSocketStream, WsUrl};
use sansock_core::{ClientRequest, Response};
use sansock_driver::dial::first_connected;
use sansock_driver::handshake::within;
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

async fn connect_inner(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
) -> Result<(WebSocketStream<MaybeTlsStream>, Box<Response>), Error> {
    let deadline = settings.handshake_deadline();
    let work = async {
        let addrs: Vec<_> = tokio::net::lookup_host((url.host.as_str(), url.port))
            .await
            .map_err(Error::Dns)?
            .collect();
        let tcp = first_connected(addrs, TcpStream::connect).await?;
        let _ = tcp.set_nodelay(true);
        let stream = match (url.tls, tls) {
            (false, _) => MaybeTlsStream::Plain(tcp),
            #[cfg(feature = "rustls")]
            (true, Some(config)) => crate::tls::wrap(tcp, &url.host, config).await?,
            (true, _) => return Err(Error::TlsUnavailable),
        };
        client(stream, &url.request, settings).await
    };
    within::<Tokio, _>(deadline, work).await
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
