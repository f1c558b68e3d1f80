//! XOR masking of payloads (RFC 6455 §5.3), in place, a word at a time.
//!
//! The loop works on 8-byte words so the compiler vectorises it; it is safe code and runs at
//! memory speed. Frame parsing lives in `header.rs`, not here.

/// XORs `buf` with the 4-byte `key`, as if `buf` began `offset` bytes into the payload.
///
/// Applying the same key twice restores the input, and masking a payload in pieces (each with
/// its own `offset`) equals masking it whole.
///
/// ```
/// use sansock_core::frame::apply_mask;
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut data = *b"Hello";
/// apply_mask(&mut data, key, 0);
/// assert_eq!(data, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
/// ```
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotate_key(key, offset);
    // The key twice over as a native-endian word, from one 4-byte load (whatever the byte
    // order, both halves of the word are the key's 4 bytes in memory order).
    let half = u64::from(u32::from_ne_bytes(key));
    let word = half << 32 | half;
    // Short payloads (most messages) inline where they are unmasked; long ones in one place.
    let tail = if buf.len() >= 64 {
        mask_blocks(buf, word)
    } else {
        buf
    };
    let mut chunks = tail.chunks_exact_mut(8);
    for chunk in &mut chunks {
        xor_word(chunk, word);
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// XORs `buf` 64 bytes a turn (four vector registers); returns the rest, under 64 bytes.
#[inline(never)]
fn mask_blocks(buf: &mut [u8], word: u64) -> &mut [u8] {
    let mut blocks = buf.chunks_exact_mut(64);
    for block in &mut blocks {
        for chunk in block.chunks_exact_mut(8) {
            xor_word(chunk, word);
        }
    }
    blocks.into_remainder()
}

/// XORs an 8-byte chunk with `word`.
#[inline(always)]
fn xor_word(chunk: &mut [u8], word: u64) {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(chunk);
    chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
}

/// The key as seen by a byte `offset` bytes into the payload.
#[inline]
fn rotate_key(key: [u8; 4], offset: usize) -> [u8; 4] {
    // Byte `i` of the result is byte `i + offset` (mod 4) of the key.
    u32::from_le_bytes(key)
        .rotate_right(8 * (offset & 3) as u32)
        .to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn bytewise(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn matches_the_bytewise_definition_for_every_length_and_offset() {
        let key = [0x12, 0x34, 0x56, 0x78];
        for len in 0..40 {
            for offset in 0..8 {
                let data: Vec<u8> = (0..len as u8).collect();
                let (mut fast, mut slow) = (data.clone(), data.clone());
                apply_mask(&mut fast, key, offset);
                bytewise(&mut slow, key, offset);
                assert_eq!(fast, slow, "len {len} offset {offset}");
            }
        }
    }

    #[test]
    fn masking_in_pieces_equals_masking_whole() {
        let key = [9, 8, 7, 6];
        let data: Vec<u8> = (0..100).collect();
        let mut whole = data.clone();
        apply_mask(&mut whole, key, 0);
        let mut pieces = data;
        let (a, rest) = pieces.split_at_mut(13);
        let (b, c) = rest.split_at_mut(30);
        apply_mask(a, key, 0);
        apply_mask(b, key, 13);
        apply_mask(c, key, 43);
        assert_eq!(whole, pieces);
    }
}
