//! Client side: [`connect`] a `ws://` or `wss://` URL, or run the handshake over a stream you
//! already have with [`client`]. The connect sequence (DNS, TCP, proxy, TLS, handshake, within
//! the handshake timeout) is `sansock_client::connect`, run on this thread; [`Connector`] gives
//! it std's pieces and rustls' blocking handshake.

use crate::WebSocket;
use sansock_client::WsUrl;
use sansock_client::{TlsConfig, TlsStream};
use sansock_core::{ClientRequest, Closed, Response};
use sansock_driver::internal as handshake;
use sansock_driver::{Blocking, BlockingStream, ClientSettings, HandshakeError, wait};
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The client's connection to the first hop: TCP to the server or to a proxy, or TLS over TCP
/// to an `https://` proxy.
pub type ClientSocket = sansock_client::ClientSocket<Connector>;
/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`). `tcp()` gives the TCP stream under both.
pub type MaybeTlsStream = sansock_client::MaybeTlsStream<Connector>;
/// A blocking client connection over TCP (or TLS).
pub type ClientStream = WebSocket<MaybeTlsStream>;

/// Connects to `url` with default settings.
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let (mut ws, _response) = sansock_blocking::connect("ws://127.0.0.1:8080/")?;
/// ws.send("hello")?;
/// println!("{:?}", ws.recv()?);
/// ws.close(None, "")?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`HandshakeError::Url`], [`HandshakeError::Dns`], [`HandshakeError::Connect`], [`HandshakeError::Proxy`], [`HandshakeError::Tls`],
/// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
/// [`HandshakeError::Timeout`].
pub fn connect(url: &str) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    connect_with(WsUrl::parse(url)?, ClientSettings::new())
}

/// Connects with subprotocols, headers, a proxy and settings; `wss` uses [`TlsConfig::from_features`](sansock_client::TlsConfig::from_features).
///
/// # Errors
/// As [`connect`].
pub fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    wait(sansock_client::connect(&Connector, &url, settings, None))
}

/// Connects with your own rustls configuration (private roots, client certificates, ALPN…).
///
/// # Errors
/// As [`connect`].
#[cfg(feature = "rustls")]
pub fn connect_with_tls(
    url: WsUrl,
    settings: ClientSettings,
    tls: std::sync::Arc<rustls::ClientConfig>,
) -> Result<(ClientStream, Box<Response>), HandshakeError> {
    wait(sansock_client::connect(
        &Connector,
        &url,
        settings,
        Some(&tls.into()),
    ))
}

/// Runs the client handshake over a stream you already have (a blocking one; switch it to
/// non-blocking mode afterwards if you like).
///
/// # Errors
/// [`HandshakeError::Response`], [`HandshakeError::Timeout`], I/O errors.
pub fn client<S: BlockingStream + Unpin>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocket<S>, Box<Response>), HandshakeError> {
    let (driver, response) = wait(handshake::connect::<_, Blocking>(stream, request, settings))?;
    Ok((WebSocket::from_driver(driver), response))
}

/// The blocking pieces of the connect sequence: std's DNS and TCP, rustls' handshake, each
/// bounded by the deadline; sleeping on this thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Connector;

impl sansock_client::Connector for Connector {
    type Runtime = Blocking;
    type Tcp = TcpStream;
    type ProxyTls = TlsStream<TcpStream, Connector>;
    type ServerTls = TlsStream<ClientSocket, Connector>;
    type Connection = ClientStream;

    async fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }

    async fn connect_tcp(&self, addr: SocketAddr, deadline: Instant) -> io::Result<TcpStream> {
        let tcp = TcpStream::connect_timeout(&addr, left(deadline))?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }

    async fn tls_to_proxy(
        &self,
        tcp: TcpStream,
        host: &str,
        config: &TlsConfig,
        deadline: Instant,
    ) -> Result<Self::ProxyTls, HandshakeError> {
        crate::tls::handshake(tcp, host, config, deadline)
    }

    async fn tls_to_server(
        &self,
        socket: ClientSocket,
        host: &str,
        config: &TlsConfig,
        deadline: Instant,
    ) -> Result<Self::ServerTls, HandshakeError> {
        crate::tls::handshake(socket, host, config, deadline)
    }

    fn open(stream: sansock_driver::WebSocketStream<MaybeTlsStream, Blocking>) -> ClientStream {
        WebSocket::from_driver(sansock_driver::internal::into_driver(stream))
    }

    fn closed(connection: &ClientStream) -> Option<&Closed> {
        connection.closed()
    }

    async fn sleep(&self, delay: Duration) {
        std::thread::sleep(delay);
    }
}

/// What is left until `deadline` (at least a millisecond: std takes no zero timeout).
pub(crate) fn left(deadline: Instant) -> Duration {
    deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1))
}
