//! sansock-tokio on loopback TCP: messages of every kind and size, pings, every close code both
//! ways, subprotocols, split halves, backpressure, timers, cancel safety, a transport that holds
//! writes until flushed, and readable errors.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{bind_local, echo_once, silent_client};
use futures_util::{SinkExt, StreamExt};
use sansock_core::ClientHandshakeError;
use sansock_core::ConnectionConfig;
use sansock_tokio::{
    Accept, ClientSettings, CloseCode, Ending, Error, Event, HandshakeError, Initiator, Message,
    Reject, ServerSettings, WsUrl,
};
use std::time::Duration;
use tokio::time::{Instant, timeout};

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn text_binary_empty_and_16_mib_echo() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(echo_once(listener, ServerSettings::new()));
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    let big: Vec<u8> = (0..16 << 20).map(|i: u32| (i * 31 % 251) as u8).collect();
    let messages = [
        Message::from("hello, Sansock ✓"),
        Message::from(vec![0u8, 1, 2, 255]),
        Message::from(""),
        Message::from(Vec::new()),
        Message::from(big),
    ];
    for m in &messages {
        ws.send(m.clone()).await.unwrap();
        let echoed = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
        assert_eq!(&echoed, m);
    }
    let closed = ws.close(Some(CloseCode::NORMAL), "bye").await.unwrap();
    assert_eq!(
        (closed.code, closed.initiator, closed.ending),
        (CloseCode::NORMAL, Initiator::Local, Ending::Clean)
    );
    let server_ws = server.await.unwrap();
    assert_eq!(server_ws.closed().unwrap().code, CloseCode::NORMAL);
    assert_eq!(server_ws.closed().unwrap().reason.as_str(), "bye");
}

#[tokio::test]
async fn a_connection_waiting_for_input_holds_no_buffer() {
    let (listener, url) = bind_local().await;
    tokio::spawn(echo_once(listener, ServerSettings::new()));
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    for size in [20, 5000, 70_000, 3 << 20] {
        // Several messages queued at once, then flushed: the transmit buffer grows as it goes.
        let messages: Vec<Message> = (1..=5)
            .map(|i| Message::from(vec![7u8; size * i / 5]))
            .collect();
        for m in &messages {
            ws.feed(m.clone()).await.unwrap();
        }
        ws.flush().await.unwrap();
        for m in &messages {
            let echoed = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
            assert_eq!(&echoed, m);
        }
        // Nothing more is coming: the read parks, and the connection frees its buffers first.
        assert!(timeout(Duration::from_millis(20), ws.recv()).await.is_err());
        // All but a small transmit buffer (at most 512 bytes), kept for short replies.
        assert!(
            ws.connection().buffer_capacity() <= 512,
            "after a {size}-byte echo: {}",
            ws.connection().buffer_capacity()
        );
    }
}

#[tokio::test]
async fn ping_is_answered_by_a_peer_that_only_receives() {
    let (listener, url) = bind_local().await;
    tokio::spawn(echo_once(listener, ServerSettings::new()));
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    ws.ping(b"are you there").await.unwrap();
    match timeout(LIMIT, ws.recv_event()).await.unwrap() {
        Some(Ok(Event::Pong(p))) => assert_eq!(&p[..], b"are you there"),
        other => panic!("{other:?}"),
    }
}

/// A close timeout far beyond the test's limit: a close that waits for it instead of finishing
/// by the handshake fails the test.
fn slow_timeout() -> ConnectionConfig {
    ConnectionConfig::default().with_close_timeout(Duration::from_secs(60))
}

#[tokio::test]
async fn every_sendable_close_code_both_directions() {
    let codes = [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999,
    ];
    for &code in &codes {
        for client_closes in [true, false] {
            let (listener, url) = bind_local().await;
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let settings = ServerSettings::new().connection(slow_timeout());
                let mut ws = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
                    .await
                    .unwrap();
                if client_closes {
                    assert!(ws.recv().await.is_none(), "a clean close ends the stream");
                    ws.closed().cloned().unwrap()
                } else {
                    ws.close(Some(CloseCode(code)), "server says")
                        .await
                        .unwrap()
                }
            });
            let client_settings = ClientSettings::new().connection(slow_timeout());
            let (mut ws, _) =
                sansock_tokio::connect_with(WsUrl::parse(&url).unwrap(), client_settings)
                    .await
                    .unwrap();
            let client_view = if client_closes {
                timeout(LIMIT, ws.close(Some(CloseCode(code)), "client says"))
                    .await
                    .expect("a clean close must not wait for the close timeout")
                    .unwrap()
            } else {
                assert!(timeout(LIMIT, ws.recv()).await.unwrap().is_none());
                ws.closed().cloned().unwrap()
            };
            let server_view = timeout(LIMIT, server).await.unwrap().unwrap();
            for view in [&client_view, &server_view] {
                assert_eq!(
                    view.code,
                    CloseCode(code),
                    "code {code}, client closes: {client_closes}"
                );
                assert!(view.was_clean());
            }
            let (closer, other) = if client_closes {
                (&client_view, &server_view)
            } else {
                (&server_view, &client_view)
            };
            assert_eq!(
                (closer.initiator, other.initiator),
                (Initiator::Local, Initiator::Remote)
            );
            let expected = if client_closes {
                "client says"
            } else {
                "server says"
            };
            assert_eq!(other.reason.as_str(), expected);
        }
    }
}

#[tokio::test]
async fn subprotocol_is_negotiated_or_the_upgrade_rejected() {
    let (listener, url) = bind_local().await;
    tokio::spawn(async move {
        for _ in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let result = sansock_tokio::accept_with(tcp, ServerSettings::new(), async |request| {
                if request.protocols().any(|p| p == "echo-protocol") {
                    Ok(Accept::new().with_protocol("echo-protocol"))
                } else {
                    Err(Reject::new(403).with_body("echo-protocol only"))
                }
            })
            .await;
            if let Ok(mut ws) = result {
                while let Some(Ok(m)) = ws.recv().await {
                    let _ = ws.send(m).await;
                }
            }
        }
    });
    let url_with = WsUrl::parse(&url)
        .unwrap()
        .with_protocol("chat")
        .with_protocol("echo-protocol");
    let (ws, response) = sansock_tokio::connect_with(url_with, ClientSettings::new())
        .await
        .unwrap();
    assert_eq!(response.protocol(), Some("echo-protocol"));
    assert_eq!(ws.protocol(), Some("echo-protocol"));
    drop(ws); // the test server handles one connection at a time
    let refused = sansock_tokio::connect(&url).await.unwrap_err();
    match refused {
        HandshakeError::Response(e) => match *e {
            ClientHandshakeError::Rejected { status, body, .. } => {
                assert_eq!(status, 403);
                assert_eq!(body, b"echo-protocol only");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn split_halves_in_two_tasks_and_pongs_from_the_read_half() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        // Ping a client whose write half is idle: the pong must come from its read half.
        ws.ping(b"hi").await.unwrap();
        let mut got = Vec::new();
        let mut pong = false;
        while let Some(event) = ws.recv_event().await {
            match event.unwrap() {
                Event::Pong(p) => {
                    assert_eq!(&p[..], b"hi");
                    pong = true;
                    for i in 0..100 {
                        ws.send(format!("from server {i}")).await.unwrap();
                    }
                }
                Event::Message(m) => got.push(m),
                _ => {}
            }
        }
        (pong, got)
    });
    let (ws, _) = sansock_tokio::connect(&url).await.unwrap();
    let (mut read, mut write) = ws.split();
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(Ok(m)) = read.recv().await {
            got.push(m);
            if got.len() == 100 {
                break;
            }
        }
        (read, got)
    });
    let (read, from_server) = timeout(LIMIT, reader).await.unwrap().unwrap();
    assert_eq!(from_server.len(), 100);
    assert_eq!(from_server[99], Message::from("from server 99"));
    let writer = tokio::spawn(async move {
        for i in 0..100 {
            write.send(format!("from client {i}")).await.unwrap();
        }
        write
    });
    let write = writer.await.unwrap();
    let mut ws = read.reunite(write).unwrap();
    ws.close(None, "").await.unwrap();
    let (pong, got) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(pong);
    assert_eq!(got.len(), 100);
    assert_eq!(got[0], Message::from("from client 0"));
}

#[tokio::test]
async fn send_waits_for_a_peer_that_stops_reading_and_memory_stays_bounded() {
    let (listener, url) = bind_local().await;
    let high_water = 16 << 10;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let settings = ServerSettings::new().write_high_water(high_water);
        let mut ws = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        let payload = vec![7u8; 1024];
        let mut sent = 0usize;
        let mut max_buffered = 0;
        // Keep sending until a send has waited 500 ms: the peer's socket buffers are full.
        while timeout(Duration::from_millis(500), ws.send(payload.clone()))
            .await
            .is_ok()
        {
            sent += 1;
            max_buffered = max_buffered.max(ws.buffered_amount());
            assert!(sent < 1_000_000, "send never waited");
        }
        (sent, max_buffered.max(ws.buffered_amount()))
    });
    let silent = silent_client(&url).await;
    let (sent, max_buffered) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(
        max_buffered <= high_water + 1024 + 14,
        "{max_buffered} bytes queued"
    );
    assert!(sent > 0);
    drop(silent);
}

#[tokio::test]
async fn keepalive_ends_a_connection_whose_peer_goes_silent() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let connection = ConnectionConfig::default()
            .with_keepalive(Some(Duration::from_millis(100)))
            .with_idle_timeout(Some(Duration::from_millis(300)));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        let start = Instant::now();
        let result = ws.recv().await;
        (start.elapsed(), result)
    });
    let _silent = silent_client(&url).await;
    let (elapsed, result) = timeout(LIMIT, server).await.unwrap().unwrap();
    match result {
        Some(Err(Error::AbnormalClose(c))) => assert_eq!(c.ending, Ending::IdleTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn close_timeout_ends_a_close_the_peer_never_answers() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        ws.close(Some(CloseCode::GOING_AWAY), "").await
    });
    let _silent = silent_client(&url).await;
    match timeout(LIMIT, server).await.unwrap().unwrap() {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn recv_is_cancel_safe_in_select() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        let mut got = Vec::new();
        let mut ticks = 0;
        loop {
            tokio::select! {
                m = ws.recv() => match m {
                    Some(Ok(m)) => got.push(m),
                    _ => break,
                },
                _ = tokio::time::sleep(Duration::from_micros(200)) => ticks += 1,
            }
        }
        (got, ticks)
    });
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    for i in 0..300 {
        // Big enough to arrive over several reads, so cancellations hit half-read frames.
        let message = format!("{i:04}").repeat(2000);
        ws.send(message).await.unwrap();
        if i % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    ws.close(None, "").await.unwrap();
    let (got, ticks) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(got.len(), 300);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, &Message::from(format!("{i:04}").repeat(2000)));
    }
    assert!(ticks > 0, "the select's other branch did fire");
}

#[tokio::test]
async fn handshake_timeout_drops_a_silent_client() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let settings = ServerSettings::new().handshake_timeout(Duration::from_millis(200));
        sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new())).await
    });
    let parsed = WsUrl::parse(&url).unwrap();
    let _tcp = tokio::net::TcpStream::connect((parsed.host.as_str(), parsed.port))
        .await
        .unwrap();
    assert!(matches!(
        timeout(LIMIT, server).await.unwrap().unwrap(),
        Err(HandshakeError::Timeout)
    ));
}

#[tokio::test]
async fn a_plain_http_request_gets_a_400_and_a_typed_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        sansock_tokio::accept(tcp).await
    });
    let parsed = WsUrl::parse(&url).unwrap();
    let mut tcp = tokio::net::TcpStream::connect((parsed.host.as_str(), parsed.port))
        .await
        .unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        matches!(server.await.unwrap(), Err(HandshakeError::BadRequest(e)) if e.status() == 400)
    );
}

#[tokio::test]
async fn connection_errors_are_distinct() {
    assert!(matches!(
        sansock_tokio::connect("http://example.com/").await,
        Err(HandshakeError::Url(_))
    ));
    // A slow resolver must still give a DNS error, not the handshake timeout.
    let patient = ClientSettings::new().handshake_timeout(Duration::from_secs(120));
    let nowhere = WsUrl::parse("ws://does-not-exist.invalid/").unwrap();
    assert!(matches!(
        sansock_tokio::connect_with(nowhere, patient).await,
        Err(HandshakeError::Dns(_))
    ));
    let (listener, url) = bind_local().await;
    drop(listener);
    assert!(matches!(
        sansock_tokio::connect(&url).await,
        Err(HandshakeError::Connect(_))
    ));
    // wss to a server that does not speak TLS.
    let (listener, url) = bind_local().await;
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut tcp, _) = listener.accept().await.unwrap();
        let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let wss = url
        .replace("ws://", "wss://")
        .replace("127.0.0.1", "localhost");
    assert!(matches!(
        sansock_tokio::connect(&wss).await,
        Err(HandshakeError::Tls(_))
    ));
}

#[tokio::test]
async fn sink_and_stream_traits_batch_and_end() {
    let (listener, url) = bind_local().await;
    tokio::spawn(echo_once(listener, ServerSettings::new()));
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    let batch: Vec<Result<Message, Error>> = (0..50)
        .map(|i| Ok(Message::from(format!("m{i}"))))
        .collect();
    ws.send_all(&mut futures_util::stream::iter(batch))
        .await
        .unwrap();
    let echoed: Vec<Message> = (&mut ws).take(50).map(Result::unwrap).collect().await;
    assert_eq!(echoed.last(), Some(&Message::from("m49")));
    SinkExt::close(&mut ws).await.unwrap();
    assert!(timeout(LIMIT, ws.next()).await.unwrap().is_none());
    assert!(ws.closed().unwrap().was_clean());
}

#[cfg(unix)]
#[tokio::test]
async fn any_transport_works_here_a_unix_socket_pair() {
    let (a, b) = tokio::net::UnixStream::pair().unwrap();
    let server = tokio::spawn(async move {
        let mut ws = sansock_tokio::accept(a).await.unwrap();
        while let Some(Ok(m)) = ws.recv().await {
            ws.send(m).await.unwrap();
        }
    });
    let request = sansock_core::ClientRequest::new("localhost", "/unix");
    let (mut ws, _) = sansock_tokio::client(b, &request, ClientSettings::new())
        .await
        .unwrap();
    ws.send("over a unix socket").await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::from("over a unix socket")
    );
    assert!(ws.close(None, "").await.unwrap().was_clean());
    timeout(LIMIT, server).await.unwrap().unwrap();
}

#[tokio::test]
async fn closing_from_the_write_half_arms_the_close_timeout_of_a_parked_read_half() {
    let (listener, url) = bind_local().await;
    // A server that completes the handshake and then never says anything again.
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = sansock_tokio::accept(tcp).await.unwrap();
        let _tcp = ws.into_inner();
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
    let settings = ClientSettings::new().connection(connection);
    let (ws, _) = sansock_tokio::connect_with(WsUrl::parse(&url).unwrap(), settings)
        .await
        .unwrap();
    let (mut read, mut write) = ws.split();
    let reader = tokio::spawn(async move { read.recv().await });
    tokio::time::sleep(Duration::from_millis(50)).await; // the reader is parked on the socket
    write.send_close(Some(CloseCode::NORMAL), "").await.unwrap();
    match timeout(LIMIT, reader)
        .await
        .expect("the close timeout fired")
        .unwrap()
    {
        Some(Err(Error::AbnormalClose(c))) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn messages_kept_across_reads_of_a_shared_buffer_stay_intact() {
    const CONNS: usize = 6;
    const PER_CONN: usize = 60;
    const SIZES: [usize; 7] = [1, 7 << 10, 8 << 10, 9 << 10, 16 << 10, 40 << 10, 100 << 10];
    fn payload(conn: usize, i: usize) -> Message {
        let len = SIZES[(conn + i) % SIZES.len()];
        let seed = (conn * 1000 + i) as u32;
        Message::from(
            (0..len as u32)
                .map(|b| (b * 7 + seed) as u8)
                .collect::<Vec<u8>>(),
        )
    }
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let mut tasks = Vec::new();
        for _ in 0..CONNS {
            let (tcp, _) = listener.accept().await.unwrap();
            tasks.push(tokio::spawn(async move {
                let mut ws = sansock_tokio::accept(tcp).await.unwrap();
                let mut kept = Vec::new();
                let mut n = 0;
                while let Some(message) = ws.next().await {
                    let message = message.unwrap();
                    if n % 5 == 0 {
                        kept.push(message.clone());
                    }
                    n += 1;
                    ws.feed(message).await.unwrap();
                }
                kept
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.unwrap());
        }
        all
    });
    let mut clients = Vec::new();
    for conn in 0..CONNS {
        let url = url.clone();
        clients.push(tokio::spawn(async move {
            let (ws, _) = sansock_tokio::connect(&url).await.unwrap();
            let (mut read, mut write) = ws.split();
            let sender = tokio::spawn(async move {
                for i in 0..PER_CONN {
                    write.feed(payload(conn, i)).await.unwrap();
                }
                write.flush().await.unwrap();
                write
            });
            for i in 0..PER_CONN {
                let echoed = timeout(LIMIT, read.next()).await.unwrap().unwrap().unwrap();
                assert!(
                    echoed == payload(conn, i),
                    "conn {conn} message {i} changed"
                );
            }
            let mut write = sender.await.unwrap();
            write.send_close(Some(CloseCode::NORMAL), "").await.unwrap();
            while read.next().await.is_some() {}
        }));
    }
    for c in clients {
        timeout(LIMIT, c).await.unwrap().unwrap();
    }
    let kept = timeout(LIMIT, server).await.unwrap().unwrap();
    let mut checked = 0;
    for kept in kept {
        // Which connection a server task served is not known; each kept list is one client's
        // every fifth message, so it matches exactly one client.
        let matches = (0..CONNS).filter(|&conn| {
            kept.len() == PER_CONN.div_ceil(5)
                && kept
                    .iter()
                    .enumerate()
                    .all(|(k, m)| *m == payload(conn, 5 * k))
        });
        assert_eq!(matches.count(), 1, "a kept message changed");
        checked += kept.len();
    }
    assert_eq!(checked, CONNS * PER_CONN.div_ceil(5));
}

/// A server with message parts on forwards a large message part by part as it arrives
/// (`recv_event`, `send_part`) and small ones whole; the client gets every message back intact.
/// `recv` on such a server hands an unexpected part back in the error instead of losing it.
#[tokio::test]
async fn a_server_with_message_parts_forwards_large_messages_as_they_arrive() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let mut ws = accept_in_parts(&listener).await;
        let (mut parts, mut wholes) = (0, 0);
        // The first large message through `recv`: its first part comes back in the error.
        let first = match ws.recv().await {
            Some(Err(Error::UnexpectedPart(part))) => part,
            other => panic!("expected a part, got {other:?}"),
        };
        assert!(!first.is_last && first.data.len() >= 16 << 10);
        ws.send_part(&first).await.unwrap();
        while let Some(event) = ws.recv_event().await {
            match event.unwrap() {
                Event::Part(part) => {
                    parts += 1;
                    ws.send_part(&part).await.unwrap();
                }
                Event::Message(message) => {
                    wholes += 1;
                    ws.send(message).await.unwrap();
                }
                _ => {}
            }
        }
        (parts, wholes)
    });
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    let large = |seed: u8| -> Message {
        (0..4 << 20)
            .map(|i: u32| (i as u8) ^ seed)
            .collect::<Vec<u8>>()
            .into()
    };
    let sent = [
        large(1),
        Message::from("small and whole"),
        Message::from("κόσμε ".repeat(300_000)),
        large(2),
    ];
    for message in &sent {
        ws.send(message.clone()).await.unwrap();
        let echoed = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
        assert!(echoed == *message, "a message changed on its way back");
    }
    ws.close(Some(CloseCode::NORMAL), "").await.unwrap();
    let (parts, wholes) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(
        parts >= 3,
        "{parts} parts: the large messages were not streamed"
    );
    assert_eq!(wholes, 1, "only the small message comes whole");
}

/// `recv_batch` serves a pipelined mix — small messages (borrowed from the stack), messages
/// over the small size, messages in parts, pings — and every echo comes back intact and in
/// order; a clean close ends it with `Ok(0)`.
#[tokio::test]
async fn recv_batch_echoes_a_pipelined_mix_intact_and_in_order() {
    const COUNT: usize = 400;
    fn message(i: usize) -> Message {
        match i % 4 {
            0 => Message::from(format!("small text {i} κόσμε")),
            1 => Message::from(vec![i as u8; 20]),
            2 => Message::from(vec![(i * 7) as u8; 600 + i]), // over the stack buffer
            _ => Message::from(vec![(i * 3) as u8; 40_000 + i]), // in parts
        }
    }
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let mut ws = accept_in_parts(&listener).await;
        let (mut batches, mut seen) = (0, 0);
        loop {
            let n = ws
                .recv_batch(|received, outbox| match received {
                    sansock_tokio::Received::Message(m) => outbox.send(m),
                    sansock_tokio::Received::Part(p) => outbox.send_part(p),
                })
                .await
                .unwrap();
            if n == 0 {
                break;
            }
            batches += 1;
            seen += n;
        }
        (batches, seen)
    });
    let (ws, _) = sansock_tokio::connect(&url).await.unwrap();
    let (mut read, mut write) = ws.split();
    let sender = tokio::spawn(async move {
        for i in 0..COUNT {
            if i % 50 == 0 {
                write.ping(b"in between").await.unwrap();
            }
            write.feed(message(i)).await.unwrap();
        }
        write.flush().await.unwrap();
        write
    });
    for i in 0..COUNT {
        let echoed = timeout(LIMIT, read.next()).await.unwrap().unwrap().unwrap();
        assert!(echoed == message(i), "message {i} changed");
    }
    let mut write = sender.await.unwrap();
    write.send_close(Some(CloseCode::NORMAL), "").await.unwrap();
    while read.next().await.is_some() {}
    let (batches, seen) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(
        seen >= COUNT,
        "{seen} messages and parts for {COUNT} messages"
    );
    assert!(
        batches < seen,
        "{batches} batches: never more than one message in a batch"
    );
}

/// Accepts one connection with message parts on from 16 KiB.
async fn accept_in_parts(
    listener: &tokio::net::TcpListener,
) -> sansock_tokio::WebSocketStream<tokio::net::TcpStream> {
    let connection = ConnectionConfig::default().with_message_parts(Some(16 << 10));
    let settings = ServerSettings::new().connection(connection);
    let (tcp, _) = listener.accept().await.unwrap();
    sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_transport_that_holds_writes_until_flushed_gets_every_reply() {
    // `BufWriter` sends nothing until it is flushed (or full): every reply, the handshake's,
    // the echoes of a batch, the pong and the close, must be flushed once written — and only
    // then, the driver skipping the flush when nothing was written.
    let (a, b) = tokio::io::duplex(64 << 10);
    let server = tokio::spawn(async move {
        let mut ws = sansock_tokio::accept(tokio::io::BufWriter::new(a))
            .await
            .unwrap();
        // Half the echo in batches, half through the stream, as servers do.
        let mut n = 0;
        while n < 3 {
            n += ws
                .recv_batch(|received, outbox| match received {
                    sansock_tokio::Received::Message(m) => outbox.send(m),
                    sansock_tokio::Received::Part(p) => outbox.send_part(p),
                })
                .await
                .unwrap();
        }
        while let Some(Ok(m)) = ws.recv().await {
            ws.send(m).await.unwrap();
        }
    });
    let request = sansock_core::ClientRequest::new("localhost", "/buffered");
    let (mut ws, _) = sansock_tokio::client(b, &request, ClientSettings::new())
        .await
        .unwrap();
    for i in 0..6 {
        let text = format!("message {i}");
        ws.send(text.as_str()).await.unwrap();
        let echo = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
        assert_eq!(echo, Message::from(text.as_str()));
    }
    ws.ping(b"are you there").await.unwrap();
    let pong = timeout(LIMIT, ws.recv_event()).await.unwrap();
    assert!(
        matches!(&pong, Some(Ok(Event::Pong(p))) if &p[..] == b"are you there"),
        "{pong:?}"
    );
    assert!(ws.close(None, "").await.unwrap().was_clean());
    timeout(LIMIT, server).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_header_that_would_split_the_request_is_an_invalid_request_and_nothing_is_sent() {
    let (listener, url) = bind_local().await;
    let url = WsUrl::parse(&url)
        .unwrap()
        .with_header("X-Token", "a\r\nInjected: yes");
    let server = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut got).await;
        got
    });
    let error = sansock_tokio::connect_with(url, ClientSettings::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, HandshakeError::InvalidRequest(_)),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with("invalid client request"),
        "{error}"
    );
    assert_eq!(timeout(LIMIT, server).await.unwrap().unwrap(), b"");
}

#[tokio::test]
async fn an_async_decision_may_wait_and_the_handshake_timeout_covers_the_wait() {
    // A decision that looks the token up elsewhere (another task answers on a channel).
    let (listener, url) = bind_local().await;
    let (ask, mut asked) =
        tokio::sync::mpsc::channel::<(String, tokio::sync::oneshot::Sender<bool>)>(1);
    tokio::spawn(async move {
        while let Some((token, answer)) = asked.recv().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = answer.send(token == "Bearer good");
        }
    });
    let server = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let ask = ask.clone();
            let accepted =
                sansock_tokio::accept_with(tcp, ServerSettings::new(), async move |request| {
                    let token = request
                        .header("authorization")
                        .unwrap_or_default()
                        .to_string();
                    let (answer, answered) = tokio::sync::oneshot::channel();
                    ask.send((token, answer))
                        .await
                        .map_err(|_| Reject::new(503))?;
                    match answered.await {
                        Ok(true) => Ok(Accept::new()),
                        _ => Err(Reject::new(401)),
                    }
                })
                .await;
            outcomes.push(accepted.map(|_| ()).map_err(|e| e.to_string()));
        }
        outcomes
    });
    let good = WsUrl::parse(&url)
        .unwrap()
        .with_header("Authorization", "Bearer good");
    assert!(
        sansock_tokio::connect_with(good, ClientSettings::new())
            .await
            .is_ok()
    );
    let bad = WsUrl::parse(&url)
        .unwrap()
        .with_header("Authorization", "Bearer bad");
    match sansock_tokio::connect_with(bad, ClientSettings::new()).await {
        Err(HandshakeError::Response(e)) => assert_eq!(e.status(), Some(401)),
        other => panic!("{other:?}"),
    }
    let outcomes = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(outcomes[0].is_ok(), "{outcomes:?}");
    assert_eq!(outcomes[1], Err("upgrade rejected with 401".to_string()));

    // A decision that never comes ends with the handshake timeout.
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let settings = ServerSettings::new().handshake_timeout(Duration::from_millis(300));
        let start = Instant::now();
        let result = sansock_tokio::accept_with(tcp, settings, async |_| {
            std::future::pending::<()>().await;
            Ok(Accept::new())
        })
        .await;
        (result.map(|_| ()), start.elapsed())
    });
    let client = tokio::spawn(sansock_tokio::connect_with(
        WsUrl::parse(&url).unwrap(),
        ClientSettings::new(),
    ));
    let (result, took) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(matches!(result, Err(HandshakeError::Timeout)), "{result:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(timeout(LIMIT, client).await.unwrap().unwrap().is_err());
}

#[tokio::test]
async fn stats_on_the_stream_and_both_halves() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(echo_once(listener, ServerSettings::new()));
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    for _ in 0..3 {
        ws.send("counted").await.unwrap();
        assert!(ws.recv().await.unwrap().is_ok());
    }
    ws.ping(b"rtt").await.unwrap();
    let pong = ws.recv_event().await.unwrap().unwrap();
    assert!(matches!(pong, Event::Pong(_)), "{pong:?}");
    let stats = ws.stats();
    assert_eq!((stats.messages_out, stats.messages_in), (3, 3));
    assert_eq!(stats.frames_out, 4); // three messages and the ping
    assert_eq!(stats.frames_in, 4); // three echoes and the pong
    assert!(stats.rtt.is_some());
    assert_eq!(stats.queued, 0);
    let (read, write) = ws.split();
    assert_eq!(read.stats(), stats);
    assert_eq!(write.stats(), stats);
    drop((read, write));
    let _ = timeout(LIMIT, server).await;
}

#[tokio::test]
async fn a_peer_that_stops_at_the_close_event_still_answers_the_close() {
    // The server closes; the client reads up to the `Closed` event and then never polls again
    // (it keeps the stream). Its answer must still leave: the server's close completes cleanly
    // at once, not by its 10 s close timeout.
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        let started = Instant::now();
        let closed = ws.close(Some(CloseCode::GOING_AWAY), "bye").await.unwrap();
        (closed, started.elapsed())
    });
    let (mut ws, _) = sansock_tokio::connect(&url).await.unwrap();
    loop {
        match ws.recv_event().await {
            Some(Ok(Event::Closed(closed))) => {
                assert_eq!(closed.code, CloseCode::GOING_AWAY);
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    let (closed, took) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(closed.was_clean(), "{closed:?}");
    assert!(took < Duration::from_secs(5), "the answer waited {took:?}");
    drop(ws);
}
