//! sansock-compio on loopback TCP, on io_uring and on the epoll driver compio falls back to
//! (forced here, as where io_uring is missing or forbidden): echo with a subprotocol up to
//! 1 MiB, split halves with pongs from the read half, backpressure, keepalive, close and
//! handshake timeouts, a plain HTTP request's 400, and wss with a private CA; and under a
//! seccomp filter that forbids io_uring, compio's own fallback to epoll. The same scenarios
//! the other adapters' loopback tests run; the cross matrix runs every other adapter against
//! this one.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use compio::driver::{DriverType, ProactorBuilder};
use compio::io::{AsyncReadExt, AsyncWriteExt};
use compio::net::TcpListener;
use sansock_compio::{
    Accept, ClientSettings, CloseCode, Ending, Error, Event, HandshakeError, Initiator, Message,
    ServerSettings, WsUrl,
};
use sansock_core::ConnectionConfig;
use std::future::Future;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

/// Runs `test` on a compio runtime with the driver `driver` (compio's choice when `None`).
fn on<F: Future<Output = ()>>(driver: Option<DriverType>, test: impl FnOnce() -> F) {
    let mut proactor = ProactorBuilder::new();
    if let Some(driver) = driver {
        proactor.driver_type(driver);
    }
    let runtime = compio::runtime::RuntimeBuilder::new()
        .with_proactor(proactor)
        .build()
        .unwrap();
    runtime.block_on(async move {
        if let Some(driver) = driver {
            assert_eq!(sansock_compio::driver(), driver);
        }
        test().await;
    });
}

/// Each test on io_uring and on the epoll fallback.
macro_rules! on_both_drivers {
    ($($name:ident),* $(,)?) => {
        mod on_io_uring {
            $(#[test] fn $name() { super::on(Some(compio::driver::DriverType::IoUring), super::$name) })*
        }
        mod on_epoll {
            $(#[test] fn $name() { super::on(Some(compio::driver::DriverType::Poll), super::$name) })*
        }
    };
}

on_both_drivers!(
    text_binary_empty_and_1_mib_echo_with_a_subprotocol,
    split_halves_in_two_tasks_and_pongs_from_the_read_half,
    send_waits_for_a_peer_that_stops_reading_and_memory_stays_bounded,
    keepalive_ends_a_connection_whose_peer_goes_silent,
    close_timeout_ends_a_close_the_peer_never_answers,
    handshake_timeout_drops_a_silent_client,
    a_plain_http_request_gets_a_400_and_a_typed_error,
    connection_errors_are_distinct,
    closing_from_the_write_half_arms_the_close_timeout_of_a_parked_read_half,
    split_peers_stream_1_mib_and_1_kib_both_ways_at_once,
    wss_with_a_private_ca,
);

/// Where nothing forces a driver, compio takes io_uring on this machine (kernel 6.18, no
/// seccomp filter): the adapter is on io_uring as shipped.
#[test]
fn compio_chooses_io_uring_here_by_itself() {
    on(None, || async {
        assert_eq!(
            sansock_compio::driver(),
            DriverType::IoUring,
            "io_uring_setup works on this machine: compio should not fall back"
        );
    });
}

/// Set in the copy of this test binary that runs under the seccomp filter.
const IO_URING_FORBIDDEN: &str = "SANSOCK_TEST_IO_URING_FORBIDDEN";

/// Where io_uring is forbidden (a container whose seccomp profile answers EPERM to
/// `io_uring_setup`, as Docker's does on many hosts): compio starts on epoll by itself and the
/// adapter works the same. This test runs itself again under such a filter
/// (`scripts/forbid-io-uring.py`, libseccomp); that copy checks that io_uring really is refused,
/// that compio's own choice is epoll, and echoes messages up to 1 MiB on it.
#[test]
fn where_seccomp_forbids_io_uring_compio_falls_back_to_epoll() {
    if std::env::var_os(IO_URING_FORBIDDEN).is_some() {
        let forced = ProactorBuilder::new()
            .driver_type(DriverType::IoUring)
            .build()
            .err()
            .expect("io_uring is forbidden here");
        assert_eq!(
            forced.kind(),
            std::io::ErrorKind::PermissionDenied,
            "{forced}"
        );
        on(None, || async {
            assert_eq!(sansock_compio::driver(), DriverType::Poll);
            text_binary_empty_and_1_mib_echo_with_a_subprotocol().await;
            eprintln!("io_uring refused ({forced}); compio chose epoll; echoed");
        });
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let setup = std::process::Command::new(root.join("scripts/seccomp-setup.sh"))
        .status()
        .unwrap();
    assert!(setup.success(), "scripts/seccomp-setup.sh failed");
    let child = std::process::Command::new("/usr/bin/python3")
        .arg(root.join("scripts/forbid-io-uring.py"))
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "where_seccomp_forbids_io_uring_compio_falls_back_to_epoll",
        ])
        .arg("--nocapture")
        .env(IO_URING_FORBIDDEN, "1")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&child.stderr);
    assert!(
        child.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&child.stdout)
    );
    assert!(said.contains("compio chose epoll; echoed"), "{said}");
}

async fn timeout<T>(limit: Duration, f: impl Future<Output = T>) -> Option<T> {
    compio::time::timeout(limit, f).await.ok()
}

async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// Accepts one connection with `settings`, echoes until it ends, and says how it closed.
async fn echo_once(
    listener: TcpListener,
    settings: ServerSettings,
) -> Option<sansock_compio::Closed> {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = sansock_compio::accept_with(tcp, settings, async |r| {
        Ok(match r.protocols().next() {
            Some(p) => Accept::new().with_protocol(p),
            None => Accept::new(),
        })
    })
    .await
    .unwrap();
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
    ws.closed().cloned()
}

async fn text_binary_empty_and_1_mib_echo_with_a_subprotocol() {
    let (listener, url) = bind().await;
    let server = compio::runtime::spawn(echo_once(listener, ServerSettings::new()));
    let url = WsUrl::parse(&url).unwrap().with_protocol("echo-protocol");
    let (mut ws, response) = sansock_compio::connect_with(url, ClientSettings::new())
        .await
        .unwrap();
    assert_eq!(response.protocol(), Some("echo-protocol"));
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
    // Many in flight at once, both ways.
    for i in 0..200 {
        ws.send(format!("pipelined {i}")).await.unwrap();
    }
    for i in 0..200 {
        let echoed = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
        assert_eq!(echoed, Message::from(format!("pipelined {i}")));
    }
    let closed = ws.close(Some(CloseCode::NORMAL), "bye").await.unwrap();
    assert_eq!(
        (closed.code, closed.initiator, closed.ending),
        (CloseCode::NORMAL, Initiator::Local, Ending::Clean)
    );
    let server_view = timeout(LIMIT, server).await.unwrap().unwrap().unwrap();
    assert_eq!(server_view.reason.as_str(), "bye");
}

async fn split_halves_in_two_tasks_and_pongs_from_the_read_half() {
    let (listener, url) = bind().await;
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_compio::accept(tcp).await.unwrap();
        // Ping a client whose write half is idle: the pong must come from its read half.
        ws.ping(b"hi").await.unwrap();
        let mut got = Vec::new();
        while let Some(event) = ws.recv_event().await {
            match event.unwrap() {
                Event::Pong(p) => {
                    assert_eq!(&p[..], b"hi");
                    for i in 0..100 {
                        ws.send(format!("from server {i}")).await.unwrap();
                    }
                }
                Event::Message(m) => got.push(m),
                Event::Closed(_) => break,
                _ => {}
            }
        }
        got.len()
    });
    let (ws, _) = sansock_compio::connect(&url).await.unwrap();
    let (mut read, mut write) = ws.split();
    let reader = compio::runtime::spawn(async move {
        let mut n = 0;
        while n < 100 {
            match timeout(LIMIT, read.recv()).await.unwrap() {
                Some(Ok(m)) => {
                    assert_eq!(m, Message::from(format!("from server {n}")));
                    n += 1;
                }
                other => panic!("read half: {other:?}"),
            }
        }
        // Keep reading until the close completes.
        while let Some(Ok(_)) = timeout(LIMIT, read.recv()).await.unwrap() {}
        n
    });
    for i in 0..50 {
        write.send(format!("from client {i}")).await.unwrap();
    }
    compio::time::sleep(Duration::from_millis(100)).await;
    write.send_close(Some(CloseCode::NORMAL), "").await.unwrap();
    assert_eq!(timeout(LIMIT, reader).await.unwrap().unwrap(), 100);
    assert_eq!(timeout(LIMIT, server).await.unwrap().unwrap(), 50);
}

/// A client that completes the handshake and then keeps only the TCP stream (reads nothing,
/// answers nothing).
async fn silent_client(url: &str) -> sansock_compio::TcpStream {
    let parsed = WsUrl::parse(url).unwrap();
    let tcp = compio::net::TcpStream::connect((parsed.host.as_str(), parsed.port))
        .await
        .unwrap();
    let tcp = sansock_compio::TcpStream::from(tcp);
    let (ws, _) = sansock_compio::client(tcp, &parsed.request, ClientSettings::new())
        .await
        .unwrap();
    ws.into_inner()
}

async fn send_waits_for_a_peer_that_stops_reading_and_memory_stays_bounded() {
    let (listener, url) = bind().await;
    let high_water = 16 << 10;
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let settings = ServerSettings::new().write_high_water(high_water);
        let mut ws = sansock_compio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
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
    let silent = silent_client(&url).await;
    let (sent, max_buffered) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(
        max_buffered <= high_water + 1024 + 14,
        "{max_buffered} bytes queued"
    );
    assert!(sent > 0);
    drop(silent);
}

async fn keepalive_ends_a_connection_whose_peer_goes_silent() {
    let (listener, url) = bind().await;
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let connection = ConnectionConfig::default()
            .with_keepalive(Some(Duration::from_millis(100)))
            .with_idle_timeout(Some(Duration::from_millis(300)));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_compio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
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

async fn close_timeout_ends_a_close_the_peer_never_answers() {
    let (listener, url) = bind().await;
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_compio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
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

async fn handshake_timeout_drops_a_silent_client() {
    let (listener, _) = bind().await;
    let addr = listener.local_addr().unwrap();
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let settings = ServerSettings::new().handshake_timeout(Duration::from_millis(200));
        sansock_compio::accept_with(tcp, settings, async |_| Ok(Accept::new())).await
    });
    let _tcp = compio::net::TcpStream::connect(addr).await.unwrap();
    assert!(matches!(
        timeout(LIMIT, server).await.unwrap().unwrap(),
        Err(HandshakeError::Timeout)
    ));
}

async fn a_plain_http_request_gets_a_400_and_a_typed_error() {
    let (listener, _) = bind().await;
    let addr = listener.local_addr().unwrap();
    let server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        sansock_compio::accept(tcp).await
    });
    let mut tcp = compio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (_, answer) = tcp.read_to_end(Vec::new()).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(matches!(
        server.await.unwrap(),
        Err(HandshakeError::BadRequest(e)) if e.status() == 400
    ));
}

async fn connection_errors_are_distinct() {
    let patient = ClientSettings::new().handshake_timeout(Duration::from_secs(120));
    let nowhere = WsUrl::parse("ws://does-not-exist.invalid/").unwrap();
    assert!(matches!(
        sansock_compio::connect_with(nowhere, patient).await,
        Err(HandshakeError::Dns(_))
    ));
    let (listener, url) = bind().await;
    drop(listener);
    assert!(matches!(
        sansock_compio::connect(&url).await,
        Err(HandshakeError::Connect(_))
    ));
    // wss to a server that does not speak TLS.
    let (listener, url) = bind().await;
    let _server = compio::runtime::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let _ = tcp.write_all("HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let wss = url
        .replace("ws://", "wss://")
        .replace("127.0.0.1", "localhost");
    let result = sansock_compio::connect(&wss).await;
    assert!(matches!(result, Err(HandshakeError::Tls(_))), "{result:?}");
}

async fn closing_from_the_write_half_arms_the_close_timeout_of_a_parked_read_half() {
    let (listener, url) = bind().await;
    // A server that completes the handshake and then never says anything again.
    let _server = compio::runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = sansock_compio::accept(tcp).await.unwrap();
        let _tcp = ws.into_inner();
        compio::time::sleep(Duration::from_secs(30)).await;
    });
    let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
    let settings = ClientSettings::new().connection(connection);
    let (ws, _) = sansock_compio::connect_with(WsUrl::parse(&url).unwrap(), settings)
        .await
        .unwrap();
    let (mut read, mut write) = ws.split();
    // The reader is parked on the socket: its read is in flight, holding the receive buffer.
    let reader = compio::runtime::spawn(async move { read.recv().await });
    compio::time::sleep(Duration::from_millis(50)).await;
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

/// Both ends split, each half a task: both stream at once, neither reads before it has sent
/// everything (the never-stuck test the other adapters run in the cross crate).
async fn split_peers_stream_1_mib_and_1_kib_both_ways_at_once() {
    for (count, size) in [(200usize, 1usize << 20), (20_000, 1 << 10)] {
        let (listener, url) = bind().await;
        let server = compio::runtime::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            sansock_compio::accept(tcp).await.unwrap()
        });
        let parsed = WsUrl::parse(&url).unwrap();
        let tcp = compio::net::TcpStream::connect((parsed.host.as_str(), parsed.port))
            .await
            .unwrap();
        let tcp = sansock_compio::TcpStream::from(tcp);
        let (client, _) = sansock_compio::client(tcp, &parsed.request, ClientSettings::new())
            .await
            .unwrap();
        let server = server.await.unwrap();
        let mut writers = Vec::new();
        let mut readers = Vec::new();
        for ws in [client, server] {
            let (mut read, mut write) = ws.split();
            writers.push(compio::runtime::spawn(async move {
                for i in 0..count {
                    write.send(vec![i as u8; size]).await.unwrap();
                }
                write.flush().await.unwrap();
                write // kept until the other side has read everything
            }));
            readers.push(compio::runtime::spawn(async move {
                for i in 0..count {
                    let m = read.recv().await.unwrap().unwrap();
                    assert_eq!((m.as_bytes().len(), m.as_bytes()[0]), (size, i as u8));
                }
                count
            }));
        }
        let all = async {
            let mut halves = Vec::new();
            for w in writers {
                halves.push(w.await.unwrap());
            }
            for r in readers {
                assert_eq!(r.await.unwrap(), count);
            }
            halves
        };
        let halves = timeout(LIMIT, all).await;
        assert!(halves.is_some(), "{count} × {size} B both ways: stuck");
    }
}

async fn wss_with_a_private_ca() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = ca.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ca.signing_key.serialize_der().into());
    let server_config = std::sync::Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
            .unwrap(),
    );
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let client_config = std::sync::Arc::new(
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    // The server: rustls over std's TCP on a thread of its own, with sansock-blocking.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let tls = rustls::ServerConnection::new(server_config).unwrap();
        let stream = TlsServer(rustls::StreamOwned::new(tls, tcp));
        let mut ws = sansock_blocking::accept(stream).unwrap();
        while let Ok(Some(m)) = ws.recv() {
            if ws.send(m).is_err() {
                break;
            }
        }
    });
    let url = WsUrl::parse(&format!("wss://localhost:{port}/")).unwrap();
    let (mut ws, _) = sansock_compio::connect_with_tls(url, ClientSettings::new(), client_config)
        .await
        .unwrap();
    for m in [Message::from("over TLS"), Message::from(vec![9u8; 100_000])] {
        ws.send(m.clone()).await.unwrap();
        assert_eq!(
            timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap(),
            m
        );
    }
    ws.close(Some(CloseCode::NORMAL), "").await.unwrap();
    server.join().unwrap();
}

/// rustls' server stream over std's TCP, for sansock-blocking.
struct TlsServer(rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>);

impl std::io::Read for TlsServer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Write for TlsServer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl sansock_blocking::BlockingStream for TlsServer {}
