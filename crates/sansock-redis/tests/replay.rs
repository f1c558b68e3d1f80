//! The bridge on a real `redis-server` (Debian's, installed by `scripts/redis-setup.sh` when
//! missing; started on a free port, stopped by pid): two instances share a topic in one order;
//! a member resuming after an id gets exactly what came after it; after an id the stream has
//! trimmed, or from a stream Redis lost, the replay says it is incomplete; what is published once
//! `follow` returns is heard.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_redis::{Bridge, Config, EntryId, Handler};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Redis(Child, u16);

impl Redis {
    fn start() -> Redis {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let setup = Command::new(root.join("scripts/redis-setup.sh"))
            .status()
            .unwrap();
        assert!(setup.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let end = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "redis-server never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis(child, port)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.1)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What an instance's handler was given: (id, instance, payload).
#[derive(Default)]
struct Heard(Mutex<Vec<(EntryId, String, String)>>);

impl Handler for Heard {
    fn entry(&self, _topic: &str, id: EntryId, server: &str, payload: &[u8]) {
        let payload = String::from_utf8(payload.to_vec()).unwrap();
        self.0
            .lock()
            .unwrap()
            .push((id, server.to_string(), payload));
    }
}

impl Heard {
    fn payloads(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|e| e.2.clone()).collect()
    }

    async fn wait_for(&self, count: usize) {
        let end = Instant::now() + Duration::from_secs(10);
        while self.0.lock().unwrap().len() < count {
            assert!(Instant::now() < end, "heard {:?}", self.payloads());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Waits until `bridge` reads "room" (before, a replay knows nothing: incomplete).
async fn reading(bridge: &Bridge) {
    let end = Instant::now() + Duration::from_secs(10);
    while !bridge
        .resume("room", Some(EntryId::default()), || ())
        .await
        .1
        .complete
    {
        assert!(Instant::now() < end, "the bridge never read the topic");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn two_instances_one_order_and_exact_replays() {
    let redis = Redis::start();
    let config = Config::new(redis.url()).prefix("t1");
    let (heard_a, heard_b) = (Arc::new(Heard::default()), Arc::new(Heard::default()));
    let a = Bridge::start(config.clone(), heard_a.clone()).unwrap();
    let b = Bridge::start(config, heard_b.clone()).unwrap();
    a.follow("room").await;
    b.follow("room").await;
    // Both are reading before anything is said.
    reading(&a).await;
    reading(&b).await;
    for i in 0..10 {
        let (from, text) = if i % 2 == 0 { (&a, "a") } else { (&b, "b") };
        from.publish("room", format!("{text}{i}")).await.unwrap();
    }
    heard_a.wait_for(10).await;
    heard_b.wait_for(10).await;
    // One order for both, each entry with the instance that said it.
    assert_eq!(*heard_a.0.lock().unwrap(), *heard_b.0.lock().unwrap());
    let mine = heard_a
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.1 == a.server())
        .count();
    assert_eq!(mine, 5);

    // A member that saw up to the fourth: the six after it, exactly.
    let fourth = heard_a.0.lock().unwrap()[3].0;
    let (_, replay) = b.resume("room", Some(fourth), || ()).await;
    assert!(replay.complete);
    let replayed: Vec<String> = replay
        .entries
        .iter()
        .map(|e| String::from_utf8(e.payload.to_vec()).unwrap())
        .collect();
    assert_eq!(replayed, heard_a.payloads()[4..]);
    // A newcomer: nothing from before.
    let (_, replay) = b.resume("room", None, || ()).await;
    assert_eq!((replay.entries.len(), replay.complete), (0, true));
    a.finish().await;
    b.finish().await;
    assert!(a.publish("room", "late").await.is_err());
}

#[tokio::test]
async fn a_trimmed_or_lost_history_says_so() {
    let redis = Redis::start();
    let heard = Arc::new(Heard::default());
    let bridge = Bridge::start(
        Config::new(redis.url()).prefix("t2").stream_len(10),
        heard.clone(),
    )
    .unwrap();
    bridge.follow("room").await;
    reading(&bridge).await;
    // Far more than the stream keeps (it trims by whole nodes of 100 entries), ten at a time:
    // an instance that falls further behind than the stream is long misses what was trimmed
    // before it read it.
    for i in 0..1000 {
        bridge.publish("room", i.to_string()).await.unwrap();
        if i % 10 == 9 {
            heard.wait_for(i + 1).await;
        }
    }
    assert_eq!(
        heard.payloads(),
        (0..1000).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    let first = heard.0.lock().unwrap()[0].0;
    let (_, replay) = bridge.resume("room", Some(first), || ()).await;
    assert!(!replay.complete, "the first entries are trimmed");
    assert!(!replay.entries.is_empty() && replay.entries.len() < 999);
    assert_eq!(&replay.entries.last().unwrap().payload[..], b"999");
    // What is left is the end of the stream, in order.
    let recent = heard.0.lock().unwrap()[990].0;
    let (_, replay) = bridge.resume("room", Some(recent), || ()).await;
    assert!(replay.complete);
    assert_eq!(replay.entries.len(), 9);

    // The stream gone (Redis lost it): whatever came after any id is gone too.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg("t2:topic:room")
        .query_async(&mut connection)
        .await
        .unwrap();
    let (_, replay) = bridge.resume("room", Some(recent), || ()).await;
    assert_eq!((replay.entries.len(), replay.complete), (0, false));
    bridge.finish().await;
}

#[tokio::test]
async fn what_is_published_once_follow_returns_is_heard() {
    let redis = Redis::start();
    // One instance follows from its start (the config), one with `follow` once started; the
    // first entry comes at once: neither may have missed it.
    let config = Config::new(redis.url()).prefix("t3");
    let (heard_a, heard_b) = (Arc::new(Heard::default()), Arc::new(Heard::default()));
    let a = Bridge::start(config.clone().follow("room"), heard_a.clone()).unwrap();
    let b = Bridge::start(config, heard_b.clone()).unwrap();
    a.follow("room").await; // (returns once its reader has taken its position)
    b.follow("room").await;
    b.publish("room", "first").await.unwrap();
    a.publish("room", "second").await.unwrap();
    for heard in [&heard_a, &heard_b] {
        heard.wait_for(2).await;
        let mut payloads = heard.payloads();
        payloads.sort();
        assert_eq!(payloads, ["first", "second"]);
    }
    a.finish().await;
    b.finish().await;
}
