//! The chat room across servers: a bridge between this server's [`Room`] and Redis, so members
//! connected to different chat servers are in one room.
//!
//! - **Events** (joins, leaves, messages) go out on one Redis pub/sub channel as JSON
//!   [`Envelope`]s naming their server; each server passes the others' on to its own members.
//! - **Presence:** each server keeps its members in a Redis hash (`sansock-chat:members:<server>`,
//!   member number → nickname) that expires [`RedisConfig::presence_ttl`] after the server last
//!   refreshed it (every third of that). Every refresh also reads all servers' hashes (one Lua
//!   script: a consistent snapshot) and brings the room's list of other servers' members in line:
//!   a server that died stops refreshing, its hash expires, and every other server announces its
//!   members' leaves to its own members. The snapshot also repairs what pub/sub lost while this
//!   server could not hear (pub/sub delivers at most once, to whoever is connected).
//! - **Redis going away:** the room goes on locally (members here still talk to each other), the
//!   loss is logged, and the bridge reconnects with a backoff (100 ms doubling to 1 s). On
//!   reconnecting it writes its members again and resubscribes. For two presence lifetimes after
//!   a (re)connection it announces no leaves from the snapshot: a Redis that restarted empty has
//!   no hashes until every server is back, and their members did not leave.
//!
//! Snapshot and pub/sub are handled by one task in turn, so a join or leave is never announced
//! twice or undone by a stale snapshot: a server writes its hash before it publishes, and Redis
//! runs commands one at a time, so a snapshot that missed a change is read before the change's
//! message, which this task handles after the snapshot.

use super::room::{Envelope, RemoteId, Room};
use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, RedisError};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// The pub/sub channel every server publishes to and listens on.
const CHANNEL: &str = "sansock-chat";
/// The set of servers that have (had) members; the script forgets those whose hash expired.
const SERVERS: &str = "sansock-chat:servers";
/// Each server's members hash is this followed by the server's name.
const MEMBERS: &str = "sansock-chat:members:";
/// How long any one Redis command or connection attempt may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// Events waiting for Redis; past that they are not forwarded (and logged).
pub const OUTBOX: usize = 4096;
/// The most events sent in one round trip.
const BATCH: usize = 256;

/// Every server's members, read at once: `[server, member, nick, server, member, nick, ..]`;
/// servers whose hash expired (they died, or have no members) leave the set.
const SNAPSHOT: &str = r"
local out = {}
for _, server in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local members = redis.call('HGETALL', ARGV[1] .. server)
  if #members == 0 then
    redis.call('SREM', KEYS[1], server)
  end
  for i = 1, #members, 2 do
    out[#out + 1] = server
    out[#out + 1] = members[i]
    out[#out + 1] = members[i + 1]
  end
end
return out
";

/// Where the room's servers meet, and how soon a silent server's members are gone.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// The Redis URL (`redis://host:port/db`).
    pub url: String,
    /// How long a server's presence outlives its last refresh.
    pub presence_ttl: Duration,
}

/// The running bridge: [`Bridge::finish`] sends what is left, removes this server's presence
/// and ends it.
pub struct Bridge {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

/// A fresh name for this server among the others (the process id and the start time).
pub fn server_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// Starts the bridge of `room` (made with [`Room::bridged`], whose events come through
/// `events`) to the Redis at `config.url`.
///
/// # Errors
/// When the URL is not a Redis URL; an unreachable Redis is not an error (the bridge keeps
/// trying).
pub fn start(
    room: Arc<Room>,
    events: mpsc::Receiver<Envelope>,
    config: RedisConfig,
) -> Result<Bridge, RedisError> {
    let client = Client::open(config.url.as_str())?;
    let stop = CancellationToken::new();
    let bridge = Link {
        client,
        room,
        events,
        config,
        stop: stop.clone(),
        first: true,
        up: false,
    };
    let task = tokio::spawn(bridge.run());
    Ok(Bridge { stop, task })
}

impl Bridge {
    /// Forwards the events already given, removes this server's members from Redis (the other
    /// servers heard their leaves), and stops — within a few seconds even if Redis is away.
    pub async fn finish(self) {
        self.stop.cancel();
        let _ = timeout(COMMAND_TIMEOUT * 2, self.task).await;
    }
}

/// The bridge's task and what it owns.
struct Link {
    client: Client,
    room: Arc<Room>,
    events: mpsc::Receiver<Envelope>,
    config: RedisConfig,
    stop: CancellationToken,
    /// Whether no connection has been made yet (the first snapshot announces nobody: nobody
    /// here has seen the room before).
    first: bool,
    /// Whether the current connection got as far as writing this server's members.
    up: bool,
}

/// How a connection ended.
enum Ended {
    Stopped,
    Lost(RedisError),
}

impl From<RedisError> for Ended {
    fn from(error: RedisError) -> Self {
        Ended::Lost(error)
    }
}

/// `future`, or a timeout error after [`COMMAND_TIMEOUT`].
async fn bounded<T>(future: impl Future<Output = Result<T, RedisError>>) -> Result<T, RedisError> {
    match timeout(COMMAND_TIMEOUT, future).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
    }
}

impl Link {
    fn server(&self) -> &str {
        self.room.server().unwrap_or_default()
    }

    fn members_key(&self) -> String {
        format!("{MEMBERS}{}", self.server())
    }

    fn ttl_ms(&self) -> i64 {
        i64::try_from(self.config.presence_ttl.as_millis()).unwrap_or(i64::MAX)
    }

    async fn run(mut self) {
        let backoff = sansock_tokio::Backoff::new()
            .initial(Duration::from_millis(100))
            .max(Duration::from_secs(1));
        let mut retry = 0u32;
        loop {
            match self.connected().await {
                Ended::Stopped => return,
                Ended::Lost(error) if self.up => {
                    tracing::warn!(
                        "redis: connection lost ({error}); the room goes on on this server \
                         alone, reconnecting"
                    );
                    self.up = false;
                    retry = 0;
                }
                Ended::Lost(error) if retry == 0 => {
                    tracing::warn!("redis: unreachable ({error}); retrying");
                }
                Ended::Lost(error) => tracing::debug!("redis: still unreachable ({error})"),
            }
            retry = retry.saturating_add(1);
            // Jitter from the clock: servers that lost Redis together do not retry in step.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let unit = f64::from(nanos % 1000) / 1000.0;
            let pause = tokio::time::sleep(backoff.delay(retry, unit));
            tokio::pin!(pause);
            // Away from Redis, this server's events reach only its own members.
            let mut missed = 0usize;
            loop {
                tokio::select! {
                    () = &mut pause => break,
                    () = self.stop.cancelled() => return,
                    event = self.events.recv() => match event {
                        Some(_) => missed += 1,
                        None => return,
                    },
                }
            }
            if missed > 0 {
                tracing::debug!("redis: {missed} event(s) not forwarded while away");
            }
        }
    }

    /// One connection's life: subscribe, write this server's members, then forward events,
    /// hear the others and refresh presence until Redis goes away or the bridge stops.
    async fn connected(&mut self) -> Ended {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT));
        let opened = async {
            let mut pubsub = bounded(self.client.get_async_pubsub()).await?;
            bounded(pubsub.subscribe(CHANNEL)).await?;
            let commands = bounded(
                self.client
                    .get_multiplexed_async_connection_with_config(&config),
            )
            .await?;
            Ok::<_, RedisError>((pubsub, commands))
        };
        let (pubsub, mut commands) = tokio::select! {
            () = self.stop.cancelled() => return Ended::Stopped,
            opened = opened => match opened {
                Ok(opened) => opened,
                Err(error) => return Ended::Lost(error),
            },
        };
        match self.serve(pubsub, &mut commands).await {
            Ok(()) => Ended::Stopped,
            Err(ended) => ended,
        }
    }

    async fn serve(
        &mut self,
        pubsub: redis::aio::PubSub,
        commands: &mut MultiplexedConnection,
    ) -> Result<(), Ended> {
        self.register(commands).await?;
        self.up = true;
        let since = Instant::now();
        let others = self.sync(commands, false).await?;
        tracing::info!(
            "redis: in the room as server {} ({others} member(s) on other servers)",
            self.server()
        );
        self.first = false;
        let mut messages = pubsub.into_on_message();
        let mut refresh = tokio::time::interval(self.config.presence_ttl / 3);
        refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        refresh.tick().await;
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            tokio::select! {
                biased;
                taken = self.events.recv_many(&mut batch, BATCH) => {
                    if taken == 0 {
                        return Ok(());
                    }
                    self.forward(commands, &mut batch).await?;
                }
                message = messages.next() => {
                    let Some(message) = message else {
                        return Err(Ended::Lost(
                            std::io::Error::from(std::io::ErrorKind::ConnectionReset).into(),
                        ));
                    };
                    match serde_json::from_slice::<Envelope>(message.get_payload_bytes()) {
                        Ok(envelope) if envelope.server != self.server() => {
                            self.room.heard(envelope);
                        }
                        Ok(_) => {} // our own, already delivered here
                        Err(error) => tracing::warn!("redis: a message not understood: {error}"),
                    }
                }
                _ = refresh.tick() => {
                    let removals = since.elapsed() >= self.config.presence_ttl * 2;
                    self.refresh(commands).await?;
                    self.sync(commands, removals).await?;
                }
                () = self.stop.cancelled() => {
                    while let Ok(event) = self.events.try_recv() {
                        batch.push(event);
                    }
                    self.forward(commands, &mut batch).await?;
                    let mut leave = redis::pipe();
                    leave.atomic().del(self.members_key()).srem(SERVERS, self.server());
                    bounded(leave.exec_async(commands)).await?;
                    return Ok(());
                }
            }
        }
    }

    /// Writes this server's members anew (Redis may have restarted empty, and members came and
    /// went while it was away).
    async fn register(&self, commands: &mut MultiplexedConnection) -> Result<(), RedisError> {
        let key = self.members_key();
        let mut pipe = redis::pipe();
        pipe.atomic().del(&key);
        let members = self.room.local_members();
        if !members.is_empty() {
            pipe.hset_multiple(&key, &members)
                .pexpire(&key, self.ttl_ms())
                .sadd(SERVERS, self.server());
        }
        bounded(pipe.exec_async(commands)).await
    }

    /// Keeps this server's presence alive for another lifetime.
    async fn refresh(&self, commands: &mut MultiplexedConnection) -> Result<(), RedisError> {
        let mut pipe = redis::pipe();
        pipe.pexpire(self.members_key(), self.ttl_ms());
        bounded(pipe.exec_async(commands)).await
    }

    /// Reads every server's members and brings the room's view of the others in line; returns
    /// how many members the other servers have.
    async fn sync(
        &self,
        commands: &mut MultiplexedConnection,
        removals: bool,
    ) -> Result<usize, RedisError> {
        let script = redis::Script::new(SNAPSHOT);
        let mut invocation = script.key(SERVERS);
        invocation.arg(MEMBERS);
        let flat: Vec<String> = bounded(invocation.invoke_async(commands)).await?;
        let mut present: BTreeMap<RemoteId, String> = BTreeMap::new();
        for triple in flat.chunks_exact(3) {
            let [server, member, nick] = triple else {
                continue;
            };
            if server == self.server() {
                continue;
            }
            if let Ok(member) = member.parse() {
                present.insert((server.clone(), member), nick.clone());
            }
        }
        let count = present.len();
        self.room.sync_remote(present, self.first, removals);
        Ok(count)
    }

    /// Sends `batch` (this server's events, in order) to the other servers in one round trip,
    /// updating this server's members hash on joins and leaves first.
    async fn forward(
        &self,
        commands: &mut MultiplexedConnection,
        batch: &mut Vec<Envelope>,
    ) -> Result<(), RedisError> {
        if batch.is_empty() {
            return Ok(());
        }
        let key = self.members_key();
        let mut pipe = redis::pipe();
        pipe.atomic();
        for envelope in batch.drain(..) {
            match &envelope.event {
                super::room::Event::Join { nick } => {
                    pipe.hset(&key, envelope.member, nick)
                        .pexpire(&key, self.ttl_ms())
                        .sadd(SERVERS, self.server());
                }
                super::room::Event::Leave { .. } => {
                    pipe.hdel(&key, envelope.member);
                }
                super::room::Event::Message { .. } => {}
            }
            let json = serde_json::to_string(&envelope).unwrap_or_default();
            pipe.publish(CHANNEL, json);
        }
        bounded(pipe.exec_async(commands)).await
    }
}
