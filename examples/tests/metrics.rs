//! The chat's `/metrics`, scraped from the real process after a known session: three members
//! join, one page of a foreign origin is refused (403), each member says five lines and closes;
//! the library's counters (sansock-hyper's `metrics` feature, rendered by
//! `metrics-exporter-prometheus`) say exactly that.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::Process;
use sansock_tokio::CloseCode;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A plain HTTP/1.1 request; the response's head and body.
fn http(addr: &str, request: &str) -> String {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = tcp.read_to_string(&mut response);
    response
}

/// The value of the sample `name` (with its labels as written, `{a="b"}`), if present.
fn sample(page: &str, name: &str) -> Option<f64> {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// `future`, or a panic saying what never came.
async fn within<F: std::future::Future>(future: F, what: &str) -> F::Output {
    match tokio::time::timeout(Duration::from_secs(10), future).await {
        Ok(out) => out,
        Err(_) => panic!("{what}: nothing after 10 s"),
    }
}

fn scrape(addr: &str) -> String {
    let response = http(
        addr,
        &format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

#[tokio::test]
async fn the_chat_counts_what_happened() {
    let chat = Process::start("chat", &["--port", "{port}"]);
    let addr = chat.addr.clone();
    let mut members = Vec::new();
    for nick in ["ann", "ben", "cat"] {
        let url = format!("ws://{addr}/chat?nick={nick}");
        let (mut ws, _) = within(sansock_tokio::connect(&url), "connect")
            .await
            .unwrap();
        // In the room once its own join comes back (then it hears every line said after).
        let joined = format!(r#"{{"type":"join","nick":"{nick}"}}"#);
        loop {
            let heard = within(ws.recv(), "the join").await.unwrap().unwrap();
            if heard.as_text() == Some(joined.as_str()) {
                break;
            }
        }
        members.push(ws);
    }
    // A page of another site may not join on its visitor's behalf: 403.
    let refused = http(
        &addr,
        &format!(
            "GET /chat?nick=eve HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    let mut said = 0;
    for ws in &mut members {
        for i in 0..5 {
            let line = format!("line {i}");
            said += line.len();
            ws.send(line).await.unwrap();
        }
    }
    // Everyone hears all fifteen lines (and the joins) before leaving.
    for ws in &mut members {
        let mut lines = 0;
        while lines < 15 {
            let text = within(ws.recv(), "a line").await.unwrap().unwrap();
            if text.as_text().unwrap().contains(r#""type":"message""#) {
                lines += 1;
            }
        }
    }
    for ws in &mut members {
        let closed = within(ws.close(Some(CloseCode::NORMAL), "bye"), "close").await;
        let closed = closed.unwrap();
        assert!(closed.was_clean());
    }
    // The server's side of each close is done once its gauge is back to zero.
    let until = Instant::now() + Duration::from_secs(10);
    let page = loop {
        let page = scrape(&addr);
        if sample(&page, r#"sansock_connections_open{role="server"}"#) == Some(0.0) {
            break page;
        }
        assert!(Instant::now() < until, "{page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let value = |name: &str| sample(&page, name).unwrap_or_else(|| panic!("{name}:\n{page}"));
    assert_eq!(value("sansock_handshakes_accepted_total"), 3.0);
    assert_eq!(
        value(r#"sansock_handshakes_refused_total{status="403"}"#),
        1.0
    );
    assert_eq!(
        value(r#"sansock_messages_received_total{role="server"}"#),
        15.0
    );
    // Each line to each of the three, and each join to those in the room by then.
    assert!(value(r#"sansock_messages_sent_total{role="server"}"#) >= 45.0);
    assert!(value(r#"sansock_bytes_received_total{role="server"}"#) >= said as f64);
    assert!(
        value(r#"sansock_bytes_sent_total{role="server"}"#)
            > value(r#"sansock_bytes_received_total{role="server"}"#)
    );
    // The members closed: 1000, begun by the remote end as the server sees it.
    assert_eq!(
        value(r#"sansock_closes_total{code="1000",initiator="remote"}"#),
        3.0,
        "{page}"
    );
}
