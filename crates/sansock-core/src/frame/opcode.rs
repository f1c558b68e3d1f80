//! Frame opcodes (RFC 6455 §5.2, §11.8): which are data, which are control, which are reserved.

/// The 4-bit opcode of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// `0x0`: continues a fragmented message.
    Continuation,
    /// `0x1`: the first frame of a text message.
    Text,
    /// `0x2`: the first frame of a binary message.
    Binary,
    /// `0x8`: close.
    Close,
    /// `0x9`: ping.
    Ping,
    /// `0xA`: pong.
    Pong,
    /// `0x3`–`0x7` and `0xB`–`0xF`: reserved; receiving one fails the connection.
    Reserved(u8),
}

impl OpCode {
    /// The opcode in the low four bits of `bits`.
    pub const fn from_bits(bits: u8) -> OpCode {
        match bits & 0x0f {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xa => OpCode::Pong,
            other => OpCode::Reserved(other),
        }
    }

    /// The 4-bit wire value.
    pub const fn bits(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xa,
            OpCode::Reserved(b) => b & 0x0f,
        }
    }

    /// Control opcodes have the high bit set (`0x8`–`0xF`).
    pub const fn is_control(self) -> bool {
        self.bits() & 0x08 != 0
    }

    /// Reserved opcodes have no meaning without an extension that defines them.
    pub const fn is_reserved(self) -> bool {
        matches!(self, OpCode::Reserved(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nibble_round_trips_and_classifies() {
        for b in 0u8..16 {
            let op = OpCode::from_bits(b);
            assert_eq!(op.bits(), b);
            assert_eq!(op.is_control(), b >= 8);
            assert_eq!(op.is_reserved(), matches!(b, 3..=7 | 0xb..=0xf));
        }
    }
}
