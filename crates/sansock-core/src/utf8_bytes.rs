//! [`Utf8Bytes`]: a cheaply cloned byte buffer known to hold UTF-8, read as `&str` in constant
//! time. This module holds the crate's one `unsafe` (`from_utf8_unchecked` in
//! [`Utf8Bytes::as_str`]): the type's field is private here so that every value is made by a
//! constructor that checks, or starts from a `str`. `benches/core.rs` ("text as str") shows
//! what it saves: reading a 1 MiB text as `&str` took 18.4 µs when each access checked again.
#![allow(unsafe_code)]

use bytes::Bytes;
use core::ops::Deref;

/// Bytes that are valid UTF-8: a `str` you can clone and slice without copying.
#[derive(Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// From a static string, without allocating.
    pub const fn from_static(s: &'static str) -> Self {
        Utf8Bytes(Bytes::from_static(s.as_bytes()))
    }

    /// The text, in constant time.
    #[inline]
    pub fn as_str(&self) -> &str {
        debug_assert!(core::str::from_utf8(&self.0).is_ok());
        // SAFETY: `self.0` is valid UTF-8. The field is private to this module and every way to
        // make a `Utf8Bytes` starts from a `str` (`from_static`, `From<&str>`, `From<String>`),
        // checks (`TryFrom<Bytes>`), or is `from_validated`, whose crate-internal callers hand
        // over bytes they have checked (the receive path's incremental validator, or the
        // `Bytes` of another `Utf8Bytes`). `Bytes` is immutable, so it stays valid.
        unsafe { core::str::from_utf8_unchecked(&self.0) }
    }

    /// The underlying bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The underlying `Bytes`, without a copy.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The underlying `Bytes`, borrowed.
    pub(crate) fn as_shared(&self) -> &Bytes {
        &self.0
    }

    /// Wraps bytes the caller has already validated. Crate-internal: the receive path validates
    /// incrementally and must not pay for a second pass.
    pub(crate) fn from_validated(bytes: Bytes) -> Self {
        debug_assert!(core::str::from_utf8(&bytes).is_ok());
        Utf8Bytes(bytes)
    }
}

impl Deref for Utf8Bytes {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Utf8Bytes {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl core::fmt::Debug for Utf8Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl core::fmt::Display for Utf8Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Utf8Bytes {
    fn from(s: &str) -> Self {
        Utf8Bytes(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<alloc::string::String> for Utf8Bytes {
    fn from(s: alloc::string::String) -> Self {
        Utf8Bytes(Bytes::from(s.into_bytes()))
    }
}

impl TryFrom<Bytes> for Utf8Bytes {
    type Error = crate::utf8::InvalidUtf8;
    fn try_from(bytes: Bytes) -> Result<Self, Self::Error> {
        simdutf8::basic::from_utf8(&bytes).map_err(|_| crate::utf8::InvalidUtf8)?;
        Ok(Utf8Bytes(bytes))
    }
}

impl PartialEq<str> for Utf8Bytes {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Utf8Bytes {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Utf8Bytes;
    use bytes::Bytes;

    #[test]
    fn every_constructor_gives_the_text_back() {
        let text = "κόσμε, with ascii and 🦀";
        let made = [
            Utf8Bytes::from_static("κόσμε, with ascii and 🦀"),
            Utf8Bytes::from(text),
            Utf8Bytes::from(alloc::string::String::from(text)),
            Utf8Bytes::try_from(Bytes::from(text.as_bytes().to_vec())).unwrap(),
            Utf8Bytes::from_validated(Bytes::copy_from_slice(text.as_bytes())),
        ];
        for t in &made {
            assert_eq!(t.as_str(), text);
            assert_eq!(t.len(), text.len());
        }
    }

    #[test]
    fn invalid_bytes_are_refused() {
        assert!(Utf8Bytes::try_from(Bytes::from_static(b"\xff\xfe")).is_err());
        assert!(Utf8Bytes::try_from(Bytes::from_static(b"ok \xce")).is_err());
    }
}
