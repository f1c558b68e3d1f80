//! Server side: [`accept`] and [`accept_with`] run the core's server handshake over a blocking
//! stream, under the handshake timeout, and hand back a [`WebSocket`].

use crate::WebSocket;
use sansock_core::{Accept, Reject, UpgradeRequest};
use sansock_driver::internal as handshake;
use sansock_driver::{Blocking, BlockingStream, HandshakeError, ServerSettings, wait};

/// Accepts any valid WebSocket upgrade on `stream`, with default settings and no subprotocol.
///
/// The handshake needs a blocking stream: switch it to non-blocking mode afterwards
/// (`ws.get_ref().set_nonblocking(true)`).
///
/// # Errors
/// [`HandshakeError::BadRequest`] (the error response was sent), [`HandshakeError::Timeout`], I/O errors.
pub fn accept<S: BlockingStream + Unpin>(stream: S) -> Result<WebSocket<S>, HandshakeError> {
    accept_with(stream, ServerSettings::new(), |_| Ok(Accept::new()))
}

/// Reads the upgrade request and lets `decide` look at it (path, headers, origin, offered
/// subprotocols) and accept — with a subprotocol and extra headers — or reject it.
///
/// ```no_run
/// # fn run(tcp: std::net::TcpStream) -> Result<(), sansock_blocking::HandshakeError> {
/// use sansock_blocking::{Accept, Reject, ServerSettings};
/// let ws = sansock_blocking::accept_with(tcp, ServerSettings::new(), |request| {
///     if !request.protocols().any(|p| p == "echo-protocol") {
///         return Err(Reject::new(400).with_body("echo-protocol required"));
///     }
///     Ok(Accept::new().with_protocol("echo-protocol"))
/// })?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`HandshakeError::Rejected`] when `decide` rejected (the rejection was sent); otherwise as [`accept`].
pub fn accept_with<S, F>(
    stream: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocket<S>, HandshakeError>
where
    S: BlockingStream + Unpin,
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    let decide = async move |request: &UpgradeRequest| decide(request);
    wait(handshake::accept::<_, Blocking, _>(
        stream, settings, decide,
    ))
    .map(WebSocket::from_driver)
}
