//! The chat room across servers: `sansock-redis` joins this server's [`Room`] to the others'
//! on one Redis — what is said goes through the room's stream (one order for every member of
//! every server; a member that comes back gets what it missed), and each server's members are
//! listed in a presence that expires when the server stops refreshing it, so a dead server's
//! members are announced gone by the others. Redis going away: what members say waits in the
//! bridge's bounded outbox and reaches everyone, in order, when Redis is back (a member that
//! says too much meanwhile waits).

use super::room::Room;
use sansock_redis::{Bridge, Config, RedisError};
use std::sync::Arc;
use std::time::Duration;

/// Where the room's servers meet, and how soon a silent server's members are gone.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// The Redis URL (`redis://host:port/db`).
    pub url: String,
    /// How long a server's presence outlives its last refresh.
    pub presence_ttl: Duration,
}

/// How many entries the room's stream keeps: how far back a member that comes back can catch
/// up (at ten lines a second from each of 200 members, 25 s).
pub const HISTORY: usize = 50_000;

/// Joins `room` to the others on the Redis of `config`; [`Bridge::finish`] leaves.
///
/// # Errors
/// When the URL is not a Redis URL; an unreachable Redis is not an error (the bridge keeps
/// trying).
pub fn start(room: &Arc<Room>, config: RedisConfig) -> Result<Bridge, RedisError> {
    let settings = Config::new(config.url)
        .prefix("sansock-chat")
        .follow(super::room::TOPIC)
        .stream_len(HISTORY)
        .presence_ttl(config.presence_ttl);
    let bridge = Bridge::start(settings, room.clone())?;
    room.attach(bridge.clone());
    Ok(bridge)
}
