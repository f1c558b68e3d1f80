//! Batch receiving: [`Driver::poll_batch`] hands everything one read brought to a callback, the
//! small messages borrowed from a buffer on the stack (no allocation, no reference count, no
//! future polled per message), with an [`Outbox`] to queue replies. The fastest way to serve
//! many small messages; the `Stream` and `recv` are built on single events instead.

use crate::Error;
use crate::driver::Driver;
use crate::runtime::{Runtime, Transport};
use core::task::{Context, Poll, ready};
use sansock_core::{Connection, Event, EventRef, MessagePart, MessageRef};

/// Messages up to this size are copied out of the read buffer onto the stack.
const SMALL_MESSAGE: usize = 256;

/// What a batch hands to its callback.
#[derive(Debug, Clone, Copy)]
pub enum Received<'a> {
    /// A whole message, borrowed for the call (copy what you keep: `to_message`).
    Message(MessageRef<'a>),
    /// A part of a message still arriving (with
    /// [`message_parts`](sansock_core::ConnectionConfig::message_parts) on).
    Part(&'a MessagePart),
}

/// Where a batch's callback queues its replies; they are written after the batch.
#[derive(Debug)]
pub struct Outbox<'a>(&'a mut Connection);

impl Outbox<'_> {
    /// Queues a message: the one received (a [`MessageRef`]), a `&str`, bytes, or a
    /// [`&Message`](sansock_core::Message) — copied, unless it is a large `Message`, which is
    /// shared.
    ///
    /// # Errors
    /// [`Error::Send`] once the connection is closing.
    #[inline]
    pub fn send<'m>(&mut self, message: impl Into<MessageRef<'m>>) -> Result<(), Error> {
        self.0.send(message).map_err(crate::driver::send_error)
    }

    /// Queues a prepared message (its frame shared where the connection allows).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_prepared(&mut self, prepared: &sansock_core::PreparedMessage) -> Result<(), Error> {
        self.0
            .send_prepared(prepared)
            .map_err(crate::driver::send_error)
    }

    /// Queues a message part as one fragment
    /// ([`Connection::send_part`](sansock_core::Connection::send_part)).
    ///
    /// # Errors
    /// As [`send`](Self::send), and a part of the other kind while a message is under way.
    pub fn send_part(&mut self, part: &MessagePart) -> Result<(), Error> {
        self.0.send_part(part).map_err(crate::driver::send_error)
    }
}

impl<S: Transport<R>, R: Runtime> Driver<S, R> {
    /// A batch of what has arrived: each whole message or part handed to `f` with an
    /// [`Outbox`] for replies, the small messages copied onto the stack. Waits for input when
    /// nothing has arrived; pings are answered and pongs skipped on the way. The batch ends
    /// with the buffered input, or when the output passes the write high-water mark; what `f`
    /// queued is written by the next call (or a flush). Gives how many messages and parts `f`
    /// saw; `Ok(0)` once the connection closed cleanly.
    ///
    /// # Errors
    /// The first error `f` returns (the batch stops there); otherwise as the message stream:
    /// a protocol error, [`Error::AbnormalClose`], I/O errors.
    pub fn poll_batch<F>(&mut self, cx: &mut Context<'_>, f: &mut F) -> Poll<Result<usize, Error>>
    where
        F: FnMut(Received<'_>, &mut Outbox<'_>) -> Result<(), Error>,
    {
        self.lends = true;
        loop {
            // On most wake-ups nothing is buffered yet: straight to the read.
            if !self.conn.needs_input() {
                if let Some(handled) = self.hand_out(cx, f)? {
                    return Poll::Ready(Ok(handled));
                }
            }
            // The replies are made from what is read: while they back up, reading waits too
            // (a peer that sends without reading cannot grow our output without bound).
            ready!(self.poll_writable(cx))?;
            if !ready!(self.poll_input(cx))? {
                return Poll::Ready(Ok(0));
            }
        }
    }

    /// Hands what is buffered to `f`: the small whole messages the fast way, then the next
    /// event; `Some(n)` once `f` saw any, `None` when there was nothing to hand out.
    fn hand_out<F>(&mut self, cx: &mut Context<'_>, f: &mut F) -> Result<Option<usize>, Error>
    where
        F: FnMut(Received<'_>, &mut Outbox<'_>) -> Result<(), Error>,
    {
        let mut small = [0u8; SMALL_MESSAGE];
        loop {
            let mut handled = 0;
            let mut other = None;
            // Until the input runs out (checked first: a read of one message, ping-pong's
            // case, then needs no second call into the core).
            while self.conn.transmit_len() < self.high_water && !self.conn.needs_input() {
                match self.conn.poll_event_into(&mut small) {
                    Ok(Some(EventRef::Message(message))) => {
                        handled += 1;
                        f(Received::Message(message), &mut Outbox(&mut self.conn))?;
                    }
                    Ok(Some(EventRef::Event(event))) => {
                        other = Some(event);
                        break;
                    }
                    Ok(None) => break,
                    Err(e) => return Err(self.protocol_error(cx, e)),
                }
            }
            let next = match other {
                Some(event) => self.seen(cx, Ok(Some(event)))?,
                None if handled > 0 => return Ok(Some(handled)),
                None => self.next_core_event(cx)?,
            };
            match next {
                Some(Event::Message(m)) => {
                    f(
                        Received::Message(m.as_message_ref()),
                        &mut Outbox(&mut self.conn),
                    )?;
                    return Ok(Some(handled + 1));
                }
                Some(Event::Part(p)) => {
                    f(Received::Part(&p), &mut Outbox(&mut self.conn))?;
                    return Ok(Some(handled + 1));
                }
                Some(Event::Closed(c)) if !c.was_clean() => return Err(Error::AbnormalClose(c)),
                Some(_) if handled > 0 => return Ok(Some(handled)),
                Some(_) => continue,
                None if handled > 0 => return Ok(Some(handled)),
                None => return Ok(None),
            }
        }
    }
}
