//! Writing frames: a header, then a payload copied and masked in place, appended to a buffer.
//!
//! One writer for every buffer a frame goes into (the public [`write_frame`]'s `BytesMut`, the
//! connection's transmit `Vec`). Making room and the transmit queue's splicing of large
//! payloads are the caller's (`connection/output.rs`); parsing is `header.rs`.

use super::{FrameHeader, MAX_HEADER_LEN, OpCode, apply_mask};
use alloc::vec::Vec;
use bytes::BytesMut;

/// A growable byte buffer a frame can be appended to (`Vec<u8>`, `BytesMut`).
pub(crate) trait FrameBuf: core::ops::DerefMut<Target = [u8]> {
    /// Appends `bytes`.
    fn append(&mut self, bytes: &[u8]);
    /// Shortens the buffer to `len` bytes.
    fn cut(&mut self, len: usize);
}

impl FrameBuf for Vec<u8> {
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn cut(&mut self, len: usize) {
        self.truncate(len);
    }
}

impl FrameBuf for BytesMut {
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn cut(&mut self, len: usize) {
        self.truncate(len);
    }
}

/// The header of a frame carrying `len` payload bytes.
pub(crate) fn header_for(
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    len: usize,
) -> FrameHeader {
    FrameHeader {
        fin,
        rsv,
        opcode,
        mask,
        payload_len: len as u64,
    }
}

/// Appends `header` (the caller has made room for at least [`MAX_HEADER_LEN`] bytes).
#[inline]
pub(crate) fn put_header(out: &mut impl FrameBuf, header: &FrameHeader) {
    let mut head = [0u8; MAX_HEADER_LEN];
    let n = header.write(&mut head);
    // All 14 bytes, then cut back: a copy of a fixed size is two moves, one of `n` bytes a call
    // to `memcpy` (measured: 8% of a small-message echo).
    let at = out.len();
    out.append(&head);
    out.cut(at + n);
}

/// Appends `header` and `payload`, masked with the header's key if it has one.
#[inline]
pub(crate) fn put_frame(out: &mut impl FrameBuf, header: &FrameHeader, payload: &[u8]) {
    put_header(out, header);
    let at = out.len();
    out.append(payload);
    if let Some(key) = header.mask {
        apply_mask(&mut out[at..], key, 0);
    }
}
