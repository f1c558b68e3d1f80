//! Frames on raw bytes, written for the tester alone (it must not share Sansock's bugs): encode
//! any frame — legal or not — and decode what the peer sends without judging it.

/// A frame as the tester writes it: any bits, any opcode, any length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// FIN.
    pub fin: bool,
    /// RSV1–3 as the low three bits (`0b100` is RSV1).
    pub rsv: u8,
    /// The 4-bit opcode.
    pub opcode: u8,
    /// The payload (unmasked).
    pub payload: Vec<u8>,
}

/// Opcodes.
pub mod op {
    /// Continuation.
    pub const CONT: u8 = 0x0;
    /// Text.
    pub const TEXT: u8 = 0x1;
    /// Binary.
    pub const BINARY: u8 = 0x2;
    /// Close.
    pub const CLOSE: u8 = 0x8;
    /// Ping.
    pub const PING: u8 = 0x9;
    /// Pong.
    pub const PONG: u8 = 0xA;
}

impl Frame {
    /// A final frame with no RSV bits.
    pub fn new(opcode: u8, payload: impl Into<Vec<u8>>) -> Self {
        Frame {
            fin: true,
            rsv: 0,
            opcode,
            payload: payload.into(),
        }
    }

    /// This frame with FIN set to `fin`.
    pub fn fin(mut self, fin: bool) -> Self {
        self.fin = fin;
        self
    }

    /// This frame with the RSV bits `rsv` (0–7).
    pub fn rsv(mut self, rsv: u8) -> Self {
        self.rsv = rsv & 7;
        self
    }

    /// The frame's bytes, masked with `mask` if given, length in the shortest form.
    pub fn encode(&self, mask: Option<[u8; 4]>) -> Vec<u8> {
        let len = self.payload.len();
        let mut out = Vec::with_capacity(len + 14);
        out.push(u8::from(self.fin) << 7 | (self.rsv & 7) << 4 | (self.opcode & 0xf));
        let m = if mask.is_some() { 0x80 } else { 0 };
        if len < 126 {
            out.push(m | len as u8);
        } else if len <= 0xffff {
            out.push(m | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            out.push(m | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
        match mask {
            Some(key) => {
                out.extend_from_slice(&key);
                out.extend(self.payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
            }
            None => out.extend_from_slice(&self.payload),
        }
        out
    }
}

/// A frame the peer sent, as it was on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The frame (payload unmasked).
    pub frame: Frame,
    /// Whether it was masked.
    pub masked: bool,
}

/// Takes one whole frame off the front of `buf`, if it is all there.
pub fn decode(buf: &mut Vec<u8>) -> Option<Received> {
    let (received, used) = decode_at(buf)?;
    buf.drain(..used);
    Some(received)
}

/// A frame's header as it came, payload not yet read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// FIN.
    pub fin: bool,
    /// RSV1–3 as the low three bits.
    pub rsv: u8,
    /// The 4-bit opcode.
    pub opcode: u8,
    /// The masking key, if masked.
    pub mask: Option<[u8; 4]>,
    /// The payload length (one past what this machine can hold never completes).
    pub len: usize,
    /// The header's own length in bytes (2 to 14).
    pub size: usize,
}

impl Header {
    /// Whether the length was written in more bytes than needed.
    pub fn length_not_minimal(&self) -> bool {
        match self.size - if self.mask.is_some() { 4 } else { 0 } {
            4 => self.len < 126,
            10 => self.len < 65536,
            _ => false,
        }
    }
}

/// The frame header at the start of `buf`, if it is all there.
pub fn header_at(buf: &[u8]) -> Option<Header> {
    let (b0, b1) = (*buf.first()?, *buf.get(1)?);
    let (len, mut size) = match b1 & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    let mask = if b1 & 0x80 != 0 {
        let key: [u8; 4] = buf.get(size..size + 4)?.try_into().ok()?;
        size += 4;
        Some(key)
    } else {
        None
    };
    Some(Header {
        fin: b0 & 0x80 != 0,
        rsv: (b0 >> 4) & 7,
        opcode: b0 & 0xf,
        mask,
        len: usize::try_from(len).unwrap_or(usize::MAX / 2),
        size,
    })
}

/// `header`'s payload, unmasked, from `buf` (which starts with the header).
pub fn payload_of(header: &Header, buf: &[u8]) -> Vec<u8> {
    let mut payload = buf[header.size..header.size + header.len].to_vec();
    if let Some(k) = header.mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= k[i % 4];
        }
    }
    payload
}

/// The whole frame at the start of `buf`, if it is all there, and how many bytes it took.
pub fn decode_at(buf: &[u8]) -> Option<(Received, usize)> {
    let h = header_at(buf)?;
    let end = h.size.checked_add(h.len)?;
    if buf.len() < end {
        return None;
    }
    let frame = Frame {
        fin: h.fin,
        rsv: h.rsv,
        opcode: h.opcode,
        payload: payload_of(&h, buf),
    };
    Some((
        Received {
            frame,
            masked: h.mask.is_some(),
        },
        end,
    ))
}

/// A close frame's payload: the code (big-endian) and the reason.
pub fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_examples_encode_and_decode() {
        let f = Frame::new(op::TEXT, &b"Hello"[..]);
        let masked = f.encode(Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(
            masked,
            [
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
            ]
        );
        let mut buf = masked.clone();
        buf.push(0xff);
        let r = decode(&mut buf).unwrap();
        assert_eq!((r.frame, r.masked, buf), (f, true, vec![0xff]));
        let big = Frame::new(op::BINARY, vec![7u8; 65536]);
        let mut bytes = big.encode(None);
        assert_eq!(&bytes[..10], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(decode(&mut bytes[..5].to_vec()), None);
        assert_eq!(decode(&mut bytes).unwrap().frame, big);
    }
}
