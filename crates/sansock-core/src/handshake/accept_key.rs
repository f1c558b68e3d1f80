//! `Sec-WebSocket-Key` → `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha1_smol::Sha1;

/// The GUID RFC 6455 appends to the key before hashing.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64(SHA-1(key ‖ GUID)).
///
/// ```
/// use sansock_core::accept_key;
/// assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &[u8]) -> alloc::string::String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(GUID);
    STANDARD.encode(sha.digest().bytes())
}

/// Whether `key` is base64 for exactly 16 bytes, as a `Sec-WebSocket-Key` must be.
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    let mut decoded = [0u8; 18];
    key.len() == 24 && matches!(STANDARD.decode_slice(key, &mut decoded), Ok(16))
}

/// The base64 key for a 16-byte nonce.
pub(crate) fn encode_key(nonce: &[u8; 16]) -> alloc::string::String {
    STANDARD.encode(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_validation() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
        assert!(!is_valid_key(b"AAAAAAAAAAAAAAAAAAAAAA==AAAA"));
        assert!(!is_valid_key(b"YWJjZGVmZ2hpamtsbW5v")); // 15 bytes
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ!="));
        assert!(is_valid_key(encode_key(&[0xff; 16]).as_bytes()));
    }
}
