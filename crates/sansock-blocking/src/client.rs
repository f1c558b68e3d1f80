//! Client side: [`connect`] a `ws://` or `wss://` URL (DNS, TCP, TLS, then the core's client
//! handshake, all within the handshake timeout), or run the handshake over a stream you
//! already have with [`client`].

use crate::{ClientSocket, MaybeTlsStream, WebSocket};
use sansock_core::{ClientRequest, Response};
use sansock_driver::proxy::tunnel;
use sansock_driver::tls::TlsConfig;
use sansock_driver::{
    Blocking, BlockingStream, ClientSettings, Error, WsUrl, dial, handshake, wait,
};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Instant;

/// Connects to `url` with default settings.
///
/// ```no_run
/// # fn run() -> Result<(), sansock_blocking::Error> {
/// let (mut ws, _response) = sansock_blocking::connect("ws://127.0.0.1:8080/")?;
/// ws.send("hello")?;
/// println!("{:?}", ws.recv()?);
/// ws.close(None, "")?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Url`], [`Error::Dns`], [`Error::Connect`], [`Error::Tls`], [`Error::Handshake`]
/// (a non-101 answer carries its status, headers and body), [`Error::HandshakeTimeout`].
pub fn connect(url: &str) -> Result<(WebSocket<MaybeTlsStream>, Box<Response>), Error> {
    connect_with(WsUrl::parse(url)?, ClientSettings::new())
}

/// Connects with subprotocols, headers and settings; `wss` uses the webpki roots.
///
/// # Errors
/// As [`connect`].
pub fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(WebSocket<MaybeTlsStream>, Box<Response>), Error> {
    let tls = sansock_driver::tls::default_for(&url)?;
    connect_inner(url, settings, tls)
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
) -> Result<(WebSocket<MaybeTlsStream>, Box<Response>), Error> {
    connect_inner(url, settings, Some(tls))
}

pub(crate) fn connect_inner(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
) -> Result<(WebSocket<MaybeTlsStream>, Box<Response>), Error> {
    let deadline = settings.handshake_deadline();
    let remaining = || deadline.saturating_duration_since(Instant::now());
    let dial = |host: &str, port: u16| -> Result<TcpStream, Error> {
        let addrs = (host, port).to_socket_addrs().map_err(Error::Dns)?;
        let tcp = wait(dial::first_connected(addrs, |addr| async move {
            TcpStream::connect_timeout(&addr, remaining().max(std::time::Duration::from_millis(1)))
        }))?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    };
    let socket = match settings.proxy_for(&url)? {
        None => ClientSocket::Plain(dial(&url.host, url.port)?),
        Some(proxy) => {
            let tcp = dial(proxy.host(), proxy.port())?;
            let socket = if proxy.is_tls() {
                #[cfg(feature = "rustls")]
                {
                    let config = sansock_driver::tls::for_proxy(tls.clone())?;
                    ClientSocket::Tls(crate::tls::handshake(
                        tcp,
                        proxy.host(),
                        config,
                        remaining(),
                    )?)
                }
                #[cfg(not(feature = "rustls"))]
                return Err(Error::TlsUnavailable);
            } else {
                ClientSocket::Plain(tcp)
            };
            let resolve = async |host: String, port: u16| {
                (host.as_str(), port).to_socket_addrs().map_err(Error::Dns)
            };
            let limits = settings.limits();
            let io = socket;
            let tunnel = tunnel::<_, Blocking, _, _>(io, &proxy, &url, limits, deadline, resolve);
            wait(tunnel)?
        }
    };
    let stream = match (url.tls, tls) {
        (false, _) => MaybeTlsStream::Plain(socket),
        #[cfg(feature = "rustls")]
        (true, Some(config)) => MaybeTlsStream::Tls(crate::tls::handshake(
            socket,
            &url.host,
            config,
            remaining(),
        )?),
        (true, _) => return Err(Error::TlsUnavailable),
    };
    client(
        stream,
        &url.request,
        settings.handshake_timeout(remaining()),
    )
}

/// Runs the client handshake over a stream you already have (a blocking one; switch it to
/// non-blocking mode afterwards if you like).
///
/// # Errors
/// [`Error::Handshake`], [`Error::HandshakeTimeout`], I/O errors.
pub fn client<S: BlockingStream + Unpin>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocket<S>, Box<Response>), Error> {
    let (driver, response) = wait(handshake::connect::<_, Blocking>(
        stream,
        request,
        settings,
    ))?;
    Ok((WebSocket::from_driver(driver), response))
}
