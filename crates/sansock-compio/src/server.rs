//! Server side: [`accept`] and [`accept_with`] run the core's server handshake over a compio
//! TCP stream, under the handshake timeout (the work is `WebSocketStream::accept_with`'s).

use crate::{
    Accept, HandshakeError, Reject, ServerSettings, TcpStream, UpgradeRequest, WebSocketStream,
};

/// Accepts any valid WebSocket upgrade on `tcp`, with default settings and no subprotocol.
///
/// # Errors
/// [`HandshakeError::BadRequest`] (the error response was sent), [`HandshakeError::Timeout`], I/O errors.
pub async fn accept(
    tcp: compio::net::TcpStream,
) -> Result<WebSocketStream<TcpStream>, HandshakeError> {
    WebSocketStream::accept(TcpStream::from(tcp)).await
}

/// Reads the upgrade request and lets `decide`, an async closure, look at it (path, headers,
/// origin, offered subprotocols) and accept — with a subprotocol and extra headers — or reject
/// it. The handshake timeout covers its wait (a token looked up in a database, say).
///
/// ```no_run
/// # async fn run(tcp: compio::net::TcpStream) -> Result<(), sansock_compio::HandshakeError> {
/// use sansock_compio::{Accept, Reject, ServerSettings};
/// let ws = sansock_compio::accept_with(tcp, ServerSettings::new(), async |request| {
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
pub async fn accept_with<F>(
    tcp: compio::net::TcpStream,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<TcpStream>, HandshakeError>
where
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    WebSocketStream::accept_with(TcpStream::from(tcp), settings, decide).await
}
