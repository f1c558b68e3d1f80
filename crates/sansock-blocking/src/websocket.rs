//! [`WebSocket`]: a WebSocket over a blocking stream, driven on the caller's thread.
//!
//! Each call runs the shared drive loop until it has what it was asked for: reads block (but
//! wake for the connection's deadlines), writes block. On a non-blocking stream, or one with a
//! read or write timeout, a call may end early with an error for which
//! [`Error::is_would_block`] is true: nothing was lost, call again when the stream is ready.

use sansock_core::{CloseCode, Closed, Event, Message, State};
use sansock_driver::internal::Driver;
use sansock_driver::{Blocking, BlockingStream, Error, Outbox, Received, block_on};
use std::time::Instant;

/// A WebSocket connection over the blocking stream `S` (`TcpStream`, a TLS stream,
/// `UnixStream`, or any `Read + Write` that implements [`BlockingStream`]).
///
/// Pings are answered automatically while reading; keepalive pings and the close and idle
/// timeouts fire while a call runs (a blocked read wakes for them).
#[derive(Debug)]
pub struct WebSocket<S: BlockingStream + Unpin> {
    driver: Driver<S, Blocking>,
}

impl<S: BlockingStream + Unpin> WebSocket<S> {
    pub(crate) fn from_driver(driver: Driver<S, Blocking>) -> Self {
        WebSocket { driver }
    }

    /// Wraps a stream on which a WebSocket handshake already happened elsewhere, with the core
    /// connection it produced.
    pub fn from_connection(
        stream: S,
        connection: sansock_core::Connection,
        high_water: usize,
    ) -> Self {
        Self::from_driver(Driver::from_connection(stream, connection, high_water))
    }

    /// The next message; `Ok(None)` once the connection closed cleanly.
    ///
    /// # Errors
    /// [`Error::Protocol`] if the peer broke the protocol (the close frame is sent),
    /// [`Error::AbnormalClose`] if the connection ended without a closing handshake, I/O errors
    /// — among them, on a non-blocking stream, one for which [`Error::is_would_block`] holds.
    pub fn recv(&mut self) -> Result<Option<Message>, Error> {
        block_on(|cx| self.driver.poll_next_message(cx)).transpose()
    }

    /// The next event of any kind: messages, pings (already answered), pongs, and the final
    /// [`Event::Closed`]. `Ok(None)` after the end.
    ///
    /// # Errors
    /// As [`recv`](Self::recv), except that an unclean end is an `Event::Closed`.
    pub fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        block_on(|cx| self.driver.poll_event(cx)).transpose()
    }

    /// Reads a batch: everything that has arrived, each whole message (or part, with
    /// [`message_parts`](sansock_core::ConnectionConfig::message_parts) on) handed to `f` with
    /// an [`Outbox`] to queue replies, small messages borrowed from a buffer on the stack (no
    /// allocation, no reference count). Blocks when nothing has arrived; what `f` queues is
    /// written by the next call (or [`flush`](Self::flush)). Gives how many messages and parts
    /// `f` saw; `Ok(0)` once the connection closed cleanly.
    ///
    /// ```no_run
    /// # fn echo(mut ws: sansock_blocking::WebSocket<std::net::TcpStream>) -> Result<(), sansock_blocking::Error> {
    /// use sansock_blocking::Received;
    /// while ws.recv_batch(|received, outbox| match received {
    ///     Received::Message(message) => outbox.send(message),
    ///     Received::Part(part) => outbox.send_part(part),
    /// })? > 0 {}
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first error `f` returns (the batch stops there); otherwise as [`recv`](Self::recv).
    pub fn recv_batch<F>(&mut self, mut f: F) -> Result<usize, Error>
    where
        F: FnMut(Received<'_>, &mut Outbox<'_>) -> Result<(), Error>,
    {
        block_on(|cx| self.driver.poll_batch(cx, &mut f))
    }

    /// Sends a message: queues it and writes everything queued — at once, or, when another whole
    /// message has already come for the next [`recv`](Self::recv), in one write with the other
    /// replies when that `recv` would block (or on [`flush`](Self::flush), [`close`](Self::close)
    /// and drop). A read-and-reply loop makes one write per batch of messages. Timers run while it
    /// blocks: an idle, close or write timeout ends the wait with [`Error::AbnormalClose`].
    ///
    /// On a non-blocking stream an error for which [`Error::is_would_block`] holds means the
    /// message is queued but not all written: call [`flush`](Self::flush) when the stream is
    /// writable. Past the write high-water mark a message is not queued:
    /// [`Error::WriteBufferFull`] hands it back.
    ///
    /// # Errors
    /// [`Error::Send`] once the connection is closing; [`Error::WriteBufferFull`]; I/O errors.
    pub fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.send_with(message.into(), true)?;
        self.sent()
    }

    /// Writes what a send queued, by the rule [`send`](Self::send) gives.
    fn sent(&mut self) -> Result<(), Error> {
        block_on(|cx| self.driver.poll_sent(cx, true))
    }

    /// Queues a message without writing it yet: the next [`recv`](Self::recv) writes
    /// everything queued before it waits for input (or call [`flush`](Self::flush)), so the
    /// replies to what one read brought leave in one write. Past the write high-water mark it
    /// writes first, as [`send`](Self::send) does.
    ///
    /// ```no_run
    /// # fn echo(mut ws: sansock_blocking::WebSocket<std::net::TcpStream>) -> Result<(), sansock_blocking::Error> {
    /// while let Some(message) = ws.recv()? {
    ///     ws.feed(message)?; // written by the next recv, together with the other replies
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn feed(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.send_with(message.into(), true)
    }

    /// Sends a message uncompressed even when permessage-deflate was negotiated (for data that
    /// is already compressed); otherwise as [`send`](Self::send).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_uncompressed(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.send_with(message.into(), false)?;
        self.sent()
    }

    /// Sends a message prepared once for many connections
    /// ([`PreparedMessage`](sansock_core::PreparedMessage)): its frame shared, not copied,
    /// where the connection allows; otherwise as [`send`](Self::send).
    ///
    /// # Errors
    /// As [`send`](Self::send), but a full write buffer is an [`Error::Io`] that
    /// [`Error::is_would_block`] holds for (the message is not queued: retry it).
    pub fn send_prepared(&mut self, prepared: &sansock_core::PreparedMessage) -> Result<(), Error> {
        self.feed_prepared(prepared)?;
        self.sent()
    }

    /// Queues a prepared message without writing it yet (past the write high-water mark it
    /// writes first): feed what waits for this connection, then [`flush`](Self::flush) it in
    /// one write — what a broadcast's writer does with what queued up for it.
    ///
    /// ```no_run
    /// # fn forward(
    /// #     mut ws: sansock_blocking::WebSocket<std::net::TcpStream>,
    /// #     waiting: &[sansock_blocking::PreparedMessage],
    /// # ) -> Result<(), sansock_blocking::Error> {
    /// for message in waiting {
    ///     ws.feed_prepared(message)?;
    /// }
    /// ws.flush()?; // one write for all of them
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`send_prepared`](Self::send_prepared).
    pub fn feed_prepared(&mut self, prepared: &sansock_core::PreparedMessage) -> Result<(), Error> {
        block_on(|cx| self.driver.poll_writable(cx))?;
        self.driver.start_send_prepared(prepared)
    }

    fn send_with(&mut self, message: Message, compress: bool) -> Result<(), Error> {
        if let Err(e) = block_on(|cx| self.driver.poll_writable(cx)) {
            return Err(if e.is_would_block() {
                Error::WriteBufferFull(message)
            } else {
                e
            });
        }
        match compress {
            true => self.driver.start_send(&message),
            false => self.driver.start_send_uncompressed(&message),
        }
    }

    /// Sends a message part as one fragment and writes everything queued (see
    /// [`Connection::send_part`](sansock_core::Connection::send_part)): forwarding a message as
    /// it arrives, read with
    /// [`message_parts`](sansock_core::ConnectionConfig::message_parts) on.
    ///
    /// # Errors
    /// As [`send`](Self::send), but a full write buffer is an [`Error::Io`] that
    /// [`Error::is_would_block`] holds for (the part is not queued: retry it).
    pub fn send_part(&mut self, part: &sansock_core::MessagePart) -> Result<(), Error> {
        block_on(|cx| self.driver.poll_writable(cx))?;
        self.driver.start_send_part(part)?;
        self.sent()
    }

    /// Sends a ping (its pong arrives while reading).
    ///
    /// # Errors
    /// As [`send`](Self::send); a payload over 125 bytes is [`Error::Send`].
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.driver.start_ping(payload)?;
        self.sent()
    }

    /// Writes everything queued (timers run while it blocks).
    ///
    /// # Errors
    /// I/O errors (would-block ones leave the rest queued); [`Error::AbnormalClose`] when a
    /// deadline ended the connection meanwhile.
    pub fn flush(&mut self) -> Result<(), Error> {
        block_on(|cx| self.driver.poll_flush(cx))
    }

    /// Starts the closing handshake and waits for it to finish (at most the configured close
    /// timeout). Messages and parts that arrive meanwhile are dropped. On a non-blocking stream, call it
    /// again after a would-block error: the close is sent once.
    ///
    /// # Errors
    /// An invalid code or reason ([`Error::Send`]); [`Error::AbnormalClose`] when the peer did
    /// not answer in time; I/O errors.
    pub fn close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<Closed, Error> {
        self.driver.start_close(code, reason)?;
        block_on(|cx| self.driver.poll_closed(cx))
    }

    /// Sends a close frame and writes it (what was queued before goes first), without waiting
    /// for the answer: keep calling [`recv`](Self::recv) to read what still arrives, until
    /// `Ok(None)` (the peer answered) — the same as the async adapters' `send_close`.
    ///
    /// # Errors
    /// An invalid code or reason ([`Error::Send`]); I/O errors; [`Error::AbnormalClose`] when
    /// the close timeout (or the write timeout) passed before the transport took it.
    pub fn send_close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), Error> {
        self.driver.start_close(code, reason)?;
        block_on(|cx| self.driver.poll_flush(cx))
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

    /// The extensions the handshake agreed on (`Sec-WebSocket-Extensions` of the response).
    pub fn extensions(&self) -> Option<&str> {
        self.driver.extensions()
    }

    /// The core connection's state.
    pub fn state(&self) -> State {
        self.driver.connection().state()
    }

    /// Bytes queued for the stream and not yet written.
    pub fn buffered_amount(&self) -> usize {
        self.driver.connection().transmit_len()
    }

    /// When the connection next needs a call even if no byte arrives (keepalive, close or idle
    /// timeout): a poll loop's timeout.
    pub fn deadline(&self) -> Option<Instant> {
        self.driver.deadline()
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        self.driver.get_ref()
    }

    /// The stream, mutably (to change its settings; reading or writing it corrupts the
    /// connection).
    pub fn get_mut(&mut self) -> &mut S {
        self.driver.get_mut()
    }

    /// The stream, giving up the connection.
    pub fn into_inner(self) -> S {
        self.driver.into_inner()
    }
}
