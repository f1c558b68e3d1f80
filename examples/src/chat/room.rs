//! The chat [`Room`]: one topic of Sansock's [`Topics`] that every member on this server
//! subscribes to, the member list, and — when servers are joined on Redis
//! ([`super::redis`]) — the members of the other servers as last heard from them.
//!
//! What is said here goes to this server's members at once (framed and compressed once, the same
//! bytes to every connection) and, when there is a bridge, to Redis for the other servers. What
//! the other servers say comes back through [`Room::heard`] and goes to this server's members
//! only. The WebSocket side (a member's reader and writer) is in `mod.rs`; Redis is in
//! `redis.rs`.

use sansock_hyper::Message;
use sansock_topics::{SlowPolicy, Subscription, Topics};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::mpsc;

/// The topic every member subscribes to.
const TOPIC: &str = "room";

/// What happens in the room, as members' browsers get it: `{"type":"join","nick":"ann"}`,
/// `{"type":"leave",..}`, `{"type":"message","nick":..,"text":..}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    /// Someone came in.
    Join {
        /// Their nickname.
        nick: String,
    },
    /// Someone went (closed, dropped as too slow, or their server is gone).
    Leave {
        /// Their nickname.
        nick: String,
    },
    /// Someone said something.
    Message {
        /// Who.
        nick: String,
        /// What.
        text: String,
    },
}

impl Event {
    /// The event as the JSON text message members get.
    pub fn to_message(&self) -> Message {
        Message::from(serde_json::to_string(self).unwrap_or_default())
    }
}

/// An event on its way between servers: which server, which of its members, what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The server the member is connected to.
    pub server: String,
    /// The member's number on that server.
    pub member: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// A member of another server: (server, member number).
pub type RemoteId = (String, u64);

/// A member on this server as the member list shows it: its nickname and the round-trip time of
/// its connection (microseconds, `u64::MAX` until a ping has been answered).
pub struct Member {
    /// The nickname.
    pub nick: String,
    /// The connection's last measured round-trip time.
    pub rtt_micros: Arc<AtomicU64>,
}

/// Everyone connected: the room's topic, this server's members, the other servers' members.
pub struct Room {
    topics: Topics,
    next_id: AtomicU64,
    members: Mutex<HashMap<u64, Member>>,
    remote: Mutex<BTreeMap<RemoteId, String>>,
    bridge: Option<Bridge>,
}

/// Where this server's events go to reach the other servers.
struct Bridge {
    server: String,
    to_redis: mpsc::Sender<Envelope>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Room {
    /// A room on this server alone, whose members each queue at most `queue` messages; a member
    /// past that is dropped.
    pub fn new(queue: usize) -> Self {
        Room {
            topics: Topics::new(queue, SlowPolicy::Drop),
            next_id: AtomicU64::new(0),
            members: Mutex::default(),
            remote: Mutex::default(),
            bridge: None,
        }
    }

    /// A room whose events also go to `to_redis`, as those of server `server`.
    pub fn bridged(queue: usize, server: String, to_redis: mpsc::Sender<Envelope>) -> Self {
        Room {
            bridge: Some(Bridge { server, to_redis }),
            ..Room::new(queue)
        }
    }

    /// This server's name among the others (`None` alone).
    pub fn server(&self) -> Option<&str> {
        self.bridge.as_ref().map(|b| b.server.as_str())
    }

    /// This server's members: number and nickname.
    pub fn local_members(&self) -> Vec<(u64, String)> {
        lock(&self.members)
            .iter()
            .map(|(id, m)| (*id, m.nick.clone()))
            .collect()
    }

    /// Adds a member and tells everyone (the newcomer too).
    pub fn join(&self, member: Member) -> (u64, Subscription) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let subscription = self.topics.subscribe(TOPIC);
        let event = Event::Join {
            nick: member.nick.clone(),
        };
        lock(&self.members).insert(id, member);
        self.say(id, event);
        (id, subscription)
    }

    /// Removes a member (if still there) and tells everyone else.
    pub fn leave(&self, id: u64) {
        let gone = lock(&self.members).remove(&id);
        if let Some(member) = gone {
            self.say(id, Event::Leave { nick: member.nick });
        }
    }

    /// Member `id` of this server says `text`.
    pub fn message(&self, id: u64, nick: &str, text: &str) {
        self.say(
            id,
            Event::Message {
                nick: nick.into(),
                text: text.into(),
            },
        );
    }

    /// Publishes `event` of member `id` here, and hands it to the bridge for the other servers
    /// (never waiting: when Redis cannot keep up or is away, the other servers miss it — Redis
    /// pub/sub delivers at most once anyway).
    fn say(&self, id: u64, event: Event) {
        self.publish(&event);
        if let Some(bridge) = &self.bridge {
            let envelope = Envelope {
                server: bridge.server.clone(),
                member: id,
                event,
            };
            if bridge.to_redis.try_send(envelope).is_err() {
                tracing::debug!("redis: an event not forwarded (the bridge is behind)");
            }
        }
    }

    /// What another server said (through Redis): its members' joins and leaves update the
    /// member list; everything new goes to this server's members. A join already known (the
    /// presence sync saw it first) or a leave of someone unknown is not repeated.
    pub fn heard(&self, envelope: Envelope) {
        let id = (envelope.server, envelope.member);
        let new = match &envelope.event {
            Event::Join { nick } => lock(&self.remote).insert(id, nick.clone()).is_none(),
            Event::Leave { .. } => lock(&self.remote).remove(&id).is_some(),
            Event::Message { .. } => true,
        };
        if new {
            self.publish(&envelope.event);
        }
    }

    /// Brings the other servers' members in line with `present` (everyone Redis lists now):
    /// newcomers are announced (unless `quiet`), and — when `removals` — members no longer
    /// listed are announced gone: their server left without saying so, or said it while this
    /// server could not hear.
    pub fn sync_remote(&self, present: BTreeMap<RemoteId, String>, quiet: bool, removals: bool) {
        let mut events = Vec::new();
        {
            let mut remote = lock(&self.remote);
            for (id, nick) in &present {
                if !remote.contains_key(id) {
                    remote.insert(id.clone(), nick.clone());
                    if !quiet {
                        events.push(Event::Join { nick: nick.clone() });
                    }
                }
            }
            if removals {
                remote.retain(|id, nick| {
                    let keep = present.contains_key(id);
                    if !keep {
                        events.push(Event::Leave { nick: nick.clone() });
                    }
                    keep
                });
            }
        }
        for event in &events {
            self.publish(event);
        }
    }

    /// Sends `event` to this server's members, framed once. Members whose queue is full are
    /// dropped from the topic (their writers see it, leave and say why); the others never wait
    /// for them.
    fn publish(&self, event: &Event) {
        let published = self.topics.publish(TOPIC, event.to_message());
        if published.dropped > 0 {
            tracing::info!("{} member(s) too slow, dropped", published.dropped);
        }
    }

    /// Everyone's nickname and round-trip time, as JSON: `[{"nick":"ann","rtt_ms":0.4}, ..]`
    /// (`null` until the member has answered a ping, and for members of other servers).
    pub fn roster(&self) -> String {
        #[derive(Serialize, PartialEq, PartialOrd)]
        struct Entry {
            nick: String,
            rtt_ms: Option<f64>,
        }
        let mut entries: Vec<Entry> = lock(&self.members)
            .values()
            .map(|m| Entry {
                nick: m.nick.clone(),
                rtt_ms: match m.rtt_micros.load(Ordering::Relaxed) {
                    u64::MAX => None,
                    micros => Some((micros as f64 / 100.0).round() / 10.0),
                },
            })
            .collect();
        entries.extend(lock(&self.remote).values().map(|nick| Entry {
            nick: nick.clone(),
            rtt_ms: None,
        }));
        entries.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        serde_json::to_string(&entries).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_the_json_browsers_get() {
        let join = Event::Join {
            nick: "a\"b".into(),
        };
        assert_eq!(
            serde_json::to_string(&join).unwrap(),
            r#"{"type":"join","nick":"a\"b"}"#
        );
        let envelope = Envelope {
            server: "s1".into(),
            member: 7,
            event: Event::Message {
                nick: "ann".into(),
                text: "hi".into(),
            },
        };
        let json = serde_json::to_string(&envelope).unwrap();
        assert_eq!(
            json,
            r#"{"server":"s1","member":7,"type":"message","nick":"ann","text":"hi"}"#
        );
        assert_eq!(serde_json::from_str::<Envelope>(&json).unwrap(), envelope);
    }

    #[test]
    fn remote_members_are_announced_once() {
        let room = Room::new(8);
        let sub = room.topics.subscribe(TOPIC);
        let heard = |member, event| Envelope {
            server: "b".into(),
            member,
            event,
        };
        let ann = || Event::Join { nick: "ann".into() };
        room.heard(heard(1, ann()));
        room.heard(heard(1, ann())); // again: not repeated
        let mut present = BTreeMap::new();
        present.insert(("b".to_string(), 1), "ann".to_string());
        present.insert(("b".to_string(), 2), "bo".to_string());
        room.sync_remote(present.clone(), false, true); // bo is new
        present.remove(&("b".to_string(), 1));
        room.sync_remote(present.clone(), false, false); // no removals yet
        room.sync_remote(present, false, true); // ann is gone
        room.heard(heard(1, Event::Leave { nick: "ann".into() })); // already gone
        let mut got = Vec::new();
        while let Some(m) = sub.try_recv() {
            match m.message() {
                Message::Text(text) => got.push(text.as_str().to_string()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            got,
            [
                r#"{"type":"join","nick":"ann"}"#,
                r#"{"type":"join","nick":"bo"}"#,
                r#"{"type":"leave","nick":"ann"}"#,
            ]
        );
        assert_eq!(room.roster(), r#"[{"nick":"bo","rtt_ms":null}]"#);
    }
}
