//! Client side, runtime-neutral: [`client`] runs the handshake over a stream you have, and
//! [`Connector`] gives `sansock_client::connect` (the one connect sequence: DNS, TCP, proxy,
//! TLS, handshake) a runtime's pieces — its TCP ([`Tcp`]: smol's or async-std's) and
//! futures-rustls. The `smol` and `async_std` modules name them for their runtime.

use crate::{ClientSettings, Closed, FuturesIo, HandshakeError, Response, WebSocketStream, WsUrl};
use core::future::Future;
use core::marker::PhantomData;
use futures_io::{AsyncRead, AsyncWrite};
use sansock_client::{TlsConfig, TlsEngine, TlsStream};
use sansock_core::ClientRequest;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

/// Runs the client handshake over a transport you already have.
///
/// # Errors
/// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
/// [`HandshakeError::Timeout`], I/O errors.
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

/// A runtime's TCP stream: `smol::net::TcpStream` or `async_std::net::TcpStream` (feature
/// `smol` or `async-std`).
pub trait Tcp: AsyncRead + AsyncWrite + Unpin + Sized + sealed::Sealed {
    /// The addresses of `host`, by the runtime's resolver.
    fn resolve(host: &str, port: u16) -> impl Future<Output = io::Result<Vec<SocketAddr>>>;
    /// A connection to `addr`, Nagle's algorithm off.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self>>;
}

mod sealed {
    /// Only the runtimes' TCP streams are [`Tcp`](super::Tcp).
    pub trait Sealed {}
}

/// A client's first hop over the runtime's TCP `T`.
pub type ClientSocket<T> = sansock_client::ClientSocket<Connector<T>>;
/// A client transport over the runtime's TCP `T`, with or without TLS.
pub type MaybeTlsStream<T> = sansock_client::MaybeTlsStream<Connector<T>>;
/// A client connection over the runtime's TCP `T`.
pub type ClientStream<T> = WebSocketStream<MaybeTlsStream<T>>;

/// The futures-io pieces of the connect sequence over the runtime's TCP stream `T`.
pub struct Connector<T>(PhantomData<fn() -> T>);

impl<T> Default for Connector<T> {
    fn default() -> Self {
        Connector(PhantomData)
    }
}

impl<T> Clone for Connector<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Connector<T> {}

impl<T> core::fmt::Debug for Connector<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Connector")
    }
}

impl<T: Tcp> sansock_client::Connector for Connector<T> {
    type Runtime = FuturesIo;
    type Tcp = T;
    type ProxyTls = TlsStream<T, Self>;
    type ServerTls = TlsStream<ClientSocket<T>, Self>;
    type Connection = ClientStream<T>;

    async fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        T::resolve(host, port).await
    }

    async fn connect_tcp(&self, addr: SocketAddr, _deadline: Instant) -> io::Result<T> {
        T::connect(addr).await
    }

    async fn tls_to_proxy(
        &self,
        tcp: T,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ProxyTls, HandshakeError> {
        tls(tcp, host, config).await
    }

    async fn tls_to_server(
        &self,
        socket: ClientSocket<T>,
        host: &str,
        config: &TlsConfig,
        _deadline: Instant,
    ) -> Result<Self::ServerTls, HandshakeError> {
        tls(socket, host, config).await
    }

    fn open(stream: ClientStream<T>) -> ClientStream<T> {
        stream
    }

    fn closed(connection: &ClientStream<T>) -> Option<&Closed> {
        connection.closed()
    }
}

impl<T: Tcp> Connector<T> {
    /// Connects to `url` with default settings over the runtime's TCP.
    ///
    /// ```no_run
    /// # #[cfg(feature = "smol")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let (mut ws, _response) = sansock_futures::smol::connect("ws://127.0.0.1:8080/").await?;
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
    pub async fn connect(url: &str) -> Result<(ClientStream<T>, Box<Response>), HandshakeError> {
        Self::connect_with(WsUrl::parse(url)?, ClientSettings::new()).await
    }

    /// Connects with subprotocols, headers, a proxy and settings; `wss` uses [`TlsConfig::from_features`](sansock_client::TlsConfig::from_features).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_with(
        url: WsUrl,
        settings: ClientSettings,
    ) -> Result<(ClientStream<T>, Box<Response>), HandshakeError> {
        sansock_client::connect(&Self::default(), &url, settings, None).await
    }

    /// Connects with your own rustls configuration (private roots, client certificates, ALPN…).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    #[cfg(feature = "rustls")]
    pub async fn connect_with_tls(
        url: WsUrl,
        settings: ClientSettings,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<(ClientStream<T>, Box<Response>), HandshakeError> {
        sansock_client::connect(&Self::default(), &url, settings, Some(&tls.into())).await
    }
}

/// The futures-io runtimes' TLS streams: futures-rustls' (none without the `rustls` feature).
impl<T> TlsEngine for Connector<T> {
    #[cfg(feature = "rustls")]
    type Stream<S> = futures_rustls::client::TlsStream<S>;
    #[cfg(not(feature = "rustls"))]
    type Stream<S> = sansock_client::NoTls;
}

/// The TLS handshake with `host` over `io` (the deadline is the connect sequence's).
#[cfg(feature = "rustls")]
async fn tls<S: AsyncRead + AsyncWrite + Unpin, T>(
    io: S,
    host: &str,
    config: &TlsConfig,
) -> Result<TlsStream<S, Connector<T>>, HandshakeError> {
    let name = TlsConfig::server_name(host)?;
    let connector = futures_rustls::TlsConnector::from(config.rustls().clone());
    let stream = connector.connect(name, io).await;
    Ok(TlsStream::new(stream.map_err(HandshakeError::Tls)?))
}

/// Without rustls there is no TLS.
#[cfg(not(feature = "rustls"))]
async fn tls<S, T>(
    _: S,
    _: &str,
    _: &TlsConfig,
) -> Result<TlsStream<S, Connector<T>>, HandshakeError> {
    Err(HandshakeError::TlsUnavailable)
}

#[cfg(feature = "smol")]
impl sealed::Sealed for smol::net::TcpStream {}

#[cfg(feature = "smol")]
impl Tcp for smol::net::TcpStream {
    async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        smol::net::resolve((host, port)).await
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let tcp = smol::net::TcpStream::connect(addr).await?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }
}

#[cfg(feature = "async-std")]
impl sealed::Sealed for async_std::net::TcpStream {}

#[cfg(feature = "async-std")]
impl Tcp for async_std::net::TcpStream {
    async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        let addrs = async_std::net::ToSocketAddrs::to_socket_addrs(&(host, port)).await?;
        Ok(addrs.collect())
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let tcp = async_std::net::TcpStream::connect(addr).await?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }
}
