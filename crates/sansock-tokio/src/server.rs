//! Server side: [`accept`], [`accept_with`] and [`accept_with_async`] run the core's server handshake over a tokio
//! transport, under a timeout, and hand back a [`WebSocketStream`].

use crate::{Error, ServerSettings, Tokio, WebSocketStream};
use sansock_core::{Accept, Reject, UpgradeRequest};
use tokio::io::{AsyncRead, AsyncWrite};

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
/// # async fn run(tcp: tokio::net::TcpStream) -> Result<(), sansock_tokio::Error> {
/// use sansock_tokio::{Accept, Reject, ServerSettings};
/// let ws = sansock_tokio::accept_with(tcp, ServerSettings::new(), |request| {
///     if request.origin() != Some("http://localhost:8080") {
///         return Err(Reject::new(403));
///     }
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
    sansock_driver::handshake::accept::<S, Tokio, F>(stream, settings, decide)
        .await
        .map(WebSocketStream::from_driver)
}

/// As [`accept_with`], with a `decide` that may wait — a token looked up in a database before
/// accepting, say — written as an async closure. The handshake timeout covers the wait: a
/// decision that takes longer ends in [`Error::HandshakeTimeout`].
///
/// ```no_run
/// # async fn run(tcp: tokio::net::TcpStream) -> Result<(), sansock_tokio::Error> {
/// use sansock_tokio::{Accept, Reject, ServerSettings};
/// # async fn token_is_valid(_: Option<&str>) -> bool { true }
/// let ws = sansock_tokio::accept_with_async(tcp, ServerSettings::new(), async |request| {
///     let token = request.header("authorization");
///     if token_is_valid(token).await { Ok(Accept::new()) } else { Err(Reject::new(401)) }
/// })
/// .await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`accept_with`].
pub async fn accept_with_async<S, F>(
    stream: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    sansock_driver::handshake::accept_async::<S, Tokio, F>(stream, settings, decide)
        .await
        .map(WebSocketStream::from_driver)
}
