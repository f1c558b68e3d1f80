//! Client side: [`connect`] a `ws://` or `wss://` URL, or run the handshake over a stream you
//! already have with [`client`]. The connect sequence (DNS, TCP, proxy, TLS, handshake) is
//! `sansock_client::connect`; [`Connector`] gives it compio's pieces.

use crate::{
    ClientSettings, Closed, Compio, HandshakeError, Response, TcpStream, WebSocketStream, WsUrl,
};
use sansock_client::TlsConfig;
use sansock_core::ClientRequest;
use sansock_driver::Transport;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

/// The client's connection to the first hop: TCP to the server or to a proxy, or TLS over TCP
/// to an `https://` proxy.
pub type ClientSocket = sansock_client::ClientSocket<Connector>;
/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`).
pub type MaybeTlsStream = sansock_client::MaybeTlsStream<Connector>;
/// A client connection over TCP (or TLS) on compio.
pub type ClientStream = WebSocketStream<MaybeTlsStream>;

/// A client that reconnects by itself (see `sansock_client::Reconnecting`).
///
/// `H` is the type of its connect hook (an async closure given to `on_connect`).
pub type Reconnecting<H = sansock_client::NoHook<ClientStream>> =
    sansock_client::Reconnecting<Connector, H>;

/// Connects to `url` with default settings.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let (mut ws, _response) = sansock_compio::connect("ws://127.0.0.1:8080/").await?;
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

/// Runs the client handshake over a transport you already have (a [`TcpStream`] made from
/// compio's, say).
///
/// # Errors
/// [`HandshakeError::Response`], [`HandshakeError::Timeout`], I/O errors.
pub async fn client<S: Transport<Compio>>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocketStream<S>, Box<Response>), HandshakeError> {
    WebSocketStream::client(stream, request, settings).await
}

/// compio's pieces of the connect sequence: its DNS (on its blocking pool), its TCP, and rustls
/// over its TCP ([`RustlsStream`](crate::RustlsStream)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Connector;

impl sansock_client::Connector for Connector {
    type Runtime = Compio;
    type Tcp = TcpStream;
    type ProxyTls = sansock_client::TlsStream<TcpStream, Connector>;
    type ServerTls = sansock_client::TlsStream<ClientSocket, Connector>;
    type Connection = ClientStream;

    async fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        use compio::net::ToSocketAddrsAsync;
        Ok((host, port).to_socket_addrs_async().await?.collect())
    }

    async fn connect_tcp(&self, addr: SocketAddr, _deadline: Instant) -> io::Result<TcpStream> {
        let tcp = compio::net::TcpStream::connect(addr).await?;
        let _ = tcp.set_nodelay(true);
        Ok(TcpStream::from(tcp))
    }

    async fn tls_to_proxy(
        &self,
        tcp: TcpStream,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ProxyTls, HandshakeError> {
        crate::tls::handshake(tcp, host, config).await
    }

    async fn tls_to_server(
        &self,
        socket: ClientSocket,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ServerTls, HandshakeError> {
        crate::tls::handshake(socket, host, config).await
    }

    fn open(stream: ClientStream) -> ClientStream {
        stream
    }

    fn closed(connection: &ClientStream) -> Option<&Closed> {
        connection.closed()
    }
}
