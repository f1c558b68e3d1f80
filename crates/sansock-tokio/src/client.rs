//! Client side: [`connect`] a `ws://` or `wss://` URL, or run the handshake over a stream you
//! already have with [`client`]. The connect sequence (DNS, TCP, proxy, TLS, handshake) is
//! `sansock_client::connect`; [`Connector`] gives it tokio's pieces.

use crate::{ClientSettings, Closed, HandshakeError, Response, Tokio, WebSocketStream, WsUrl};
use sansock_client::{TlsConfig, TlsEngine, TlsStream};
use sansock_core::ClientRequest;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The client's connection to the first hop: TCP to the server or to a proxy, or TLS over TCP
/// to an `https://` proxy.
pub type ClientSocket = sansock_client::ClientSocket<Connector>;
/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`).
pub type MaybeTlsStream = sansock_client::MaybeTlsStream<Connector>;
/// A client connection over TCP (or TLS) on tokio.
pub type ClientStream = WebSocketStream<MaybeTlsStream>;

/// A client that reconnects by itself (see `sansock_client::Reconnecting`).
///
/// ```no_run
/// # async fn run() -> Result<(), sansock_tokio::HandshakeError> {
/// use sansock_tokio::{Backoff, ClientSettings, Reconnecting, WsUrl};
/// let url = WsUrl::parse("ws://127.0.0.1:8080/feed")?;
/// let mut client = Reconnecting::new(url, ClientSettings::new(), Backoff::new())
///     .on_connect(async |ws| ws.send("subscribe prices").await);
/// let mut ws = client.connect().await?;
/// loop {
///     while let Some(Ok(message)) = ws.recv().await {
///         println!("{message:?}");
///     }
///     match client.reconnect(&ws).await? {
///         Some(next) => ws = next,
///         None => break, // closed for good (1000, 1008, ...)
///     }
/// }
/// # Ok(()) }
/// ```
///
/// `H` is the type of its connect hook (an async closure given to `on_connect`).
pub type Reconnecting<H = sansock_client::NoHook<ClientStream>> =
    sansock_client::Reconnecting<Connector, H>;

/// Connects to `url` with default settings.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
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
/// [`HandshakeError::Url`], [`HandshakeError::Dns`], [`HandshakeError::Connect`], [`HandshakeError::Proxy`], [`HandshakeError::Tls`],
/// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
/// [`HandshakeError::Timeout`].
pub async fn connect(url: &str) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    connect_with(WsUrl::parse(url)?, ClientSettings::new()).await
}

/// Connects with subprotocols, headers, a proxy and settings; `wss` uses [`TlsConfig::from_features`](sansock_client::TlsConfig::from_features).
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    sansock_client::connect(&Connector, &url, settings, None).await
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
) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    sansock_client::connect(&Connector, &url, settings, Some(&tls.into())).await
}

/// Runs the client handshake over a transport you already have.
///
/// # Errors
/// [`HandshakeError::Response`], [`HandshakeError::Timeout`], I/O errors.
pub async fn client<S>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocketStream<S>, Box<Response>), HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    WebSocketStream::client(stream, request, settings).await
}

/// Tokio's pieces of the connect sequence: its DNS, its TCP, tokio-rustls.
#[derive(Debug, Clone, Copy, Default)]
pub struct Connector;

impl sansock_client::Connector for Connector {
    type Runtime = Tokio;
    type Tcp = TcpStream;
    type ProxyTls = TlsStream<TcpStream, Connector>;
    type ServerTls = TlsStream<ClientSocket, Connector>;
    type Connection = ClientStream;

    async fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }

    async fn connect_tcp(&self, addr: SocketAddr, _deadline: Instant) -> io::Result<TcpStream> {
        let tcp = TcpStream::connect(addr).await?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }

    async fn tls_to_proxy(
        &self,
        tcp: TcpStream,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ProxyTls, HandshakeError> {
        tls(tcp, host, config).await
    }

    async fn tls_to_server(
        &self,
        socket: ClientSocket,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ServerTls, HandshakeError> {
        tls(socket, host, config).await
    }

    fn open(stream: ClientStream) -> ClientStream {
        stream
    }

    fn closed(connection: &ClientStream) -> Option<&Closed> {
        connection.closed()
    }
}

/// Tokio's TLS streams: tokio-rustls' (none without the `rustls` feature).
impl TlsEngine for Connector {
    #[cfg(feature = "rustls")]
    type Stream<S> = tokio_rustls::client::TlsStream<S>;
    #[cfg(not(feature = "rustls"))]
    type Stream<S> = sansock_client::NoTls;
}

/// The TLS handshake with `host` over `io` (the deadline is the connect sequence's).
#[cfg(feature = "rustls")]
async fn tls<S: AsyncRead + AsyncWrite + Unpin>(
    io: S,
    host: &str,
    config: &TlsConfig,
) -> Result<TlsStream<S, Connector>, HandshakeError> {
    let name = TlsConfig::server_name(host)?;
    let connector = tokio_rustls::TlsConnector::from(config.rustls().clone());
    let stream = connector.connect(name, io).await;
    Ok(TlsStream::new(stream.map_err(HandshakeError::Tls)?))
}

/// Without rustls there is no TLS.
#[cfg(not(feature = "rustls"))]
async fn tls<S>(_: S, _: &str, _: &TlsConfig) -> Result<TlsStream<S, Connector>, HandshakeError> {
    Err(HandshakeError::TlsUnavailable)
}
