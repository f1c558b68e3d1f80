//! Configuration: one struct per concern, each with safe defaults and `with_*` setters (the
//! fields are private: each setter says its default and its rule).
//!
//! [`ConnectionConfig`] governs an open connection (limits, pongs, fragmentation, deadlines);
//! [`HandshakeLimits`] bounds what a handshake will read. Role-specific handshake settings
//! (subprotocols, extensions) live with the handshakes in `crate::handshake`.
//! A config is fixed when a connection starts: there are no setters on a live connection.

use crate::MemoryBudget;
use core::time::Duration;

/// Limits and behaviour of an open connection.
///
/// ```
/// use core::time::Duration;
/// use sansock_core::ConnectionConfig;
/// let config = ConnectionConfig::default()
///     .with_max_message_size(1 << 20)
///     .with_keepalive(Some(Duration::from_secs(20)))
///     .with_idle_timeout(Some(Duration::from_secs(60)));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    pub(crate) max_frame_size: usize,
    pub(crate) max_message_size: usize,
    pub(crate) max_fragments: Option<usize>,
    pub(crate) auto_pong: bool,
    pub(crate) fragment_size: Option<usize>,
    pub(crate) close_timeout: Duration,
    pub(crate) keepalive_interval: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) message_parts: Option<usize>,
    pub(crate) memory_budget: Option<MemoryBudget>,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            max_frame_size: 16 << 20,
            max_message_size: 16 << 20,
            max_fragments: None,
            auto_pong: true,
            fragment_size: None,
            close_timeout: Duration::from_secs(10),
            keepalive_interval: Some(Duration::from_secs(20)),
            idle_timeout: Some(Duration::from_secs(40)),
            message_parts: None,
            memory_budget: None,
        }
    }
}

impl ConnectionConfig {
    /// The largest frame payload accepted; a larger one fails the connection with 1009.
    /// Default 16 MiB.
    pub fn with_max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// The largest message accepted (after any extension such as permessage-deflate has
    /// inflated it); a larger one fails the connection with 1009. Default 16 MiB, the largest
    /// frame (see the security chapter of the book for why).
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// The most frames one message may come in (its first frame and its continuations); one
    /// more fails the connection with 1008. Default `None`: no limit — a fragment costs no
    /// memory of its own here (fragments are appended to one buffer, bounded by
    /// `max_message_size`), unlike stacks that keep a buffer per fragment. Node's `ws` server
    /// allows 16,384, Python's `websockets` 4,096.
    pub fn with_max_fragments(mut self, frames: Option<usize>) -> Self {
        self.max_fragments = frames;
        self
    }

    /// Answer every ping with a pong automatically. Pings are reported as events either way.
    /// Default `true`.
    pub fn with_auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Split outgoing messages into frames of at most this many payload bytes. Default `None`:
    /// every message is one frame. A size of zero is taken as one byte.
    pub fn with_fragment_size(mut self, bytes: Option<usize>) -> Self {
        self.fragment_size = bytes.map(|b| b.max(1));
        self
    }

    /// Hand out messages in parts as they arrive ([`Event::Part`](crate::Event::Part)), for
    /// streaming and for forwarding a large message before it is all here: once at least this
    /// many bytes of an unfinished frame are buffered, they come out as a part. A message of
    /// one frame that is all buffered by then still comes whole ([`Event::Message`](
    /// crate::Event::Message)), so frames shorter than this always do; a fragmented message
    /// comes in parts, at least one per frame; a compressed one (permessage-deflate) always
    /// whole. The receive buffer then holds a read window of at most 1 MiB, whatever the frame size.
    /// Default `None`: every message whole. A size of zero is taken as one byte.
    pub fn with_message_parts(mut self, min_bytes: Option<usize>) -> Self {
        self.message_parts = min_bytes.map(|b| b.max(1));
        self
    }

    /// A byte budget shared with other connections for the partial messages they hold (see
    /// [`MemoryBudget`]). Default `None`: only the per-message limit applies.
    pub fn with_memory_budget(mut self, budget: Option<MemoryBudget>) -> Self {
        self.memory_budget = budget;
        self
    }

    /// How long to wait for the peer's close frame after sending ours, and (as a client) for the
    /// server to end the transport after the closing handshake. Default 10 s.
    pub fn with_close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Send a ping when nothing has been received for this long. Default 20 s (as Python's
    /// `websockets`): half-open connections are found, and NAT and proxy idle timers (often
    /// 60 s) never fire on a quiet but live connection.
    pub fn with_keepalive(mut self, interval: Option<Duration>) -> Self {
        self.keepalive_interval = interval;
        self
    }

    /// Consider the peer dead when nothing has been received for this long (its pong
    /// included). Default 40 s: a peer gets 20 s to answer the keepalive ping.
    pub fn with_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }
}

/// What an opening handshake will read before giving up (defences against oversized and
/// header-flooding requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeLimits {
    pub(crate) max_head_bytes: usize,
    pub(crate) max_headers: usize,
    pub(crate) max_body_bytes: usize,
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits {
            max_head_bytes: 16 << 10,
            max_headers: 64,
            max_body_bytes: 64 << 10,
        }
    }
}

impl HandshakeLimits {
    /// The most bytes in the request or response head (start line and headers). Past it a server
    /// answers 431. Default 16 KiB.
    pub fn with_max_head_bytes(mut self, bytes: usize) -> Self {
        self.max_head_bytes = bytes;
        self
    }

    /// The most header fields. Past it a server answers 431. Default 64.
    pub fn with_max_headers(mut self, count: usize) -> Self {
        self.max_headers = count;
        self
    }

    /// The most body bytes a client keeps from a non-101 response. Default 64 KiB.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }
}
