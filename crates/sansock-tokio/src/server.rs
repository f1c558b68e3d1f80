//! Server side: [`accept`] and [`accept_with`] run the core's server handshake over a tokio
//! transport, under a timeout, and hand back a [`WebSocketStream`].

use crate::config::ServerSettings;
use crate::{Error, WebSocketStream};
use sansock_core::{Accept, Reject, ServerHandshake, ServerStep, Timestamp, UpgradeRequest};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// Accepts any valid WebSocket upgrade on `stream`, with default settings and no subprotocol.
///
/// # Errors
/// [`Error::BadRequest`] (the error response was sent), [`Error::HandshakeTimeout`], I/O errors.
pub async fn accept<S>(stream: S) -> Result<WebSocketStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    accept_with(stream, ServerSettings::default(), |_| Ok(Accept::new())).await
}

/// Reads the upgrade request and lets `decide` look at it (path, headers, origin, offered
/// subprotocols) and accept — with a subprotocol and extra headers — or reject it.
///
/// ```no_run
/// # async fn run(tcp: tokio::net::TcpStream) -> Result<(), sansock_tokio::Error> {
/// use sansock_tokio::{Accept, Reject, ServerSettings};
/// let ws = sansock_tokio::accept_with(tcp, ServerSettings::default(), |request| {
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
    let timeout = settings.handshake_timeout;
    tokio::time::timeout(timeout, handshake(stream, settings, decide))
        .await
        .map_err(|_| Error::HandshakeTimeout)?
}

async fn handshake<S, F>(
    mut stream: S,
    settings: ServerSettings,
    decide: F,
) -> Result<WebSocketStream<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    let mut hs = ServerHandshake::new(settings.handshake);
    let mut buf = vec![0u8; 4096];
    let (request, leftover) = loop {
        let n = stream.read(&mut buf).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        match hs.receive(&buf[..n]) {
            Ok(ServerStep::NeedMore(next)) => hs = next,
            Ok(ServerStep::Upgrade { request, consumed }) => {
                break (request, buf[consumed..n].to_vec());
            }
            Err(e) => {
                respond(&mut stream, e.response()).await;
                return Err(Error::BadRequest(Box::new(e)));
            }
        }
    };
    let reply = match decide(&request) {
        Ok(accept) => accept,
        Err(reject) => {
            respond(&mut stream, &request.reject(&reject)).await;
            return Err(Error::Rejected(reject.status));
        }
    };
    let epoch = Instant::now();
    match request.accept(Timestamp::ZERO, &reply) {
        Ok(accepted) => {
            stream
                .write_all(&accepted.response)
                .await
                .map_err(Error::Io)?;
            Ok(WebSocketStream::from_parts(
                stream,
                accepted.connection,
                &leftover,
                epoch,
                settings.write_high_water,
                accepted.protocol,
            ))
        }
        Err(refused) => {
            // The application chose a subprotocol the client did not offer, or a bad header.
            respond(&mut stream, &refused.request.reject(&Reject::new(500))).await;
            Err(Error::Rejected(500))
        }
    }
}

/// Sends a refusal and ends the transport; failures do not matter any more.
async fn respond<S: AsyncWrite + Unpin>(stream: &mut S, response: &[u8]) {
    let _ = stream.write_all(response).await;
    let _ = stream.shutdown().await;
}
