//! The frame header (RFC 6455 §5.2): parsing from, and writing to, byte buffers.
//!
//! Parsing is stateless and allocation-free in the manner of `httparse`: it returns
//! `Ok(None)` until the whole header is there. It checks only what the header alone decides
//! (the 64-bit length's top bit); role, extension and size rules live in the connection.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! | Masking-key (continued)       |          Payload Data         |
//! +-------------------------------- - - - - - - - - - - - - - - - +
//! ```

use super::OpCode;
use crate::ProtocolError;

/// The largest header: 2 fixed bytes, an 8-byte length and a 4-byte masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// FIN: this is the last frame of its message.
    pub fin: bool,
    /// RSV1–RSV3 as the high bits of a byte (`0x40`, `0x20`, `0x10`), zero unless an extension
    /// uses them.
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, present on every client-to-server frame.
    pub mask: Option<[u8; 4]>,
    /// The payload length in bytes.
    pub payload_len: u64,
}

/// RSV1, the bit permessage-deflate uses.
pub const RSV1: u8 = 0x40;
/// RSV2.
pub const RSV2: u8 = 0x20;
/// RSV3.
pub const RSV3: u8 = 0x10;

impl FrameHeader {
    /// Parses a header from the start of `buf`.
    ///
    /// Returns `Ok(Some((header, header_len)))` once the whole header is in `buf`, `Ok(None)`
    /// while more bytes are needed. The payload follows at `buf[header_len..]`.
    ///
    /// # Errors
    /// [`ProtocolError::LengthTopBitSet`] or [`ProtocolError::NonMinimalLength`] for a header
    /// that is malformed whatever the context.
    ///
    /// ```
    /// use sansock_core::frame::{FrameHeader, OpCode};
    /// let (h, n) = FrameHeader::parse(&[0x81, 0x05, b'H']).unwrap().unwrap();
    /// assert_eq!((h.fin, h.opcode, h.payload_len, n), (true, OpCode::Text, 5, 2));
    /// assert_eq!(FrameHeader::parse(&[0x81]), Ok(None));
    /// ```
    pub fn parse(buf: &[u8]) -> Result<Option<(FrameHeader, usize)>, ProtocolError> {
        let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
            return Ok(None);
        };
        let masked = b1 & 0x80 != 0;
        let (payload_len, len_bytes) = match b1 & 0x7f {
            126 => match buf.get(2..4) {
                None => return Ok(None),
                Some(b) => {
                    let len = u64::from(u16::from_be_bytes([b[0], b[1]]));
                    if len < 126 {
                        return Err(ProtocolError::NonMinimalLength);
                    }
                    (len, 2)
                }
            },
            127 => match buf.get(2..10) {
                None => return Ok(None),
                Some(b) => {
                    let mut be = [0u8; 8];
                    be.copy_from_slice(b);
                    let len = u64::from_be_bytes(be);
                    if len >> 63 != 0 {
                        return Err(ProtocolError::LengthTopBitSet);
                    }
                    if len <= 0xffff {
                        return Err(ProtocolError::NonMinimalLength);
                    }
                    (len, 8)
                }
            },
            short => (u64::from(short), 0),
        };
        let mut header_len = 2 + len_bytes;
        let mask = if masked {
            let Some(k) = buf.get(header_len..header_len + 4) else {
                return Ok(None);
            };
            header_len += 4;
            Some([k[0], k[1], k[2], k[3]])
        } else {
            None
        };
        let header = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: b0 & 0x70,
            opcode: OpCode::from_bits(b0),
            mask,
            payload_len,
        };
        Ok(Some((header, header_len)))
    }

    /// Writes the header into `out`, using the shortest length encoding, and returns its length.
    ///
    /// ```
    /// use sansock_core::frame::{FrameHeader, OpCode, MAX_HEADER_LEN};
    /// let h = FrameHeader { fin: true, rsv: 0, opcode: OpCode::Binary, mask: None, payload_len: 256 };
    /// let mut out = [0u8; MAX_HEADER_LEN];
    /// let n = h.write(&mut out);
    /// assert_eq!(&out[..n], &[0x82, 0x7e, 0x01, 0x00]);
    /// ```
    pub fn write(&self, out: &mut [u8; MAX_HEADER_LEN]) -> usize {
        out[0] = (u8::from(self.fin) << 7) | (self.rsv & 0x70) | self.opcode.bits();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let mut n = match self.payload_len {
            len @ 0..=125 => {
                out[1] = mask_bit | len as u8;
                2
            }
            len @ 126..=0xffff => {
                out[1] = mask_bit | 126;
                out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                4
            }
            len => {
                out[1] = mask_bit | 127;
                out[2..10].copy_from_slice(&len.to_be_bytes());
                10
            }
        };
        if let Some(key) = self.mask {
            out[n..n + 4].copy_from_slice(&key);
            n += 4;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(h: FrameHeader) {
        let mut out = [0u8; MAX_HEADER_LEN];
        let n = h.write(&mut out);
        assert_eq!(FrameHeader::parse(&out[..n]), Ok(Some((h, n))));
        for cut in 0..n {
            assert_eq!(FrameHeader::parse(&out[..cut]), Ok(None), "prefix of {cut}");
        }
    }

    #[test]
    fn lengths_at_every_encoding_boundary_round_trip() {
        for len in [0, 1, 125, 126, 127, 128, 65535, 65536, u64::MAX >> 1] {
            for mask in [None, Some([1, 2, 3, 4])] {
                round_trip(FrameHeader {
                    fin: len % 2 == 0,
                    rsv: RSV1,
                    opcode: OpCode::Binary,
                    mask,
                    payload_len: len,
                });
            }
        }
    }

    #[test]
    fn top_bit_of_64_bit_length_is_an_error() {
        let buf = [0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            FrameHeader::parse(&buf),
            Err(ProtocolError::LengthTopBitSet)
        );
    }

    #[test]
    fn non_minimal_lengths_are_errors() {
        assert_eq!(
            FrameHeader::parse(&[0x82, 0x7e, 0x00, 0x7d]),
            Err(ProtocolError::NonMinimalLength)
        );
        assert_eq!(
            FrameHeader::parse(&[0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff]),
            Err(ProtocolError::NonMinimalLength)
        );
    }
}
