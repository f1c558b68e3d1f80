//! The transmit queue: the bytes a connection wants written, in order.
//!
//! Frame headers and small payloads are copied into one buffer; a large payload the caller
//! already holds as [`Bytes`] (a server's message, which is never masked) is not copied but
//! spliced in as its own piece, to be written with the buffer's bytes by one vectored write.
//! What the connection decides to send is not here (that is `send.rs` and `receive.rs`).

use crate::frame::{MAX_HEADER_LEN, OpCode, write};
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use bytes::{Buf, Bytes};

/// Payloads at least this long are spliced in rather than copied.
pub(super) const SPLICE_MIN: usize = 8 << 10;

use super::RETAIN_CAPACITY;

/// The smallest buffer made, and the largest an idle connection keeps ([`Output::release`]):
/// the replies to one read of small messages fit, without growing and without a new
/// allocation per read.
const KEEP_SMALL: usize = 512;

/// The bytes waiting to be written: `buf[start..]`, with `spliced` payloads inserted at their
/// offsets.
#[derive(Debug, Default)]
pub(super) struct Output {
    /// Headers and copied payloads; `buf[..start]` is written already.
    buf: Vec<u8>,
    start: usize,
    /// Payloads not copied, each with the position in `buf`'s byte stream (counted from the
    /// connection's first byte out) that it follows.
    spliced: VecDeque<(u64, Bytes)>,
    /// How many bytes of `buf` have been written since the connection began (the position of
    /// `buf[start]`).
    written: u64,
    /// The total length of `spliced`.
    spliced_len: usize,
    /// How many bytes, of every piece, have been written since the connection began.
    sent: u64,
    /// How many frames have been queued since the connection began.
    frames: u64,
}

impl Output {
    /// Appends a frame, copying (and masking) its payload.
    pub(super) fn frame(
        &mut self,
        fin: bool,
        rsv: u8,
        opcode: OpCode,
        payload: &[u8],
        mask: Option<[u8; 4]>,
    ) {
        let header = write::header_for(fin, rsv, opcode, mask, payload.len());
        self.frames += 1;
        self.make_room(payload.len());
        write::put_frame(&mut self.buf, &header, payload);
    }

    /// Makes room for a header and `more` bytes after it.
    fn make_room(&mut self, more: usize) {
        // Written bytes are dropped once they are at least half the buffer: a queue that is
        // never quite empty does not grow without bound, and moving what is left pays for
        // itself.
        if self.start > 0 && self.start >= self.buf.len() - self.start {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let room = if self.buf.capacity() == 0 {
            KEEP_SMALL
        } else {
            0
        };
        self.buf.reserve((MAX_HEADER_LEN + more).max(room));
    }

    /// Appends an unmasked frame whose payload is already `Bytes`: a large one is spliced in,
    /// a small one copied.
    pub(super) fn frame_shared(&mut self, fin: bool, rsv: u8, opcode: OpCode, payload: &Bytes) {
        if payload.len() < SPLICE_MIN {
            return self.frame(fin, rsv, opcode, payload, None);
        }
        let header = write::header_for(fin, rsv, opcode, None, payload.len());
        self.frames += 1;
        self.make_room(0);
        write::put_header(&mut self.buf, &header);
        let at = self.written + (self.buf.len() - self.start) as u64;
        self.spliced.push_back((at, payload.clone()));
        self.spliced_len += payload.len();
    }

    /// Appends a whole frame built elsewhere (a prepared message's): a large one spliced in,
    /// not copied; a small one copied (cheaper than a piece of its own: no reference count, and
    /// many small frames leave in one contiguous write).
    pub(super) fn frame_built(&mut self, frame: &Bytes) {
        self.frames += 1;
        if frame.len() < SPLICE_MIN {
            self.make_room(frame.len());
            self.buf.extend_from_slice(frame);
            return;
        }
        let at = self.written + (self.buf.len() - self.start) as u64;
        self.spliced.push_back((at, frame.clone()));
        self.spliced_len += frame.len();
    }

    /// Whether nothing waits to be written.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.start == self.buf.len() && self.spliced.is_empty()
    }

    /// How many bytes wait to be written, in all pieces.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.buf.len() - self.start + self.spliced_len
    }

    /// How many bytes have been written since the connection began.
    #[inline]
    pub(super) fn sent(&self) -> u64 {
        self.sent
    }

    /// How many frames have been queued since the connection began.
    #[inline]
    pub(super) fn frames(&self) -> u64 {
        self.frames
    }

    /// The position, counted like [`sent`](Self::sent), just past the last byte queued.
    #[inline]
    pub(super) fn end(&self) -> u64 {
        self.sent + self.len() as u64
    }

    /// The buffer capacity held.
    pub(super) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The first piece to write (empty when nothing waits).
    #[inline]
    pub(super) fn front(&self) -> &[u8] {
        let unwritten = &self.buf[self.start..];
        match self.spliced.front() {
            None => unwritten,
            Some((at, payload)) => match (at - self.written) as usize {
                0 => payload,
                n => &unwritten[..n],
            },
        }
    }

    /// Every piece to write, in order (none empty).
    pub(super) fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let unwritten = &self.buf[self.start..];
        let mut from = 0;
        let spliced = self.spliced.iter().flat_map(move |(at, payload)| {
            let to = (at - self.written) as usize;
            let before = &unwritten[from..to];
            from = to;
            [before, &payload[..]]
        });
        // The buffer's bytes after the last spliced payload.
        let last = self
            .spliced
            .back()
            .map_or(0, |(at, _)| (at - self.written) as usize);
        spliced
            .chain(core::iter::once(&unwritten[last..]))
            .filter(|piece| !piece.is_empty())
    }

    /// `n` bytes were written, from the front.
    pub(super) fn advance(&mut self, mut n: usize) {
        self.sent += n.min(self.len()) as u64;
        while n > 0 {
            let Some((at, payload)) = self.spliced.front_mut() else {
                let take = n.min(self.buf.len() - self.start);
                self.consume_buf(take);
                break;
            };
            let before = (*at - self.written) as usize;
            if before > 0 {
                let take = n.min(before);
                self.consume_buf(take);
                n -= take;
                continue;
            }
            let take = n.min(payload.len());
            payload.advance(take);
            self.spliced_len -= take;
            n -= take;
            if payload.is_empty() {
                self.spliced.pop_front();
            }
        }
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > RETAIN_CAPACITY {
                self.buf = Vec::new();
            }
        }
    }

    fn consume_buf(&mut self, n: usize) {
        self.start += n;
        self.written += n as u64;
    }

    /// Frees the buffers if nothing waits (a small one is kept).
    pub(super) fn release(&mut self) {
        if self.is_empty() {
            if self.spliced.capacity() > 0 {
                self.spliced = VecDeque::new();
            }
            if self.buf.capacity() > KEEP_SMALL {
                self.buf = Vec::new();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::write_frame;
    use bytes::BytesMut;

    fn drain_by(out: &mut Output, step: usize) -> Vec<u8> {
        let mut all = Vec::new();
        while !out.is_empty() {
            let piece = out.front();
            let n = piece.len().min(step);
            all.extend_from_slice(&piece[..n]);
            out.advance(n);
        }
        all
    }

    fn sample() -> (Output, Vec<u8>) {
        let mut out = Output::default();
        let mut expected = BytesMut::new();
        let big = Bytes::from(alloc::vec![7u8; SPLICE_MIN + 3]);
        let small = Bytes::from_static(b"small");
        for (i, payload) in [&small, &big, &big, &small, &big].into_iter().enumerate() {
            let op = if i % 2 == 0 {
                OpCode::Text
            } else {
                OpCode::Binary
            };
            out.frame_shared(true, 0, op, payload);
            write_frame(&mut expected, true, 0, op, payload, None);
        }
        (out, expected.to_vec())
    }

    #[test]
    fn pieces_and_fronts_give_the_frames_in_order() {
        let (out, expected) = sample();
        assert_eq!(out.len(), expected.len());
        let joined: Vec<u8> = out.pieces().flatten().copied().collect();
        assert_eq!(joined, expected);
        // Three payloads, each after a run of the buffer's bytes (the last run is empty).
        assert_eq!(out.pieces().count(), 6);
        for step in [1, 2, 3, 7, 100, SPLICE_MIN, usize::MAX] {
            let (mut out, expected) = sample();
            assert_eq!(drain_by(&mut out, step), expected, "step {step}");
            assert_eq!(out.len(), 0);
        }
    }

    #[test]
    fn advancing_across_pieces_at_once() {
        let (mut out, expected) = sample();
        let mut got = Vec::new();
        // Write whatever a vectored write would take, 5000 bytes at a time.
        while !out.is_empty() {
            let all: Vec<u8> = out.pieces().flatten().copied().collect();
            let n = all.len().min(5000);
            got.extend_from_slice(&all[..n]);
            out.advance(n);
            assert_eq!(out.len(), all.len() - n);
        }
        assert_eq!(got, expected);
        out.release();
        assert!(out.capacity() <= KEEP_SMALL);
    }

    #[test]
    fn small_payloads_are_copied() {
        let mut out = Output::default();
        out.frame_shared(
            true,
            0,
            OpCode::Binary,
            &Bytes::from(alloc::vec![1u8; SPLICE_MIN - 1]),
        );
        assert_eq!(out.pieces().count(), 1);
        assert_eq!(out.front().len(), out.len());
    }

    #[test]
    fn a_queue_that_never_empties_stays_bounded() {
        let mut out = Output::default();
        out.frame(true, 0, OpCode::Binary, &[1; 100], None);
        for _ in 0..10_000 {
            // One frame in, a little less than one frame out: always a frame or two waiting.
            out.frame(true, 0, OpCode::Binary, &[1; 100], None);
            let n = out.front().len().min(101);
            out.advance(n);
        }
        assert!(out.len() < 400 * 102, "{}", out.len());
        assert!(
            out.capacity() <= 4 * out.len().max(1024),
            "{}",
            out.capacity()
        );
    }
}
