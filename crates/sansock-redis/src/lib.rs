//! Sansock servers joined through Redis: what one instance publishes to a topic reaches the
//! subscribers of every instance, in one order for all, and a member that reconnects (to any
//! instance) gets what it missed — the Redis adapter of socket.io, with its connection state
//! recovery, for Sansock.
//!
//! - **Topics on Redis Streams.** [`Bridge::publish`] appends to the topic's stream
//!   (`XADD … MAXLEN ~ n`); every instance reads every followed topic's stream (`XREAD`) and
//!   hands each entry to its [`Handler`], the publishing instance too, so every member of every
//!   instance sees the same order. Each entry has an [`EntryId`]: give it to the member with the
//!   message.
//! - **Replay.** A member that comes back names the last id it saw; [`Bridge::resume`] gives the
//!   entries after it, up to where this instance's live delivery stands, and subscribes the
//!   member to what follows in the same step: nothing missed, nothing twice. When the stream no
//!   longer holds that id (trimmed by its bounded length, or Redis lost it), the replay says so
//!   ([`Replay::complete`] is false) and holds what is left.
//! - **Presence.** Each instance keeps its members in a Redis hash that expires when the instance
//!   stops refreshing it; [`Handler::presence`] hears everyone on the other instances, so a dead
//!   instance's members can be announced gone.
//! - **Redis going away:** the bridge logs it and reconnects with a backoff; what is published
//!   meanwhile waits in a bounded outbox ([`Bridge::publish`] waits for room: backpressure, not
//!   loss).
//! - **Size the streams for the worst lag** ([`Config::stream_len`]): an instance that falls
//!   further behind a topic than its stream is long misses what was trimmed before it read it,
//!   and a member that was away longer than the stream reaches back gets an incomplete replay.
//!
//! ```no_run
//! use sansock_redis::{Bridge, Config, EntryId, Handler};
//! use std::sync::Arc;
//!
//! struct Room(sansock_topics::Topics);
//!
//! impl Handler for Room {
//!     fn entry(&self, topic: &str, id: EntryId, _server: &str, payload: &[u8]) {
//!         let text = format!("{id} {}", String::from_utf8_lossy(payload));
//!         self.0.publish(topic, text);
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let topics = sansock_topics::Topics::new(64, sansock_topics::SlowPolicy::Drop);
//! let bridge = Bridge::start(Config::new("redis://127.0.0.1/"), Arc::new(Room(topics.clone())))?;
//! bridge.follow("news").await; // from now on, every instance's entries reach `Room`
//! bridge.publish("news", "hello, every instance").await?;
//! // A member back after a disconnection, having seen `last`:
//! let last: EntryId = "1733580000000-0".parse()?;
//! let (subscription, replay) = bridge.resume("news", Some(last), || topics.subscribe("news")).await;
//! # let _ = (subscription, replay); Ok(()) }
//! ```
//!
//! Runs on tokio, with the `redis` crate. Needs Redis 7 (a stream's `max-deleted-entry-id`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bridge;
mod entry;
mod presence;

pub use bridge::{Bridge, Replay, Stopped};
pub use entry::{Entry, EntryId, InvalidEntryId};
pub use redis::RedisError;

use std::collections::BTreeMap;
use std::time::Duration;

/// What an instance hears from the others.
pub trait Handler: Send + Sync + 'static {
    /// An entry of `topic`, from instance `server` (this one's own included), in the stream's
    /// order: deliver it to this instance's subscribers.
    fn entry(&self, topic: &str, id: EntryId, server: &str, payload: &[u8]);

    /// Everyone present on the other instances now, by (instance, member): `first` on the
    /// bridge's first snapshot; `removals` once the snapshot can be trusted to say who left
    /// (two presence lifetimes after connecting: an instance that lost Redis with us has had
    /// time to write its members again).
    fn presence(&self, others: BTreeMap<(String, u64), String>, first: bool, removals: bool) {
        let _ = (others, first, removals);
    }
}

/// Where the instances meet and how: the Redis URL, the keys' prefix, how long a stream is,
/// how long a silent instance's presence lasts.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) url: String,
    pub(crate) prefix: String,
    pub(crate) stream_len: usize,
    pub(crate) presence_ttl: Duration,
    pub(crate) outbox: usize,
    pub(crate) timeout: Duration,
    pub(crate) topics: Vec<String>,
}

impl Config {
    /// Instances on the Redis at `url` (`redis://host:port/db`), keys under `sansock`, streams of
    /// about 10,000 entries, presence lasting 10 s, 4,096 operations waiting at most, commands
    /// bounded to 2 s.
    pub fn new(url: impl Into<String>) -> Self {
        Config {
            url: url.into(),
            prefix: "sansock".into(),
            stream_len: 10_000,
            presence_ttl: Duration::from_secs(10),
            outbox: 4096,
            timeout: Duration::from_secs(2),
            topics: Vec::new(),
        }
    }

    /// The keys' prefix: `<prefix>:topic:<topic>` (streams), `<prefix>:members:<instance>` and
    /// `<prefix>:servers` (presence).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// About how many entries each topic's stream keeps (`MAXLEN ~`): how far back a replay
    /// can go.
    #[must_use]
    pub fn stream_len(mut self, entries: usize) -> Self {
        self.stream_len = entries.max(1);
        self
    }

    /// How long an instance's presence outlives its last refresh (refreshed every third of it;
    /// at least 300 ms).
    #[must_use]
    pub fn presence_ttl(mut self, ttl: Duration) -> Self {
        self.presence_ttl = ttl.max(Duration::from_millis(300));
        self
    }

    /// Follows `topic` from the start: the bridge takes its position in the stream before it
    /// says it is in the room, so every entry from then on reaches the handler (a topic
    /// followed later, with [`Bridge::follow`], starts where the stream is when the reader
    /// next looks).
    #[must_use]
    pub fn follow(mut self, topic: impl Into<String>) -> Self {
        self.topics.push(topic.into());
        self
    }

    /// How many publishes and presence changes may wait for Redis; past it,
    /// [`Bridge::publish`] waits.
    #[must_use]
    pub fn outbox(mut self, operations: usize) -> Self {
        self.outbox = operations.max(1);
        self
    }
}

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
