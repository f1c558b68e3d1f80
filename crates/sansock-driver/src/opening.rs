//! The opening handshake over a transport, for every adapter (published as the `handshake`
//! module; the I/O helpers below it reach sibling crates through `internal`): [`accept`]
//! (server) and [`connect`] (client) feed the core's handshake state machines with what the transport reads,
//! write their answers, and give a [`Driver`] for the open connection — all under the handshake
//! timeout. DNS, TCP and TLS are the adapters' (they differ per runtime); this starts on a
//! connected stream. Pages beside the WebSocket are an HTTP server's job: `sansock-hyper` takes
//! the upgrade from hyper and axum.

use crate::driver::{Driver, Negotiated};
use crate::runtime::{Runtime, Timer, Transport};
use crate::{ClientSettings, HandshakeError, ServerSettings};
use bytes::BytesMut;
use core::future::poll_fn;
use core::pin::pin;
use core::task::Poll;
use sansock_core::Head;
use sansock_core::{
    Accept, ClientHandshake, ClientRequest, ClientStep, Connection, DefaultRng, Reject, Response,
    ServerHandshake, ServerStep, Timestamp, UpgradeRequest,
};
use std::future::Future;
use std::io;
use std::time::Instant;

/// How much one handshake read asks for.
const READ_CHUNK: usize = 4096;

/// Reads the upgrade request on `io` and lets `decide`, an async closure, look at it (path,
/// headers, origin, offered subprotocols) and accept — with a subprotocol and extra headers — or
/// reject it. The handshake timeout covers its wait (a token looked up in a database, say).
///
/// # Errors
/// [`HandshakeError::BadRequest`] (the error response was sent), [`HandshakeError::Rejected`] (the rejection was
/// sent), [`HandshakeError::Timeout`], I/O errors.
pub fn accept<S, R, F>(
    io: S,
    settings: ServerSettings,
    decide: F,
) -> impl Future<Output = Result<Driver<S, R>, HandshakeError>>
where
    S: Transport<R>,
    R: Runtime,
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    let deadline = crate::internal::handshake_deadline(&settings);
    // Boxed at once, settings and all: see `within`.
    Box::pin(async move {
        within::<R, _>(deadline, server(io, settings, decide, deadline))
            .await
            .inspect_err(untraced_failure)
    })
}

/// A handshake that failed for a reason not traced where it happened (a timeout, the
/// transport, the server's refusal of a client).
fn untraced_failure(error: &HandshakeError) {
    if !matches!(
        error,
        HandshakeError::Rejected(_) | HandshakeError::BadRequest(_)
    ) {
        crate::trace::handshake_failed(error);
    }
}

/// Sends `request` on `io` and reads the server's answer; gives the open connection and the
/// server's response.
///
/// # Errors
/// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
/// [`HandshakeError::Timeout`], I/O errors.
pub fn connect<S, R>(
    io: S,
    request: &ClientRequest,
    settings: ClientSettings,
) -> impl Future<Output = Result<(Driver<S, R>, Box<Response>), HandshakeError>>
where
    S: Transport<R>,
    R: Runtime,
{
    let deadline = crate::internal::handshake_deadline(&settings);
    Box::pin(async move {
        within::<R, _>(deadline, client(io, request, settings, deadline))
            .await
            .inspect_err(untraced_failure)
    })
}

/// `work`, or [`HandshakeError::Timeout`] once `deadline` passes.
///
/// The handshakes above box their whole work, the settings included, as soon as they are
/// called: its state (the parser, the request, the settings, this timer) is over a KiB, and a
/// connection's task that awaits the handshake would otherwise keep that much room for its
/// whole life (a future is as large as its largest state: the bench's plain echo loop went from
/// 1,448 to 1,256 bytes, its batch loop from 1,816 to 1,152).
pub async fn within<R: Runtime, T>(
    deadline: Instant,
    work: impl Future<Output = Result<T, HandshakeError>>,
) -> Result<T, HandshakeError> {
    let mut work = pin!(work);
    let mut timer = R::Timer::at(deadline);
    poll_fn(|cx| {
        if timer.poll_elapsed(cx).is_ready() {
            return Poll::Ready(Err(HandshakeError::Timeout));
        }
        work.as_mut().poll(cx)
    })
    .await
}

async fn server<S, R, F>(
    mut io: S,
    mut settings: ServerSettings,
    decide: F,
    deadline: Instant,
) -> Result<Driver<S, R>, HandshakeError>
where
    S: Transport<R>,
    R: Runtime,
    F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    // The handshake configuration goes to the core; the rest of the settings stay for the driver.
    let mut hs = ServerHandshake::new(settings.take_server_handshake());
    let mut buf = BytesMut::new();
    let (request, consumed) = loop {
        read_some::<S, R>(&mut io, &mut buf, deadline).await?;
        match hs.receive(&buf) {
            Ok(ServerStep::NeedMore(next)) => hs = next,
            Ok(ServerStep::Upgrade { request, consumed }) => break (request, consumed),
            Err(e) => {
                crate::trace::refused(e.status(), e.head().map(Head::path), &e);
                respond::<S, R>(&mut io, e.response()).await;
                return Err(HandshakeError::BadRequest(Box::new(e)));
            }
        }
    };
    let reply = match decide(&request).await {
        Ok(accept) => accept,
        Err(reject) => {
            let why = "rejected by the application";
            crate::trace::refused(reject.status, Some(request.path()), &why);
            respond::<S, R>(&mut io, &request.reject(&reject)).await;
            return Err(HandshakeError::Rejected(reject.status));
        }
    };
    let epoch = Instant::now();
    #[cfg(feature = "tracing")]
    let path = request.path().to_string();
    #[cfg(not(feature = "tracing"))]
    let path = String::new(); // no allocation: the path is only for the span
    match request.accept(Timestamp::ZERO, &reply) {
        Ok(accepted) => {
            write_all::<S, R>(&mut io, &accepted.response)
                .await
                .map_err(HandshakeError::Io)?;
            let negotiated = Negotiated::new(accepted.protocol, accepted.extension);
            Ok(open(
                io,
                accepted.connection,
                negotiated,
                &buf[consumed..],
                epoch,
                &settings,
                &path,
            ))
        }
        Err(refused) => {
            // The application chose a subprotocol the client did not offer, or a bad header.
            let why = &refused.error;
            crate::trace::refused(500, Some(&path), why);
            respond::<S, R>(&mut io, &refused.request.reject(&Reject::new(500))).await;
            Err(HandshakeError::Rejected(500))
        }
    }
}

async fn client<S, R>(
    mut io: S,
    request: &ClientRequest,
    mut settings: ClientSettings,
    deadline: Instant,
) -> Result<(Driver<S, R>, Box<Response>), HandshakeError>
where
    S: Transport<R>,
    R: Runtime,
{
    let rng = DefaultRng::from_os().ok_or(HandshakeError::NoRandomness)?;
    let config = settings.take_handshake();
    let (mut hs, bytes) = ClientHandshake::new(request, config, Box::new(rng))
        .map_err(HandshakeError::InvalidRequest)?;
    write_all::<S, R>(&mut io, &bytes)
        .await
        .map_err(HandshakeError::Io)?;
    let epoch = Instant::now();
    let mut buf = BytesMut::new();
    loop {
        read_some::<S, R>(&mut io, &mut buf, deadline).await?;
        let now = Timestamp::from_duration(epoch.elapsed());
        match hs
            .receive(now, &buf)
            .map_err(|e| HandshakeError::Response(Box::new(e)))?
        {
            ClientStep::NeedMore(next) => hs = next,
            ClientStep::Done {
                connection,
                response,
                consumed,
            } => {
                let driver = open(
                    io,
                    connection,
                    negotiated(&response),
                    &buf[consumed..],
                    epoch,
                    &settings,
                    request.target(),
                );
                return Ok((driver, response));
            }
        }
    }
}

/// Replaces `buf`'s contents with the next bytes read (the handshakes keep what they need).
pub async fn read_some<S: Transport<R>, R: Runtime>(
    io: &mut S,
    buf: &mut BytesMut,
    deadline: Instant,
) -> Result<(), HandshakeError> {
    buf.clear();
    buf.reserve(READ_CHUNK);
    let n = poll_fn(|cx| io.poll_read_buf(cx, buf, Some(deadline)))
        .await
        .map_err(HandshakeError::Io)?;
    if n == 0 {
        return Err(HandshakeError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(())
}

/// Writes all of `bytes` and flushes.
pub async fn write_all<S: Transport<R>, R: Runtime>(
    io: &mut S,
    mut bytes: &[u8],
) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = poll_fn(|cx| io.poll_write(cx, bytes, None)).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
    }
    poll_fn(|cx| io.poll_flush(cx, None)).await
}

/// Sends a refusal and ends the transport; failures do not matter any more.
async fn respond<S: Transport<R>, R: Runtime>(io: &mut S, response: &[u8]) {
    let _ = write_all::<S, R>(io, response).await;
    let _ = poll_fn(|cx| io.poll_shutdown(cx, None)).await;
}

/// The driver of a connection the core has opened — a server's accepted upgrade or a client's
/// answered request, on a bare stream or through an HTTP stack: what every way of opening one
/// shares. `path` is the request target, for the connection's span.
pub fn open<S: Transport<R>, R: Runtime, H>(
    io: S,
    connection: Connection,
    negotiated: Negotiated,
    initial: &[u8],
    epoch: Instant,
    settings: &crate::Config<H>,
    path: &str,
) -> Driver<S, R> {
    let span = crate::trace::connection(
        connection.role(),
        Some(path),
        negotiated.protocol.as_deref(),
        negotiated.extensions.as_deref(),
    );
    Driver::new(
        io,
        connection,
        initial,
        epoch,
        settings.write_high_water,
        negotiated,
    )
    .with_write_timeout(settings.write_timeout)
    .with_shutdown(settings.shutdown.as_ref())
    .with_span(span)
    .metered()
}

/// What a client's handshake agreed on, from the server's answer.
pub fn negotiated(response: &Response) -> Negotiated {
    Negotiated::new(
        response.protocol().map(String::from),
        response.extensions().map(String::from),
    )
}
