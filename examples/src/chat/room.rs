//! The chat [`Room`]: one topic of Sansock's [`Topics`] that every member on this server
//! subscribes to, the member list, and — when servers are joined on Redis (`sansock-redis`) —
//! the members of the other servers as last heard from them.
//!
//! Alone, what is said here goes to this server's members at once (framed and compressed once,
//! the same bytes to every connection). Joined, it goes to the room's Redis stream, and every
//! server — this one too — delivers what it reads back ([`Room::heard`]), with the entry's id:
//! one order for every member of every server, and a member that comes back says the last id
//! it saw and gets what it missed ([`Room::subscribe`]). The WebSocket side (a member's reader
//! and writer) is in `mod.rs`.

use sansock_hyper::Message;
use sansock_redis::{Bridge, EntryId, Handler};
use sansock_topics::{SlowPolicy, Subscription, Topics};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// The topic every member subscribes to.
pub const TOPIC: &str = "room";

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
    /// The event as the JSON text message members get, with its id in the room's stream when
    /// servers are joined (`"id":"1733580000000-0"`: what a member resumes after).
    pub fn to_message(&self, id: Option<EntryId>) -> Message {
        #[derive(Serialize)]
        struct Delivered<'a> {
            #[serde(flatten)]
            event: &'a Event,
            #[serde(skip_serializing_if = "Option::is_none")]
            id: Option<String>,
        }
        let id = id.map(|id| id.to_string());
        Message::from(serde_json::to_string(&Delivered { event: self, id }).unwrap_or_default())
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
    bridge: OnceLock<Bridge>,
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
            bridge: OnceLock::new(),
        }
    }

    /// Joins this room to the others through `bridge` (once; the bridge hands what it reads to
    /// this room, its [`Handler`], and follows the room's topic from its start: [`TOPIC`]).
    pub fn attach(&self, bridge: Bridge) {
        let _ = self.bridge.set(bridge);
    }

    /// This server's name among the others (`None` alone).
    pub fn server(&self) -> Option<&str> {
        self.bridge.get().map(Bridge::server)
    }

    /// This server's members: number and nickname.
    pub fn local_members(&self) -> Vec<(u64, String)> {
        lock(&self.members)
            .iter()
            .map(|(id, m)| (*id, m.nick.clone()))
            .collect()
    }

    /// Subscribes a member-to-be to the room, and gives what it missed since `since` (the
    /// last id it saw; `None` for a newcomer) as the messages to send it first, and whether
    /// that is all it missed (`false`: the room's stream no longer reaches back that far, or
    /// this server is alone and keeps no history).
    pub async fn subscribe(&self, since: Option<EntryId>) -> (Subscription, Vec<Message>, bool) {
        let Some(bridge) = self.bridge.get() else {
            return (self.topics.subscribe(TOPIC), Vec::new(), since.is_none());
        };
        let (subscription, replay) = bridge
            .resume(TOPIC, since, || self.topics.subscribe(TOPIC))
            .await;
        let missed = replay
            .entries
            .iter()
            .filter_map(|entry| {
                let envelope: Envelope = serde_json::from_slice(&entry.payload).ok()?;
                Some(envelope.event.to_message(Some(entry.id)))
            })
            .collect();
        (subscription, missed, replay.complete)
    }

    /// Adds a subscribed member and tells everyone (the newcomer too); gives its number.
    pub async fn enter(&self, member: Member) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let event = Event::Join {
            nick: member.nick.clone(),
        };
        lock(&self.members).insert(id, member);
        self.say(id, event).await;
        id
    }

    /// Removes a member (if still there) and tells everyone else.
    pub async fn leave(&self, id: u64) {
        let gone = lock(&self.members).remove(&id);
        if let Some(member) = gone {
            self.say(id, Event::Leave { nick: member.nick }).await;
        }
    }

    /// Member `id` of this server says `text`.
    pub async fn message(&self, id: u64, nick: &str, text: &str) {
        let event = Event::Message {
            nick: nick.into(),
            text: text.into(),
        };
        self.say(id, event).await;
    }

    /// Alone: delivers `event` of member `id` here. Joined: lists or unlists the member in the
    /// presence, then appends the event to the room's stream, waiting while the bridge's outbox
    /// is full (a member who says too much waits; nothing said is dropped); every server
    /// delivers it when it reads it back.
    async fn say(&self, id: u64, event: Event) {
        let Some(bridge) = self.bridge.get() else {
            return self.publish(&event, None);
        };
        let _ = match &event {
            Event::Join { nick } => bridge.present(id, nick.as_str()).await,
            Event::Leave { .. } => bridge.absent(id).await,
            Event::Message { .. } => Ok(()),
        };
        let envelope = Envelope {
            server: bridge.server().to_string(),
            member: id,
            event,
        };
        let payload = serde_json::to_vec(&envelope).unwrap_or_default();
        if bridge.publish(TOPIC, payload).await.is_err() {
            tracing::debug!("redis: an event after the bridge stopped, not forwarded");
        }
    }

    /// An entry of the room's stream (this server's, or another's): the other servers'
    /// members' joins and leaves update the member list; everything new goes to this server's
    /// members with its id. Another server's join already known (the presence sync saw it
    /// first), or a leave of someone unknown, is not repeated.
    pub fn heard(&self, id: EntryId, envelope: Envelope) {
        let new = Some(envelope.server.as_str()) == self.server() || {
            let remote = (envelope.server, envelope.member);
            match &envelope.event {
                Event::Join { nick } => lock(&self.remote).insert(remote, nick.clone()).is_none(),
                Event::Leave { .. } => lock(&self.remote).remove(&remote).is_some(),
                Event::Message { .. } => true,
            }
        };
        if new {
            self.publish(&envelope.event, Some(id));
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
            self.publish(event, None);
        }
    }

    /// Sends `event` to this server's members, framed once. Members whose queue is full are
    /// dropped from the topic (their writers see it, leave and say why); the others never wait
    /// for them.
    fn publish(&self, event: &Event, id: Option<EntryId>) {
        let published = self.topics.publish(TOPIC, event.to_message(id));
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

/// The bridge hands the room what it reads from Redis.
impl Handler for Room {
    fn entry(&self, _topic: &str, id: EntryId, _server: &str, payload: &[u8]) {
        match serde_json::from_slice::<Envelope>(payload) {
            Ok(envelope) => self.heard(id, envelope),
            Err(error) => tracing::warn!("redis: an entry not understood: {error}"),
        }
    }

    fn presence(&self, others: BTreeMap<RemoteId, String>, first: bool, removals: bool) {
        self.sync_remote(others, first, removals);
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
        let id = |seq| EntryId { ms: 1, seq };
        room.heard(id(1), heard(1, ann()));
        room.heard(id(2), heard(1, ann())); // again: not repeated
        let mut present = BTreeMap::new();
        present.insert(("b".to_string(), 1), "ann".to_string());
        present.insert(("b".to_string(), 2), "bo".to_string());
        room.sync_remote(present.clone(), false, true); // bo is new
        present.remove(&("b".to_string(), 1));
        room.sync_remote(present.clone(), false, false); // no removals yet
        room.sync_remote(present, false, true); // ann is gone
        room.heard(id(3), heard(1, Event::Leave { nick: "ann".into() })); // already gone
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
                r#"{"type":"join","nick":"ann","id":"1-1"}"#,
                r#"{"type":"join","nick":"bo"}"#,
                r#"{"type":"leave","nick":"ann"}"#,
            ]
        );
        assert_eq!(room.roster(), r#"[{"nick":"bo","rtt_ms":null}]"#);
    }
}
