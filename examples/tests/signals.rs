//! Every example server drains on SIGTERM and on SIGINT, sent as real signals to the real
//! process: it stops accepting, closes each WebSocket with 1001 "server shutting down", waits
//! for the closes and exits 0; a second signal ends it at once, even while a peer that never
//! answers the close holds the drain open.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod common;

use common::{Process, open_by_hand};
use sansock_tokio::{ClientSettings, Event, MaybeTlsStream, Shutdown, WebSocketStream, WsUrl};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// An example server as a process, with where its WebSockets are and what a client must offer.
struct Server {
    process: Process,
    path: &'static str,
    protocol: Option<&'static str>,
}

fn start(name: &str) -> Server {
    let (args, path, protocol): (&[&str], _, _) = match name {
        "echo_server" => (&["--port", "{port}"], "/", Some("echo-protocol")),
        "chat" => (&["--port", "{port}"], "/chat?nick=n", None), // a number follows
        "axum_echo" => (&["{port}"], "/ws", None),
        _ => (&["{port}"], "/", None),
    };
    Server {
        process: Process::start(name, args),
        path,
        protocol,
    }
}

impl Server {
    /// Waits at most `limit` for the process to exit.
    fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + limit;
        loop {
            if let Some(status) = self.process.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Client `i` (the chat's members need names of their own), its first echo or the room's
    /// greeting read.
    async fn client(&self, i: usize) -> WebSocketStream<MaybeTlsStream> {
        let chat = self.path.starts_with("/chat");
        let number = if chat { i.to_string() } else { String::new() };
        let url = format!("ws://{}{}{number}", self.process.addr, self.path);
        let mut url = WsUrl::parse(&url).unwrap();
        if let Some(protocol) = self.protocol {
            url = url.with_protocol(protocol);
        }
        let (mut ws, _) = sansock_tokio::connect_with(url, ClientSettings::new())
            .await
            .unwrap();
        if chat {
            ws.recv().await.unwrap().unwrap(); // the room's greeting: the member is in
        } else {
            ws.send("hi").await.unwrap();
            assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some("hi"));
        }
        ws
    }
}

/// Reads until the server's close (answered by the client as it reads): its code and reason.
async fn close_of(ws: &mut WebSocketStream<MaybeTlsStream>) -> (u16, String) {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), ws.recv_event()).await;
        match next.unwrap() {
            Some(Ok(Event::Closed(closed))) => {
                return (closed.code.0, closed.reason.as_str().to_string());
            }
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}

async fn drains_on(name: &str, signal: &str) {
    let mut server = start(name);
    let mut clients = Vec::new();
    for i in 0..3 {
        clients.push(server.client(i).await);
    }
    server.process.signal(signal);
    for ws in &mut clients {
        assert_eq!(
            close_of(ws).await,
            (1001, Shutdown::REASON.to_string()),
            "{name} on {signal}"
        );
    }
    let status = server.exit_within(Duration::from_secs(10));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{name} on {signal}: {status:?}"
    );
    // It no longer accepts.
    assert!(std::net::TcpStream::connect(&server.process.addr).is_err());
}

/// A peer that opens a WebSocket and then never reads or answers anything: it holds a drain
/// open until the server's close timeout.
fn silent_peer(server: &Server) -> std::net::TcpStream {
    let protocol = server
        .protocol
        .map(|p| format!("Sec-WebSocket-Protocol: {p}\r\n"))
        .unwrap_or_default();
    let chat = server.path.starts_with("/chat");
    let path = if chat {
        "/chat?nick=silent"
    } else {
        server.path
    };
    open_by_hand(&server.process.addr, path, &protocol)
}

fn second_signal_exits_at_once(name: &str) {
    let mut server = start(name);
    let _silent = silent_peer(&server);
    server.process.signal("TERM");
    // Draining: the silent peer holds it open (the close timeout is 10 s).
    assert!(
        server.exit_within(Duration::from_millis(500)).is_none(),
        "{name}"
    );
    let second = Instant::now();
    server.process.signal("INT");
    let status = server.exit_within(Duration::from_secs(2));
    let status = status.unwrap_or_else(|| panic!("{name} still running after a second signal"));
    assert!(!status.success(), "{name}: {status:?}");
    eprintln!(
        "{name}: exited {:?} after the second signal",
        second.elapsed()
    );
}

#[tokio::test]
async fn tokio_echo_drains_on_sigterm_and_sigint() {
    drains_on("tokio_echo", "TERM").await;
    drains_on("tokio_echo", "INT").await;
}

#[tokio::test]
async fn axum_echo_drains_on_sigterm_and_sigint() {
    drains_on("axum_echo", "TERM").await;
    drains_on("axum_echo", "INT").await;
}

#[tokio::test]
async fn blocking_echo_drains_on_sigterm_and_sigint() {
    drains_on("blocking_echo", "TERM").await;
    drains_on("blocking_echo", "INT").await;
}

#[tokio::test]
async fn echo_server_drains_on_sigterm_and_sigint() {
    drains_on("echo_server", "TERM").await;
    drains_on("echo_server", "INT").await;
}

#[tokio::test]
async fn chat_drains_on_sigterm_and_sigint() {
    drains_on("chat", "TERM").await;
    drains_on("chat", "INT").await;
}

#[test]
fn a_second_signal_ends_every_example_server_at_once() {
    for name in [
        "tokio_echo",
        "axum_echo",
        "blocking_echo",
        "echo_server",
        "chat",
    ] {
        second_signal_exits_at_once(name);
    }
}
