//! The driver: one transport, one core [`Connection`], one timer — and the three moves that are
//! all an adapter does: write the core's output, read into the core's input, tell it the time.
//!
//! Every adapter runs on this: the async [`WebSocketStream`](crate::WebSocketStream) and its
//! split halves, and the blocking `WebSocket` (through [`block_on`](crate::block_on)). There is
//! no protocol logic here (no frame is looked at; the core decides everything). This file holds
//! the driver, its reads and its timers; writing is in `write.rs`.

use crate::Error;
use crate::runtime::{Runtime, Timer, Transport, is_retryable};
use core::marker::PhantomData;
use core::task::{Context, Poll, Waker, ready};
use core::time::Duration;
use sansock_core::{Closed, Connection, Ending, Event, Timestamp};
use std::time::Instant;

/// What the opening handshake agreed on, beyond the connection itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The subprotocol (`Sec-WebSocket-Protocol`).
    pub protocol: Option<String>,
    /// The extensions, as the `Sec-WebSocket-Extensions` response header has them.
    pub extensions: Option<String>,
}

impl Negotiated {
    /// The subprotocol `protocol` and the extensions header `extensions` (reachable only
    /// through the hidden `internal` module: the type is not re-exported).
    pub fn new(protocol: Option<String>, extensions: Option<String>) -> Self {
        Negotiated {
            protocol,
            extensions,
        }
    }
}

/// How much one read between frames may take (the scratch buffer's size).
const SCRATCH_LEN: usize = 64 << 10;

/// A read between frames of at least this much is handed to the core as it is (its messages
/// are slices of the read buffer); a smaller one is copied, so that small messages kept by the
/// user do not hold on to a whole read buffer — unless the reader takes batches, which lend
/// their messages for the length of a call and so keep nothing.
const HAND_OVER_MIN: usize = 8 << 10;

std::thread_local! {
    /// The read buffer every connection on this thread shares between frames.
    static SCRATCH: core::cell::RefCell<Vec<u8>> = const { core::cell::RefCell::new(Vec::new()) };
    /// The same for transports that read into uninitialised memory: what a large read filled is
    /// split off and handed to the core; the allocation is reused once those bytes are dropped.
    static SHARED: core::cell::RefCell<bytes::BytesMut> =
        core::cell::RefCell::new(bytes::BytesMut::new());
}

/// A transport and the core connection it carries.
///
/// Dropping it writes what is still queued if the transport takes it at once (a blocking one
/// is given at most a second for it).
pub struct Driver<S: Transport<R>, R: Runtime> {
    /// `None` only inside [`into_inner`](Self::into_inner).
    pub(crate) io: Option<S>,
    pub(crate) conn: Connection,
    /// The instant that `Timestamp::ZERO` stands for.
    epoch: Instant,
    /// Made when the first deadline is armed (an idle connection without one holds none).
    timer: Option<R::Timer>,
    /// The deadline the timer is set to.
    armed: Option<Instant>,
    /// The waker the timer was last polled with, for the instant it is set to.
    timer_waker: Option<Waker>,
    /// `send` waits while this much output is queued (the send path's backpressure); a batch
    /// reader, whose replies are made from what it reads, stops reading too.
    pub(crate) high_water: usize,
    /// Fail the connection when the transport has taken none of our output for this long.
    pub(crate) write_timeout: Option<Duration>,
    /// Since when the transport has taken none of the output waiting for it.
    pub(crate) write_stalled: Option<Instant>,
    /// When to stop waiting for the transport's shutdown (a TLS close_notify the peer never
    /// reads), once it has begun.
    shutdown_by: Option<Instant>,
    /// How the connection ended, once it has.
    pub(crate) closed: Option<Closed>,
    /// The connection's `tracing` span (nothing without the feature).
    pub(crate) span: crate::trace::Span,
    /// What the handshake agreed on.
    pub(crate) negotiated: Negotiated,
    /// The transport failed or was shut down: nothing more happens.
    pub(crate) done: bool,
    /// The reader takes batches (`poll_batch`, which lends its messages for a call): every read
    /// is handed over, none copied. Reset by `poll_event`, whose events may be kept.
    pub(crate) lends: bool,
    /// Written to the transport since its last flush (a buffered one, TLS say, holds it).
    pub(crate) unflushed: bool,
    /// The transport holds the connection's lent receive buffer: its read is in flight
    /// (`Transport::READS_OWNED`), and the buffer comes back when the read completes.
    read_kept: bool,
    /// The task that last received (split halves): a send from the same task may leave its
    /// bytes to that task's next receive, one from another task may not.
    pub(crate) receiving_task: Option<Waker>,
    /// The graceful shutdown this connection closes with (1001) when it begins.
    drain: Option<crate::shutdown::ShutdownGuard>,
    /// The connection's share of the server-wide metrics (feature `metrics`; nothing without).
    pub(crate) meter: crate::metrics::Meter,
    runtime: PhantomData<fn() -> R>,
}

/// As good as never: thirty years.
const NEVER: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// How long a blocking transport may take, when the driver is dropped, to write what is left.
pub(crate) const DROP_WRITE_BOUND: Duration = Duration::from_secs(1);

impl<S: Transport<R>, R: Runtime> core::fmt::Debug for Driver<S, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Driver")
            .field("connection", &self.conn)
            .field("negotiated", &self.negotiated)
            .finish_non_exhaustive()
    }
}

impl<S: Transport<R>, R: Runtime> Driver<S, R> {
    /// Drives `conn` over `io`, a transport on which a WebSocket handshake already happened
    /// elsewhere, buffering up to `high_water` bytes before a send waits.
    pub fn from_connection(io: S, conn: Connection, high_water: usize) -> Self {
        Self::new(
            io,
            conn,
            &[],
            Instant::now(),
            high_water,
            Negotiated::default(),
        )
    }

    /// Drives `conn` over `io`. `leftover` are bytes read past the handshake (frames already);
    /// `epoch` is the instant the connection's clock started.
    pub(crate) fn new(
        io: S,
        mut conn: Connection,
        leftover: &[u8],
        epoch: Instant,
        high_water: usize,
        negotiated: Negotiated,
    ) -> Self {
        conn.handle_bytes(Timestamp::from_duration(epoch.elapsed()), leftover);
        Driver {
            io: Some(io),
            conn,
            epoch,
            timer: None,
            armed: None,
            timer_waker: None,
            high_water,
            write_timeout: None,
            write_stalled: None,
            shutdown_by: None,
            closed: None,
            span: crate::trace::none(),
            negotiated,
            done: false,
            lends: false,
            unflushed: true,
            read_kept: false,
            receiving_task: None,
            drain: None,
            meter: crate::metrics::Meter::default(),
            runtime: PhantomData,
        }
    }

    /// Puts the connection's events in `span` (see `trace.rs`).
    pub(crate) fn with_span(mut self, span: crate::trace::Span) -> Self {
        crate::trace::opened(&span);
        self.span = span;
        self
    }

    /// Counts the connection in the server-wide metrics (feature `metrics`).
    pub(crate) fn metered(mut self) -> Self {
        self.meter = crate::metrics::Meter::opened(self.conn.role());
        self
    }

    /// Counts the connection in `shutdown` and closes it with 1001 when that begins.
    pub(crate) fn with_shutdown(mut self, shutdown: Option<&crate::Shutdown>) -> Self {
        self.drain = shutdown.map(crate::Shutdown::guard);
        self
    }

    /// Fails the connection when the transport takes none of its output for `timeout` (a peer
    /// that stopped reading): the waiting call returns [`Error::AbnormalClose`] with
    /// [`Ending::WriteTimedOut`]. `None` (the default): no limit.
    #[must_use]
    pub fn with_write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The transport (present until `into_inner` takes it).
    #[inline]
    pub(crate) fn io(&mut self) -> &mut S {
        match self.io.as_mut() {
            Some(io) => io,
            None => transport_gone(),
        }
    }

    /// The connection's clock now.
    pub fn now(&self) -> Timestamp {
        Timestamp::from_duration(Instant::now().saturating_duration_since(self.epoch))
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        match self.io.as_ref() {
            Some(io) => io,
            None => transport_gone(),
        }
    }

    /// The transport, mutably (writing to it directly corrupts the connection).
    pub fn get_mut(&mut self) -> &mut S {
        self.io()
    }

    /// The transport, giving up the connection (output still queued is dropped: flush first).
    pub fn into_inner(mut self) -> S {
        match self.io.take() {
            Some(io) => io,
            None => transport_gone(),
        }
    }

    /// The core connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// How the connection ended, once it has.
    pub fn closed(&self) -> Option<&Closed> {
        self.closed.as_ref()
    }

    /// The subprotocol the handshake agreed on.
    pub fn protocol(&self) -> Option<&str> {
        self.negotiated.protocol.as_deref()
    }

    /// The extensions the handshake agreed on, as the `Sec-WebSocket-Extensions` response
    /// header has them (e.g. `permessage-deflate; client_max_window_bits=15`).
    pub fn extensions(&self) -> Option<&str> {
        self.negotiated.extensions.as_deref()
    }

    /// When the connection next needs the clock (a keepalive ping, the close, idle or write
    /// timeout), even if no byte arrives: a poll loop's timeout. A deadline too far away for
    /// an `Instant` (`Duration::MAX`, say) is none.
    pub fn deadline(&self) -> Option<Instant> {
        let core = self.conn.poll_timeout().map(|t| self.at(t));
        let write = self
            .write_stalled
            .zip(self.write_timeout)
            .map(|(since, limit)| since.checked_add(limit).unwrap_or_else(|| since + NEVER));
        // A blocking transport cannot be woken when a shutdown begins: it looks between reads,
        // a read waiting at most this long.
        let drain = (R::BLOCKS && self.drain.is_some())
            .then(|| Instant::now() + crate::shutdown::BLOCKING_LOOK);
        [core, write, self.shutdown_by, drain]
            .into_iter()
            .flatten()
            .min()
    }

    /// The instant of the connection's time `t`; thirty years on (as good as never) for a time
    /// too far for an `Instant` (a deadline from `Duration::MAX`).
    #[inline]
    fn at(&self, t: Timestamp) -> Instant {
        let after = t.as_duration().min(NEVER);
        self.epoch.checked_add(after).unwrap_or(self.epoch)
    }

    /// The deadline a blocking transport's calls must stop at; none for the async runtimes,
    /// whose timer wakes them.
    #[inline]
    pub(crate) fn io_deadline(&self) -> Option<Instant> {
        if R::BLOCKS { self.deadline() } else { None }
    }

    /// The next event from the core, reading and waiting on deadlines as needed. `Ok(None)` once
    /// the connection is over and the transport has been shut down.
    pub(crate) fn poll_event_or_end(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Error>> {
        // Events are owned and may be kept: small reads are copied again, not lent.
        self.lends = false;
        loop {
            if let Some(event) = self.next_core_event(cx)? {
                return Poll::Ready(Ok(Some(event)));
            }
            if !ready!(self.poll_input(cx))? {
                return Poll::Ready(Ok(None));
            }
        }
    }

    /// The core's next event, if it has one (a protocol error's close frame is pushed out).
    #[inline]
    pub(crate) fn next_core_event(&mut self, cx: &mut Context<'_>) -> Result<Option<Event>, Error> {
        if self.conn.needs_input() {
            return Ok(None);
        }
        let polled = self.conn.poll_event();
        self.seen(cx, polled)
    }

    /// What the core's poll gave, seen by the driver: the close recorded (and our answer to it
    /// pushed out), a protocol error turned into the adapters' [`Error`].
    pub(crate) fn seen(
        &mut self,
        cx: &mut Context<'_>,
        polled: Result<Option<Event>, sansock_core::ProtocolError>,
    ) -> Result<Option<Event>, Error> {
        match polled {
            Ok(Some(event)) => {
                if let Event::Closed(c) = &event {
                    crate::trace::closed(&self.span, c);
                    self.meter.flush(&self.conn);
                    self.closed = Some(c.clone());
                    // Our answer to the peer's close is queued: push out what the transport
                    // takes now, for a caller that stops at this event and never polls again.
                    // Only where a write cannot block: a blocking transport's next call writes
                    // it (and a peer that stopped reading must not hold this one).
                    if c.was_clean() && !R::BLOCKS {
                        let _ = self.poll_write_all(cx);
                    }
                }
                Ok(Some(event))
            }
            Err(e) => Err(self.protocol_error(cx, e)),
            Ok(None) => Ok(None),
        }
    }

    /// The peer broke the protocol: the core queued our close frame; push it out if the
    /// transport takes it now, and record the ending.
    pub(crate) fn protocol_error(
        &mut self,
        cx: &mut Context<'_>,
        e: sansock_core::ProtocolError,
    ) -> Error {
        crate::trace::protocol_error(&self.span, &e);
        let _ = self.poll_write_all(cx);
        if self.closed.is_none() {
            let closed = Closed {
                code: e.close_code(),
                reason: Default::default(),
                initiator: sansock_core::Initiator::Local,
                ending: Ending::ProtocolError,
            };
            crate::metrics::closed(&closed);
            self.meter.flush(&self.conn);
            self.closed = Some(closed);
        }
        Error::Protocol(e)
    }

    /// What to do when the core has no event: write what waits, fire a deadline, or read once.
    /// `Ok(true)` when the core may have something new; `Ok(false)` once the connection is over
    /// and the transport shut down.
    pub(crate) fn poll_input(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Error>> {
        if self.done {
            return Poll::Ready(Ok(false));
        }
        if self.conn.is_finished() {
            ready!(self.poll_shutdown(cx));
            return Poll::Ready(Ok(false));
        }
        // Pongs and the close echo go out even when only the reader is polled. A transport
        // that takes nothing now (a would-block) does not stop the read: a peer that reads
        // only once its own output is taken must not wedge us both.
        match self.poll_write_all(cx) {
            Poll::Ready(Err(e)) if !e.is_would_block() => return Poll::Ready(Err(e)),
            _ => {}
        }
        if self.conn.is_finished() {
            // Writing our last frame (say, the close echo) finished the connection.
            return Poll::Ready(Ok(true));
        }
        if self.poll_drain(cx) || self.poll_timer(cx).is_ready() {
            return Poll::Ready(Ok(true));
        }
        // Reading goes on however much output waits (a peer that reads only once its own
        // output is taken must not wedge us both): what reading makes by itself is bounded
        // by the core (pongs coalesce, one close echo); what the application sends in answer
        // waits at the high-water mark in `send`.
        ready!(self.poll_read(cx))?;
        Poll::Ready(Ok(true))
    }

    /// Starts the closing handshake with 1001 when the connection's graceful shutdown has
    /// begun (once: the connection is no longer open after); true when it did.
    #[inline]
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(drain) = &self.drain else {
            return false;
        };
        let begun = if R::BLOCKS {
            drain.is_begun()
        } else {
            drain.poll_begun(cx)
        };
        if !begun || self.conn.state() != sansock_core::State::Open {
            return false;
        }
        let now = self.now();
        let going_away = Some(sansock_core::CloseCode::GOING_AWAY);
        let _ = self.conn.close(now, going_away, crate::Shutdown::REASON);
        true
    }

    /// Reads once and hands the bytes (or the end of the stream) to the core.
    ///
    /// Between frames the read goes into a buffer the thread's connections share, so an idle
    /// connection holds none: on tokio what a read of 8 KiB or more filled is handed to the core
    /// as it is (no copy), a smaller read is copied; elsewhere (where only initialised memory can
    /// be read into) the bytes are copied from a scratch buffer zeroed once. A frame under way is
    /// read straight into the core's receive buffer (no copy: the large messages).
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let deadline = self.io_deadline();
        let idle = self.conn.is_input_idle();
        let read = if S::READS_OWNED {
            // Each read owns a buffer while it is in flight: the connection's own.
            self.poll_read_into_core(cx, deadline)
        } else if idle && S::READS_UNINIT {
            SHARED.with(|cell| match cell.try_borrow_mut() {
                Ok(mut shared) => {
                    // Reclaimed in place when every byte handed out of it is gone, otherwise
                    // a fresh allocation (the old one lives as long as its messages).
                    if shared.capacity() < SCRATCH_LEN / 2 {
                        shared.reserve(SCRATCH_LEN);
                    }
                    let read = self.io().poll_read_buf(cx, &mut shared, deadline);
                    if let Poll::Ready(Ok(n)) = read {
                        if n > 0 {
                            let now = self.now();
                            if n >= HAND_OVER_MIN || self.lends {
                                self.conn.handle_bytes(now, shared.split());
                            } else {
                                self.conn.handle_bytes(now, &shared[..]);
                                shared.clear();
                            }
                        }
                    }
                    read
                }
                // Taken by another connection's read on this thread (a transport that drives
                // a connection itself): read the usual way.
                Err(_) => self.poll_read_into_core(cx, deadline),
            })
        } else if idle {
            SCRATCH.with(|cell| match cell.try_borrow_mut() {
                Ok(mut scratch) => {
                    // Zeroed once per thread, then reused as it is: no read zero-fills it.
                    if scratch.len() < SCRATCH_LEN {
                        scratch.resize(SCRATCH_LEN, 0);
                    }
                    let read = self.io().poll_read_into(cx, &mut scratch, deadline);
                    if let Poll::Ready(Ok(n)) = read {
                        if n > 0 {
                            let now = self.now();
                            self.conn.handle_bytes(now, &scratch[..n.min(SCRATCH_LEN)]);
                        }
                    }
                    read
                }
                Err(_) => self.poll_read_into_core(cx, deadline), // taken, as above
            })
        } else {
            self.poll_read_into_core(cx, deadline)
        };
        // The clock is read after the read (a blocking one may have waited), and only where
        // the core needs it.
        match read {
            Poll::Ready(Ok(0)) => {
                let now = self.now();
                self.conn.handle_eof(now)
            }
            // TLS without close_notify: the end of the stream all the same. The core tells a
            // clean end (after the closing handshake) from a cut connection.
            Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                let now = self.now();
                self.conn.handle_eof(now)
            }
            Poll::Ready(Ok(_)) => {} // handed over by `handle_bytes`
            Poll::Ready(Err(e)) => return Poll::Ready(Err(self.fail_io(e))),
            Poll::Pending => {
                if idle {
                    self.conn.release_buffers();
                }
                self.meter.idle(&self.conn);
                return Poll::Pending;
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Reads straight into the core's receive buffer, lent and given back whatever the read
    /// brought (the clock is read only when it brought bytes: the core reads no time
    /// otherwise). A transport whose read owns its buffer keeps it while the read is in
    /// flight; it comes back, and goes back to the core, when the read completes.
    fn poll_read_into_core(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<std::io::Result<usize>> {
        let Some(io) = self.io.as_mut() else {
            transport_gone()
        };
        let mut buf = if self.read_kept {
            bytes::BytesMut::new() // the transport has the lent one
        } else {
            self.conn.take_receive_buffer()
        };
        let read = io.poll_read_buf(cx, &mut buf, deadline);
        if S::READS_OWNED {
            self.read_kept = read.is_pending() && buf.capacity() == 0;
            if self.read_kept {
                return Poll::Pending;
            }
        }
        let now = match read {
            Poll::Ready(Ok(n)) if n > 0 => self.now(),
            _ => Timestamp::ZERO,
        };
        self.conn.handle_bytes(now, buf);
        read
    }

    /// Fires the deadlines that have passed (the core's, the write timeout, the shutdown's
    /// bound); otherwise arms the timer for the next and is pending (as it is with none).
    /// Ready also when the timer fired for a deadline that has since moved later (nothing
    /// due): the caller looks again and the next call sets the timer anew.
    pub(crate) fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(at) = self.deadline() else {
            return Poll::Pending;
        };
        let timer = self.timer.get_or_insert_with(|| R::Timer::at(at));
        // Moved only when the deadline comes sooner. The keepalive deadline moves later with
        // every message received; resetting the timer each time cost ~600 instructions a
        // ping-pong message. A timer set for an earlier instant just fires early, once, and
        // is set again below for what is then due.
        if self.armed.is_none_or(|armed| armed > at) {
            timer.reset(at);
            self.armed = Some(at);
            self.timer_waker = None;
        }
        // A timer already polled with this task's waker wakes it when it fires: until its
        // instant, a clock read answers for it (polling the runtime's timer again costs
        // several times more, on every wake-up of a connection with keepalive on).
        if let (Some(waker), Some(armed)) = (&self.timer_waker, self.armed) {
            if waker.will_wake(cx.waker()) && Instant::now() < armed {
                return Poll::Pending;
            }
        }
        if timer.poll_elapsed(cx).is_pending() {
            self.timer_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        self.armed = None;
        self.timer_waker = None;
        let now = Instant::now();
        let core_due = self.conn.poll_timeout().is_some_and(|t| self.at(t) <= now);
        if core_due {
            let now = self.now();
            self.conn.handle_timeout(now);
        }
        let write_due = self
            .write_stalled
            .zip(self.write_timeout)
            .is_some_and(|(since, limit)| now.saturating_duration_since(since) >= limit);
        if write_due {
            self.fail_ending(Ending::WriteTimedOut);
        }
        if self.shutdown_by.is_some_and(|t| t <= now) {
            self.done = true; // the peer never took our shutdown: give up on it
        }
        Poll::Ready(())
    }

    /// Shuts the transport's write side once the core is finished. Its output is then empty
    /// (a clean end) or moot (the peer left or timed out), so nothing waits on it; the shutdown
    /// itself (a TLS close_notify to a peer that does not read) gets at most the close timeout.
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        if self.shutdown_by.is_none() {
            let bound = sansock_core::internal::close_timeout(&self.conn);
            self.shutdown_by = Some(crate::runtime::deadline_after(bound));
        }
        while !self.done {
            let _ = self.poll_write_all(cx);
            if self.done {
                break;
            }
            let deadline = self.io_deadline();
            if self.io().poll_shutdown(cx, deadline).is_ready() {
                self.done = true;
                break;
            }
            ready!(self.poll_timer(cx));
        }
        Poll::Ready(())
    }

    /// The connection is over without a closing handshake, the transport no longer usable.
    pub(crate) fn fail_ending(&mut self, ending: Ending) {
        self.done = true;
        if self.closed.is_none() {
            let closed = Closed {
                code: sansock_core::CloseCode::ABNORMAL,
                reason: Default::default(),
                initiator: sansock_core::Initiator::Neither,
                ending,
            };
            crate::trace::closed(&self.span, &closed);
            self.meter.flush(&self.conn);
            self.closed = Some(closed);
        }
    }

    /// The transport failed: the connection is over, abnormally — unless the error only says
    /// "not now" (a non-blocking socket, a socket timeout), which the caller may retry.
    pub(crate) fn fail_io(&mut self, e: std::io::Error) -> Error {
        if is_retryable(&e) {
            return Error::Io(e);
        }
        self.fail_ending(Ending::PeerDisconnected);
        Error::Io(e)
    }
}

/// A send the core refused, counted when the memory budget refused it.
#[cold]
pub(crate) fn send_error(e: sansock_core::SendError) -> Error {
    if e == sansock_core::SendError::OverBudget {
        crate::metrics::budget_refused("out");
    }
    Error::Send(e)
}

#[cold]
fn transport_gone() -> ! {
    // `io` is taken only by `into_inner`, which consumes the driver.
    panic!("the driver's transport was taken")
}

/// Message-level operations, shared by every adapter.
impl<S: Transport<R>, R: Runtime> Driver<S, R> {
    /// The next message. Pings and pongs are handled on the way (the core answers pings); a clean
    /// close ends the stream (`None`), an unclean one yields [`Error::AbnormalClose`] first.
    pub fn poll_next_message(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<sansock_core::Message, Error>>> {
        // Messages are owned and may be kept: small reads are copied again, not lent.
        self.lends = false;
        loop {
            // A whole message buffered: straight from the core, no event around it (the hot
            // path of a receive loop).
            if !self.conn.needs_input() {
                match sansock_core::internal::poll_whole_message(&mut self.conn) {
                    Ok(Some(m)) => return Poll::Ready(Some(Ok(m))),
                    Ok(None) => {}
                    Err(e) => return Poll::Ready(Some(Err(self.protocol_error(cx, e)))),
                }
            }
            match self.next_core_event(cx) {
                Ok(Some(Event::Message(m))) => return Poll::Ready(Some(Ok(m))),
                Ok(Some(Event::Part(p))) => {
                    return Poll::Ready(Some(Err(Error::UnexpectedPart(p))));
                }
                Ok(Some(Event::Closed(c))) if !c.was_clean() => {
                    return Poll::Ready(Some(Err(Error::AbnormalClose(c))));
                }
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
            match ready!(self.poll_input(cx)) {
                Ok(true) => {}
                Ok(false) => return Poll::Ready(None),
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }

    /// The next event of any kind (messages, pings, pongs, the close), reading and waiting on
    /// deadlines as needed; `None` once the connection is over and the transport shut down.
    pub fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Event, Error>>> {
        Poll::Ready(ready!(self.poll_event_or_end(cx)).transpose())
    }

    /// Queues a message; call after `poll_writable` is ready.
    pub fn start_send(&mut self, message: &sansock_core::Message) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.send(message).map_err(send_error)
    }

    /// Queues a message without the extension's transform ([`Connection::send_uncompressed`]).
    pub fn start_send_uncompressed(
        &mut self,
        message: &sansock_core::Message,
    ) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.send_uncompressed(message).map_err(send_error)
    }

    /// Queues a prepared message ([`Connection::send_prepared`]: its frame shared, not copied,
    /// where the connection allows).
    pub fn start_send_prepared(
        &mut self,
        prepared: &sansock_core::PreparedMessage,
    ) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.send_prepared(prepared).map_err(send_error)
    }

    /// Queues a message part as one fragment ([`Connection::send_part`]).
    pub fn start_send_part(&mut self, part: &sansock_core::MessagePart) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.send_part(part).map_err(send_error)
    }

    /// Queues a ping.
    pub fn start_ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        self.conn.ping(payload).map_err(Error::Send)
    }

    /// Receives until the connection is over, dropping messages and parts (a close under
    /// way); gives how it ended.
    ///
    /// # Errors
    /// [`Error::AbnormalClose`] when it ended without a closing handshake; protocol and I/O
    /// errors.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<Result<Closed, Error>> {
        loop {
            match ready!(self.poll_event_or_end(cx))? {
                Some(Event::Closed(c)) if !c.was_clean() => {
                    return Poll::Ready(Err(Error::AbnormalClose(c)));
                }
                Some(_) => {}
                None => {
                    return Poll::Ready(self.closed.clone().ok_or(Error::AlreadyClosed));
                }
            }
        }
    }

    /// Queues the close frame (once; later calls do nothing).
    pub fn start_close(
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
