//! Server side: [`accept`] and [`accept_with`] run the core's server handshake over a tokio
//! transport, under the handshake timeout (the work is `WebSocketStream::accept_with`'s).

use crate::{Accept, HandshakeError, Reject, ServerSettings, UpgradeRequest, WebSocketStream};
use tokio::io::{AsyncRead, AsyncWrite};

/// Accepts any valid WebSocket upgrade on `stream`, with default settings and no subprotocol.
///
/// # Errors
/// [`HandshakeError::BadRequest`] (the error response was sent), [`HandshakeError::Timeout`], I/O errors.
pub async fn accept<S>(stream: S) -> Result<WebSocketStream<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    WebSocketStream::accept(stream).await
}

/// Reads the upgrade request and lets `decide`, an async closure, look at it (path, headers,
/// origin, offered subprotocols) and accept — with a subprotocol and extra headers — or reject
/// it. The handshake timeout covers its wait (a token looked up in a database, say).
///
/// ```no_run
/// # async fn run(tcp: tokio::net::TcpStream) -> Result<(), sansock_tokio::HandshakeError> {
/// use sansock_tokio::{Accept, Reject, ServerSettings};
/// let ws = sansock_tokio::accept_with(tcp, ServerSettings::new(), async |request| {
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
/// [`HandshakeError::Rejected`] when `decide` rejected (the rejection was sent); otherwise as [`accept`].
pub async fn accept_with<S, F>(
    stream: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    WebSocketStream::accept_with(stream, settings, decide).await
}
