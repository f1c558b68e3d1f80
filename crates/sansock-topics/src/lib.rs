//! [`Topics`]: publish/subscribe for servers. A message published to a topic is framed once
//! ([`PreparedMessage`]) and queued, as a shared reference, for every subscriber; each
//! subscriber's connection sends it from its own queue at its own pace. A subscriber whose
//! queue is full is dropped or skipped by the topics' [`SlowPolicy`] — never waited for, so one
//! slow connection never slows a publish or the other subscribers. Runtime-agnostic: the queues
//! are `async-channel`'s.
//!
//! This crate has no features.
//!
//! This crate needs only the core: it works beside every adapter (no adapter depends on it),
//! and a loop of your own can use it as it is. Sending what a subscription yields is the connection's job
//! (`feed_prepared` on the adapters' streams), not this crate's.
#![cfg_attr(docsrs, feature(doc_cfg))]

use futures_util::task::AtomicWaker;
use sansock_core::{Message, PreparedMessage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// What happens to a subscriber whose queue is full when a message is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlowPolicy {
    /// It is unsubscribed: its [`Subscription::recv`] gives what was queued, then `None`, and
    /// [`Subscription::was_dropped`] says why (close its connection, with 1008 or 1013, say).
    /// A member of a chat room that cannot keep up leaves it rather than miss messages.
    Drop,
    /// It misses this message and stays subscribed (a price feed: the next one replaces it).
    Skip,
}

/// What a publish did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// Subscribers the message was queued for.
    pub delivered: usize,
    /// Subscribers that missed it, their queue full ([`SlowPolicy::Skip`]).
    pub skipped: usize,
    /// Subscribers unsubscribed, their queue full ([`SlowPolicy::Drop`]).
    pub dropped: usize,
}

type Queue = async_channel::Sender<Arc<PreparedMessage>>;

/// How a subscription learns it was dropped, even while its task waits on something else (a
/// send to a connection that does not read).
#[derive(Debug, Default)]
struct Kick {
    dropped: AtomicBool,
    waker: AtomicWaker,
}

/// A subscriber as its topic keeps it.
#[derive(Debug)]
struct Subscriber {
    id: u64,
    queue: Queue,
    kick: Arc<Kick>,
}

#[derive(Debug)]
struct Inner {
    topics: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    queue: usize,
    policy: SlowPolicy,
}

/// A set of topics with subscribers (cheap to clone: every clone is the same set).
///
/// ```
/// use sansock_topics::{SlowPolicy, Topics};
/// let topics = Topics::new(32, SlowPolicy::Drop);
/// let alice = topics.subscribe("lobby");
/// let published = topics.publish("lobby", "hello");
/// assert_eq!(published.delivered, 1);
/// let message = alice.try_recv().unwrap(); // in a server: `alice.recv().await`
/// assert_eq!(message.message().as_text(), Some("hello"));
/// // then `ws.send_prepared(&message).await`
/// ```
#[derive(Debug, Clone)]
pub struct Topics(Arc<Inner>);

impl Topics {
    /// Topics whose subscribers each queue at most `queue` messages (at least 1), with
    /// `policy` for those that fall behind. A subscriber's queue is allocated when it
    /// subscribes, 16 bytes a slot (64 slots: 1 KiB): keep it small for many subscribers.
    pub fn new(queue: usize, policy: SlowPolicy) -> Self {
        Topics(Arc::new(Inner {
            topics: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            queue: queue.max(1),
            policy,
        }))
    }

    fn topics(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Subscriber>>> {
        // Nothing here panics while holding the lock; a poisoned map is still consistent.
        self.0.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Subscribes to `topic`: the subscription receives what is published there from now on,
    /// until it is dropped (which unsubscribes) or dropped for being slow.
    pub fn subscribe(&self, topic: &str) -> Subscription {
        let (queue, receiver) = async_channel::bounded(self.0.queue);
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let kick = Arc::new(Kick::default());
        let subscriber = Subscriber {
            id,
            queue,
            kick: kick.clone(),
        };
        self.topics()
            .entry(topic.to_string())
            .or_default()
            .push(subscriber);
        Subscription {
            topics: self.clone(),
            topic: topic.to_string(),
            id,
            receiver,
            kick,
        }
    }

    /// Publishes `message` to `topic`'s subscribers: framed once, queued for each.
    pub fn publish(&self, topic: &str, message: impl Into<Message>) -> Published {
        self.publish_prepared(topic, &Arc::new(PreparedMessage::new(message)))
    }

    /// Publishes a message already prepared (shared with other topics, say).
    pub fn publish_prepared(&self, topic: &str, message: &Arc<PreparedMessage>) -> Published {
        let mut published = Published::default();
        let mut topics = self.topics();
        let Some(subscribers) = topics.get_mut(topic) else {
            return published;
        };
        let policy = self.0.policy;
        subscribers.retain(|s| match s.queue.try_send(message.clone()) {
            Ok(()) => {
                published.delivered += 1;
                true
            }
            Err(async_channel::TrySendError::Full(_)) if policy == SlowPolicy::Skip => {
                published.skipped += 1;
                true
            }
            Err(async_channel::TrySendError::Full(_)) => {
                published.dropped += 1;
                s.queue.close(); // its subscription ends after what is queued
                s.kick.dropped.store(true, Ordering::Release);
                s.kick.waker.wake();
                false
            }
            Err(async_channel::TrySendError::Closed(_)) => false,
        });
        if subscribers.is_empty() {
            topics.remove(topic);
        }
        published
    }

    /// How many subscribers `topic` has.
    pub fn subscribers(&self, topic: &str) -> usize {
        self.topics().get(topic).map_or(0, Vec::len)
    }
}

/// One subscriber's queue of a topic's messages. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    topics: Topics,
    topic: String,
    id: u64,
    receiver: async_channel::Receiver<Arc<PreparedMessage>>,
    kick: Arc<Kick>,
}

impl Subscription {
    /// Resolves once the topics drop this subscription for being slow: select on it beside a
    /// send that may wait on a connection that stopped reading, to stop waiting.
    pub async fn dropped(&self) {
        futures_util::future::poll_fn(|cx| {
            self.kick.waker.register(cx.waker());
            if self.kick.dropped.load(Ordering::Acquire) {
                core::task::Poll::Ready(())
            } else {
                core::task::Poll::Pending
            }
        })
        .await;
    }

    /// The next message; `None` once the subscription was dropped for being slow (after what
    /// was queued). Cancel-safe.
    pub async fn recv(&self) -> Option<Arc<PreparedMessage>> {
        self.receiver.recv().await.ok()
    }

    /// The next message if one is queued.
    pub fn try_recv(&self) -> Option<Arc<PreparedMessage>> {
        self.receiver.try_recv().ok()
    }

    /// How many messages wait in the queue.
    pub fn queued(&self) -> usize {
        self.receiver.len()
    }

    /// Whether the topics dropped this subscription because its queue was full.
    pub fn was_dropped(&self) -> bool {
        self.kick.dropped.load(Ordering::Acquire)
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut topics = self.topics.topics();
        if let Some(subscribers) = topics.get_mut(&self.topic) {
            subscribers.retain(|s| s.id != self.id);
            if subscribers.is_empty() {
                topics.remove(&self.topic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscriber_gets_the_same_prepared_message() {
        let topics = Topics::new(8, SlowPolicy::Drop);
        let subs: Vec<_> = (0..3).map(|_| topics.subscribe("room")).collect();
        let other = topics.subscribe("elsewhere");
        let published = topics.publish("room", "hi");
        assert_eq!(
            published,
            Published {
                delivered: 3,
                ..Published::default()
            }
        );
        let got: Vec<_> = subs.iter().map(|s| s.try_recv().unwrap()).collect();
        assert!(
            got.iter().all(|m| Arc::ptr_eq(m, &got[0])),
            "one message, shared"
        );
        assert!(other.try_recv().is_none());
        assert_eq!(topics.publish("nobody", "x"), Published::default());
    }

    #[test]
    fn a_slow_subscriber_is_dropped_at_its_bound_and_the_others_get_everything() {
        let topics = Topics::new(2, SlowPolicy::Drop);
        let slow = topics.subscribe("room");
        let fast = topics.subscribe("room");
        for n in 0..10 {
            let published = topics.publish("room", format!("{n}"));
            assert!(fast.try_recv().is_some());
            assert!(slow.queued() <= 2, "the slow one holds at most its bound");
            if n == 2 {
                assert_eq!(published.dropped, 1);
            }
        }
        assert!(slow.was_dropped());
        assert!(!fast.was_dropped());
        assert_eq!(
            futures_util::FutureExt::now_or_never(slow.dropped()),
            Some(())
        );
        assert_eq!(futures_util::FutureExt::now_or_never(fast.dropped()), None);
        assert_eq!(topics.subscribers("room"), 1);
        // What was queued before it was dropped is still delivered, then the end.
        assert_eq!(slow.try_recv().unwrap().message().as_text(), Some("0"));
        assert_eq!(slow.try_recv().unwrap().message().as_text(), Some("1"));
        assert!(slow.try_recv().is_none());
        assert!(
            futures_util::FutureExt::now_or_never(slow.recv())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_slow_subscriber_is_skipped_and_stays() {
        let topics = Topics::new(2, SlowPolicy::Skip);
        let slow = topics.subscribe("feed");
        for n in 0..5 {
            topics.publish("feed", format!("{n}"));
        }
        assert_eq!(slow.queued(), 2);
        assert!(!slow.was_dropped());
        assert_eq!(topics.publish("feed", "5").skipped, 1);
        assert_eq!(slow.try_recv().unwrap().message().as_text(), Some("0"));
        assert_eq!(topics.publish("feed", "6").delivered, 1);
    }

    #[test]
    fn dropping_a_subscription_unsubscribes() {
        let topics = Topics::new(2, SlowPolicy::Drop);
        let a = topics.subscribe("t");
        let b = topics.subscribe("t");
        drop(a);
        assert_eq!(topics.subscribers("t"), 1);
        drop(b);
        assert_eq!(topics.subscribers("t"), 0);
    }
}

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
