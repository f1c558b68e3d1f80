//! smol: [`connect`] over smol's TCP (feature `smol`). Servers use [`accept`] /
//! [`accept_with`] on a `smol::net::TcpStream`.

use crate::connect::{connect_over, default_tls};
use crate::{ClientSettings, Error, MaybeTlsStream, Response, WebSocketStream, WsUrl};
use sansock_driver::dial::first_connected;

pub use crate::{accept, accept_with};

/// A client connection over smol's TCP, with or without TLS.
pub type ClientStream = WebSocketStream<MaybeTlsStream<::smol::net::TcpStream>>;

/// Connects to `url` with default settings.
///
/// ```no_run
/// # async fn run() -> Result<(), sansock_futures::Error> {
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
/// [`Error::Url`], [`Error::Dns`], [`Error::Connect`], [`Error::Tls`], [`Error::Handshake`]
/// (a non-101 answer carries its status, headers and body), [`Error::HandshakeTimeout`].
pub async fn connect(url: &str) -> Result<(ClientStream, Box<Response>), Error> {
    connect_with(WsUrl::parse(url)?, ClientSettings::default()).await
}

/// Connects with subprotocols, headers and settings; `wss` uses the webpki roots.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(ClientStream, Box<Response>), Error> {
    let tls = default_tls(&url)?;
    connect_over(url, settings, tls, dial).await
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
) -> Result<(ClientStream, Box<Response>), Error> {
    connect_over(url, settings, Some(tls), dial).await
}

async fn dial(host: String, port: u16) -> Result<::smol::net::TcpStream, Error> {
    let addrs = ::smol::net::resolve((host.as_str(), port))
        .await
        .map_err(Error::Dns)?;
    let tcp = first_connected(addrs, ::smol::net::TcpStream::connect).await?;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}
