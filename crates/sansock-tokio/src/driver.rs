//! The driver: one transport, one core [`Connection`], one timer — and the three moves that are
//! all an adapter does: write the core's output, read into the core's input, tell it the time.
//!
//! Both [`WebSocketStream`](crate::WebSocketStream) and the split halves run on this; there is
//! no protocol logic here (no frame is looked at; the core decides everything).

use crate::Error;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use sansock_core::{Closed, Connection, Ending, Event, Timestamp};
use std::future::Future;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, Sleep};

/// A transport and the core connection it carries.
pub(crate) struct Driver<S> {
    io: S,
    pub(crate) conn: Connection,
    /// The instant that `Timestamp::ZERO` stands for.
    epoch: Instant,
    sleep: Pin<Box<Sleep>>,
    /// The deadline `sleep` is set to.
    armed: Option<Timestamp>,
    /// Stop reading while this much output waits: a peer that does not read cannot make us
    /// queue pongs without bound.
    pub(crate) high_water: usize,
    /// How the connection ended, once it has.
    pub(crate) closed: Option<Closed>,
    /// The transport failed or was shut down: nothing more happens.
    done: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Driver<S> {
    pub(crate) fn new(io: S, conn: Connection, epoch: Instant, high_water: usize) -> Self {
        Driver {
            io,
            conn,
            epoch,
            sleep: Box::pin(tokio::time::sleep_until(epoch)),
            armed: None,
            high_water,
            closed: None,
            done: false,
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        Timestamp::from_duration(Instant::now().saturating_duration_since(self.epoch))
    }

    pub(crate) fn get_ref(&self) -> &S {
        &self.io
    }

    pub(crate) fn into_inner(self) -> S {
        self.io
    }

    /// Writes the core's output until it is all written and flushed.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        while !self.conn.transmit().is_empty() {
            if self.done {
                return Poll::Ready(Err(Error::AlreadyClosed));
            }
            match Pin::new(&mut self.io).poll_write(cx, self.conn.transmit()) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(self.fail_io(std::io::ErrorKind::WriteZero.into())));
                }
                Poll::Ready(Ok(n)) => self.conn.advance_transmit(n),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(self.fail_io(e))),
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.done {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io)
            .poll_flush(cx)
            .map_err(|e| self.fail_io(e))
    }

    /// Writes until the output is under the high-water mark (the send path's backpressure).
    pub(crate) fn poll_writable(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.conn.transmit().len() < self.high_water {
            return Poll::Ready(Ok(()));
        }
        match self.poll_flush(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending if self.conn.transmit().len() < self.high_water => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The next event from the core, reading and waiting on deadlines as needed. `Ok(None)` once
    /// the connection is over and the transport has been shut down.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Error>> {
        loop {
            match self.conn.poll_event() {
                Ok(Some(event)) => {
                    if let Event::Closed(c) = &event {
                        self.closed = Some(c.clone());
                    }
                    return Poll::Ready(Ok(Some(event)));
                }
                Err(e) => {
                    // The close frame is queued; push it out if the transport takes it now.
                    let _ = self.poll_flush(cx);
                    return Poll::Ready(Err(Error::Protocol(e)));
                }
                Ok(None) => {}
            }
            if self.done {
                return Poll::Ready(Ok(None));
            }
            if self.conn.is_finished() {
                ready!(self.poll_shutdown(cx));
                return Poll::Ready(Ok(None));
            }
            // Pongs and the close echo go out even when only the reader is polled.
            if let Poll::Ready(Err(e)) = self.poll_flush(cx) {
                return Poll::Ready(Err(e));
            }
            if self.conn.is_finished() {
                continue; // writing our last frame (say, the close echo) finished the connection
            }
            if self.poll_timer(cx).is_ready() {
                continue;
            }
            if self.conn.transmit().len() >= self.high_water {
                return Poll::Pending; // woken by the transport when it takes our output
            }
            let now = self.now();
            let buf = self.conn.receive_buffer();
            match tokio_util::io::poll_read_buf(Pin::new(&mut self.io), cx, buf) {
                Poll::Ready(Ok(0)) => self.conn.handle_eof(now),
                Poll::Ready(Ok(_)) => self.conn.handle_received(now),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(self.fail_io(e))),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Fires the core's deadline if it has passed; otherwise arms the timer and is pending.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.conn.poll_timeout() else {
            return Poll::Pending;
        };
        if self.armed != Some(deadline) {
            self.sleep
                .as_mut()
                .reset(self.epoch + deadline.as_duration());
            self.armed = Some(deadline);
        }
        ready!(self.sleep.as_mut().poll(cx));
        self.armed = None;
        let now = self.now();
        self.conn.handle_timeout(now);
        Poll::Ready(())
    }

    /// Shuts the transport's write side once the core is finished. Its output is then empty
    /// (a clean end) or moot (the peer left or timed out), so nothing waits on it.
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.done {
            let _ = self.poll_flush(cx);
            let _ = ready!(Pin::new(&mut self.io).poll_shutdown(cx));
            self.done = true;
        }
        Poll::Ready(())
    }

    /// The transport failed: the connection is over, abnormally.
    fn fail_io(&mut self, e: std::io::Error) -> Error {
        self.done = true;
        if self.closed.is_none() {
            self.closed = Some(Closed {
                code: sansock_core::CloseCode::ABNORMAL,
                reason: Default::default(),
                initiator: sansock_core::Initiator::Neither,
                ending: Ending::PeerDisconnected,
            });
        }
        Error::Io(e)
    }
}

/// Message-level operations, shared by the whole stream and the split halves.
impl<S: AsyncRead + AsyncWrite + Unpin> Driver<S> {
    /// The next message. Pings and pongs are handled on the way (the core answers pings); a clean
    /// close ends the stream (`None`), an unclean one yields [`Error::AbnormalClose`] first.
    pub(crate) fn poll_next_message(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<sansock_core::Message, Error>>> {
        loop {
            match ready!(self.poll_event(cx)) {
                Ok(Some(Event::Message(m))) => return Poll::Ready(Some(Ok(m))),
                Ok(Some(Event::Closed(c))) if !c.was_clean() => {
                    return Poll::Ready(Some(Err(Error::AbnormalClose(c))));
                }
                Ok(Some(_)) => {}
                Ok(None) => return Poll::Ready(None),
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }

    /// The next event of any kind (messages, pings, pongs, the close); `None` after the end.
    pub(crate) fn poll_next_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event, Error>>> {
        Poll::Ready(ready!(self.poll_event(cx)).transpose())
    }

    /// Queues a message; call after `poll_writable` is ready.
    pub(crate) fn start_send(&mut self, message: &sansock_core::Message) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.send(message).map_err(Error::Send)
    }

    /// Queues a ping.
    pub(crate) fn start_ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.ping(payload).map_err(Error::Send)
    }

    /// Queues the close frame (once; later calls do nothing).
    pub(crate) fn start_close(
        &mut self,
        code: Option<sansock_core::CloseCode>,
        reason: &str,
    ) -> Result<(), Error> {
        if self.conn.state() != sansock_core::State::Open {
            return Ok(());
        }
        let now = self.now();
        self.conn.close(now, code, reason).map_err(Error::Send)
    }

    fn check_usable(&self) -> Result<(), Error> {
        if self.done {
            Err(Error::AlreadyClosed)
        } else {
            Ok(())
        }
    }
}
