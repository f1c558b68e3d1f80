//! The adapter's settings: the core's handshake configuration plus what only an adapter has
//! (the handshake timeout and the write high-water mark).

use core::time::Duration;
use sansock_core::{ClientConfig, ServerConfig};

/// Settings of a WebSocket endpoint, the same for every adapter; `H` is the core's [`ServerConfig`] or
/// [`ClientConfig`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config<H> {
    /// The core's handshake and connection configuration (limits, keepalive, close timeout…).
    pub handshake: H,
    /// How long the opening handshake may take before the connection is dropped (slowloris
    /// defence). Default 10 s.
    pub handshake_timeout: Duration,
    /// `send` waits while this many bytes are queued for the transport (a batch reader, whose
    /// replies come from what it reads, stops reading too; `recv` never does). Default 64 KiB.
    pub write_high_water: usize,
    /// Fail the connection when the transport takes none of its output for this long (a peer
    /// that stopped reading): the waiting call returns `Error::AbnormalClose` with
    /// `Ending::WriteTimedOut`. Default `None`: the idle and close timeouts bound such waits.
    pub write_timeout: Option<Duration>,
}

impl<H: Default> Default for Config<H> {
    fn default() -> Self {
        Config {
            handshake: H::default(),
            handshake_timeout: Duration::from_secs(10),
            write_high_water: 64 << 10,
            write_timeout: None,
        }
    }
}

impl<H> Config<H> {
    /// Sets [`handshake`](Self::handshake).
    pub fn with_handshake(mut self, handshake: H) -> Self {
        self.handshake = handshake;
        self
    }

    /// Sets [`handshake_timeout`](Self::handshake_timeout).
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    pub fn with_write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Sets [`write_high_water`](Self::write_high_water) (at least 1).
    pub fn with_write_high_water(mut self, bytes: usize) -> Self {
        self.write_high_water = bytes.max(1);
        self
    }
}

/// A server's settings.
pub type ServerSettings = Config<ServerConfig>;
/// A client's settings.
pub type ClientSettings = Config<ClientConfig>;
