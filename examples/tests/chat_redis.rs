//! The chat room across servers, with the real things: Debian's `redis-server` (installed by
//! `scripts/redis-setup.sh` when missing) on a free port, and three `chat` example processes
//! joined on it with `--redis`. Members on different servers see each other's messages, joins and
//! leaves; a server killed with SIGKILL has its members' leaves announced by the others; Redis
//! killed and started again: the servers keep their rooms, log it, and rejoin.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use sansock_tokio::{Message, WebSocketStream};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Ws = WebSocketStream<sansock_tokio::MaybeTlsStream>;

/// The presence lifetime the servers run with: a dead server's members are gone after about
/// this (plus a third of it).
const TTL: &str = "1.5";
/// How long anything here may take before the test fails.
const LIMIT: Duration = Duration::from_secs(15);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let end = Instant::now() + LIMIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A real redis-server, stopped by its process id when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start_on(port: u16) -> Redis {
        let status = Command::new(root().join("scripts/redis-setup.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/redis-setup.sh failed");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(port);
        Redis { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `chat` example process on a free port, joined to `redis`; what it logs is kept.
struct Chat {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Chat {
    fn start(redis: &str) -> Chat {
        let exe = std::env::current_exe().unwrap();
        let examples = exe.parent().unwrap().parent().unwrap().join("examples");
        let port = free_port();
        let mut child = Command::new(examples.join("chat"))
            .args([
                "--port",
                &port.to_string(),
                "--redis",
                redis,
                "--presence-ttl",
                TTL,
            ])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let mut log = keep.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let chat = Chat { child, port, log };
        chat.wait_log("in the room as server", 1);
        chat
    }

    /// Waits until `needle` has been logged `times` times.
    fn wait_log(&self, needle: &str, times: usize) {
        let end = Instant::now() + LIMIT;
        while self.log.lock().unwrap().matches(needle).count() < times {
            assert!(
                Instant::now() < end,
                "no {needle:?} (x{times}) in:\n{}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    async fn join(&self, nick: &str) -> Ws {
        let url = format!("ws://127.0.0.1:{}/chat?nick={nick}", self.port);
        let (ws, _) = sansock_tokio::connect(&url).await.unwrap();
        ws
    }

    /// The member list this server shows (`GET /members`).
    fn members(&self) -> String {
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            tcp,
            "GET /members HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        tcp.read_to_string(&mut response).unwrap();
        response.split("\r\n\r\n").nth(1).unwrap_or("").to_string()
    }

    /// SIGKILL: no goodbye to anyone.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGINT: the clean shutdown Ctrl-C gives.
    fn interrupt(&mut self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
        let end = Instant::now() + LIMIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < end, "the server did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn join(nick: &str) -> String {
    format!(r#"{{"type":"join","nick":"{nick}"}}"#)
}

fn leave(nick: &str) -> String {
    format!(r#"{{"type":"leave","nick":"{nick}"}}"#)
}

fn said(nick: &str, text: &str) -> String {
    format!(r#"{{"type":"message","nick":"{nick}","text":"{text}"}}"#)
}

/// Reads until `expected` comes; gives what came before it.
async fn expect(ws: &mut Ws, expected: &str) -> Vec<String> {
    let mut before = Vec::new();
    let reading = async {
        loop {
            match ws.recv().await {
                Some(Ok(Message::Text(text))) if text.as_str() == expected => return,
                Some(Ok(Message::Text(text))) => before.push(text.as_str().to_string()),
                other => panic!("waiting for {expected}: {other:?}"),
            }
        }
    };
    if tokio::time::timeout(LIMIT, reading).await.is_err() {
        panic!("no {expected} within {LIMIT:?}; got {before:?}");
    }
    before
}

/// Reads until one of `expected` comes; gives which.
async fn expect_either(ws: &mut Ws, expected: &[String]) -> String {
    let reading = async {
        loop {
            match ws.recv().await {
                Some(Ok(Message::Text(text))) if expected.iter().any(|e| e == text.as_str()) => {
                    return text.as_str().to_string();
                }
                Some(Ok(_)) => {}
                other => panic!("waiting for {expected:?}: {other:?}"),
            }
        }
    };
    tokio::time::timeout(LIMIT, reading).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_are_one_room_and_a_dead_ones_members_leave() {
    let redis = Redis::start_on(free_port());
    let (a, b, mut c) = (
        Chat::start(&redis.url()),
        Chat::start(&redis.url()),
        Chat::start(&redis.url()),
    );
    let mut ann = a.join("ann").await;
    expect(&mut ann, &join("ann")).await;
    let mut bob = b.join("bob").await;
    expect(&mut bob, &join("bob")).await;
    expect(&mut ann, &join("bob")).await; // from B, through Redis
    let mut cat = c.join("cat").await;
    expect(&mut cat, &join("cat")).await;
    expect(&mut ann, &join("cat")).await;
    expect(&mut bob, &join("cat")).await;

    // What each says reaches the others, on every server, and comes back to the sender.
    ann.send("hello from A").await.unwrap();
    cat.send("hello from C").await.unwrap();
    // (In any order: each server has its own member's message first.)
    for ws in [&mut ann, &mut bob, &mut cat] {
        let both = [said("ann", "hello from A"), said("cat", "hello from C")];
        let before = expect_either(ws, &both).await;
        let other = if before == both[0] {
            &both[1]
        } else {
            &both[0]
        };
        expect(ws, other).await;
    }
    // Every server lists every member (its own with round-trip times, the others' without).
    let roster = c.members();
    for nick in ["ann", "bob", "cat"] {
        assert!(roster.contains(&format!(r#""nick":"{nick}""#)), "{roster}");
    }

    // A member leaving one server is a leave on the others.
    let mut dan = b.join("dan").await;
    expect(&mut ann, &join("dan")).await;
    dan.close(None, "").await.unwrap();
    expect(&mut ann, &leave("dan")).await;
    expect(&mut cat, &leave("dan")).await;

    // C dies without a word: its presence expires and A and B announce that cat left.
    let killed = Instant::now();
    c.kill();
    expect(&mut ann, &leave("cat")).await;
    expect(&mut bob, &leave("cat")).await;
    let after = killed.elapsed();
    eprintln!("cat's leave announced {after:?} after C was killed");
    assert!(after < Duration::from_secs(6), "cat's leave took {after:?}");
    assert!(!a.members().contains("cat"), "{}", a.members());

    // B stopped cleanly (Ctrl-C): bob is closed with 1001, and A hears his leave at once.
    let mut b = b;
    b.interrupt();
    expect(&mut ann, &leave("bob")).await;
    assert_eq!(a.members().matches("nick").count(), 1, "{}", a.members());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_keeps_the_rooms_and_they_rejoin() {
    let port = free_port();
    let redis = Redis::start_on(port);
    let (a, b) = (Chat::start(&redis.url()), Chat::start(&redis.url()));
    let mut ann = a.join("ann").await;
    expect(&mut ann, &join("ann")).await;
    let mut bob = b.join("bob").await;
    expect(&mut ann, &join("bob")).await;

    // Redis dies: both servers log it and their rooms go on locally.
    drop(redis);
    a.wait_log("redis: connection lost", 1);
    b.wait_log("redis: connection lost", 1);
    let mut amy = a.join("amy").await;
    expect(&mut ann, &join("amy")).await;
    ann.send("while redis is away").await.unwrap();
    expect(&mut amy, &said("ann", "while redis is away")).await;

    // Redis comes back (empty: nothing saved): both rejoin and write their members again.
    let redis = Redis::start_on(port);
    a.wait_log("in the room as server", 2);
    b.wait_log("in the room as server", 2);
    ann.send("redis is back").await.unwrap();
    let before = expect(&mut bob, &said("ann", "redis is back")).await;
    // Bob missed what was said while Redis was away (pub/sub keeps nothing), and no one left.
    assert!(
        !before.contains(&said("ann", "while redis is away")),
        "{before:?}"
    );
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    // Amy, who came while Redis was away, is in B's list once the presence sync has run.
    let end = Instant::now() + LIMIT;
    while !b.members().contains("amy") {
        assert!(Instant::now() < end, "{}", b.members());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bob.send("hi amy").await.unwrap();
    let before = expect(&mut amy, &said("bob", "hi amy")).await;
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    // Two presence lifetimes later, still nobody has been announced gone.
    tokio::time::sleep(Duration::from_secs(4)).await;
    bob.send("still here").await.unwrap();
    let before = expect(&mut ann, &said("bob", "still here")).await;
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    drop(redis);
}
