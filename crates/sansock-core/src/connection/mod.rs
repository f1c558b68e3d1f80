//! An open WebSocket connection: the state machine after the opening handshake.
//!
//! [`Connection`] does no I/O and reads no clock. The caller feeds it bytes and the time, takes
//! the bytes it wants written, and polls its events and its next deadline. Its methods come in
//! four groups, in this order: getters; `handle_*` inputs; commands (`send_*`, `ping`, `close`);
//! `poll_*` and `transmit` outputs. Receiving lives in `receive.rs`, sending in `send.rs`.

mod charges;
mod input;
mod output;
mod pong;
mod receive;
mod send;
mod stats;

pub use input::Input;
pub use stats::Stats;

use crate::entropy::Entropy;
use crate::event::{Closed, Ending, Event, Initiator};
use crate::extension::Extension;
use crate::utf8::Utf8Validator;
use crate::{CloseCode, ConnectionConfig, MessageKind, Timestamp, Utf8Bytes};
use alloc::boxed::Box;
use alloc::vec::Vec;
use bytes::BytesMut;

/// Which end of the connection this is. Clients mask what they send; servers must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The end that sent the opening handshake request.
    Client,
    /// The end that answered it.
    Server,
}

/// Where the connection is in its life.
///
/// The opening handshake (the "connecting" state) is not a `Connection` yet: it is the
/// [`ServerHandshake`](crate::ServerHandshake) / [`ClientHandshake`](crate::ClientHandshake)
/// typestate that produces one.
///
/// ```text
///            close() sent                 peer's close received
///   Open ───────────────────▶ ClosingLocal ─────────────────────┐
///    │                                                           ▼
///    │ peer's close received, echo queued       echo written  Closed ──▶ is_finished()
///    └────────────────────────▶ ClosingRemote ───────────────────▲
///   (a protocol error queues a close and goes to ClosingLocal; EOF or a timeout goes to Closed)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Messages flow both ways.
    Open,
    /// We sent (or queued) a close frame and wait for the peer's.
    ClosingLocal,
    /// The peer sent a close frame; our echo is queued but not yet written.
    ClosingRemote,
    /// The closing handshake is over (or the connection failed, or the transport ended).
    Closed,
}

/// Buffers larger than this are released once empty, so idle connections stay small.
const RETAIN_CAPACITY: usize = 64 << 10;
/// The smallest spare room [`Connection::receive_buffer`] offers for a read.
const MIN_READ: usize = 4 << 10;
/// The most room it offers while a frame goes out in parts: what one part can be.
const MAX_PART_READ: usize = 1 << 20;

/// An open WebSocket connection, as a pure state machine.
///
/// The run loop: after every input (`handle_bytes`, `handle_eof`, `handle_timeout`) and command,
/// drain [`poll_event`](Self::poll_event) until `Ok(None)`, write out
/// [`transmit`](Self::transmit), and sleep until [`poll_timeout`](Self::poll_timeout) or more
/// input. When [`is_finished`](Self::is_finished), close the transport.
///
/// ```
/// # use sansock_core::*;
/// # let (mut client, mut server) = sansock_core::testing::pair(ConnectionConfig::default());
/// let now = Timestamp::ZERO;
/// client.send("hello").unwrap();
/// server.handle_bytes(now, client.transmit());
/// let n = client.transmit().len();
/// client.advance_transmit(n);
/// match server.poll_event() {
///     Ok(Some(Event::Message(Message::Text(t)))) => assert_eq!(t, "hello"),
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(server.poll_event(), Ok(None));
/// ```
pub struct Connection {
    role: Role,
    config: ConnectionConfig,
    /// Received bytes not yet consumed; the current frame's payload starts at index 0 once its
    /// header has been parsed.
    recv: BytesMut,
    /// `recv` is a buffer the caller handed over ([`Input::Owned`](crate::Input::Owned)) and may share
    /// an allocation with the caller's read buffer: it is moved to one of our own before it
    /// grows or waits.
    recv_adopted: bool,
    /// Bytes to write to the transport.
    out: output::Output,
    /// The frame being received, after its header.
    frame: Option<receive::InFrame>,
    /// The fragmented message being assembled, if any.
    assembly: Option<receive::Assembly>,
    /// Reused storage for assembled messages.
    assembly_buf: BytesMut,
    /// Bytes of the message being received already handed out in parts.
    parted_len: usize,
    /// Validates the text message being received.
    recv_utf8: Utf8Validator,
    /// The message being sent in parts with `send_part`, if any.
    sending: Option<MessageKind>,
    /// Validates the text fragments being sent.
    send_utf8: Utf8Validator,
    /// Scratch for extension output when sending.
    scratch: Vec<u8>,
    extension: Option<Box<dyn Extension>>,
    entropy: Option<Box<dyn Entropy>>,
    /// The terminal event, waiting to be polled.
    pending: Option<Event>,
    close_queued: bool,
    close_received: bool,
    initiator: Initiator,
    failed: bool,
    eof: bool,
    /// The transport is done: EOF seen or a deadline passed.
    ended: bool,
    now: Timestamp,
    last_recv: Timestamp,
    keepalive_ping_sent: bool,
    close_deadline: Option<Timestamp>,
    /// Where the last pong queued ends in the output (see `pong.rs`).
    pong_end: u64,
    /// The most recent ping not answered yet, while the output is backed up.
    pong_slot: Option<Box<pong::PongSlot>>,
    /// Bytes charged to `config.memory_budget` for the message under way.
    charged: usize,
    /// Bytes charged to `config.memory_budget` for queued output.
    out_charged: usize,
    /// Live counters (see `stats.rs`).
    counters: stats::Counters,
    /// `recv.len()` when the buffer was lent (`take_receive_buffer`): what is past it is new.
    recv_mark: usize,
    /// The receive buffer is lent out (`take_receive_buffer`) until `handle_bytes` brings it
    /// back.
    recv_lent: bool,
}

impl Drop for Connection {
    fn drop(&mut self) {
        let held = self.charged + self.out_charged;
        if let Some(budget) = self.config.memory_budget.as_ref().filter(|_| held > 0) {
            budget.give_back(held);
        }
    }
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("state", &self.state())
            .field("buffered_in", &self.recv.len())
            .field("buffered_out", &self.out.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A server's connection in the `Open` state, starting at `now`.
    ///
    /// Handshakes create connections for you; use this directly only when the handshake happened
    /// elsewhere (for example over HTTP/2, RFC 8441).
    pub fn server(
        config: ConnectionConfig,
        now: Timestamp,
        extension: Option<Box<dyn Extension>>,
    ) -> Connection {
        Self::open(Role::Server, config, now, None, extension)
    }

    /// A client's connection in the `Open` state, starting at `now`, with `entropy` for the
    /// masking keys (RFC 6455 §5.3: a client masks every frame with a fresh key).
    pub fn client(
        config: ConnectionConfig,
        now: Timestamp,
        entropy: Box<dyn Entropy>,
        extension: Option<Box<dyn Extension>>,
    ) -> Connection {
        Self::open(Role::Client, config, now, Some(entropy), extension)
    }

    /// A connection of `role`: a client always has `entropy`, a server never.
    pub(crate) fn open(
        role: Role,
        config: ConnectionConfig,
        now: Timestamp,
        entropy: Option<Box<dyn Entropy>>,
        extension: Option<Box<dyn Extension>>,
    ) -> Connection {
        Connection {
            role,
            config,
            recv: BytesMut::new(),
            recv_adopted: false,
            out: output::Output::default(),
            frame: None,
            assembly: None,
            assembly_buf: BytesMut::new(),
            parted_len: 0,
            recv_utf8: Utf8Validator::new(),
            sending: None,
            send_utf8: Utf8Validator::new(),
            scratch: Vec::new(),
            extension,
            entropy: if role == Role::Client { entropy } else { None },
            pending: None,
            close_queued: false,
            close_received: false,
            initiator: Initiator::Neither,
            failed: false,
            eof: false,
            ended: false,
            now,
            last_recv: now,
            keepalive_ping_sent: false,
            close_deadline: None,
            pong_end: 0,
            pong_slot: None,
            charged: 0,
            out_charged: 0,
            counters: stats::Counters::default(),
            recv_mark: 0,
            recv_lent: false,
        }
    }

    // ---- getters ----

    /// This end's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The configuration the connection runs with (for the harness and `internal`).
    pub(crate) fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Where the connection is in its life.
    #[inline]
    pub fn state(&self) -> State {
        let flushed = self.out.is_empty();
        if self.ended || (self.close_queued && (self.close_received || self.failed) && flushed) {
            State::Closed
        } else if self.close_received {
            State::ClosingRemote
        } else if self.close_queued {
            State::ClosingLocal
        } else {
            State::Open
        }
    }

    /// Whether the connection is over: close the transport and drop the connection.
    ///
    /// True once the transport ended or a deadline passed; or once the closing handshake is done
    /// and written out, for a server (which closes the TCP connection first, RFC 6455 §7.1.1) or
    /// after a protocol error. A client waits for the server to close, at most `close_timeout`.
    #[inline]
    pub fn is_finished(&self) -> bool {
        self.ended
            || (self.out.is_empty()
                && self.close_queued
                && (self.failed || (self.close_received && self.role == Role::Server)))
    }

    /// The bytes of buffer capacity the connection holds (receive, assembly, transmit and
    /// scratch buffers): its memory cost beyond its fixed size.
    pub fn buffer_capacity(&self) -> usize {
        self.recv.capacity()
            + self.assembly_buf.capacity()
            + self.out.capacity()
            + self.scratch.capacity()
    }

    /// Whether no input is buffered and no frame is half received: the next bytes start a new
    /// frame. An adapter may then read into a buffer of its own and give the bytes to
    /// [`handle_bytes`](Self::handle_bytes), so that an idle connection holds no read buffer.
    #[inline]
    pub fn is_input_idle(&self) -> bool {
        self.recv.is_empty() && self.frame.is_none() && self.assembly.is_none()
    }

    /// Whether the next [`poll_event`](Self::poll_event) gives a message (or the terminal
    /// event) without more input: an event waits, or the next buffered frame is a whole data
    /// frame that ends its message. Not a promise that the message is valid. A driver that
    /// leaves a reply's write to the caller's next receive does so only then: the caller is in
    /// the middle of a batch of messages that already came.
    #[inline]
    pub fn message_ready(&self) -> bool {
        if self.pending.is_some() {
            return true;
        }
        if self.frame.is_some() || !self.is_receiving() {
            return false;
        }
        whole_final_data_frame(&self.recv)
    }

    /// Whether [`poll_event`](Self::poll_event) and
    /// [`poll_event_into`](Self::poll_event_into) have nothing to give until more input
    /// arrives: nothing buffered, no frame under way, no event waiting, the stream not ended. A
    /// driver may then go straight to reading (the common case on every wake-up).
    #[inline]
    pub fn needs_input(&self) -> bool {
        self.pending.is_none()
            && self.recv.is_empty()
            && self.frame.is_none()
            && !self.eof
            && self.is_receiving()
    }

    /// Frees the receive, assembly and transmit buffers when they are empty, so a connection
    /// that waits for input holds none but a transmit buffer of at most 512 bytes, which the
    /// replies to small messages reuse (the others are made again when needed, at the cost of
    /// an allocation). Call before waiting for input; does nothing to buffers in use.
    pub fn release_buffers(&mut self) {
        // Even at capacity 0 an emptied buffer may still hold its allocation (shared with the
        // messages handed out of it, and reclaimed by its next `reserve`): let it go.
        if self.recv.is_empty() {
            self.recv = BytesMut::new();
            self.recv_adopted = false;
        } else if self.recv_adopted {
            self.own_receive_buffer(0);
        }
        if self.assembly.is_none() && self.assembly_buf.capacity() > 0 {
            self.assembly_buf = BytesMut::new();
        }
        self.out.release();
        if self.scratch.capacity() > 0 {
            self.scratch = Vec::new();
        }
    }

    /// The terminal [`Event::Closed`] of an unclean end (a timeout, the transport's end) while
    /// it waits to be polled: for a caller blocked on writing, which polls no events.
    pub fn pending_closed(&self) -> Option<&Closed> {
        match &self.pending {
            Some(Event::Closed(closed)) => Some(closed),
            _ => None,
        }
    }

    /// Whether a negotiated extension is active.
    pub fn has_extension(&self) -> bool {
        self.extension.is_some()
    }

    // ---- inputs ----

    /// Bytes received from the transport: a slice (copied in), a buffer of the caller's that
    /// the connection may keep, or the buffer [`take_receive_buffer`](Self::take_receive_buffer)
    /// lent, given back with what was read into it (see [`Input`]). Call
    /// [`poll_event`](Self::poll_event) until it returns `Ok(None)` afterwards: parsing happens
    /// there. `now` is read only when there are new bytes.
    #[inline]
    pub fn handle_bytes<'a>(&mut self, now: Timestamp, bytes: impl Into<Input<'a>>) {
        match bytes.into() {
            Input::Borrowed(bytes) => self.handle_slice(now, bytes),
            Input::Owned(bytes) => self.handle_buffer(now, bytes),
        }
    }

    fn handle_slice(&mut self, now: Timestamp, bytes: &[u8]) {
        if self.is_receiving() && !bytes.is_empty() {
            if self.recv_adopted {
                self.own_receive_buffer(bytes.len());
            }
            self.recv.extend_from_slice(bytes);
            self.counters.bytes_in += bytes.len() as u64;
            self.note_received(now);
        }
    }

    #[inline]
    fn handle_buffer(&mut self, now: Timestamp, bytes: BytesMut) {
        if core::mem::take(&mut self.recv_lent) {
            return self.take_back(now, bytes);
        }
        if !self.is_receiving() || bytes.is_empty() {
            return;
        }
        if !self.recv.is_empty() {
            return self.handle_slice(now, &bytes);
        }
        self.counters.bytes_in += bytes.len() as u64;
        self.recv = bytes;
        self.recv_adopted = true;
        self.note_received(now);
    }

    /// Moves the buffered input into a buffer of the connection's own, with room for
    /// `additional` bytes more.
    fn own_receive_buffer(&mut self, additional: usize) {
        let mut own = BytesMut::with_capacity(self.recv.len() + additional);
        own.extend_from_slice(&self.recv);
        self.recv = own;
        self.recv_adopted = false;
    }

    /// The connection's own receive buffer, lent out to read into without a copy (the way in
    /// for a transport that reads into a `BytesMut`, or owns the buffer while it reads, as
    /// io_uring does). It has room for the next read; the bytes already in it are the start of
    /// a frame and stay as they are. Append what the transport reads and give it back with
    /// [`handle_bytes`](Self::handle_bytes) — also when the read brought nothing — before
    /// any other bytes are given. While it is lent the connection takes no other bytes, but
    /// sends, timeouts and polls go on (a read in flight on io_uring holds it until it
    /// completes).
    ///
    /// ```
    /// # use sansock_core::{Connection, ConnectionConfig, Timestamp};
    /// # let mut conn = Connection::server(ConnectionConfig::default(), Timestamp::ZERO, None);
    /// let mut buf = conn.take_receive_buffer();
    /// buf.extend_from_slice(&[0x89, 0x80, 1, 2, 3, 4]); // what a read brought: a masked ping
    /// conn.handle_bytes(Timestamp::ZERO, buf);
    /// assert!(matches!(conn.poll_event(), Ok(Some(sansock_core::Event::Ping(_)))));
    /// ```
    pub fn take_receive_buffer(&mut self) -> BytesMut {
        let wanted = match &self.frame {
            // Room for the rest of the frame, but past 64 KiB never more than four times what
            // the peer has already sent of it: large frames take few reads and few copies as
            // the buffer grows, and a peer that announces a huge frame gets little reserved
            // that it has not paid for in bytes. A frame that goes out in parts needs no more
            // than a read's worth, at most `MAX_PART_READ`.
            Some(f) => {
                let paid = 4 * (self.recv.len() + f.taken);
                let most = if f.streams {
                    paid.min(MAX_PART_READ)
                } else {
                    paid
                };
                (f.len - self.recv.len().min(f.len)).clamp(MIN_READ, RETAIN_CAPACITY.max(most))
            }
            None => MIN_READ,
        };
        if self.recv_adopted {
            // A read window as large as the one the bytes came in: reads stay large while
            // frames keep coming back to back (pipelining), as they would have in the caller's
            // buffer.
            let len = self.recv.len();
            self.own_receive_buffer(wanted.max(RETAIN_CAPACITY.saturating_sub(len)));
        }
        self.recv.reserve(wanted);
        self.recv_mark = self.recv.len();
        self.recv_lent = true;
        core::mem::take(&mut self.recv)
    }

    /// The lent receive buffer is back, with what was read into it at `now`.
    #[inline]
    fn take_back(&mut self, now: Timestamp, bytes: BytesMut) {
        let fresh = bytes.len().saturating_sub(self.recv_mark);
        self.recv = bytes;
        self.recv_mark = 0;
        if !self.is_receiving() {
            self.recv.clear();
        } else if fresh > 0 {
            self.counters.bytes_in += fresh as u64;
            self.note_received(now);
        }
    }

    /// The transport's read side ended. Events still buffered are reported first; then, if no
    /// close frame came, [`Event::Closed`] with code 1006.
    pub fn handle_eof(&mut self, now: Timestamp) {
        self.now = now;
        self.eof = true;
        if self.close_received || self.failed || self.ended {
            self.ended = true;
        }
    }

    /// The time is `now`: fire whatever deadline has passed (keepalive ping, idle timeout, close
    /// timeout). Call when [`poll_timeout`](Self::poll_timeout)'s instant arrives.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.now = now;
        if self.ended {
            return;
        }
        if let Some(deadline) = self.close_deadline {
            if now >= deadline {
                self.ended = true;
                if !self.close_received && !self.failed {
                    self.finish_with(CloseCode::ABNORMAL, Ending::CloseTimedOut);
                }
            }
            return;
        }
        if let Some(idle) = self.config.idle_timeout {
            if now >= self.last_recv + idle {
                self.ended = true;
                self.finish_with(CloseCode::ABNORMAL, Ending::IdleTimedOut);
                return;
            }
        }
        if let Some(interval) = self.config.keepalive_interval {
            if !self.keepalive_ping_sent && now >= self.last_recv + interval {
                self.keepalive_ping_sent = true;
                self.note_ping_sent(b"");
                let mask = self.next_mask();
                self.out
                    .frame(true, 0, crate::frame::OpCode::Ping, b"", mask);
            }
        }
    }

    // ---- outputs ----

    /// The next deadline, if any: call [`handle_timeout`](Self::handle_timeout) then.
    #[must_use = "call handle_timeout when this instant arrives"]
    #[inline]
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if self.ended || self.pending.is_some() {
            return None;
        }
        if self.close_deadline.is_some() {
            return self.close_deadline;
        }
        let idle = self.config.idle_timeout.map(|d| self.last_recv + d);
        let ping = match self.config.keepalive_interval {
            Some(d) if !self.keepalive_ping_sent => Some(self.last_recv + d),
            _ => None,
        };
        match (idle, ping) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next bytes to write to the transport (empty when nothing waits). After writing
    /// some, call [`advance_transmit`](Self::advance_transmit), and go on until this is empty:
    /// the output can be in several pieces, because a large payload given as `Bytes` (a
    /// server's [`send`](Self::send) of a message of 8 KiB or more) is not copied but follows
    /// its header as a piece of its own. [`transmit_pieces`](Self::transmit_pieces) gives them
    /// all, for one vectored write.
    #[must_use = "write these bytes to the transport"]
    #[inline]
    pub fn transmit(&self) -> &[u8] {
        self.out.front()
    }

    /// Everything waiting to be written, in order, as the pieces it is held in (none empty):
    /// the slices of one vectored write (`writev`). Then call
    /// [`advance_transmit`](Self::advance_transmit) with how much was written.
    ///
    /// ```
    /// # use sansock_core::*;
    /// # let (_client, mut server) = sansock_core::testing::pair(ConnectionConfig::default());
    /// server.send(&Message::Binary(vec![7u8; 1 << 20].into())).unwrap();
    /// server.send("and a short one").unwrap();
    /// let pieces: Vec<&[u8]> = server.transmit_pieces().collect();
    /// assert_eq!(pieces.len(), 3); // header, the payload itself (not copied), the next frame
    /// assert_eq!(pieces.iter().map(|p| p.len()).sum::<usize>(), server.transmit_len());
    /// ```
    pub fn transmit_pieces(&self) -> impl Iterator<Item = &[u8]> {
        self.out.pieces()
    }

    /// How many bytes wait to be written, in all pieces.
    #[inline]
    pub fn transmit_len(&self) -> usize {
        self.out.len()
    }

    /// `n` bytes of the output were written (from [`transmit`](Self::transmit) or, across
    /// pieces, from [`transmit_pieces`](Self::transmit_pieces)).
    #[inline]
    pub fn advance_transmit(&mut self, n: usize) {
        self.out.advance(n);
        self.after_written();
    }

    // ---- shared helpers ----

    #[inline]
    fn is_receiving(&self) -> bool {
        !self.close_received && !self.failed && !self.ended
    }

    #[inline]
    fn note_received(&mut self, now: Timestamp) {
        self.now = now;
        self.last_recv = now;
        self.keepalive_ping_sent = false;
    }

    /// A fresh masking key for a client, none for a server.
    fn next_mask(&mut self) -> Option<[u8; 4]> {
        self.entropy.as_mut().map(|e| {
            let mut key = [0u8; 4];
            e.fill_bytes(&mut key);
            key
        })
    }

    /// Queues the terminal event for an unclean end.
    fn finish_with(&mut self, code: CloseCode, ending: Ending) {
        self.pending = Some(Event::Closed(Closed {
            code,
            reason: Utf8Bytes::default(),
            initiator: self.initiator,
            ending,
        }));
    }

    /// Starts (or restarts) the close deadline from now.
    fn arm_close_deadline(&mut self) {
        self.close_deadline = Some(self.now + self.config.close_timeout);
    }
}

/// Whether `buf` starts with a whole data frame (text, binary or continuation) with FIN set:
/// only the bytes that decide it are read, no header check (the receive path does those).
#[inline]
fn whole_final_data_frame(buf: &[u8]) -> bool {
    let [b0, b1, rest @ ..] = buf else {
        return false;
    };
    if b0 & 0x80 == 0 || b0 & 0x0F > 2 {
        return false;
    }
    let (len, rest) = match b1 & 0x7F {
        126 => match rest {
            [a, b, rest @ ..] => (u64::from(u16::from_be_bytes([*a, *b])), rest),
            _ => return false,
        },
        127 => match rest.split_first_chunk::<8>() {
            Some((n, rest)) => (u64::from_be_bytes(*n), rest),
            None => return false,
        },
        n => (u64::from(n), rest),
    };
    let mask = if b1 & 0x80 != 0 { 4 } else { 0 };
    rest.len() as u64 >= len.saturating_add(mask)
}

#[cfg(test)]
mod tests {
    use super::whole_final_data_frame as ready;
    use alloc::vec;

    #[test]
    fn a_whole_final_data_frame_is_told_from_the_rest() {
        assert!(ready(&[0x81, 2, b'h', b'i'])); // text, FIN
        assert!(ready(&[0x82, 0])); // empty binary
        assert!(ready(&[0x80, 1, 0, 0x81])); // final continuation (and more after it)
        assert!(!ready(&[0x81, 2, b'h'])); // payload cut
        assert!(!ready(&[0x01, 1, b'h'])); // not final
        assert!(!ready(&[0x89, 0])); // ping
        assert!(!ready(&[0x81])); // header cut
        assert!(!ready(&[]));
        // Masked: the key counts.
        assert!(ready(&[0x81, 0x81, 1, 2, 3, 4, b'x']));
        assert!(!ready(&[0x81, 0x81, 1, 2, 3, 4]));
        // 16- and 64-bit lengths.
        let mut long = vec![0x82, 126, 0x01, 0x00];
        long.resize(4 + 255, 0);
        assert!(!ready(&long));
        long.push(0);
        assert!(ready(&long));
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(!ready(&huge));
        assert!(!ready(&[0x82, 127, 0, 0])); // its length cut
    }
}
