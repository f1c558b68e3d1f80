//! Close codes and close-frame payloads (RFC 6455 §5.5.1, §7.4).
//!
//! What a code means, which codes may appear on the wire, and parsing a received close payload.
//! The closing handshake itself (who echoes what, when the transport ends) lives in the connection.

use crate::Utf8Bytes;
use bytes::Bytes;

/// A close status code.
///
/// ```
/// use sansock_core::CloseCode;
/// assert!(CloseCode::NORMAL.is_valid_on_wire());
/// assert!(CloseCode(4000).is_valid_on_wire()); // private use
/// assert!(!CloseCode(1005).is_valid_on_wire()); // "no status" is never sent
/// assert!(!CloseCode(999).is_valid_on_wire());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection has been fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: no status code was present (never sent on the wire).
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: the connection ended without a close frame (never sent on the wire).
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: a text message was not valid UTF-8, or data was inconsistent with its type.
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message violated the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message was too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later.
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway received an invalid response upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);

    /// Whether the code may appear in a close frame: 1000–1003, 1007–1014 and 3000–4999.
    /// Everything else (0–999, 1004–1006, 1015, 1016–2999, ≥ 5000) is a protocol error.
    pub const fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl core::fmt::Display for CloseCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The longest close reason: 125 payload bytes less the 2-byte code.
pub const MAX_CLOSE_REASON: usize = 123;

/// What a received close payload said, or why it was invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParsedClose {
    /// An empty payload: no code.
    NoCode,
    /// A code and a (possibly empty) UTF-8 reason.
    Code(CloseCode, Utf8Bytes),
}

/// Why a received close payload is invalid; each maps to the code we close with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadClose {
    /// A 1-byte payload: 1002.
    OneByte,
    /// A code not valid on the wire: 1002.
    InvalidCode,
    /// A reason that is not UTF-8: 1007.
    Utf8,
}

/// Parses a received close frame's (unmasked) payload.
pub(crate) fn parse_close_payload(payload: Bytes) -> Result<ParsedClose, BadClose> {
    match payload.len() {
        0 => Ok(ParsedClose::NoCode),
        1 => Err(BadClose::OneByte),
        _ => {
            let code = CloseCode(u16::from_be_bytes([payload[0], payload[1]]));
            if !code.is_valid_on_wire() {
                return Err(BadClose::InvalidCode);
            }
            let reason = Utf8Bytes::try_from(payload.slice(2..)).map_err(|_| BadClose::Utf8)?;
            Ok(ParsedClose::Code(code, reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_validity_matches_the_rfc_ranges() {
        for code in 0u16..=u16::MAX {
            let expected = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
            assert_eq!(CloseCode(code).is_valid_on_wire(), expected, "{code}");
        }
    }

    #[test]
    fn payload_parsing() {
        assert_eq!(parse_close_payload(Bytes::new()), Ok(ParsedClose::NoCode));
        assert_eq!(
            parse_close_payload(Bytes::from_static(&[3])),
            Err(BadClose::OneByte)
        );
        assert_eq!(
            parse_close_payload(Bytes::from_static(&[0x03, 0xed])), // 1005
            Err(BadClose::InvalidCode)
        );
        assert_eq!(
            parse_close_payload(Bytes::from_static(&[0x03, 0xe8, 0xff])),
            Err(BadClose::Utf8)
        );
        assert_eq!(
            parse_close_payload(Bytes::from_static(b"\x03\xe8bye")),
            Ok(ParsedClose::Code(
                CloseCode::NORMAL,
                Utf8Bytes::from_static("bye")
            ))
        );
    }
}
