//! The driver's write path: writing the core's output to the transport, the send path's
//! backpressure, and when a queued frame is written.
//!
//! The rule, the same on every adapter: a `send` queues its frame and writes at once — unless
//! another whole message has already come for the same caller's next receive (the caller is in the
//! middle of a batch), which then writes everything queued before it waits for input. Only a ping,
//! a close or part of a frame buffered does not hold a send back: the caller may wait elsewhere
//! before its next receive, and its peer would wait for the reply. A loop that receives a batch of
//! messages and sends a reply to each makes one write for the batch; a reply to the last message of
//! a read (ping-pong's case) goes out as it is sent. Past the write high-water mark a send writes
//! until the output is under it, whatever the rule says. Waiting for the transport runs the
//! connection's timers (keepalive, idle, close and write timeouts), so a peer that stops reading
//! pins no task. Reading and the timers themselves live in `driver.rs`.

use crate::Error;
use crate::driver::{DROP_WRITE_BOUND, Driver};
use crate::runtime::{Runtime, Transport};
use core::task::{Context, Poll, Waker, ready};
use std::time::Instant;

/// The most output pieces one vectored write takes (the rest go in the next).
const MAX_SLICES: usize = 64;

impl<S: Transport<R>, R: Runtime> Driver<S, R> {
    /// Writes the core's output until it is all written and flushed: every piece of it in one
    /// vectored write where the transport takes it all. Pending while the transport takes no
    /// more (no timer is polled: see [`poll_flush`](Self::poll_flush)).
    pub(crate) fn poll_write_all(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if R::BLOCKS && self.write_timeout.is_some() && self.write_stalled.is_none() {
            // A blocking write that takes nothing never returns to say so: its wait counts
            // from its start.
            if self.conn.transmit_len() > 0 {
                self.write_stalled = Some(Instant::now());
            }
        }
        let deadline = self.io_deadline();
        self.poll_write_out(cx, deadline)
    }

    fn poll_write_out(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<Result<(), Error>> {
        while self.conn.transmit_len() > 0 {
            if self.done {
                return Poll::Ready(Err(Error::AlreadyClosed));
            }
            let Some(io) = self.io.as_mut() else {
                return Poll::Ready(Err(Error::AlreadyClosed));
            };
            let written = if self.conn.transmit().len() == self.conn.transmit_len() {
                io.poll_write(cx, self.conn.transmit(), deadline) // one piece: a plain write
            } else {
                let mut slices = [std::io::IoSlice::new(&[]); MAX_SLICES];
                let mut count = 0;
                for (slot, piece) in slices.iter_mut().zip(self.conn.transmit_pieces()) {
                    *slot = std::io::IoSlice::new(piece);
                    count += 1;
                }
                io.poll_write_vectored(cx, &slices[..count], deadline)
            };
            match written {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(self.fail_io(std::io::ErrorKind::WriteZero.into())));
                }
                Poll::Ready(Ok(n)) => {
                    self.conn.advance_transmit(n);
                    self.unflushed = true;
                    self.write_stalled = None;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(self.fail_io(e))),
                Poll::Pending => {
                    if self.write_stalled.is_none() {
                        self.write_stalled = Some(Instant::now());
                    }
                    return Poll::Pending;
                }
            }
        }
        if self.done || !self.unflushed {
            return Poll::Ready(Ok(()));
        }
        let Some(io) = self.io.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        match ready!(io.poll_flush(cx, deadline)) {
            Ok(()) => {
                self.unflushed = false;
                Poll::Ready(Ok(()))
            }
            Err(e) => Poll::Ready(Err(self.fail_io(e))),
        }
    }

    /// Writes until `enough` holds (or everything is written and flushed), firing the
    /// connection's deadlines while the transport takes nothing: a keepalive ping is queued, an
    /// idle, close or write timeout ends the wait with [`Error::AbnormalClose`].
    fn poll_write_until(
        &mut self,
        cx: &mut Context<'_>,
        enough: fn(&Self) -> bool,
    ) -> Poll<Result<(), Error>> {
        loop {
            match self.poll_write_all(cx) {
                Poll::Ready(Err(e)) if e.is_would_block() && enough(self) => {
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(result) => return Poll::Ready(result),
                Poll::Pending if enough(self) => return Poll::Ready(Ok(())),
                Poll::Pending => {}
            }
            ready!(self.poll_timer(cx));
            if self.done || self.conn.is_finished() {
                return Poll::Ready(Err(self.ended_error()));
            }
        }
    }

    /// Writes everything queued and flushes the transport, running the timers meanwhile.
    ///
    /// # Errors
    /// I/O errors; [`Error::AbnormalClose`] when a deadline ended the connection meanwhile.
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll_write_until(cx, |_| false)
    }

    /// Writes until the output is under the high-water mark (the send path's backpressure),
    /// running the timers meanwhile.
    ///
    /// # Errors
    /// As [`poll_flush`](Self::poll_flush).
    #[inline]
    pub fn poll_writable(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.under_high_water() {
            return Poll::Ready(Ok(()));
        }
        self.poll_backpressure(cx)
    }

    /// [`poll_writable`](Self::poll_writable) past the high-water mark: out of line, so that
    /// its event and counter do not weigh on every send's inlined fast path.
    #[cold]
    #[inline(never)]
    fn poll_backpressure(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        crate::trace::backpressure(&self.span, self.conn.transmit_len());
        self.poll_write_until(cx, Self::under_high_water)
    }

    /// After a send queued its frame: done at once if the caller's next receive will write it
    /// (`will_receive`, and a whole message waits for that receive) and the output is under the
    /// high-water mark; otherwise writes it out (see the module's doc).
    ///
    /// # Errors
    /// As [`poll_flush`](Self::poll_flush).
    #[inline]
    pub fn poll_sent(
        &mut self,
        cx: &mut Context<'_>,
        will_receive: bool,
    ) -> Poll<Result<(), Error>> {
        if will_receive && self.conn.message_ready() {
            return self.poll_writable(cx);
        }
        self.poll_flush(cx)
    }

    /// Whether a send from the task behind `waker` may leave its frame to the next receive:
    /// the driver is not split, or that task is the one receiving.
    pub(crate) fn receives_on(&self, waker: &Waker) -> bool {
        self.receiving_task
            .as_ref()
            .is_some_and(|task| task.will_wake(waker))
    }

    #[inline]
    fn under_high_water(&self) -> bool {
        self.conn.transmit_len() < self.high_water
    }

    /// Why a wait for the transport ended with the connection.
    fn ended_error(&mut self) -> Error {
        if self.closed.is_none() {
            self.closed = self.conn.pending_closed().cloned();
        }
        match &self.closed {
            Some(closed) if !closed.was_clean() => Error::AbnormalClose(closed.clone()),
            _ => Error::AlreadyClosed,
        }
    }
}

impl<S: Transport<R>, R: Runtime> Drop for Driver<S, R> {
    /// Writes what is still queued if the transport takes it now (a blocking transport gets
    /// at most `DROP_WRITE_BOUND`): a reply left to a receive that never came still leaves.
    fn drop(&mut self) {
        if self.done || self.io.is_none() || self.conn.transmit_len() == 0 {
            return;
        }
        let deadline = Instant::now().checked_add(DROP_WRITE_BOUND);
        let mut cx = Context::from_waker(Waker::noop());
        let _ = self.poll_write_out(&mut cx, deadline);
    }
}
