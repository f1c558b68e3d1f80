//! Server side: [`accept`] and [`accept_with`] run the core's server handshake over a
//! futures-io transport, under a timeout, and hand back a [`WebSocketStream`].

use crate::{Error, FuturesIo, ServerSettings, WebSocketStream};
use futures_io::{AsyncRead, AsyncWrite};
use sansock_core::{Accept, Reject, UpgradeRequest};

/// Accepts any valid WebSocket upgrade on `stream`, with default settings and no subprotocol.
///
/// # Errors
/// [`Error::BadRequest`] (the error response was sent), [`Error::HandshakeTimeout`], I/O errors.
pub async fn accept<S>(stream: S) -> Result<WebSocketStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    accept_with(stream, ServerSettings::new(), |_| Ok(Accept::new())).await
}

/// Reads the upgrade request and lets `decide` look at it (path, headers, origin, offered
/// subprotocols) and accept — with a subprotocol and extra headers — or reject it.
///
/// ```no_run
/// # async fn run(tcp: smol::net::TcpStream) -> Result<(), sansock_futures::Error> {
/// use sansock_futures::{Accept, Reject, ServerSettings};
/// let ws = sansock_futures::accept_with(tcp, ServerSettings::new(), |request| {
///     if !request.protocols().any(|p| p == "echo-protocol") {
///         return Err(Reject::new(400).with_body("echo-protocol required"));
///     }
///     Ok(Accept::new().with_protocol("echo-protocol"))
/// })
/// .await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Rejected`] when `decide` rejected (the rejection was sent); otherwise as [`accept`].
pub async fn accept_with<S, F>(
    stream: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    sansock_driver::handshake::accept::<S, FuturesIo, F>(stream, settings, decide)
        .await
        .map(WebSocketStream::from_driver)
}
