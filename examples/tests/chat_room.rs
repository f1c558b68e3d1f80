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
    let base = format!("ws://{}", listener.local_addr().unwrap());
    // Queues of 32: the stuck member still fills its queue long before Alice is done (24 MB
    // against its socket buffers and 32 messages), while Bob, who reads, would have to fall 32
    // messages behind to be dropped — with 8, a busy machine starving his task for a few of
    // Alice's round trips was enough.
    tokio::spawn(sansock_examples::chat::run(listener, 32));

    let mut stuck = join(&base, "stuck").await; // joins, then never reads until the end
    let mut bob = join(&base, "bob").await;
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
