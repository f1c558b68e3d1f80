//! [`WebSocketStream`]: a WebSocket over an async transport (tokio or futures-io), as a
//! `Stream` of messages, a `Sink` of messages, and plain async methods.

use crate::batch::{Outbox, Received};
use crate::driver::Driver;
use crate::runtime::{Runtime, Transport};
use crate::split::{ReadHalf, WriteHalf};
use crate::{ClientSettings, Error, HandshakeError, ServerSettings};
use core::future::Future;
use core::future::poll_fn;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use futures_core::Stream;
use futures_sink::Sink;
use sansock_core::{
    Accept, ClientRequest, CloseCode, Closed, Connection, Message, Reject, Response, State,
    UpgradeRequest,
};

/// A WebSocket connection over the transport `S` of runtime `R` (TCP, TLS, a Unix socket, an
/// upgraded hyper connection — anything `AsyncRead + AsyncWrite + Unpin` of tokio or futures-io).
/// The adapters name it with their runtime filled in: `sansock_tokio::WebSocketStream<S>`.
///
/// Receive with [`recv`](Self::recv) or as a [`Stream`]; send with [`send`](Self::send) or as a
/// [`Sink`]. Pings are answered automatically, keepalive pings and the close and idle timeouts
/// run on the runtime's timer, all while the stream is being polled.
///
/// **Cancel safety:** [`recv`](Self::recv) is cancel-safe: dropping it (say, in
/// `tokio::select!`) loses nothing; the next call returns the next message. [`send`](Self::send),
/// [`ping`](Self::ping) and [`close`](Self::close) are not: if dropped, the frame may or may not
/// have been queued (once queued it is still written by later calls).
#[derive(Debug)]
pub struct WebSocketStream<S: Transport<R>, R: Runtime> {
    driver: Driver<S, R>,
}

impl<S: Transport<R>, R: Runtime> WebSocketStream<S, R> {
    /// Accepts any valid WebSocket upgrade on `io`, with default settings and no subprotocol.
    ///
    /// # Errors
    /// [`HandshakeError::BadRequest`] (the error response was sent), [`HandshakeError::Timeout`], I/O
    /// errors.
    pub fn accept(io: S) -> impl Future<Output = Result<Self, HandshakeError>> {
        Self::accept_with(io, ServerSettings::new(), async |_| Ok(Accept::new()))
    }

    /// Reads the upgrade request and lets `decide`, an async closure, look at it (path,
    /// headers, origin, offered subprotocols) and accept — with a subprotocol and extra headers
    /// — or reject it. The handshake timeout covers its wait: a decision that takes longer (a
    /// token looked up in a database, say) ends in [`HandshakeError::Timeout`].
    ///
    /// ```no_run
    /// # use sansock_driver::{HandshakeError, Runtime, ServerSettings, Transport, WebSocketStream};
    /// use sansock_core::{Accept, Reject};
    /// # async fn token_is_valid(_: Option<&str>) -> bool { true }
    /// # async fn serve<S: Transport<R>, R: Runtime>(io: S) -> Result<(), HandshakeError> {
    /// let ws = WebSocketStream::<S, R>::accept_with(io, ServerSettings::new(), async |request| {
    ///     if request.origin() != Some("http://localhost:8080") {
    ///         return Err(Reject::new(403));
    ///     }
    ///     if !token_is_valid(request.header("authorization")).await {
    ///         return Err(Reject::new(401));
    ///     }
    ///     Ok(Accept::new().with_protocol("echo-protocol"))
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`HandshakeError::Rejected`] when `decide` rejected (the rejection was sent); otherwise as
    /// [`accept`](Self::accept).
    pub fn accept_with<F>(
        io: S,
        settings: ServerSettings,
        decide: F,
    ) -> impl Future<Output = Result<Self, HandshakeError>>
    where
        F: AsyncFnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        // (The handshake is boxed when called: a task awaiting it stays as small as the loop
        // that follows.)
        let handshake = crate::opening::accept(io, settings, decide);
        async move { Ok(Self::from_driver(handshake.await?)) }
    }

    /// Runs the client handshake over `io`, a transport you already have (connected, with TLS
    /// if it needs any); gives the stream and the server's response.
    ///
    /// # Errors
    /// [`HandshakeError::Response`] (a non-101 answer carries its status, headers and body),
    /// [`HandshakeError::Timeout`], I/O errors.
    pub fn client(
        io: S,
        request: &ClientRequest,
        settings: ClientSettings,
    ) -> impl Future<Output = Result<(Self, Box<Response>), HandshakeError>> {
        let handshake = crate::opening::connect(io, request, settings);
        async move {
            let (driver, response) = handshake.await?;
            Ok((Self::from_driver(driver), response))
        }
    }

    /// Wraps a driver whose handshake is done.
    pub(crate) fn from_driver(driver: Driver<S, R>) -> Self {
        WebSocketStream { driver }
    }

    pub(crate) fn into_driver(self) -> Driver<S, R> {
        self.driver
    }

    /// Wraps a transport on which a WebSocket handshake already happened elsewhere (for example
    /// `hyper`'s upgrade), with the core connection it produced.
    pub fn from_connection(io: S, conn: Connection, high_water: usize) -> Self {
        Self::from_driver(Driver::from_connection(io, conn, high_water))
    }

    /// The next message; `None` once the connection closed cleanly.
    ///
    /// # Errors
    /// [`Error::Protocol`] if the peer broke the protocol (the close frame is sent), I/O errors,
    /// and [`Error::AbnormalClose`] if the connection ended without a closing handshake.
    pub fn recv(&mut self) -> impl Future<Output = Option<Result<Message, Error>>> + '_ {
        poll_fn(|cx| self.driver.poll_next_message(cx))
    }

    /// The next event of any kind: messages, pings (already answered), pongs, and the final
    /// [`Event::Closed`](sansock_core::Event::Closed). For latency probes and close details.
    /// Cancel-safe like [`recv`](Self::recv).
    ///
    /// # Errors
    /// As [`recv`](Self::recv), except that an unclean end is an `Event::Closed`.
    pub async fn recv_event(&mut self) -> Option<Result<sansock_core::Event, Error>> {
        poll_fn(|cx| self.driver.poll_event(cx)).await
    }

    /// Receives a batch: everything that has arrived, each whole message (or part, with
    /// [`message_parts`](sansock_core::ConnectionConfig::message_parts) on) handed to `f` with
    /// an [`Outbox`] to queue replies. Small messages are borrowed from a buffer on the stack:
    /// no allocation, no reference count, no future per message, so this is the fastest way to
    /// serve many small messages. Waits for input when nothing has arrived; what `f` queues is
    /// written by the next call (or [`flush`](Self::flush)). Gives how many messages and parts
    /// `f` saw; `Ok(0)` once the connection closed cleanly. Cancel-safe between batches.
    ///
    /// ```no_run
    /// # use sansock_driver::{Error, Runtime, Transport, WebSocketStream};
    /// # async fn echo<S: Transport<R>, R: Runtime>(mut ws: WebSocketStream<S, R>) -> Result<(), Error> {
    /// use sansock_driver::Received; // `sansock_tokio::Received` and so on in the adapters
    /// while ws.recv_batch(|received, outbox| match received {
    ///     Received::Message(message) => outbox.send(message),
    ///     Received::Part(part) => outbox.send_part(part),
    /// }).await? > 0 {}
    /// ws.flush().await
    /// # }
    /// ```
    ///
    /// # Errors
    /// The first error `f` returns (the batch stops there); otherwise as [`recv`](Self::recv).
    pub async fn recv_batch<F>(&mut self, mut f: F) -> Result<usize, Error>
    where
        F: FnMut(Received<'_>, &mut Outbox<'_>) -> Result<(), Error>,
    {
        poll_fn(|cx| self.driver.poll_batch(cx, &mut f)).await
    }

    /// Writes everything queued (running the connection's timers while it waits).
    ///
    /// # Errors
    /// I/O errors; [`Error::AbnormalClose`] when a deadline (idle, close or write timeout)
    /// ended the connection meanwhile.
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.driver.poll_flush(cx)).await
    }

    /// Sends a message: queues it and writes it to the transport — at once, or, when another
    /// whole message has already come for the next [`recv`](Self::recv), in one write with the
    /// other replies when that `recv` would wait for input. So a receive-and-reply loop makes
    /// one write per batch of messages, and the reply to the last message of a read (ping-pong)
    /// leaves as it is sent. Past the write high-water mark it waits until the transport has
    /// taken enough. What is still queued is also written by [`flush`](Self::flush),
    /// [`close`](Self::close) and on drop; if you stop receiving for a while in the middle of
    /// a batch, `flush` first. The connection's timers run while it waits.
    ///
    /// ```no_run
    /// # async fn echo<S: sansock_driver::Transport<R>, R: sansock_driver::Runtime>(
    /// #     mut ws: sansock_driver::WebSocketStream<S, R>,
    /// # ) -> Result<(), sansock_driver::Error> {
    /// while let Some(message) = ws.recv().await {
    ///     ws.send(message?).await?; // one write for all the echoes of a read
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Send`] once the connection is closing; I/O errors; [`Error::AbnormalClose`]
    /// when a deadline ended the connection while it waited; a failure to write a reply left
    /// queued is reported by the next call.
    pub fn send(
        &mut self,
        message: impl Into<Message>,
    ) -> impl Future<Output = Result<(), Error>> + '_ {
        self.send_with(message.into(), true)
    }

    /// Sends a message uncompressed even when permessage-deflate was negotiated (for data that
    /// is already compressed); otherwise as [`send`](Self::send).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_uncompressed(
        &mut self,
        message: impl Into<Message>,
    ) -> impl Future<Output = Result<(), Error>> + '_ {
        self.send_with(message.into(), false)
    }

    /// The whole send as one poll function (no future nested in another, on the hot path):
    /// wait under the high-water mark, queue once, then write by the rule.
    fn send_with(
        &mut self,
        message: Message,
        compress: bool,
    ) -> impl Future<Output = Result<(), Error>> + '_ {
        let mut queued = false;
        poll_fn(move |cx| {
            if !queued {
                ready!(self.driver.poll_writable(cx))?;
                match compress {
                    true => self.driver.start_send(&message)?,
                    false => self.driver.start_send_uncompressed(&message)?,
                }
                queued = true;
            }
            self.driver.poll_sent(cx, true)
        })
    }

    /// Waits until the output is under the high-water mark, queues with `queue`, and writes.
    async fn queue_and_flush(
        &mut self,
        queue: impl FnOnce(&mut Driver<S, R>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        poll_fn(|cx| self.driver.poll_writable(cx)).await?;
        queue(&mut self.driver)?;
        poll_fn(|cx| self.driver.poll_sent(cx, true)).await
    }

    /// Sends a message prepared once for many connections ([`PreparedMessage`]): its frame is
    /// shared, not copied, where the connection allows (a server without an extension, or
    /// with permessage-deflate without context takeover); otherwise as [`send`](Self::send),
    /// whose backpressure and write rule it follows.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    ///
    /// [`PreparedMessage`]: sansock_core::PreparedMessage
    pub fn send_prepared<'a>(
        &'a mut self,
        prepared: &'a sansock_core::PreparedMessage,
    ) -> impl Future<Output = Result<(), Error>> + 'a {
        let mut queued = false;
        poll_fn(move |cx| {
            if !queued {
                ready!(self.driver.poll_writable(cx))?;
                self.driver.start_send_prepared(prepared)?;
                queued = true;
            }
            self.driver.poll_sent(cx, true)
        })
    }

    /// Queues a prepared message without writing it (past the write high-water mark it waits
    /// until the transport has taken enough): feed the messages waiting for this connection,
    /// then [`flush`](Self::flush) them in one write — what a broadcast's writer does with its
    /// subscription.
    ///
    /// ```no_run
    /// # async fn forward<S: sansock_driver::Transport<R>, R: sansock_driver::Runtime>(
    /// #     mut ws: sansock_driver::WebSocketStream<S, R>,
    /// #     subscription: sansock_topics::Subscription,
    /// # ) -> Result<(), sansock_driver::Error> {
    /// while let Some(message) = subscription.recv().await {
    ///     ws.feed_prepared(&message).await?;
    ///     while let Some(more) = subscription.try_recv() {
    ///         ws.feed_prepared(&more).await?; // what queued up meanwhile
    ///     }
    ///     ws.flush().await?; // one write for all of them
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn feed_prepared(
        &mut self,
        prepared: &sansock_core::PreparedMessage,
    ) -> Result<(), Error> {
        poll_fn(|cx| self.driver.poll_writable(cx)).await?;
        self.driver.start_send_prepared(prepared)
    }

    /// Sends a message part as one fragment (see [`Connection::send_part`]): forwarding a
    /// message as it arrives, received with
    /// [`message_parts`](sansock_core::ConnectionConfig::message_parts) on.
    ///
    /// # Errors
    /// As [`send`](Self::send); [`Error::Send`] with a part of the other kind while a message
    /// is under way, or text that is not UTF-8.
    pub async fn send_part(&mut self, part: &sansock_core::MessagePart) -> Result<(), Error> {
        self.queue_and_flush(|d| d.start_send_part(part)).await
    }

    /// Sends a ping (its pong arrives while receiving).
    ///
    /// # Errors
    /// As [`send`](Self::send); a payload over 125 bytes is [`Error::Send`].
    pub async fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.queue_and_flush(|d| d.start_ping(payload)).await
    }

    /// Starts the closing handshake and waits for it to finish (at most the configured close
    /// timeout, also while the transport takes nothing). Messages and parts that arrive
    /// meanwhile are dropped: to read them, send the close through the [`Sink`]
    /// (`SinkExt::close`) and keep calling [`recv`](Self::recv) until `None`.
    ///
    /// # Errors
    /// An invalid code or reason ([`Error::Send`]); [`Error::AbnormalClose`] when the peer did
    /// not answer in time; I/O errors.
    pub async fn close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<Closed, Error> {
        self.driver.start_close(code, reason)?;
        poll_fn(|cx| self.driver.poll_closed(cx)).await
    }

    /// Sends a close frame and writes it (what was queued before goes first), without waiting
    /// for the answer: keep calling [`recv`](Self::recv) to read what still arrives, until
    /// `None` (the peer answered). `SinkExt::close` does the same with 1000; the write half's
    /// `send_close` too.
    ///
    /// # Errors
    /// An invalid code or reason ([`Error::Send`]); I/O errors; [`Error::AbnormalClose`] when
    /// the close timeout (or the write timeout) passed before the transport took it.
    pub async fn send_close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), Error> {
        self.driver.start_close(code, reason)?;
        poll_fn(|cx| self.driver.poll_flush(cx)).await
    }

    /// Live counters: messages, frames and bytes in and out, bytes saved by compression, bytes
    /// queued, when the peer was last heard (since the connection opened) and the round-trip
    /// time of the last answered ping (keepalive pings included).
    pub fn stats(&self) -> sansock_core::Stats {
        self.driver.connection().stats()
    }

    /// How the connection ended, once it has.
    pub fn closed(&self) -> Option<&Closed> {
        self.driver.closed()
    }

    /// The subprotocol the handshake agreed on.
    pub fn protocol(&self) -> Option<&str> {
        self.driver.protocol()
    }

    /// The extensions the handshake agreed on (`Sec-WebSocket-Extensions` of the response), e.g.
    /// `permessage-deflate; client_max_window_bits=15`.
    pub fn extensions(&self) -> Option<&str> {
        self.driver.extensions()
    }

    /// The core connection's state.
    pub fn state(&self) -> State {
        self.driver.conn.state()
    }

    /// The core connection, for its getters (state, buffer sizes).
    pub fn connection(&self) -> &Connection {
        self.driver.connection()
    }

    /// Bytes queued for the transport and not yet written (the browser's `bufferedAmount`).
    pub fn buffered_amount(&self) -> usize {
        self.driver.conn.transmit_len()
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        self.driver.get_ref()
    }

    /// Splits into a read half and a write half that can live in different tasks. Pongs and the
    /// close echo are written by whichever half is polled. [`ReadHalf::reunite`] undoes it.
    pub fn split(self) -> (ReadHalf<S, R>, WriteHalf<S, R>) {
        crate::split::split(self.driver)
    }

    /// The transport, giving up the connection.
    pub fn into_inner(self) -> S {
        self.driver.into_inner()
    }
}

impl<S: Transport<R>, R: Runtime> Stream for WebSocketStream<S, R> {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().driver.poll_next_message(cx)
    }
}

impl<S: Transport<R>, R: Runtime> Sink<Message> for WebSocketStream<S, R> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().driver.poll_writable(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Error> {
        self.get_mut().driver.start_send(&item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.get_mut().driver.poll_flush(cx)
    }

    /// Sends a normal close (1000) and flushes it. Keep receiving to see the peer's answer.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let driver = &mut self.get_mut().driver;
        driver.start_close(Some(CloseCode::NORMAL), "")?;
        driver.poll_flush(cx)
    }
}
