//! Incremental UTF-8 validation across chunks, failing at the first invalid byte.
//!
//! Text messages arrive in frames, and frames in reads; a code point may be split anywhere.
//! [`Utf8Validator`] keeps the at most three bytes of an unfinished code point between chunks and
//! runs `simdutf8` over everything else, so validation costs about a memory pass and an invalid
//! sequence is reported as soon as its first wrong byte is seen (RFC 6455 §8.1).

/// Validates a byte stream as UTF-8, chunk by chunk.
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    pending: [u8; 4],
    pending_len: u8,
}

/// The bytes seen so far cannot be the start of valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8;

impl Utf8Validator {
    /// A validator at the start of a stream.
    pub const fn new() -> Self {
        Utf8Validator {
            pending: [0; 4],
            pending_len: 0,
        }
    }

    /// Checks the next chunk.
    ///
    /// # Errors
    /// As soon as the stream so far is not a prefix of any valid UTF-8 text.
    ///
    /// ```
    /// use sansock_core::internal::Utf8Validator;
    /// let mut v = Utf8Validator::new();
    /// assert!(v.feed(&[0xce, 0xba, 0xe1]).is_ok()); // "κ" and the start of "ό"
    /// assert!(v.feed(&[0xbd]).is_ok());
    /// assert!(v.feed(&[0xb9]).is_ok());
    /// assert!(v.finish().is_ok());
    /// assert!(Utf8Validator::new().feed(&[0xed, 0xa0]).is_err()); // a surrogate, caught early
    /// ```
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<(), InvalidUtf8> {
        if self.pending_len > 0 {
            let have = usize::from(self.pending_len);
            let need = sequence_len(self.pending[0]) - have;
            let take = need.min(chunk.len());
            self.pending[have..have + take].copy_from_slice(&chunk[..take]);
            self.pending_len += take as u8;
            chunk = &chunk[take..];
            match simdutf8::compat::from_utf8(&self.pending[..usize::from(self.pending_len)]) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_none() => return Ok(()),
                Err(_) => return Err(InvalidUtf8),
            }
        }
        // A code point cut by the end of the chunk waits for the next one; the rest is checked
        // in one pass of the fast validator (the one that reports no position).
        let (body, tail) = chunk.split_at(chunk.len() - unfinished_tail(chunk));
        if simdutf8::basic::from_utf8(body).is_err() {
            return Err(InvalidUtf8);
        }
        if !tail.is_empty() {
            // At most three bytes: a valid start of a code point, or invalid already.
            match simdutf8::compat::from_utf8(tail) {
                Err(e) if e.error_len().is_none() && e.valid_up_to() == 0 => {}
                _ => return Err(InvalidUtf8),
            }
            self.pending[..tail.len()].copy_from_slice(tail);
            self.pending_len = tail.len() as u8;
        }
        Ok(())
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// If the stream ended inside a code point.
    pub fn finish(&self) -> Result<(), InvalidUtf8> {
        if self.pending_len == 0 {
            Ok(())
        } else {
            Err(InvalidUtf8)
        }
    }

    /// Forgets everything and starts a new stream.
    pub fn reset(&mut self) {
        self.pending_len = 0;
    }
}

/// How many bytes at the end of `chunk` are a multi-byte sequence that has not ended (0 to 3):
/// from its last lead byte, if fewer bytes follow it than it announces.
fn unfinished_tail(chunk: &[u8]) -> usize {
    for back in 1..=chunk.len().min(3) {
        let b = chunk[chunk.len() - back];
        if b < 0x80 {
            return 0; // ASCII: nothing unfinished
        }
        if b >= 0xc0 {
            return if sequence_len(b) > back { back } else { 0 };
        }
    }
    0
}

/// How many bytes the sequence led by `lead` has (only called with a valid lead byte).
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_everywhere(input: &[u8]) -> (bool, bool) {
        let whole = core::str::from_utf8(input).is_ok();
        let mut all_agree = true;
        for a in 0..=input.len() {
            for b in a..=input.len() {
                let mut v = Utf8Validator::new();
                let ok = v.feed(&input[..a]).is_ok()
                    && v.feed(&input[a..b]).is_ok()
                    && v.feed(&input[b..]).is_ok()
                    && v.finish().is_ok();
                all_agree &= ok == whole;
            }
        }
        (whole, all_agree)
    }

    #[test]
    fn any_three_way_split_agrees_with_std() {
        let cases: &[&[u8]] = &[
            "Hello-µ@ßöäüàá-UTF-8!!".as_bytes(),
            "κόσμε".as_bytes(),
            &[0xf4, 0x8f, 0xbf, 0xbf], // U+10FFFF
            &[0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
            &[0xed, 0x9f, 0xbf],       // U+D7FF
            &[0xed, 0xa0, 0x80],       // surrogate
            &[0xc0, 0xaf],             // overlong '/'
            &[0xe0, 0x80, 0xaf],       // overlong
            &[0xce, 0xba, 0xe1, 0xbd], // truncated
            &[0xff],
            b"",
        ];
        for case in cases {
            let (_, agree) = split_everywhere(case);
            assert!(agree, "{case:x?}");
        }
    }

    #[test]
    fn fails_at_the_first_invalid_byte_not_at_the_end() {
        // "κόσμε" then 0xed 0xa0 (a surrogate lead) — invalid before the sequence is complete.
        let mut v = Utf8Validator::new();
        assert!(v.feed("κόσμε".as_bytes()).is_ok());
        assert!(v.feed(&[0xed]).is_ok());
        assert_eq!(v.feed(&[0xa0]), Err(InvalidUtf8));
    }
}
