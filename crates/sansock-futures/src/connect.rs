//! Client side, runtime-neutral: [`client`] runs the handshake over a stream you have;
//! `connect_over` is what each runtime module's `connect` does once it can dial TCP (TCP, TLS
//! and the handshake, all under the handshake timeout), and `client_functions!` writes those
//! `connect` functions for a runtime module, so smol and async-std share one copy.

use crate::{
    ClientSettings, ClientSocket, Error, FuturesIo, MaybeTlsStream, WebSocketStream, WsUrl,
};
use futures_io::{AsyncRead, AsyncWrite};
use sansock_core::{ClientRequest, Response};
use sansock_driver::handshake::within;
use sansock_driver::proxy::tunnel;
use sansock_driver::tls::TlsConfig;
use std::future::Future;

/// Runs the client handshake over a transport you already have.
///
/// # Errors
/// [`Error::Handshake`] (a non-101 answer carries its status, headers and body),
/// [`Error::HandshakeTimeout`], I/O errors.
pub async fn client<S>(
    stream: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> Result<(WebSocketStream<S>, Box<Response>), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (driver, response) =
        sansock_driver::handshake::connect::<S, FuturesIo>(stream, request, settings).await?;
    Ok((WebSocketStream::from_driver(driver), response))
}

/// Dials with `dial` (DNS and TCP of the runtime), adds TLS for `wss`, and runs the handshake.
#[allow(dead_code)] // unused when no runtime feature is on
pub(crate) async fn connect_over<T, D, Fut, A>(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
    dial: D,
    resolve: impl AsyncFnOnce(String, u16) -> Result<A, Error>,
) -> Result<(WebSocketStream<MaybeTlsStream<T>>, Box<Response>), Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
    D: FnOnce(String, u16) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    A: IntoIterator<Item = std::net::SocketAddr>,
{
    let deadline = settings.handshake_deadline();
    let proxy = settings.proxy_for(&url)?;
    let work = async {
        let socket = match &proxy {
            None => ClientSocket::Plain(dial(url.host.clone(), url.port).await?),
            Some(proxy) => {
                let tcp = dial(proxy.host().to_string(), proxy.port()).await?;
                let socket = if proxy.is_tls() {
                    #[cfg(feature = "rustls")]
                    {
                        let config = sansock_driver::tls::for_proxy(tls.clone())?;
                        ClientSocket::Tls(crate::tls::handshake(tcp, proxy.host(), config).await?)
                    }
                    #[cfg(not(feature = "rustls"))]
                    return Err(Error::TlsUnavailable);
                } else {
                    ClientSocket::Plain(tcp)
                };
                let limits = settings.limits();
                tunnel::<_, FuturesIo, _, _>(socket, proxy, &url, limits, deadline, resolve).await?
            }
        };
        let stream = match (url.tls, tls) {
            (false, _) => MaybeTlsStream::Plain(socket),
            #[cfg(feature = "rustls")]
            (true, Some(config)) => {
                MaybeTlsStream::Tls(crate::tls::handshake(socket, &url.host, config).await?)
            }
            (true, _) => return Err(Error::TlsUnavailable),
        };
        client(stream, &url.request, settings).await
    };
    within::<FuturesIo, _>(deadline, work).await
}

/// Writes a runtime module's `ClientStream`, `connect`, `connect_with` and `connect_with_tls`
/// over the TCP stream `$tcp` that `$dial(host, port)` connects.
#[allow(unused_macros)] // unused when no runtime feature is on
macro_rules! client_functions {
    ($module:literal, $tcp:ty, $dial:path, $resolve:path) => {
        #[doc = concat!("A client connection over ", $module, "'s TCP, with or without TLS.")]
        pub type ClientStream = $crate::WebSocketStream<$crate::MaybeTlsStream<$tcp>>;

        /// Connects to `url` with default settings.
        ///
        /// ```no_run
        /// # async fn run() -> Result<(), sansock_futures::Error> {
        #[doc = concat!("let (mut ws, _response) = sansock_futures::", $module, "::connect(\"ws://127.0.0.1:8080/\").await?;")]
        /// ws.send("hello").await?;
        /// if let Some(reply) = ws.recv().await {
        ///     println!("{:?}", reply?);
        /// }
        /// ws.close(None, "").await?;
        /// # Ok(()) }
        /// ```
        ///
        /// # Errors
        /// [`Error::Url`](crate::Error::Url), [`Error::Dns`](crate::Error::Dns),
        /// [`Error::Connect`](crate::Error::Connect), [`Error::Tls`](crate::Error::Tls),
        /// [`Error::Handshake`](crate::Error::Handshake) (a non-101 answer carries its status,
        /// headers and body), [`Error::HandshakeTimeout`](crate::Error::HandshakeTimeout).
        pub async fn connect(
            url: &str,
        ) -> Result<(ClientStream, Box<$crate::Response>), $crate::Error> {
            connect_with($crate::WsUrl::parse(url)?, $crate::ClientSettings::new()).await
        }

        /// Connects with subprotocols, headers and settings; `wss` uses the webpki roots.
        ///
        /// # Errors
        /// As [`connect`].
        pub async fn connect_with(
            url: $crate::WsUrl,
            settings: $crate::ClientSettings,
        ) -> Result<(ClientStream, Box<$crate::Response>), $crate::Error> {
            let tls = sansock_driver::tls::default_for(&url)?;
            $crate::connect::connect_over(url, settings, tls, $dial, $resolve).await
        }

        /// Connects with your own rustls configuration (private roots, client certificates,
        /// ALPN…).
        ///
        /// # Errors
        /// As [`connect`].
        #[cfg(feature = "rustls")]
        pub async fn connect_with_tls(
            url: $crate::WsUrl,
            settings: $crate::ClientSettings,
            tls: std::sync::Arc<rustls::ClientConfig>,
        ) -> Result<(ClientStream, Box<$crate::Response>), $crate::Error> {
            $crate::connect::connect_over(url, settings, Some(tls), $dial, $resolve).await
        }

        #[doc = concat!("A client on ", $module, " that reconnects by itself, with backoff and jitter")]
        /// (see `sansock_driver::reconnect::Reconnecting`).
        /// `H` is the type of its connect hook (an async closure given to `on_connect`).
        pub type Reconnecting<H = sansock_driver::reconnect::NoHook<ClientStream>> =
            sansock_driver::reconnect::Reconnecting<Connector, H>;

        #[doc = concat!("How ", $module, "'s [`Reconnecting`] connects and sleeps.")]
        #[derive(Debug, Clone, Copy)]
        pub struct Connector;

        impl sansock_driver::reconnect::Connector for Connector {
            type Connection = ClientStream;

            async fn connect(
                url: $crate::WsUrl,
                settings: $crate::ClientSettings,
                tls: Option<sansock_driver::tls::TlsConfig>,
            ) -> Result<ClientStream, $crate::Error> {
                let tls = sansock_driver::tls::given_or_default(tls, &url)?;
                let connected =
                    $crate::connect::connect_over(url, settings, tls, $dial, $resolve).await?;
                Ok(connected.0)
            }

            async fn sleep(delay: core::time::Duration) {
                sansock_driver::reconnect::sleep::<$crate::FuturesIo>(delay).await;
            }

            fn closed(connection: &ClientStream) -> Option<&$crate::Closed> {
                connection.closed()
            }
        }
    };
}
#[allow(unused_imports)] // unused when no runtime feature is on
pub(crate) use client_functions;
