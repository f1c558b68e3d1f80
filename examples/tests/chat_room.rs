//! The chat room under a stuck member: the others get every message without waiting for it,
//! the room drops it with a `leave` notice, and it is told why (1008 "too slow") when it reads
//! again.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_tokio::{CloseCode, Event, Message, WebSocketStream};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

async fn join(base: &str, nick: &str) -> WebSocketStream<sansock_tokio::MaybeTlsStream> {
    let (ws, _) = sansock_tokio::connect(&format!("{base}/chat?nick={nick}"))
        .await
        .unwrap();
    ws
}

/// The next text message, skipping pings and pongs.
async fn next_text(ws: &mut WebSocketStream<sansock_tokio::MaybeTlsStream>) -> String {
    match ws.recv().await {
        Some(Ok(Message::Text(t))) => t.as_str().to_string(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_member_is_dropped_and_slows_nobody() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let base = format!("ws://{addr}");
    // Queues of 32: the stuck member still fills its queue long before Alice is done (24 MB
    // against its socket buffers and 32 messages), while Bob, who reads, would have to fall 32
    // messages behind to be dropped — with 8, a busy machine starving his task for a few of
    // Alice's round trips was enough.
    tokio::spawn(sansock_examples::chat::run(
        listener,
        sansock_examples::chat::Config::alone(32),
        None,
        std::future::pending(),
    ));

    // Each in the room before the next comes (the handshake ends before the server's task
    // adds the member), so the join notices come in this order.
    let mut stuck = join(&base, "stuck").await; // joins, then never reads until the end
    in_room(&addr, "stuck").await;
    let mut bob = join(&base, "bob").await;
    in_room(&addr, "bob").await;
    let alice = join(&base, "alice").await;
    assert_eq!(next_text(&mut bob).await, r#"{"type":"join","nick":"bob"}"#);
    assert_eq!(
        next_text(&mut bob).await,
        r#"{"type":"join","nick":"alice"}"#
    );

    // Bob reads everything as it comes.
    let bob_reader = tokio::spawn(async move {
        let (mut seen, mut stuck_left) = (0, false);
        while seen < 400 || !stuck_left {
            let text = next_text(&mut bob).await;
            if text == r#"{"type":"leave","nick":"stuck"}"# {
                stuck_left = true;
            } else {
                let expected = format!(r#"{{"type":"message","nick":"alice","text":"{seen:03} "#);
                assert!(text.starts_with(&expected), "message {seen} out of order");
                seen += 1;
            }
        }
        bob
    });
    // Alice says 400 things of 60 KB (24 MB in all, far past what the stuck member's socket
    // buffers hold), each once she has seen her previous one come back.
    let mut alice = alice;
    let filler = "x".repeat(60_000);
    timeout(LIMIT, async {
        for i in 0..400 {
            alice.send(format!("{i:03} {filler}")).await.unwrap();
            let mine = format!(r#"{{"type":"message","nick":"alice","text":"{i:03} "#);
            while !next_text(&mut alice).await.starts_with(&mine) {}
        }
    })
    .await
    .expect("alice was never slowed down by the stuck member");
    let _bob = timeout(LIMIT, bob_reader)
        .await
        .expect("bob got every message and the leave notice in time")
        .unwrap();

    // The stuck member reads again: what was queued for it, then the reason it was dropped.
    let closed = timeout(LIMIT, async {
        loop {
            match stuck.recv_event().await {
                Some(Ok(Event::Closed(c))) => return c,
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
    })
    .await
    .expect("the stuck member's connection ends");
    assert_eq!(closed.code, CloseCode::POLICY_VIOLATION);
    assert_eq!(closed.reason.as_str(), "too slow");
    let _ = TcpStream::connect(base.trim_start_matches("ws://")).await; // the server still serves
}

/// `GET /members` on the chat's port, by hand.
async fn roster(addr: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /members HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_member_list_shows_each_members_round_trip_time() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(sansock_examples::chat::run(
        listener,
        sansock_examples::chat::Config::alone(32),
        None,
        std::future::pending(),
    ));
    for nick in ["ann", "ben"] {
        let mut ws = join(&format!("ws://{addr}"), nick).await;
        // Reading answers the server's pings.
        tokio::spawn(async move { while let Some(Ok(_)) = ws.recv().await {} });
    }
    let measured = timeout(LIMIT, async {
        loop {
            let list = roster(&addr).await;
            if list.starts_with(r#"[{"nick":"ann","rtt_ms":"#)
                && list.contains(r#"{"nick":"ben","rtt_ms":"#)
                && !list.contains("null")
            {
                return list;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("both members' round-trip times measured");
    // Loopback: well under a second each.
    for part in measured.split(r#""rtt_ms":"#).skip(1) {
        let ms: f64 = part.split('}').next().unwrap().parse().unwrap();
        assert!((0.0..1000.0).contains(&ms), "{measured}");
    }
}

/// Waits until `nick` is in the room's member list.
async fn in_room(addr: &str, nick: &str) {
    let entry = format!(r#"{{"nick":"{nick}","#);
    timeout(LIMIT, async {
        while !roster(addr).await.contains(&entry) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the member joined");
}
