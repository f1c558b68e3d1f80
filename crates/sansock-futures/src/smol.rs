//! smol: [`connect`] over smol's TCP (feature `smol`). Servers use [`accept`] /
//! [`accept_with`] on an `smol::net::TcpStream`.

use crate::{ClientSettings, Error, Response, WsUrl};

pub use crate::{accept, accept_with};

type Tcp = ::smol::net::TcpStream;

/// A client connection over smol's TCP, with or without TLS.
pub type ClientStream = crate::ClientStream<Tcp>;
/// smol's pieces of the connect sequence.
pub type Connector = crate::Connector<Tcp>;
/// A client on smol that reconnects by itself (see `sansock_client::Reconnecting`); `H` is
/// the type of its connect hook (an async closure given to `on_connect`).
pub type Reconnecting<H = sansock_client::NoHook<ClientStream>> =
    sansock_client::Reconnecting<Connector, H>;

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
/// [`Error::Url`], [`Error::Dns`], [`Error::Connect`], [`Error::Proxy`], [`Error::Tls`],
/// [`Error::Handshake`] (a non-101 answer carries its status, headers and body),
/// [`Error::HandshakeTimeout`].
pub async fn connect(url: &str) -> Result<(ClientStream, Box<Response>), Error> {
    crate::connect::connect::<Tcp>(WsUrl::parse(url)?, ClientSettings::new(), None).await
}

/// Connects with subprotocols, headers, a proxy and settings; `wss` uses the webpki roots.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(ClientStream, Box<Response>), Error> {
    crate::connect::connect::<Tcp>(url, settings, None).await
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
    crate::connect::connect::<Tcp>(url, settings, Some(tls.into())).await
}
