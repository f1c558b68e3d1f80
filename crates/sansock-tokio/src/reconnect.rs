//! [`Reconnecting`]: a client that connects again by itself, with exponential backoff and jitter
//! (the policy, the bookkeeping and the methods are the driver's `reconnect`; this only says how
//! to connect and sleep on tokio).

use crate::{ClientSettings, Error, MaybeTlsStream, Tokio, WebSocketStream, WsUrl};
use core::time::Duration;
use sansock_core::Closed;
use sansock_driver::reconnect::NoHook;

/// A client connection over TCP (or TLS) on tokio.
pub type ClientStream = WebSocketStream<MaybeTlsStream>;

/// A client that reconnects by itself (see `sansock_driver::reconnect::Reconnecting`).
///
/// ```no_run
/// # async fn run() -> Result<(), sansock_tokio::Error> {
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
pub type Reconnecting<H = NoHook<ClientStream>> =
    sansock_driver::reconnect::Reconnecting<Connector, H>;

/// How tokio's [`Reconnecting`] connects and sleeps.
#[derive(Debug, Clone, Copy)]
pub struct Connector;

impl sansock_driver::reconnect::Connector for Connector {
    type Connection = ClientStream;

    async fn connect(
        url: WsUrl,
        settings: ClientSettings,
        tls: Option<sansock_driver::tls::TlsConfig>,
    ) -> Result<ClientStream, Error> {
        let tls = sansock_driver::tls::given_or_default(tls, &url)?;
        Ok(crate::client::connect_inner(url, settings, tls).await?.0)
    }

    async fn sleep(delay: Duration) {
        sansock_driver::reconnect::sleep::<Tokio>(delay).await;
    }

    fn closed(connection: &ClientStream) -> Option<&Closed> {
        connection.closed()
    }
}
