//! The adapter's settings: one flat builder per role ([`ServerSettings`], [`ClientSettings`])
//! over the core's handshake and connection configuration plus what only an adapter has (the
//! handshake timeout, the write high-water mark, the write timeout). The fields are private so
//! that every value passes through its setter's rule; the core's types stay inside.

use core::time::Duration;
use sansock_core::{
    ClientConfig, ConnectionConfig, HandshakeConfig, HandshakeLimits, MemoryBudget, ServerConfig,
};
use std::sync::Arc;

/// Settings of a WebSocket endpoint, the same for every adapter; `H` is the core's
/// [`ServerConfig`] or [`ClientConfig`]. Build them with [`ServerSettings::new`] or
/// [`ClientSettings::new`] and the setters, each of which says its default.
///
/// ```
/// use sansock_driver::ServerSettings;
/// use std::time::Duration;
/// let settings = ServerSettings::new()
///     .max_message_size(1 << 20)
///     .keepalive(Duration::from_secs(20))
///     .idle_timeout(Duration::from_secs(40))
///     .handshake_timeout(Duration::from_secs(5));
/// # let _ = settings;
/// ```
#[derive(Debug, Clone)]
pub struct Config<H> {
    /// The core's handshake configuration with the extensions; `connection` and `limits` join
    /// it when the handshake takes it (`take_handshake`).
    handshake: H,
    connection: ConnectionConfig,
    pub(crate) limits: HandshakeLimits,
    pub(crate) max_body_bytes: usize,
    pub(crate) handshake_timeout: Duration,
    pub(crate) write_high_water: usize,
    pub(crate) write_timeout: Option<Duration>,
    /// Whether the settings chose a memory budget (or none); if not, a server's connections
    /// share [`ServerSettings::shared_budget`].
    budget_chosen: bool,
    /// Closes the connections opened with these settings with 1001 when it begins.
    pub(crate) shutdown: Option<crate::Shutdown>,
}

/// A server's settings.
pub type ServerSettings = Config<ServerConfig>;
/// A client's settings.
pub type ClientSettings = Config<ClientConfig>;

impl<H: Default> Default for Config<H> {
    fn default() -> Self {
        Config {
            handshake: H::default(),
            connection: ConnectionConfig::default(),
            limits: HandshakeLimits::default(),
            max_body_bytes: 64 << 10,
            handshake_timeout: Duration::from_secs(10),
            write_high_water: 64 << 10,
            write_timeout: None,
            budget_chosen: false,
            shutdown: None,
        }
    }
}

impl<X: ?Sized> Config<HandshakeConfig<X>> {
    /// The defaults: a 16 MiB message limit, keepalive pings every 20 s with a 40 s dead-peer
    /// timeout, a 10 s handshake and close timeout, no extensions (the book's security chapter
    /// has the table, with why).
    pub fn new() -> Self {
        Self::default()
    }

    fn connection_with(mut self, f: impl FnOnce(ConnectionConfig) -> ConnectionConfig) -> Self {
        self.connection = f(core::mem::take(&mut self.connection));
        self
    }

    fn limits_with(mut self, f: impl FnOnce(HandshakeLimits) -> HandshakeLimits) -> Self {
        self.limits = f(self.limits);
        self
    }

    /// The core's handshake configuration: the extensions, the connection's configuration and
    /// the limits. The rest of the settings stay for the driver.
    pub(crate) fn take_handshake(&mut self) -> HandshakeConfig<X> {
        core::mem::take(&mut self.handshake)
            .with_connection(self.connection.clone())
            .with_limits(self.limits)
    }

    /// The whole connection configuration at once, replacing what the setters above and below
    /// set for the connection (for code that shares one [`ConnectionConfig`] with the sans-IO
    /// core).
    pub fn connection(mut self, connection: ConnectionConfig) -> Self {
        self.budget_chosen = true;
        self.connection_with(|_| connection)
    }

    /// The largest message accepted, after decompression; a larger one closes with 1009.
    /// Default 16 MiB; zero is taken as one byte.
    pub fn max_message_size(self, bytes: usize) -> Self {
        self.connection_with(|c| c.with_max_message_size(bytes.max(1)))
    }

    /// The largest frame payload accepted; a larger one closes with 1009. Default 16 MiB;
    /// zero is taken as one byte.
    pub fn max_frame_size(self, bytes: usize) -> Self {
        self.connection_with(|c| c.with_max_frame_size(bytes.max(1)))
    }

    /// The most frames a message may come in; one more closes with 1008. Default `None` (no
    /// limit: fragments are appended to one buffer, bounded by the message size).
    pub fn max_fragments(self, frames: impl Into<Option<usize>>) -> Self {
        self.connection_with(|c| c.with_max_fragments(frames.into()))
    }

    /// Answer pings with pongs automatically. Default on.
    pub fn auto_pong(self, on: bool) -> Self {
        self.connection_with(|c| c.with_auto_pong(on))
    }

    /// Split outgoing messages into frames of at most this many payload bytes. Default
    /// `None` (a message is one frame); zero is taken as one byte.
    pub fn fragment_size(self, bytes: impl Into<Option<usize>>) -> Self {
        self.connection_with(|c| c.with_fragment_size(bytes.into()))
    }

    /// Hand out messages in parts of at least this many bytes as they arrive (streaming;
    /// see `recv_event`). Default `None` (whole messages); zero is taken as one byte.
    pub fn message_parts(self, min_bytes: impl Into<Option<usize>>) -> Self {
        self.connection_with(|c| c.with_message_parts(min_bytes.into()))
    }

    /// A [`MemoryBudget`] shared with the other connections given it: large partial messages
    /// and long output queues are charged to it, and what does not fit closes with 1013.
    /// Default: for a server, the process-wide [`ServerSettings::shared_budget`] (128 MiB);
    /// for a client, none. `None` turns it off.
    pub fn memory_budget(mut self, budget: impl Into<Option<MemoryBudget>>) -> Self {
        self.budget_chosen = true;
        self.connection_with(|c| c.with_memory_budget(budget.into()))
    }

    /// A graceful [`Shutdown`](crate::Shutdown) for the connections opened with these
    /// settings: when it begins, each starts its closing handshake with 1001 (going away), and
    /// [`Shutdown::finished`](crate::Shutdown::finished) waits until all have ended. Default
    /// none.
    pub fn shutdown(mut self, shutdown: &crate::Shutdown) -> Self {
        self.shutdown = Some(shutdown.clone());
        self
    }

    /// How long to wait for the peer's close frame after sending ours. Default 10 s.
    pub fn close_timeout(self, timeout: Duration) -> Self {
        self.connection_with(|c| c.with_close_timeout(timeout))
    }

    /// Send a ping when nothing has been received for this long. Default 20 s; `None` turns
    /// keepalive pings off.
    pub fn keepalive(self, interval: impl Into<Option<Duration>>) -> Self {
        self.connection_with(|c| c.with_keepalive(interval.into()))
    }

    /// Close the connection (`Ending::IdleTimedOut`) when nothing at all, pongs included, has
    /// been received for this long. Default 40 s; `None` never does.
    pub fn idle_timeout(self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connection_with(|c| c.with_idle_timeout(timeout.into()))
    }

    /// How long the opening handshake may take before the connection is dropped (slowloris
    /// defence; for a client, DNS, TCP and TLS included). Default 10 s.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// `send` waits while this many bytes are queued for the transport. Default 64 KiB; zero
    /// is taken as one byte.
    pub fn write_high_water(mut self, bytes: usize) -> Self {
        self.write_high_water = bytes.max(1);
        self
    }

    /// Fail the connection (`Ending::WriteTimedOut`) when the transport takes none of its
    /// output for this long: a peer that stopped reading. Default `None`: the idle and close
    /// timeouts bound such waits.
    pub fn write_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.write_timeout = timeout.into();
        self
    }

    /// The most bytes in the handshake's head; past it a server answers 431. Default 16 KiB;
    /// zero is taken as one byte.
    pub fn max_head_bytes(self, bytes: usize) -> Self {
        self.limits_with(|l| l.with_max_head_bytes(bytes.max(1)))
    }

    /// The most header fields in the handshake's head; past it a server answers 431. Default
    /// 64; zero is taken as one.
    pub fn max_headers(self, count: usize) -> Self {
        self.limits_with(|l| l.with_max_headers(count.max(1)))
    }

    /// Adds an extension to negotiate, after (and so less preferred than) those already
    /// added.
    pub fn extension(mut self, extension: Arc<X>) -> Self {
        let handshake = core::mem::take(&mut self.handshake);
        self.handshake = handshake.with_extension(extension);
        self
    }
}

/// The bytes [`ServerSettings::shared_budget`] holds.
const SHARED_BUDGET: usize = 128 << 20;

impl ServerSettings {
    /// The memory budget that every connection a server accepts shares, unless its settings
    /// choose another or none ([`memory_budget`](Self::memory_budget)): 128 MiB for the whole
    /// process, made on first use. Without it, peers that each send part of a large message
    /// and stall hold a message's worth of memory each, however many they are; with it, a
    /// connection whose frame does not fit closes with 1013 (Try Again Later) and the others
    /// go on. Small messages are never charged (see [`MemoryBudget`]).
    pub fn shared_budget() -> MemoryBudget {
        static SHARED: std::sync::OnceLock<MemoryBudget> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| MemoryBudget::new(SHARED_BUDGET))
            .clone()
    }

    /// The core's handshake configuration for a server: [`take_handshake`](Self::take_handshake)
    /// with the shared budget when the settings chose none.
    pub(crate) fn take_server_handshake(&mut self) -> ServerConfig {
        if !self.budget_chosen {
            self.budget_chosen = true;
            self.connection = core::mem::take(&mut self.connection)
                .with_memory_budget(Some(Self::shared_budget()));
        }
        self.take_handshake()
    }

    /// Accepts permessage-deflate (RFC 7692) when a client offers it, with `deflate`'s
    /// parameters and policy.
    #[cfg(feature = "deflate")]
    pub fn deflate(self, deflate: sansock_core::PerMessageDeflate) -> Self {
        self.extension(Arc::new(deflate) as Arc<dyn sansock_core::ServerExtension>)
    }
}

impl ClientSettings {
    /// Offers permessage-deflate (RFC 7692) with `deflate`'s parameters.
    #[cfg(feature = "deflate")]
    pub fn deflate(self, deflate: sansock_core::PerMessageDeflate) -> Self {
        self.extension(Arc::new(deflate) as Arc<dyn sansock_core::ClientExtension>)
    }

    /// The most body bytes kept from a refusal (a non-101 answer). Default 64 KiB.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self.limits_with(|l| l.with_max_body_bytes(bytes))
    }
}
