//! Frames on the wire (RFC 6455 §5): the header, opcodes, masking, and writing a whole frame.
//!
//! Everything here is stateless. What a sequence of frames means (messages, fragmentation,
//! control frames, closing) is the connection's job, in `crate::connection`.

mod header;
mod mask;
mod opcode;
pub(crate) mod write;

pub use header::{FrameHeader, MAX_HEADER_LEN, RSV1, RSV2, RSV3};
pub use mask::apply_mask;
pub use opcode::OpCode;

use bytes::BytesMut;

/// The largest payload of a control frame (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Appends one frame (header, then `payload`, masked with `mask` if given) to `out`.
///
/// The payload is copied once, into `out`, and masked there in place.
///
/// ```
/// use bytes::BytesMut;
/// use sansock_core::frame::{write_frame, OpCode};
/// let mut out = BytesMut::new();
/// write_frame(&mut out, true, 0, OpCode::Text, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d]));
/// assert_eq!(&out[..], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// ```
pub fn write_frame(
    out: &mut BytesMut,
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    let header = write::header_for(fin, rsv, opcode, mask, payload.len());
    out.reserve(MAX_HEADER_LEN + payload.len());
    write::put_frame(out, &header, payload);
}
