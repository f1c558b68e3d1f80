//! Never stuck, never unbounded, on the three async adapters (tokio, async-std, smol; the
//! blocking adapter has its own in `sansock-blocking/tests/never_stuck.rs`), over loopback TCP:
//! - two peers, each split into a read half and a write half in tasks of their own, stream
//!   200 × 1 MiB and then 20,000 × 1 KiB at each other at once: both finish (they used to wait
//!   for each other's reader forever, each having stopped reading at its own high-water mark);
//! - a peer that floods pings and never reads grows the other's queued output by no more than
//!   the core's pong bound, measured on the connection;
//! - a peer that stops reading pins no task: a server blocked in `send` is freed by its idle
//!   timeout (keepalive on) or by its write timeout, with the ending that says which.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_client::WsUrl;
use sansock_core::{Accept, ConnectionConfig, Ending, Event, Message, Timestamp};
use sansock_cross::Exec;
use sansock_driver::{
    ClientSettings, Error, Runtime, ServerSettings, Timer, Transport, WebSocketStream,
};
use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most any one test may take before it counts as stuck.
const LIMIT: Duration = Duration::from_secs(90);

async fn sleep<R: Runtime>(d: Duration) {
    let mut timer = R::Timer::at(Instant::now() + d);
    std::future::poll_fn(|cx| timer.poll_elapsed(cx)).await;
}

async fn server_side<S: Transport<R>, R: Runtime>(
    io: S,
    settings: ServerSettings,
) -> WebSocketStream<S, R> {
    WebSocketStream::accept_with(io, settings, async |_| Ok(Accept::new()))
        .await
        .unwrap()
}

async fn client_side<S: Transport<R>, R: Runtime>(
    io: S,
    url: &str,
    settings: ClientSettings,
) -> WebSocketStream<S, R> {
    let request = WsUrl::parse(url).unwrap().request;
    let (ws, _) = WebSocketStream::client(io, &request, settings)
        .await
        .unwrap();
    ws
}

/// A client on blocking std TCP that completes the handshake and then neither reads nor
/// writes (or writes what the test tells it to).
fn raw_client(url: &str) -> std::net::TcpStream {
    let parsed = WsUrl::parse(url).unwrap();
    let tcp = std::net::TcpStream::connect((parsed.host.as_str(), parsed.port)).unwrap();
    let (ws, _) = sansock_blocking::client(tcp, &parsed.request, ClientSettings::new()).unwrap();
    ws.into_inner()
}

fn keepalive_server() -> ServerSettings {
    let connection = ConnectionConfig::default()
        .with_keepalive(Some(Duration::from_secs(1)))
        .with_idle_timeout(Some(Duration::from_secs(2)));
    ServerSettings::new().connection(connection)
}

/// Streams `count` messages of `size` bytes from both ends at once, each end split, its
/// halves in tasks of their own; gives what each reader counted.
fn both_ways<S, R>(
    exec: &Exec,
    a: WebSocketStream<S, R>,
    b: WebSocketStream<S, R>,
    count: usize,
    size: usize,
) where
    S: Transport<R> + Send + 'static,
    R: Runtime,
    R::Timer: Send,
{
    let (done, results) = mpsc::channel::<Result<(&'static str, usize), String>>();
    for ws in [a, b] {
        let (mut read, mut write) = ws.split();
        let tx = done.clone();
        exec.spawn(async move {
            let mut sent = 0;
            for i in 0..count {
                if let Err(e) = write.send(Message::from(vec![i as u8; size])).await {
                    let _ = tx.send(Err(format!("send {i}: {e}")));
                    return;
                }
                sent += 1;
            }
            let flushed = write.flush().await.map_err(|e| e.to_string());
            let _ = tx.send(flushed.map(|()| ("sent", sent)));
            // Keep the half (and the connection) until the other side has read everything.
            sleep::<R>(LIMIT).await;
            drop(write);
        });
        let tx = done.clone();
        exec.spawn(async move {
            let mut got = 0;
            while got < count {
                match read.recv().await {
                    Some(Ok(m)) => {
                        assert_eq!(m.as_bytes().len(), size);
                        assert_eq!(m.as_bytes()[0], got as u8, "out of order");
                        got += 1;
                    }
                    other => {
                        let _ = tx.send(Err(format!("recv after {got}: {other:?}")));
                        return;
                    }
                }
            }
            let _ = tx.send(Ok(("received", got)));
        });
    }
    let start = Instant::now();
    for _ in 0..4 {
        match results.recv_timeout(LIMIT.saturating_sub(start.elapsed())) {
            Ok(Ok((_, n))) => assert_eq!(n, count),
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => panic!(
                "{count} × {size} B both ways: stuck after {:?}",
                start.elapsed()
            ),
        }
    }
}

/// Floods `server` with pings from a peer that never reads; gives the most output the server
/// connection queued.
fn ping_flood<S, R>(
    exec: &Exec,
    server: WebSocketStream<S, R>,
    mut peer: std::net::TcpStream,
) -> usize
where
    S: Transport<R> + Send + 'static,
    R: Runtime,
    R::Timer: Send,
{
    let (tx, most) = mpsc::channel();
    exec.spawn(async move {
        let mut server = server;
        let mut most = 0;
        let mut pings = 0u32;
        while let Some(Ok(event)) = server.recv_event().await {
            assert!(matches!(event, Event::Ping(_)));
            most = most.max(server.buffered_amount());
            pings += 1;
            if pings == PINGS {
                break;
            }
        }
        let _ = tx.send((most, pings));
    });
    // 2,000,000 pings: 12 MB of pongs, more than the loopback socket buffers take.
    const PINGS: u32 = 2_000_000;
    let mut frames = Vec::new();
    let mut client = sansock_core::testing::pair(ConnectionConfig::default()).0;
    for i in 0..PINGS {
        client.ping(&i.to_be_bytes()).unwrap();
        if client.transmit_len() > 1 << 20 || i + 1 == PINGS {
            frames.clear();
            sansock_core::testing::write_out(&mut client, &mut frames);
            peer.write_all(&frames).unwrap();
        }
    }
    let (most, pings) = most
        .recv_timeout(LIMIT)
        .expect("the server stopped reading pings");
    assert_eq!(pings, PINGS);
    drop(peer);
    let _ = Timestamp::ZERO;
    most
}

/// A server that keeps sending 1 MiB messages to a peer that has stopped reading: the send
/// that cannot finish fails with `ending` within `within`.
fn sending_to_a_silent_peer<S, R>(
    exec: &Exec,
    server: WebSocketStream<S, R>,
    ending: Ending,
    within: Duration,
) where
    S: Transport<R> + Send + 'static,
    R: Runtime,
    R::Timer: Send,
{
    let (tx, rx) = mpsc::channel();
    exec.spawn(async move {
        let mut server = server;
        let start = Instant::now();
        let big = Message::from(vec![1u8; 1 << 20]);
        let mut sent = 0;
        let error = loop {
            match server.send(big.clone()).await {
                Ok(()) => sent += 1,
                Err(e) => break e,
            }
        };
        let _ = tx.send((error, sent, start.elapsed()));
    });
    let (error, sent, took) = rx.recv_timeout(LIMIT).expect("send never returned");
    match error {
        Error::AbnormalClose(c) => assert_eq!(c.ending, ending, "after {sent} sends"),
        other => panic!("{other}"),
    }
    assert!(took < within, "freed after {took:?}");
}

/// A server queues 8 MiB for a peer that never reads, then closes: `close` ends by the close
/// timeout (1 s) although the transport takes nothing, with `CloseTimedOut`.
fn closing_to_a_silent_peer<S, R>(exec: &Exec, server: WebSocketStream<S, R>)
where
    S: Transport<R> + Send + 'static,
    R: Runtime,
    R::Timer: Send,
{
    use futures_util::SinkExt;
    let (tx, rx) = mpsc::channel();
    exec.spawn(async move {
        let mut server = server;
        for _ in 0..8 {
            // Queued, not written: the high-water mark is far above 8 MiB.
            server
                .feed(Message::from(vec![2u8; 1 << 20]))
                .await
                .unwrap();
        }
        let start = Instant::now();
        let closed = server.close(None, "").await;
        let _ = tx.send((closed, start.elapsed()));
    });
    let (closed, took) = rx.recv_timeout(LIMIT).expect("close never returned");
    match closed {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(5), "{took:?}");
}

macro_rules! adapter {
    ($name:ident, $exec:expr, $listener:ty, $stream:ty) => {
        mod $name {
            use super::*;

            fn exec() -> Exec {
                $exec
            }

            async fn listen() -> ($listener, String) {
                let listener = <$listener>::bind("127.0.0.1:0").await.unwrap();
                let url = format!("ws://{}/", listener.local_addr().unwrap());
                (listener, url)
            }

            async fn accept<R: Runtime>(
                listener: &$listener,
                settings: ServerSettings,
            ) -> WebSocketStream<$stream, R>
            where
                $stream: Transport<R>,
            {
                let (tcp, _) = listener.accept().await.unwrap();
                server_side(tcp, settings).await
            }

            fn pair<R: Runtime>(
                exec: &Exec,
            ) -> (WebSocketStream<$stream, R>, WebSocketStream<$stream, R>)
            where
                $stream: Transport<R>,
            {
                exec.run(async {
                    let (listener, url) = listen().await;
                    let client = async {
                        let tcp = <$stream>::connect(listener.local_addr().unwrap())
                            .await
                            .unwrap();
                        let settings = ClientSettings::new();
                        client_side(tcp, &url, settings).await
                    };
                    let (server, client) = futures_util::future::join(
                        accept(&listener, ServerSettings::new()),
                        client,
                    )
                    .await;
                    (client, server)
                })
            }

            #[test]
            fn split_peers_stream_1_mib_and_1_kib_both_ways_at_once() {
                let exec = exec();
                let (a, b) = pair(&exec);
                both_ways(&exec, a, b, 200, 1 << 20);
                let (a, b) = pair(&exec);
                both_ways(&exec, a, b, 20_000, 1 << 10);
            }

            #[test]
            fn a_ping_flood_without_reading_queues_at_most_the_pong_bound() {
                let exec = exec();
                let (listener, url) = exec.run(listen());
                let peer = std::thread::spawn(move || raw_client(&url));
                let server = exec.run(accept(&listener, ServerSettings::new()));
                let most = ping_flood(&exec, server, peer.join().unwrap());
                // The core's bound is 16 KiB of queued pongs, plus one; without it the queue
                // would grow by 6 bytes a ping for as long as the flood lasts.
                assert!(most < 17 << 10, "{most} bytes queued");
            }

            #[test]
            fn a_silent_peer_frees_a_send_by_the_idle_timeout() {
                let exec = exec();
                let (listener, url) = exec.run(listen());
                let peer = std::thread::spawn(move || raw_client(&url));
                let server = exec.run(accept(&listener, keepalive_server()));
                let _peer = peer.join().unwrap();
                sending_to_a_silent_peer(
                    &exec,
                    server,
                    Ending::IdleTimedOut,
                    Duration::from_secs(10),
                );
            }

            #[test]
            fn close_to_a_silent_peer_ends_by_the_close_timeout() {
                let exec = exec();
                let (listener, url) = exec.run(listen());
                let peer = std::thread::spawn(move || raw_client(&url));
                let connection =
                    ConnectionConfig::default().with_close_timeout(Duration::from_secs(1));
                let settings = ServerSettings::new()
                    .connection(connection)
                    .write_high_water(1 << 30);
                let server = exec.run(accept(&listener, settings));
                let _peer = peer.join().unwrap();
                closing_to_a_silent_peer(&exec, server);
            }

            #[test]
            fn a_silent_peer_frees_a_send_by_the_write_timeout() {
                let exec = exec();
                let (listener, url) = exec.run(listen());
                let peer = std::thread::spawn(move || raw_client(&url));
                let settings = ServerSettings::new().write_timeout(Some(Duration::from_secs(1)));
                let server = exec.run(accept(&listener, settings));
                let _peer = peer.join().unwrap();
                sending_to_a_silent_peer(
                    &exec,
                    server,
                    Ending::WriteTimedOut,
                    Duration::from_secs(10),
                );
            }
        }
    };
}

adapter!(
    tokio_adapter,
    Exec::Tokio(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    ),
    tokio::net::TcpListener,
    tokio::net::TcpStream
);
adapter!(
    async_std_adapter,
    Exec::AsyncStd,
    async_std::net::TcpListener,
    async_std::net::TcpStream
);
adapter!(
    smol_adapter,
    Exec::Smol,
    smol::net::TcpListener,
    smol::net::TcpStream
);
