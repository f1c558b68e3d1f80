//! Server side: [`accept`] and [`accept_with`] over a futures-io transport (async-std's or
//! smol's TCP, TLS, a Unix socket), as `sansock-tokio` has them; the handshake, its timeout and
//! the docs of every case are `WebSocketStream::accept_with`'s.

use crate::{Accept, HandshakeError, Reject, ServerSettings, UpgradeRequest, WebSocketStream};
use futures_io::{AsyncRead, AsyncWrite};

/// Accepts any valid WebSocket upgrade on `stream`, with default settings and no subprotocol.
///
/// # Errors
/// As `sansock_driver::WebSocketStream::accept`.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
) -> Result<WebSocketStream<S>, HandshakeError> {
    WebSocketStream::accept(stream).await
}

/// Lets `decide`, an async closure, accept or reject the upgrade request on `stream`:
///
/// ```no_run
/// # async fn run(tcp: smol::net::TcpStream) -> Result<(), sansock_futures::HandshakeError> {
/// use sansock_futures::{Accept, Reject, ServerSettings};
/// let settings = ServerSettings::new();
/// let ws = sansock_futures::accept_with(tcp, settings, async |request| match request.path() {
///     "/chat" => Ok(Accept::new()),
///     _ => Err(Reject::new(404)),
/// })
/// .await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As `sansock_driver::WebSocketStream::accept_with`.
pub async fn accept_with<S, F>(
    s: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    WebSocketStream::accept_with(s, settings, decide).await
}
