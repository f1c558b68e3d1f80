//! The one connect sequence: DNS, TCP to the first address that answers, a proxy's tunnel (with
//! TLS to an `https://` proxy), TLS to the server for `wss://`, then the WebSocket handshake,
//! all within the handshake timeout. A runtime takes part through a [`Connector`], which gives
//! only its pieces: name resolution, a TCP connection, a TLS handshake and how to wrap the
//! driver it gets. `sansock_tokio::Connector`, `sansock_futures::smol::Connector`,
//! `sansock_futures::async_std::Connector` and `sansock_blocking::Connector` are the ones
//! Sansock ships; a connector of your own may hold state (a resolver, a pool of addresses).

use crate::maybe_tls::MaybeTls;
use crate::proxy::tunnel;
use crate::{TlsConfig, WsUrl};
use core::future::Future;
use core::time::Duration;
use sansock_core::{Closed, Response};
use sansock_driver::internal::{deadline_after, handshake_deadline, limits, within};
use sansock_driver::{ClientSettings, HandshakeError, Runtime, Timer, Transport, WebSocketStream};
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

/// A client's first hop for connector `C`: TCP to the server or to a proxy, or TLS over it to an
/// `https://` proxy.
pub type ClientSocket<C> = MaybeTls<<C as Connector>::Tcp, <C as Connector>::ProxyTls>;

/// A client's transport for connector `C`: its [`ClientSocket`] as it is (`ws://`) or TLS to the
/// server over it (`wss://`).
pub type MaybeTlsStream<C> = MaybeTls<ClientSocket<C>, <C as Connector>::ServerTls>;

/// What a runtime gives the connect sequence.
pub trait Connector {
    /// The runtime the connection is driven on.
    type Runtime: Runtime;
    /// A TCP connection.
    type Tcp;
    /// TLS over [`Tcp`](Self::Tcp), to an `https://` proxy ([`NoTls`](crate::NoTls) when there
    /// is no TLS).
    type ProxyTls;
    /// TLS over the [`ClientSocket`], to the server ([`NoTls`](crate::NoTls) when there is no
    /// TLS).
    type ServerTls;
    /// The connection handed to the application (the adapter's WebSocket type).
    type Connection;

    /// The addresses of `host`.
    fn resolve(&self, host: &str, port: u16) -> impl Future<Output = io::Result<Vec<SocketAddr>>>;

    /// A TCP connection to `addr`, given up at `deadline`; Nagle's algorithm off.
    fn connect_tcp(
        &self,
        addr: SocketAddr,
        deadline: Instant,
    ) -> impl Future<Output = io::Result<Self::Tcp>>;

    /// The TLS handshake with an `https://` proxy `host` over `tcp`.
    ///
    /// # Errors
    /// [`HandshakeError::Tls`], [`HandshakeError::Timeout`].
    fn tls_to_proxy(
        &self,
        tcp: Self::Tcp,
        host: &str,
        config: &TlsConfig,
        deadline: Instant,
    ) -> impl Future<Output = Result<Self::ProxyTls, HandshakeError>>;

    /// The TLS handshake with the server `host` over `socket`.
    ///
    /// # Errors
    /// [`HandshakeError::Tls`], [`HandshakeError::Timeout`].
    fn tls_to_server(
        &self,
        socket: ClientSocket<Self>,
        host: &str,
        config: &TlsConfig,
        deadline: Instant,
    ) -> impl Future<Output = Result<Self::ServerTls, HandshakeError>>;

    /// The application's connection over `stream` (the stream itself on an async runtime).
    fn open(stream: WebSocketStream<MaybeTlsStream<Self>, Self::Runtime>) -> Self::Connection
    where
        MaybeTlsStream<Self>: Transport<Self::Runtime>;

    /// How `connection` ended, once it has (for reconnecting).
    fn closed(connection: &Self::Connection) -> Option<&Closed>;

    /// Waits `delay` (between reconnect attempts); by default on the runtime's timer.
    fn sleep(&self, delay: Duration) -> impl Future<Output = ()> {
        async move {
            let mut timer = <Self::Runtime as Runtime>::Timer::at(deadline_after(delay));
            core::future::poll_fn(|cx| timer.poll_elapsed(cx)).await;
        }
    }
}

/// Connects to `url` with `connector`: TLS with `tls`, or [`TlsConfig::from_features`] when `None`.
///
/// # Errors
/// [`HandshakeError::Url`] (a proxy from the environment that is not a proxy URL), [`HandshakeError::Dns`],
/// [`HandshakeError::Connect`], [`HandshakeError::Proxy`], [`HandshakeError::Tls`], [`HandshakeError::TlsUnavailable`],
/// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
/// [`HandshakeError::Timeout`].
pub async fn connect<C>(
    connector: &C,
    url: &WsUrl,
    settings: ClientSettings,
    tls: Option<&TlsConfig>,
) -> Result<(C::Connection, Box<Response>), HandshakeError>
where
    C: Connector,
    ClientSocket<C>: Transport<C::Runtime>,
    MaybeTlsStream<C>: Transport<C::Runtime>,
{
    let deadline = handshake_deadline(&settings);
    let proxy = url.proxy()?;
    // The configuration given serves the server and an `https://` proxy (private roots).
    let given_or_default = || tls.cloned().map_or_else(TlsConfig::from_features, Ok);
    let server_tls = if url.tls {
        Some(given_or_default()?)
    } else {
        None
    };
    let work = async {
        let socket = match &proxy {
            None => MaybeTls::Plain(dial(connector, &url.host, url.port, deadline).await?),
            Some(proxy) => {
                let tcp = dial(connector, proxy.host(), proxy.port(), deadline).await?;
                let socket = if proxy.is_tls() {
                    let config = given_or_default()?;
                    let tls = connector.tls_to_proxy(tcp, proxy.host(), &config, deadline);
                    MaybeTls::Tls(Box::new(tls.await?))
                } else {
                    MaybeTls::Plain(tcp)
                };
                let resolve = async |host: String, port: u16| {
                    connector
                        .resolve(&host, port)
                        .await
                        .map_err(HandshakeError::Dns)
                };
                let limits = limits(&settings);
                tunnel::<_, C::Runtime, _, _>(socket, proxy, url, limits, deadline, resolve).await?
            }
        };
        let stream = match &server_tls {
            None => MaybeTls::Plain(socket),
            Some(config) => {
                let tls = connector.tls_to_server(socket, &url.host, config, deadline);
                MaybeTls::Tls(Box::new(tls.await?))
            }
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let settings = settings.handshake_timeout(left);
        let (stream, response) = WebSocketStream::client(stream, &url.request, settings).await?;
        Ok((C::open(stream), response))
    };
    within::<C::Runtime, _>(deadline, work).await
}

/// A TCP connection to the first address of `host:port` that takes one, with `connector`'s
/// DNS and TCP.
///
/// # Errors
/// [`HandshakeError::Dns`]; [`HandshakeError::Connect`] with the last address's error.
pub async fn dial<C: Connector>(
    connector: &C,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<C::Tcp, HandshakeError> {
    let addrs = connector
        .resolve(host, port)
        .await
        .map_err(HandshakeError::Dns)?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match connector.connect_tcp(addr, deadline).await {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = e,
        }
    }
    Err(HandshakeError::Connect(last))
}
