//! The chat example as the process tests run it: a real `redis-server` (installed by
//! `scripts/redis-setup.sh` when missing) and `chat` processes on free ports whose logs are
//! kept, members joined with Sansock's client, and what members expect to read.

use sansock_tokio::{Message, WebSocketStream};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

pub type Ws = WebSocketStream<sansock_tokio::MaybeTlsStream>;

/// The presence lifetime the servers run with: a dead server's members are gone after about
/// this (plus a third of it).
pub const TTL: &str = "1.5";
/// How long anything here may take before the test fails.
pub const LIMIT: Duration = Duration::from_secs(15);

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn wait_for_port(port: u16) {
    let end = Instant::now() + LIMIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A real redis-server, stopped by its process id when dropped.
pub struct Redis {
    child: Child,
    pub port: u16,
}

impl Redis {
    pub fn start_on(port: u16) -> Redis {
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

    pub fn url(&self) -> String {
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
pub struct Chat {
    pub child: Child,
    pub port: u16,
    pub log: Arc<Mutex<String>>,
}

impl Chat {
    /// A server joined to the room on `redis`, with the short presence lifetime [`TTL`].
    pub fn start(redis: &str) -> Chat {
        Chat::start_with(&["--redis", redis, "--presence-ttl", TTL], "info")
    }

    /// A server run with `args` (its port is added) and `RUST_LOG=log`; it is ready when it
    /// listens, and has joined the room when `args` name a Redis.
    pub fn start_with(args: &[&str], log: &str) -> Chat {
        Chat::start_on(super::free_port(), args, log)
    }

    /// As [`start_with`](Self::start_with), on `port` (to start a stopped server again).
    pub fn start_on(port: u16, args: &[&str], log: &str) -> Chat {
        let mut child = Command::new(super::example("chat"))
            .args(["--port", &port.to_string()])
            .args(args)
            .env("RUST_LOG", log)
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
        wait_for_port(port);
        if args.contains(&"--redis") {
            chat.wait_log("in the room as server", 1);
        }
        chat
    }

    /// What it logged so far.
    pub fn logged(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `needle` has been logged `times` times.
    pub fn wait_log(&self, needle: &str, times: usize) {
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

    pub async fn join(&self, nick: &str) -> Ws {
        let url = format!("ws://127.0.0.1:{}/chat?nick={nick}", self.port);
        let (ws, _) = sansock_tokio::connect(&url).await.unwrap();
        ws
    }

    /// The member list this server shows (`GET /members`).
    pub fn members(&self) -> String {
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
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGINT: the clean shutdown Ctrl-C gives.
    pub fn interrupt(&mut self) {
        self.stop("INT");
    }

    /// Sends `signal` (`INT`, `TERM`) and waits until the server has drained and exited.
    pub fn stop(&mut self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap()
                .success()
        );
        let end = Instant::now() + LIMIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < end,
                "the server did not stop on SIG{signal}"
            );
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

pub fn joined(nick: &str) -> String {
    format!(r#"{{"type":"join","nick":"{nick}"}}"#)
}

pub fn leave(nick: &str) -> String {
    format!(r#"{{"type":"leave","nick":"{nick}"}}"#)
}

pub fn said(nick: &str, text: &str) -> String {
    format!(r#"{{"type":"message","nick":"{nick}","text":"{text}"}}"#)
}

/// Whether the member got `expected` in `got`: the same JSON, leaving aside the room's stream
/// id that joined servers add (`"id":"…"`).
pub fn same(got: &str, expected: &str) -> bool {
    let Ok(mut got) = serde_json::from_str::<serde_json::Value>(got) else {
        return false;
    };
    if let Some(fields) = got.as_object_mut() {
        fields.remove("id");
    }
    serde_json::from_str::<serde_json::Value>(expected).is_ok_and(|e| e == got)
}

/// Reads until `expected` comes; gives what came before it.
pub async fn expect<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    expected: &str,
) -> Vec<String> {
    let mut before = Vec::new();
    let reading = async {
        loop {
            match ws.recv().await {
                Some(Ok(Message::Text(text))) if same(text.as_str(), expected) => return,
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
pub async fn expect_either<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    expected: &[String],
) -> String {
    let reading = async {
        loop {
            match ws.recv().await {
                Some(Ok(Message::Text(text)))
                    if expected.iter().any(|e| same(text.as_str(), e)) =>
                {
                    let text = text.as_str();
                    return expected
                        .iter()
                        .find(|e| same(text, e))
                        .cloned()
                        .unwrap_or_default();
                }
                Some(Ok(_)) => {}
                other => panic!("waiting for {expected:?}: {other:?}"),
            }
        }
    };
    tokio::time::timeout(LIMIT, reading).await.unwrap()
}
