//! sansock-futures on loopback TCP, each test under smol and under async-std: echo, split
//! halves with pongs from the read half, backpressure, keepalive, close and handshake timeouts,
//! readable errors, the Sink/Stream traits, a Unix socket and wss.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Rt, echo_once, silent_client, sleep, timeout};
use futures_util::{AsyncReadExt, AsyncWriteExt, SinkExt, StreamExt};
use sansock_core::ConnectionConfig;
use sansock_futures::{
    Accept, ClientSettings, CloseCode, Ending, Error, Event, HandshakeError, Initiator, Message,
    ServerSettings, WsUrl,
};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

on_both_runtimes!(
    text_binary_empty_and_1_mib_echo_with_a_subprotocol,
    split_halves_in_two_tasks_and_pongs_from_the_read_half,
    send_waits_for_a_peer_that_stops_reading_and_memory_stays_bounded,
    keepalive_ends_a_connection_whose_peer_goes_silent,
    close_timeout_ends_a_close_the_peer_never_answers,
    handshake_timeout_drops_a_silent_client,
    a_plain_http_request_gets_a_400_and_a_typed_error,
    connection_errors_are_distinct,
    sink_and_stream_traits_batch_and_end,
    closing_from_the_write_half_arms_the_close_timeout_of_a_parked_read_half,
);

async fn text_binary_empty_and_1_mib_echo_with_a_subprotocol<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(echo_once::<R>(listener, ServerSettings::new()));
    let url = WsUrl::parse(&url).unwrap().with_protocol("echo-protocol");
    let (mut ws, response) = R::connect_with(url, ClientSettings::new()).await.unwrap();
    assert_eq!(response.protocol(), Some("echo-protocol"));
    assert_eq!(ws.protocol(), Some("echo-protocol"));
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 % 251) as u8).collect();
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
    let server_view = timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(server_view.reason.as_str(), "bye");
}

async fn split_halves_in_two_tasks_and_pongs_from_the_read_half<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let mut ws = sansock_futures::accept(tcp).await.unwrap();
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
    let (ws, _) = R::connect_with(WsUrl::parse(&url).unwrap(), ClientSettings::new())
        .await
        .unwrap();
    let (mut read, mut write) = ws.split();
    let reader = R::spawn(async move {
        let mut got = Vec::new();
        while let Some(Ok(m)) = read.recv().await {
            got.push(m);
            if got.len() == 100 {
                break;
            }
        }
        (read, got)
    });
    let (read, from_server) = timeout(LIMIT, reader).await.unwrap();
    assert_eq!(from_server[99], Message::from("from server 99"));
    let writer = R::spawn(async move {
        for i in 0..100 {
            write.send(format!("from client {i}")).await.unwrap();
        }
        write
    });
    let write = writer.await;
    let mut ws = read.reunite(write).unwrap();
    ws.close(None, "").await.unwrap();
    let (pong, got) = timeout(LIMIT, server).await.unwrap();
    assert!(pong);
    assert_eq!(got.len(), 100);
    assert_eq!(got[0], Message::from("from client 0"));
}

async fn send_waits_for_a_peer_that_stops_reading_and_memory_stays_bounded<R: Rt>() {
    let (listener, url) = R::bind().await;
    let high_water = 16 << 10;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let settings = ServerSettings::new().write_high_water(high_water);
        let mut ws = sansock_futures::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        let payload = vec![7u8; 1024];
        let mut sent = 0usize;
        let mut max_buffered = 0;
        // Keep sending until a send has waited 500 ms: the peer's socket buffers are full.
        while timeout(Duration::from_millis(500), ws.send(payload.clone()))
            .await
            .is_some()
        {
            sent += 1;
            max_buffered = max_buffered.max(ws.buffered_amount());
            assert!(sent < 1_000_000, "send never waited");
        }
        (sent, max_buffered.max(ws.buffered_amount()))
    });
    let silent = silent_client::<R>(&url).await;
    let (sent, max_buffered) = timeout(LIMIT, server).await.unwrap();
    assert!(
        max_buffered <= high_water + 1024 + 14,
        "{max_buffered} bytes queued"
    );
    assert!(sent > 0);
    drop(silent);
}

async fn keepalive_ends_a_connection_whose_peer_goes_silent<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let connection = ConnectionConfig::default()
            .with_keepalive(Some(Duration::from_millis(100)))
            .with_idle_timeout(Some(Duration::from_millis(300)));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_futures::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        let start = Instant::now();
        let result = ws.recv().await;
        (start.elapsed(), result)
    });
    let _silent = silent_client::<R>(&url).await;
    let (elapsed, result) = timeout(LIMIT, server).await.unwrap();
    match result {
        Some(Err(Error::AbnormalClose(c))) => assert_eq!(c.ending, Ending::IdleTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

async fn close_timeout_ends_a_close_the_peer_never_answers<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_futures::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        ws.close(Some(CloseCode::GOING_AWAY), "").await
    });
    let _silent = silent_client::<R>(&url).await;
    match timeout(LIMIT, server).await.unwrap() {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
}

async fn handshake_timeout_drops_a_silent_client<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let settings = ServerSettings::new().handshake_timeout(Duration::from_millis(200));
        sansock_futures::accept_with(tcp, settings, async |_| Ok(Accept::new())).await
    });
    let parsed = WsUrl::parse(&url).unwrap();
    let _tcp = R::tcp(&parsed.host, parsed.port).await;
    assert!(matches!(
        timeout(LIMIT, server).await.unwrap(),
        Err(HandshakeError::Timeout)
    ));
}

async fn a_plain_http_request_gets_a_400_and_a_typed_error<R: Rt>() {
    let (listener, url) = R::bind().await;
    let server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        sansock_futures::accept(tcp).await
    });
    let parsed = WsUrl::parse(&url).unwrap();
    let mut tcp = R::tcp(&parsed.host, parsed.port).await;
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(matches!(server.await, Err(HandshakeError::BadRequest(e)) if e.status() == 400));
}

async fn connection_errors_are_distinct<R: Rt>() {
    assert!(matches!(
        WsUrl::parse("http://example.com/"),
        Err(HandshakeError::Url(_))
    ));
    let patient = ClientSettings::new().handshake_timeout(Duration::from_secs(120));
    let nowhere = WsUrl::parse("ws://does-not-exist.invalid/").unwrap();
    assert!(matches!(
        R::connect_with(nowhere, patient).await,
        Err(HandshakeError::Dns(_))
    ));
    let (listener, url) = R::bind().await;
    drop(listener);
    assert!(matches!(
        R::connect_with(WsUrl::parse(&url).unwrap(), ClientSettings::new()).await,
        Err(HandshakeError::Connect(_))
    ));
    // wss to a server that does not speak TLS.
    let (listener, url) = R::bind().await;
    let _server = R::spawn(async move {
        let mut tcp = R::accept_tcp(&listener).await;
        let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let wss = url
        .replace("ws://", "wss://")
        .replace("127.0.0.1", "localhost");
    assert!(matches!(
        R::connect_with(WsUrl::parse(&wss).unwrap(), ClientSettings::new()).await,
        Err(HandshakeError::Tls(_))
    ));
}

async fn sink_and_stream_traits_batch_and_end<R: Rt>() {
    let (listener, url) = R::bind().await;
    let _server = R::spawn(echo_once::<R>(listener, ServerSettings::new()));
    let (mut ws, _) = R::connect_with(WsUrl::parse(&url).unwrap(), ClientSettings::new())
        .await
        .unwrap();
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

async fn closing_from_the_write_half_arms_the_close_timeout_of_a_parked_read_half<R: Rt>() {
    let (listener, url) = R::bind().await;
    // A server that completes the handshake and then never says anything again.
    let _server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let ws = sansock_futures::accept(tcp).await.unwrap();
        let _tcp = ws.into_inner();
        sleep(Duration::from_secs(30)).await;
    });
    let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
    let settings = ClientSettings::new().connection(connection);
    let (ws, _) = R::connect_with(WsUrl::parse(&url).unwrap(), settings)
        .await
        .unwrap();
    let (mut read, mut write) = ws.split();
    let reader = R::spawn(async move { read.recv().await });
    sleep(Duration::from_millis(50)).await; // the reader is parked on the socket
    write.send_close(Some(CloseCode::NORMAL), "").await.unwrap();
    match timeout(LIMIT, reader)
        .await
        .expect("the close timeout fired")
    {
        Some(Err(Error::AbnormalClose(c))) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
}
