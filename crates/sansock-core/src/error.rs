//! Errors of an open connection, split by whose fault they are.
//!
//! [`ProtocolError`]: the peer broke RFC 6455 (or a limit); the connection has already queued the
//! close frame with [`ProtocolError::close_code`]. [`SendError`]: the application asked for
//! something illegal; nothing changed. Handshake errors live in `crate::handshake`.

use crate::CloseCode;

/// The peer broke the protocol or a configured limit. The close frame carrying
/// [`close_code`](Self::close_code) is already queued for sending; the connection is failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A 64-bit payload length with its top bit set.
    LengthTopBitSet,
    /// A payload length written in more bytes than needed.
    NonMinimalLength,
    /// A client sent an unmasked frame (a server must reject it).
    UnmaskedFrame,
    /// A server sent a masked frame (a client must reject it).
    MaskedFrame,
    /// RSV bits set that no negotiated extension claims, or on a frame that may not carry them.
    ReservedBits,
    /// A reserved opcode.
    ReservedOpcode(u8),
    /// A control frame with more than 125 payload bytes.
    ControlFrameTooLong,
    /// A control frame without FIN.
    FragmentedControlFrame,
    /// A continuation frame with no message in progress.
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is in progress.
    ExpectedContinuation,
    /// A frame larger than `max_frame_size`.
    FrameTooBig,
    /// A message larger than `max_message_size`.
    MessageTooBig,
    /// A message in more frames than `max_fragments`.
    TooManyFragments,
    /// A text message (or close reason) that is not UTF-8.
    InvalidUtf8,
    /// A close frame with a 1-byte payload.
    CloseWithOneByte,
    /// A close frame with a code that may not appear on the wire.
    InvalidCloseCode,
    /// A large message arrived while the connections' shared [`MemoryBudget`](crate::MemoryBudget)
    /// was spent: refused with 1013 (Try Again Later), not the peer's fault as such.
    OverBudget,
    /// A negotiated extension rejected the data (for example, corrupt compressed data).
    Extension {
        /// The code the connection closes with.
        code: CloseCode,
        /// What the extension said.
        reason: &'static str,
    },
}

impl ProtocolError {
    /// The close code sent to the peer for this error.
    pub fn close_code(&self) -> CloseCode {
        match self {
            ProtocolError::FrameTooBig | ProtocolError::MessageTooBig => CloseCode::MESSAGE_TOO_BIG,
            ProtocolError::InvalidUtf8 => CloseCode::INVALID_PAYLOAD,
            ProtocolError::OverBudget => CloseCode::TRY_AGAIN_LATER,
            ProtocolError::TooManyFragments => CloseCode::POLICY_VIOLATION,
            ProtocolError::Extension { code, .. } => *code,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl core::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = match self {
            ProtocolError::LengthTopBitSet => "64-bit payload length with the top bit set",
            ProtocolError::NonMinimalLength => "payload length not minimally encoded",
            ProtocolError::UnmaskedFrame => "unmasked frame from a client",
            ProtocolError::MaskedFrame => "masked frame from a server",
            ProtocolError::ReservedBits => "reserved bits set without an extension claiming them",
            ProtocolError::ReservedOpcode(op) => return write!(f, "reserved opcode {op:#x}"),
            ProtocolError::ControlFrameTooLong => "control frame payload over 125 bytes",
            ProtocolError::FragmentedControlFrame => "fragmented control frame",
            ProtocolError::UnexpectedContinuation => "continuation frame without a message",
            ProtocolError::ExpectedContinuation => "new message inside a fragmented message",
            ProtocolError::FrameTooBig => "frame over the size limit",
            ProtocolError::MessageTooBig => "message over the size limit",
            ProtocolError::TooManyFragments => "message in more frames than the limit",
            ProtocolError::InvalidUtf8 => "invalid UTF-8 in text",
            ProtocolError::CloseWithOneByte => "close frame with a 1-byte payload",
            ProtocolError::InvalidCloseCode => "close code not allowed on the wire",
            ProtocolError::OverBudget => "large message refused: the shared memory budget is spent",
            ProtocolError::Extension { reason, .. } => reason,
        };
        write!(f, "{what} (closing with {})", self.close_code())
    }
}

impl core::error::Error for ProtocolError {}

/// The application asked for something the connection cannot do; its state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// A close frame was already sent (or the connection failed or ended): nothing more may be
    /// sent.
    Closed,
    /// A control frame payload over 125 bytes (a close reason over 123).
    ControlPayloadTooLong,
    /// A close code that may not be sent (see [`CloseCode::is_valid_on_wire`]).
    InvalidCloseCode,
    /// A whole message while a fragmented one is in progress.
    FragmentedMessageInProgress,
    /// A fragment of a different kind than the message in progress.
    FragmentKindMismatch,
    /// Text fragments that are not UTF-8 (checked across fragments).
    InvalidUtf8,
    /// The message would take queued output over the connections' shared
    /// [`MemoryBudget`](crate::MemoryBudget): not queued, and the connection is closing with
    /// 1013 (Try Again Later), as when an incoming message does not fit.
    OverBudget,
    /// The negotiated extension could not transform the message.
    Extension(&'static str),
}

impl core::fmt::Display for SendError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            SendError::Closed => "the connection is closing or closed",
            SendError::ControlPayloadTooLong => "control frame payload over 125 bytes",
            SendError::InvalidCloseCode => "close code not allowed on the wire",
            SendError::FragmentedMessageInProgress => "a fragmented message is in progress",
            SendError::FragmentKindMismatch => "fragment kind differs from the message's",
            SendError::InvalidUtf8 => "text fragments are not valid UTF-8",
            SendError::OverBudget => {
                "message not sent: the shared memory budget is spent (closing with 1013)"
            }
            SendError::Extension(reason) => reason,
        })
    }
}

impl core::error::Error for SendError {}
