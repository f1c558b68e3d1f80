//! The bridge: its handle ([`Bridge`]) and its two tasks. The writer sends publishes and
//! presence changes in the order they were made, in pipelined transactions, and refreshes this
//! instance's presence. The reader hands every followed topic's new entries to the handler in
//! stream order and reads the presence snapshot between two reads — one task for both, so a
//! snapshot never undoes an entry read after it (an instance writes its hash before it
//! publishes, and Redis runs commands one at a time).

use crate::entry::{Entry, EntryId};
use crate::presence::{self, Keys};
use crate::{Config, Handler};
use bytes::Bytes;
use redis::aio::MultiplexedConnection;
use redis::streams::StreamReadReply;
use redis::{AsyncConnectionConfig, Client, RedisError, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// The most operations written in one round trip, and entries read in one.
const BATCH: usize = 512;

/// The bridge has stopped: nothing more goes through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped;

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Redis bridge has stopped")
    }
}

impl std::error::Error for Stopped {}

/// What a member missed: the entries after the id it gave, up to where this instance's live
/// delivery stood when it subscribed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// The entries, in order.
    pub entries: Vec<Entry>,
    /// Whether they are all it missed. `false` when the stream no longer holds entries after
    /// the id it gave (trimmed by the stream's bounded length, or lost with Redis's data), or
    /// Redis could not be asked: tell the member that some history is gone.
    pub complete: bool,
}

enum Op {
    Publish { topic: String, payload: Bytes },
    Present { member: u64, data: String },
    Absent { member: u64 },
}

struct Shared {
    server: String,
    config: Config,
    keys: Keys,
    client: Client,
    handler: Arc<dyn Handler>,
    /// The followed topics, and the last entry of each delivered here (`None` until the
    /// reader has looked at the stream).
    cursors: Mutex<BTreeMap<String, Option<EntryId>>>,
    /// This instance's members as last said (written anew on every connection).
    members: Mutex<BTreeMap<u64, String>>,
    /// The writer's connection, for replays.
    commands: Mutex<Option<MultiplexedConnection>>,
    stop: watch::Sender<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn stream(&self, topic: &str) -> String {
        format!("{}:topic:{topic}", self.config.prefix)
    }

    async fn connect(&self, extra: Duration) -> Result<MultiplexedConnection, RedisError> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.config.timeout))
            .set_response_timeout(Some(self.config.timeout + extra));
        let connecting = self
            .client
            .get_multiplexed_async_connection_with_config(&config);
        bounded(self.config.timeout, connecting).await
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }
}

/// `future`, or a timeout error after `limit`.
async fn bounded<T>(
    limit: Duration,
    future: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, RedisError> {
    match timeout(limit, future).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
    }
}

/// Instances of a server joined on Redis: a handle to this instance's bridge (clones share it).
#[derive(Clone)]
pub struct Bridge {
    shared: Arc<Shared>,
    outbox: mpsc::Sender<Op>,
    tasks: Arc<Mutex<Option<Tasks>>>,
}

/// The writer's and the reader's tasks, until [`Bridge::finish`] takes them.
type Tasks = (JoinHandle<()>, JoinHandle<()>);

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge")
            .field("server", &self.shared.server)
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// Starts this instance's bridge (on the current tokio runtime), named afresh (process id
    /// and start time), handing what it hears to `handler`.
    ///
    /// # Errors
    /// When the URL is not a Redis URL. An unreachable Redis is not an error: the bridge keeps
    /// trying, and logs it.
    pub fn start(config: Config, handler: Arc<dyn Handler>) -> Result<Bridge, RedisError> {
        let client = Client::open(config.url.as_str())?;
        let (outbox, events) = mpsc::channel(config.outbox);
        let cursors = config.topics.iter().map(|t| (t.clone(), None)).collect();
        let shared = Arc::new(Shared {
            server: server_name(),
            keys: Keys::new(&config.prefix),
            config,
            client,
            handler,
            cursors: Mutex::new(cursors),
            members: Mutex::default(),
            commands: Mutex::default(),
            stop: watch::Sender::new(false),
        });
        let writer = tokio::spawn(writer(shared.clone(), events));
        let reader = tokio::spawn(reader(shared.clone()));
        Ok(Bridge {
            shared,
            outbox,
            tasks: Arc::new(Mutex::new(Some((writer, reader)))),
        })
    }

    /// This instance's name among the others.
    pub fn server(&self) -> &str {
        &self.shared.server
    }

    /// Reads `topic`'s stream from now on: waits until the reader has taken its position in it, so
    /// every entry appended after this returns reaches the handler — a command timeout at most:
    /// with Redis away it returns then, and the position is taken when Redis is back. Publishing to
    /// a topic follows it; [`Config::follow`] follows from the start.
    ///
    /// [`Config::follow`]: crate::Config::follow
    pub async fn follow(&self, topic: &str) {
        self.want(topic);
        self.position(topic, || ()).await;
    }

    /// Adds `topic` to those the reader follows (its position taken on the reader's next look).
    fn want(&self, topic: &str) {
        lock(&self.shared.cursors)
            .entry(topic.to_string())
            .or_insert(None);
    }

    /// Waits until the reader has a position in `topic` (a command timeout at most), then runs
    /// `then` under the same lock, so that nothing is handed to the handler between the two.
    async fn position<T>(&self, topic: &str, then: impl FnOnce() -> T) -> (T, Option<EntryId>) {
        let waited = Instant::now();
        let has = || {
            lock(&self.shared.cursors)
                .get(topic)
                .copied()
                .flatten()
                .is_some()
        };
        while !has() && waited.elapsed() < self.shared.config.timeout {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let cursors = lock(&self.shared.cursors);
        (then(), cursors.get(topic).copied().flatten())
    }

    /// Appends `payload` to `topic`'s stream, for every instance's handler (this one's too,
    /// once read back: that is when it gets its id). Waits while the outbox is full.
    ///
    /// # Errors
    /// [`Stopped`] once the bridge has finished.
    pub async fn publish(&self, topic: &str, payload: impl Into<Bytes>) -> Result<(), Stopped> {
        self.want(topic);
        let payload = payload.into();
        let topic = topic.to_string();
        self.send(Op::Publish { topic, payload }).await
    }

    /// Lists `member` as present on this instance, with `data` (a nickname, say), until
    /// [`absent`](Self::absent) — in order with the publishes around it.
    ///
    /// # Errors
    /// [`Stopped`] once the bridge has finished.
    pub async fn present(&self, member: u64, data: impl Into<String>) -> Result<(), Stopped> {
        let data = data.into();
        lock(&self.shared.members).insert(member, data.clone());
        self.send(Op::Present { member, data }).await
    }

    /// `member` is no longer here.
    ///
    /// # Errors
    /// [`Stopped`] once the bridge has finished.
    pub async fn absent(&self, member: u64) -> Result<(), Stopped> {
        lock(&self.shared.members).remove(&member);
        self.send(Op::Absent { member }).await
    }

    async fn send(&self, op: Op) -> Result<(), Stopped> {
        if self.shared.stopped() {
            return Err(Stopped);
        }
        self.outbox.send(op).await.map_err(|_| Stopped)
    }

    /// Subscribes a member to `topic` with `subscribe` (for the entries this instance hands to
    /// the handler from now on) and gives, in the same step, what it missed: the entries after
    /// `since` (the last id it saw; `None` for a newcomer, who gets nothing) up to the last one
    /// handed to the handler before `subscribe` ran. Nothing falls between the two, and nothing
    /// is in both — unless the member saw further on another instance than this one has read:
    /// a member skips ids not after the last it saw.
    pub async fn resume<T>(
        &self,
        topic: &str,
        since: Option<EntryId>,
        subscribe: impl FnOnce() -> T,
    ) -> (T, Replay) {
        self.want(topic);
        // A topic followed a moment ago (or an instance just started) has no position yet:
        // wait for the reader to take one (Redis away: nothing can be said of the history).
        let (subscribed, upto) = self.position(topic, subscribe).await;
        let Some(since) = since else {
            return (subscribed, Replay::whole());
        };
        let replay = match upto {
            Some(upto) if since >= upto => Ok(Replay::whole()),
            Some(upto) => self.replay(topic, since, upto).await,
            None => Ok(Replay::default()), // not reading Redis yet: nothing known
        };
        let replay = replay.unwrap_or_else(|error| {
            tracing::warn!("redis: a replay of {topic} failed: {error}");
            Replay::default()
        });
        (subscribed, replay)
    }

    /// The entries of `topic` in (`since`, `upto`], and whether the stream still holds
    /// everything after `since`.
    async fn replay(
        &self,
        topic: &str,
        since: EntryId,
        upto: EntryId,
    ) -> Result<Replay, RedisError> {
        let connection = lock(&self.shared.commands).clone();
        let Some(mut connection) = connection else {
            return Ok(Replay::default());
        };
        let key = self.shared.stream(topic);
        let limit = self.shared.config.timeout;
        let exists: bool = bounded(
            limit,
            redis::cmd("EXISTS").arg(&key).query_async(&mut connection),
        )
        .await?;
        if !exists {
            // No such stream any more (Redis lost it): whatever came after `since` is gone.
            return Ok(Replay::default());
        }
        let mut info = redis::cmd("XINFO");
        info.arg("STREAM").arg(&key);
        let info: Value = bounded(limit, info.query_async(&mut connection)).await?;
        // Trimming removes the oldest entries (`recorded-first-entry-id` moves on); `XDEL`
        // removes any (`max-deleted-entry-id`). Past both, nothing after `since` was removed. (A
        // member whose last id is exactly the last one trimmed is told, wrongly but safely, that
        // something may be missing.)
        let deleted = id_field(&info, "max-deleted-entry-id").unwrap_or_default();
        let first = id_field(&info, "recorded-first-entry-id").unwrap_or_default();
        // A stream trimmed with `MAXLEN ~` holds up to a node (100 entries by default) more
        // than asked; more than this bound is cut off, and said so.
        let most = self.shared.config.stream_len.saturating_add(1000);
        let mut range = redis::cmd("XRANGE");
        range
            .arg(&key)
            .arg(format!("({since}"))
            .arg(upto.to_string())
            .arg("COUNT")
            .arg(most);
        let reply: redis::streams::StreamRangeReply =
            bounded(limit, range.query_async(&mut connection)).await?;
        let entries: Vec<Entry> = reply.ids.iter().filter_map(entry).collect();
        let cut = reply.ids.len() == most && entries.last().is_some_and(|e| e.id < upto);
        Ok(Replay {
            entries,
            complete: since >= deleted && since >= first && !cut,
        })
    }

    /// Sends what was given before this call, takes this instance's members out of the
    /// presence, and stops both tasks — within a few seconds even if Redis is away (what could
    /// not be sent is then logged).
    pub async fn finish(&self) {
        self.shared.stop.send_replace(true);
        let tasks = lock(&self.tasks).take();
        if let Some((writer, reader)) = tasks {
            let limit = self.shared.config.timeout * 3;
            let _ = timeout(limit, writer).await;
            reader.abort();
            let _ = reader.await;
        }
    }
}

impl Replay {
    fn whole() -> Replay {
        Replay {
            entries: Vec::new(),
            complete: true,
        }
    }
}

/// A fresh name for this instance among the others (the process id and the start time).
fn server_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// An entry as the bridge writes them (fields `s`, the instance, and `p`, the payload).
fn entry(raw: &redis::streams::StreamId) -> Option<Entry> {
    let id = raw.id.parse().ok()?;
    let bytes = |field: &str| match raw.map.get(field) {
        Some(Value::BulkString(bytes)) => Some(bytes.clone()),
        _ => None,
    };
    let server = String::from_utf8(bytes("s")?).ok()?;
    Some(Entry {
        id,
        server,
        payload: Bytes::from(bytes("p")?),
    })
}

/// An id field (`max-deleted-entry-id`, say) of a stream's `XINFO STREAM` (a flat list or a
/// map).
fn id_field(info: &Value, name: &str) -> Option<EntryId> {
    let text = |value: &Value| match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        _ => None,
    };
    let find = |key: &Value, value: &Value| {
        (text(key).as_deref() == Some(name))
            .then(|| text(value)?.parse().ok())
            .flatten()
    };
    match info {
        Value::Array(items) => items.chunks_exact(2).find_map(|kv| find(&kv[0], &kv[1])),
        Value::Map(pairs) => pairs.iter().find_map(|(k, v)| find(k, v)),
        _ => None,
    }
}

/// Waits out a retry's pause (100 ms doubling to 1 s, with jitter from the clock), unless the
/// bridge stops first: then `false`.
async fn pause(shared: &Shared, retry: u32) -> bool {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let exponent = retry.min(4);
    let delay = Duration::from_millis(100 << exponent).min(Duration::from_secs(1));
    let delay = delay.mul_f64(0.5 + f64::from(nanos % 1000) / 2000.0);
    let mut stop = shared.stop.subscribe();
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        _ = stop.wait_for(|stopped| *stopped) => false,
    }
}

/// The writer: publishes and presence changes, in order; presence refreshes.
async fn writer(shared: Arc<Shared>, mut outbox: mpsc::Receiver<Op>) {
    let mut pending = Vec::new();
    let mut retry = 0u32;
    loop {
        match write_connected(&shared, &mut outbox, &mut pending).await {
            Ok(()) => return,
            Err(error) if retry == 0 => tracing::warn!("redis: writing failed ({error}); retrying"),
            Err(error) => tracing::debug!("redis: still failing to write ({error})"),
        }
        retry = retry.saturating_add(1);
        if !pause(&shared, retry).await {
            // Stopped while Redis is away: one last try, then what is left is lost (logged).
            if write_connected(&shared, &mut outbox, &mut pending)
                .await
                .is_err()
            {
                outbox.close();
                let mut lost = pending.len();
                while outbox.try_recv().is_ok() {
                    lost += 1;
                }
                tracing::warn!("redis: stopped with {lost} operation(s) not written");
            }
            return;
        }
    }
}

async fn write_connected(
    shared: &Shared,
    outbox: &mut mpsc::Receiver<Op>,
    pending: &mut Vec<Op>,
) -> Result<(), RedisError> {
    let mut connection = shared.connect(Duration::ZERO).await?;
    let limit = shared.config.timeout;
    let own = shared.keys.of(&shared.server);
    let ttl = i64::try_from(shared.config.presence_ttl.as_millis()).unwrap_or(i64::MAX);
    // This instance's members anew: Redis may have restarted empty, and members came and went
    // while it was away.
    let mut register = redis::pipe();
    register.atomic().del(&own);
    let members: Vec<(u64, String)> = lock(&shared.members)
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    if !members.is_empty() {
        register
            .hset_multiple(&own, &members)
            .pexpire(&own, ttl)
            .sadd(&shared.keys.servers, &shared.server);
    }
    bounded(limit, register.exec_async(&mut connection)).await?;
    *lock(&shared.commands) = Some(connection.clone());
    let mut refresh = tokio::time::interval(shared.config.presence_ttl / 3);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = shared.stop.subscribe();
    loop {
        if !pending.is_empty() {
            write(shared, &mut connection, pending).await?;
        }
        if *stop.borrow_and_update() {
            while let Ok(op) = outbox.try_recv() {
                pending.push(op);
            }
            write(shared, &mut connection, pending).await?;
            let mut leave = redis::pipe();
            leave
                .atomic()
                .del(&own)
                .srem(&shared.keys.servers, &shared.server);
            bounded(limit, leave.exec_async(&mut connection)).await?;
            return Ok(());
        }
        tokio::select! {
            biased;
            taken = outbox.recv_many(pending, BATCH) => if taken == 0 {
                stop.mark_changed(); // every handle is gone: finish as if stopped
            },
            _ = stop.changed() => {}
            _ = refresh.tick() => {
                let mut pipe = redis::pipe();
                pipe.pexpire(&own, ttl);
                bounded(limit, pipe.exec_async(&mut connection)).await?;
            }
        }
    }
}

/// Writes `pending` in one transaction; on success it is emptied (on failure kept, for the
/// next connection).
async fn write(
    shared: &Shared,
    connection: &mut MultiplexedConnection,
    pending: &mut Vec<Op>,
) -> Result<(), RedisError> {
    if pending.is_empty() {
        return Ok(());
    }
    let own = shared.keys.of(&shared.server);
    let ttl = i64::try_from(shared.config.presence_ttl.as_millis()).unwrap_or(i64::MAX);
    let mut pipe = redis::pipe();
    pipe.atomic();
    for op in pending.iter() {
        match op {
            Op::Publish { topic, payload } => {
                pipe.cmd("XADD")
                    .arg(shared.stream(topic))
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(shared.config.stream_len)
                    .arg("*")
                    .arg("s")
                    .arg(&shared.server)
                    .arg("p")
                    .arg(payload.as_ref())
                    .ignore();
            }
            Op::Present { member, data } => {
                pipe.hset(&own, member, data)
                    .pexpire(&own, ttl)
                    .sadd(&shared.keys.servers, &shared.server)
                    .ignore();
            }
            Op::Absent { member } => {
                pipe.hdel(&own, member).ignore();
            }
        }
    }
    bounded(shared.config.timeout, pipe.exec_async(connection)).await?;
    pending.clear();
    Ok(())
}

/// Topics followed since the last read start at their stream's end.
async fn start_topics(
    shared: &Shared,
    connection: &mut MultiplexedConnection,
) -> Result<(), RedisError> {
    let new: Vec<String> = lock(&shared.cursors)
        .iter()
        .filter(|(_, cursor)| cursor.is_none())
        .map(|(topic, _)| topic.clone())
        .collect();
    for topic in new {
        let mut last = redis::cmd("XREVRANGE");
        last.arg(shared.stream(&topic))
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1);
        let reply: redis::streams::StreamRangeReply =
            bounded(shared.config.timeout, last.query_async(connection)).await?;
        let at = reply
            .ids
            .first()
            .and_then(|e| e.id.parse().ok())
            .unwrap_or_default();
        lock(&shared.cursors).insert(topic, Some(at));
    }
    Ok(())
}

/// The reader: the followed topics' entries, and presence snapshots between reads.
async fn reader(shared: Arc<Shared>) {
    let mut first = true;
    let mut up = false;
    let mut retry = 0u32;
    loop {
        let ended = read_connected(&shared, &mut first, &mut up).await;
        if shared.stopped() {
            return;
        }
        match ended {
            Err(error) if up => {
                tracing::warn!(
                    "redis: connection lost ({error}); this instance goes on alone, reconnecting"
                );
                up = false;
                retry = 0;
            }
            Err(error) if retry == 0 => tracing::warn!("redis: unreachable ({error}); retrying"),
            Err(error) => tracing::debug!("redis: still unreachable ({error})"),
            Ok(()) => return,
        }
        retry = retry.saturating_add(1);
        if !pause(&shared, retry).await {
            return;
        }
    }
}

async fn read_connected(
    shared: &Shared,
    first: &mut bool,
    up: &mut bool,
) -> Result<(), RedisError> {
    let block = (shared.config.presence_ttl / 3).min(Duration::from_secs(1));
    let mut connection = shared.connect(block).await?;
    let limit = shared.config.timeout;
    let since = Instant::now();
    let others = bounded(
        limit,
        presence::snapshot(&mut connection, &shared.keys, &shared.server),
    )
    .await?;
    start_topics(shared, &mut connection).await?;
    let count = others.len();
    shared.handler.presence(others, *first, false);
    *first = false;
    *up = true;
    tracing::info!(
        "redis: in the room as server {} ({count} member(s) on other servers)",
        shared.server
    );
    let mut next_sync = Instant::now() + shared.config.presence_ttl / 3;
    let mut stop = shared.stop.subscribe();
    let block_ms = u64::try_from(block.as_millis()).unwrap_or(1000).max(1);
    loop {
        if *stop.borrow_and_update() {
            return Ok(());
        }
        start_topics(shared, &mut connection).await?;
        let followed: Vec<(String, EntryId)> = lock(&shared.cursors)
            .iter()
            .filter_map(|(topic, cursor)| Some((topic.clone(), (*cursor)?)))
            .collect();
        if followed.is_empty() {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = stop.changed() => {}
            }
        } else {
            let mut read = redis::cmd("XREAD");
            read.arg("COUNT")
                .arg(BATCH)
                .arg("BLOCK")
                .arg(block_ms)
                .arg("STREAMS");
            for (topic, _) in &followed {
                read.arg(shared.stream(topic));
            }
            for (_, cursor) in &followed {
                read.arg(cursor.to_string());
            }
            let reply: Option<StreamReadReply> = tokio::select! {
                reply = read.query_async(&mut connection) => reply?,
                _ = stop.changed() => return Ok(()),
            };
            for stream in reply.map(|r| r.keys).unwrap_or_default() {
                let prefix = format!("{}:topic:", shared.config.prefix);
                let Some(topic) = stream.key.strip_prefix(&prefix) else {
                    continue;
                };
                for raw in &stream.ids {
                    let Some(entry) = entry(raw) else {
                        tracing::warn!("redis: an entry of {topic} not understood ({})", raw.id);
                        continue;
                    };
                    let mut cursors = lock(&shared.cursors);
                    let cursor = cursors.entry(topic.to_string()).or_insert(None);
                    if cursor.is_none_or(|at| entry.id > at) {
                        shared
                            .handler
                            .entry(topic, entry.id, &entry.server, &entry.payload);
                        *cursor = Some(entry.id);
                    }
                }
            }
        }
        if Instant::now() >= next_sync {
            let others = bounded(
                limit,
                presence::snapshot(&mut connection, &shared.keys, &shared.server),
            )
            .await?;
            let removals = since.elapsed() >= shared.config.presence_ttl * 2;
            shared.handler.presence(others, false, removals);
            next_sync = Instant::now() + shared.config.presence_ttl / 3;
        }
    }
}
