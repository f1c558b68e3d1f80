//! Client side, runtime-neutral: [`client`] runs the handshake over a stream you have, and
//! `connect_over` is what each runtime module's `connect` does once it can dial TCP (URL, then
//! TCP, TLS and the handshake, all under the handshake timeout).

use crate::{ClientSettings, Error, FuturesIo, MaybeTlsStream, WebSocketStream, WsUrl};
use futures_io::{AsyncRead, AsyncWrite};
use sansock_core::{ClientRequest, Response};
use sansock_driver::handshake::within;
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

#[cfg(feature = "rustls")]
pub(crate) type TlsConfig = std::sync::Arc<rustls::ClientConfig>;
#[cfg(not(feature = "rustls"))]
pub(crate) type TlsConfig = ();

/// The TLS configuration `url` needs: the default one for `wss`, none for `ws`.
#[allow(dead_code)] // unused when no runtime feature is on
pub(crate) fn default_tls(url: &WsUrl) -> Result<Option<TlsConfig>, Error> {
    if !url.tls {
        return Ok(None);
    }
    #[cfg(feature = "rustls")]
    return sansock_driver::tls::default_client_config().map(Some);
    #[cfg(not(feature = "rustls"))]
    Err(Error::TlsUnavailable)
}

/// Dials with `dial` (DNS and TCP of the runtime), adds TLS for `wss`, and runs the handshake.
#[allow(dead_code)] // unused when no runtime feature is on
pub(crate) async fn connect_over<T, D, Fut>(
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
    dial: D,
) -> Result<(WebSocketStream<MaybeTlsStream<T>>, Box<Response>), Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
    D: FnOnce(String, u16) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let deadline = std::time::Instant::now() + settings.handshake_timeout;
    let work = async {
        let tcp = dial(url.host.clone(), url.port).await?;
        let stream = match (url.tls, tls) {
            (false, _) => MaybeTlsStream::Plain(tcp),
            #[cfg(feature = "rustls")]
            (true, Some(config)) => crate::tls::wrap(tcp, &url.host, config).await?,
            (true, _) => return Err(Error::TlsUnavailable),
        };
        client(stream, &url.request, settings).await
    };
    within::<FuturesIo, _>(deadline, work).await
}
