//! Reconnecting clients on every adapter: against an echo server process that is killed and
//! started again on the same port (the client reconnects, runs its connect hook again, and the
//! failures in between are visible), a server that answers 503 a few times before it accepts,
//! one that answers 404 (not retried), closes worth a reconnect (1012) and not (1000), and a
//! limit on attempts.
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_client::{Backoff, ClientSocket, Connector, MaybeTlsStream, Reconnecting, WsUrl};
use sansock_core::Message;
use sansock_driver::{ClientSettings, Error, HandshakeError, Runtime, Transport, WebSocketStream};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The echo server process, killed by its process id when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(port: u16) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cross-echo"))
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Server(child)
}

/// A free port below Linux's ephemeral range (32768 and up), so that while its server is down no
/// outgoing connection of another test takes it as its own port.
fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let offset = std::process::id() % 600 * 20;
    loop {
        let port = (20_000 + (offset + NEXT.fetch_add(1, Ordering::SeqCst)) % 12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn quick() -> Backoff {
    Backoff::new()
        .initial(Duration::from_millis(20))
        .max(Duration::from_millis(200))
        .jitter(0.0)
}

fn url(port: u16) -> WsUrl {
    WsUrl::parse(&format!("ws://127.0.0.1:{port}/echo")).unwrap()
}

/// What a test saw of the retries: the attempt numbers and errors passed to `on_retry`.
type Retries = Arc<Mutex<Vec<(u32, String)>>>;

fn watched<C: Connector, H>(client: Reconnecting<C, H>) -> (Reconnecting<C, H>, Retries) {
    let retries: Retries = Arc::default();
    let log = retries.clone();
    let client = client.on_retry(move |n, e, _| log.lock().unwrap().push((n, e.to_string())));
    (client, retries)
}

async fn echo<S: Transport<R>, R: Runtime>(ws: &mut WebSocketStream<S, R>, text: &str) {
    ws.send(text).await.unwrap();
    let reply = ws.recv().await.unwrap().unwrap();
    assert_eq!(reply, Message::text(text));
}

/// Kill and restart, 1012 and 1000 closes, for an async adapter's connector `C`.
async fn killed_and_restarted<C, S, R>()
where
    C: Connector<Connection = WebSocketStream<S, R>, Runtime = R> + Default,
    S: Transport<R>,
    R: Runtime,
    ClientSocket<C>: Transport<R>,
    MaybeTlsStream<C>: Transport<R>,
    WebSocketStream<S, R>: Send,
{
    let port = free_port();
    let server = start(port);
    let connects = Arc::new(AtomicU32::new(0));
    let counter = connects.clone();
    // The hook is an async closure with state of its own (the counter).
    let client = Reconnecting::<C>::new(url(port), ClientSettings::new(), quick()).on_connect(
        async move |ws| {
            counter.fetch_add(1, Ordering::SeqCst);
            ws.send("subscribe").await
        },
    );
    let (mut client, retries) = watched(client);
    let mut ws = client.connect().await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::text("subscribe")
    );
    echo(&mut ws, "before").await;

    // Killed: the connection is cut (1006); the server comes back 300 ms later.
    drop(server);
    assert!(matches!(
        ws.recv().await,
        Some(Err(Error::AbnormalClose(_))) | None
    ));
    let restart = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        start(port)
    });
    let started = Instant::now();
    let mut ws = client
        .reconnect(&ws)
        .await
        .unwrap()
        .expect("a cut is worth a reconnect");
    assert!(started.elapsed() >= Duration::from_millis(250));
    let _server = restart.join().unwrap();
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::text("subscribe")
    );
    echo(&mut ws, "after").await;
    assert_eq!(
        connects.load(Ordering::SeqCst),
        2,
        "the hook ran on each connect"
    );
    assert_eq!(client.failures(), 0);
    assert!(matches!(
        client.last_error(),
        Some(HandshakeError::Connect(_))
    ));
    let seen = retries.lock().unwrap().clone();
    assert!(!seen.is_empty(), "refused while the server was down");
    assert!(
        seen.iter()
            .enumerate()
            .all(|(i, (n, _))| *n == i as u32 + 1)
    );

    // The server restarts (1012): reconnect. It closes normally (1000): stop.
    ws.send("close:1012").await.unwrap();
    assert!(ws.recv().await.is_none());
    let mut ws = client
        .reconnect(&ws)
        .await
        .unwrap()
        .expect("1012 is worth it");
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::text("subscribe")
    );
    ws.send("close:1000").await.unwrap();
    assert!(ws.recv().await.is_none());
    assert!(client.reconnect(&ws).await.unwrap().is_none());
}

/// A server that answers `status` to the first `refusals` requests, then echoes (blocking).
fn refusing_server(status: u16, refusals: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            if n < refusals {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|r| r > 2) {
                    line.clear();
                }
                let answer = format!("HTTP/1.1 {status} Nope\r\nContent-Length: 0\r\n\r\n");
                let _ = (&stream).write_all(answer.as_bytes());
                continue;
            }
            std::thread::spawn(move || {
                let Ok(mut ws) = sansock_blocking::accept(stream) else {
                    return;
                };
                while let Ok(Some(m)) = ws.recv() {
                    if ws.send(m).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

async fn unavailable_then_accepting<C, S, R>()
where
    C: Connector<Connection = WebSocketStream<S, R>, Runtime = R> + Default,
    S: Transport<R>,
    R: Runtime,
    ClientSocket<C>: Transport<R>,
    MaybeTlsStream<C>: Transport<R>,
    WebSocketStream<S, R>: Send,
{
    let port = refusing_server(503, 3);
    let (mut client, retries) = watched(Reconnecting::<C>::new(
        url(port),
        ClientSettings::new(),
        quick(),
    ));
    let started = Instant::now();
    let mut ws = client.connect().await.unwrap();
    // 20 + 40 + 80 ms between the four tries.
    assert!(started.elapsed() >= Duration::from_millis(140));
    echo(&mut ws, "at last").await;
    let seen = retries.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|(_, e)| e.contains("503")), "{seen:?}");

    // 404 is not retried; a limit of 2 attempts stops at the second 503.
    let port = refusing_server(404, 100);
    let (mut client, retries) = watched(Reconnecting::<C>::new(
        url(port),
        ClientSettings::new(),
        quick(),
    ));
    match client.connect().await {
        Err(e) => assert!(e.to_string().contains("404"), "{e}"),
        Ok(_) => panic!("a 404 was accepted"),
    }
    assert!(retries.lock().unwrap().is_empty());
    let port = refusing_server(503, 100);
    let mut client =
        Reconnecting::<C>::new(url(port), ClientSettings::new(), quick().max_attempts(2));
    assert!(client.connect().await.is_err());
    assert_eq!(client.failures(), 2);
}

#[test]
fn tokio_reconnects() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(killed_and_restarted::<sansock_tokio::Connector, _, _>());
    rt.block_on(unavailable_then_accepting::<sansock_tokio::Connector, _, _>());
}

#[test]
fn smol_reconnects() {
    smol::block_on(killed_and_restarted::<sansock_futures::smol::Connector, _, _>());
    smol::block_on(unavailable_then_accepting::<
        sansock_futures::smol::Connector,
        _,
        _,
    >());
}

#[test]
fn async_std_reconnects() {
    async_std::task::block_on(killed_and_restarted::<
        sansock_futures::async_std::Connector,
        _,
        _,
    >());
    async_std::task::block_on(unavailable_then_accepting::<
        sansock_futures::async_std::Connector,
        _,
        _,
    >());
}

#[test]
fn blocking_reconnects() {
    let port = free_port();
    let server = start(port);
    let connects = Arc::new(AtomicU32::new(0));
    let counter = connects.clone();
    let mut client = sansock_blocking::Reconnecting::new(url(port), ClientSettings::new(), quick())
        .on_connect(move |ws| {
            counter.fetch_add(1, Ordering::SeqCst);
            ws.send("subscribe")
        });
    let mut ws = client.connect().unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::text("subscribe"));
    drop(server);
    assert!(!matches!(ws.recv(), Ok(Some(_))));
    let restart = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        start(port)
    });
    let mut ws = client
        .reconnect(&ws)
        .unwrap()
        .expect("a cut is worth a reconnect");
    let _server = restart.join().unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::text("subscribe"));
    assert_eq!(connects.load(Ordering::SeqCst), 2);
    assert!(matches!(
        client.last_error(),
        Some(HandshakeError::Connect(_))
    ));
    ws.send("close:1000").unwrap();
    assert!(ws.recv().unwrap().is_none());
    assert!(client.reconnect(&ws).unwrap().is_none());

    let port = refusing_server(503, 2);
    let mut client = sansock_blocking::Reconnecting::new(url(port), ClientSettings::new(), quick());
    let mut ws = client.connect().unwrap();
    ws.send("at last").unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::text("at last"));
}
