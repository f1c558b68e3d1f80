//! Randomness, injected.
//!
//! A client masks every frame with a fresh 32-bit key and sends a 16-byte nonce in its handshake
//! (RFC 6455 §5.3, §4.1). The core draws both through the [`Entropy`] trait and owns no source of
//! its own: tests pass a deterministic one, adapters pass [`DefaultRng`].
//! Servers never need randomness.

use rand_chacha::ChaCha12Rng;
use rand_core::{RngCore, SeedableRng};

/// A source of unpredictable bytes for masking keys and handshake nonces.
pub trait Entropy: Send {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);
}

/// The default source: ChaCha12 (the generator behind `rand::rngs::StdRng`) from a 32-byte seed.
///
/// Seed it once per connection from the operating system (`DefaultRng::from_os`, feature
/// `getrandom`) and it
/// produces masking keys without a system call per frame.
#[derive(Debug, Clone)]
pub struct DefaultRng(ChaCha12Rng);

impl DefaultRng {
    /// A generator from a caller-provided seed. Use a secret, unpredictable seed outside tests.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        DefaultRng(ChaCha12Rng::from_seed(seed))
    }

    /// A generator seeded from the operating system's random source; `None` when the
    /// operating system cannot provide randomness.
    #[cfg(feature = "getrandom")]
    pub fn from_os() -> Option<Self> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).ok()?;
        Some(Self::from_seed(seed))
    }
}

impl Entropy for DefaultRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_streams_differ_by_seed() {
        let mut a = DefaultRng::from_seed([7; 32]);
        let mut b = DefaultRng::from_seed([7; 32]);
        let mut c = DefaultRng::from_seed([8; 32]);
        let (mut x, mut y, mut z) = ([0u8; 16], [0u8; 16], [0u8; 16]);
        a.fill_bytes(&mut x);
        b.fill_bytes(&mut y);
        c.fill_bytes(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        let mut next = [0u8; 16];
        a.fill_bytes(&mut next);
        assert_ne!(x, next, "successive draws differ");
    }

    #[cfg(feature = "getrandom")]
    #[test]
    fn os_seeded_generators_differ() {
        let mut a = DefaultRng::from_os().expect("os random");
        let mut b = DefaultRng::from_os().expect("os random");
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.fill_bytes(&mut x);
        b.fill_bytes(&mut y);
        assert_ne!(x, y);
    }
}
