//! sansock-blocking on loopback TCP, a thread per side: messages of every kind, pings, close
//! codes both ways, the core's deadlines waking a blocked read, the caller's socket timeouts,
//! handshake errors, and wss.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{bind, silent_client};
use sansock_blocking::{
    Accept, BlockingStream, ClientSettings, CloseCode, Ending, Error, Event, HandshakeError,
    Initiator, Message, ServerSettings, WsUrl,
};
use sansock_core::ConnectionConfig;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn server_with(connection: ConnectionConfig) -> ServerSettings {
    ServerSettings::new().connection(connection)
}

/// Accepts one connection and echoes it until it ends (offering back the first subprotocol).
fn echo_once(listener: TcpListener) -> thread::JoinHandle<Option<sansock_blocking::Closed>> {
    thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut ws = sansock_blocking::accept_with(tcp, ServerSettings::new(), |r| {
            Ok(match r.protocols().next() {
                Some(p) => Accept::new().with_protocol(p),
                None => Accept::new(),
            })
        })
        .unwrap();
        while let Ok(Some(m)) = ws.recv() {
            ws.send(m).unwrap();
        }
        ws.closed().cloned()
    })
}

#[test]
fn text_binary_empty_and_16_mib_echo_with_a_subprotocol() {
    let (listener, url) = bind();
    let server = echo_once(listener);
    let url = WsUrl::parse(&url).unwrap().with_protocol("echo-protocol");
    let (mut ws, response) = sansock_blocking::connect_with(url, ClientSettings::new()).unwrap();
    assert_eq!(response.protocol(), Some("echo-protocol"));
    assert_eq!(ws.protocol(), Some("echo-protocol"));
    let big: Vec<u8> = (0..16 << 20).map(|i: u32| (i * 31 % 251) as u8).collect();
    let messages = [
        Message::from("hello, Sansock ✓"),
        Message::from(vec![0u8, 1, 2, 255]),
        Message::from(""),
        Message::from(Vec::new()),
        Message::from(big),
    ];
    for m in &messages {
        ws.send(m.clone()).unwrap();
        assert_eq!(&ws.recv().unwrap().unwrap(), m);
    }
    ws.ping(b"still there?").unwrap();
    match ws.recv_event().unwrap() {
        Some(Event::Pong(p)) => assert_eq!(&p[..], b"still there?"),
        other => panic!("{other:?}"),
    }
    let closed = ws.close(Some(CloseCode::NORMAL), "bye").unwrap();
    assert_eq!(
        (closed.code, closed.initiator, closed.ending),
        (CloseCode::NORMAL, Initiator::Local, Ending::Clean)
    );
    assert_eq!(server.join().unwrap().unwrap().reason.as_str(), "bye");
}

#[test]
fn fed_messages_wait_for_the_next_read_and_leave_together() {
    let (listener, url) = bind();
    let server = echo_once(listener);
    let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
    let messages: Vec<Message> = (0..3).map(|i| Message::from(format!("fed {i}"))).collect();
    for m in &messages {
        ws.feed(m.clone()).unwrap();
    }
    // Nothing is written yet: all three frames are queued.
    assert_eq!(ws.buffered_amount(), 3 * (2 + 4 + 5));
    // The read writes them before it waits, then gets the echoes.
    for m in &messages {
        assert_eq!(&ws.recv().unwrap().unwrap(), m);
    }
    assert_eq!(ws.buffered_amount(), 0);
    ws.close(Some(CloseCode::NORMAL), "").unwrap();
    assert_eq!(server.join().unwrap().unwrap().code, CloseCode::NORMAL);
}

/// `recv_batch` echoes what arrived in one batch, the small messages borrowed, the large ones
/// in parts; the echoes come back intact and in order, and a clean close ends it with `Ok(0)`.
#[test]
fn read_batch_echoes_small_and_large_messages_in_order() {
    let (listener, url) = bind();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let settings = server_with(ConnectionConfig::default().with_message_parts(Some(16 << 10)));
        let mut ws = sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new())).unwrap();
        let mut batches = Vec::new();
        loop {
            let n = ws
                .recv_batch(|received, outbox| match received {
                    sansock_blocking::Received::Message(m) => outbox.send(m),
                    sansock_blocking::Received::Part(p) => outbox.send_part(p),
                })
                .unwrap();
            if n == 0 {
                return batches;
            }
            batches.push(n);
        }
    });
    let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
    let mut messages: Vec<Message> = (0..20)
        .map(|i| Message::from(format!("small {i}")))
        .collect();
    messages.push(Message::from(vec![9u8; 3 << 20]));
    messages.push(Message::from("after the large one"));
    for m in &messages {
        ws.feed(m.clone()).unwrap();
    }
    for m in &messages {
        assert!(&ws.recv().unwrap().unwrap() == m, "an echo changed");
    }
    ws.close(Some(CloseCode::NORMAL), "").unwrap();
    let batches = server.join().unwrap();
    assert!(
        batches.iter().any(|&n| n > 1),
        "no batch of several: {batches:?}"
    );
}

#[test]
fn close_codes_both_directions_end_cleanly_without_waiting_for_the_timeout() {
    let slow = ConnectionConfig::default().with_close_timeout(Duration::from_secs(60));
    for code in [1000u16, 1001, 1008, 1011, 3000, 4999] {
        for client_closes in [true, false] {
            let (listener, url) = bind();
            let server_slow = slow.clone();
            let server = thread::spawn(move || {
                let (tcp, _) = listener.accept().unwrap();
                let mut ws = sansock_blocking::accept_with(tcp, server_with(server_slow), |_| {
                    Ok(Accept::new())
                })
                .unwrap();
                if client_closes {
                    assert!(
                        ws.recv().unwrap().is_none(),
                        "a clean close ends the stream"
                    );
                    ws.closed().cloned().unwrap()
                } else {
                    ws.close(Some(CloseCode(code)), "server says").unwrap()
                }
            });
            let settings = ClientSettings::new().connection(slow.clone());
            let (mut ws, _) =
                sansock_blocking::connect_with(WsUrl::parse(&url).unwrap(), settings).unwrap();
            let start = Instant::now();
            let client_view = if client_closes {
                ws.close(Some(CloseCode(code)), "client says").unwrap()
            } else {
                assert!(ws.recv().unwrap().is_none());
                ws.closed().cloned().unwrap()
            };
            let server_view = server.join().unwrap();
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited for a timeout"
            );
            for view in [&client_view, &server_view] {
                assert_eq!(view.code, CloseCode(code));
                assert!(view.was_clean());
            }
            let other = if client_closes {
                &server_view
            } else {
                &client_view
            };
            assert_eq!(other.initiator, Initiator::Remote);
        }
    }
}

#[test]
fn the_close_timeout_wakes_a_blocked_read() {
    let (listener, url) = bind();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let connection = ConnectionConfig::default().with_close_timeout(Duration::from_millis(200));
        let mut ws =
            sansock_blocking::accept_with(tcp, server_with(connection), |_| Ok(Accept::new()))
                .unwrap();
        let start = Instant::now();
        (ws.close(Some(CloseCode::GOING_AWAY), ""), start.elapsed())
    });
    let _silent = silent_client(&url);
    let (result, elapsed) = server.join().unwrap();
    match result {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn keepalive_pings_and_the_idle_timeout_fire_while_read_blocks() {
    let (listener, url) = bind();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let connection = ConnectionConfig::default()
            .with_keepalive(Some(Duration::from_millis(100)))
            .with_idle_timeout(Some(Duration::from_millis(300)));
        let mut ws =
            sansock_blocking::accept_with(tcp, server_with(connection), |_| Ok(Accept::new()))
                .unwrap();
        let start = Instant::now();
        (ws.recv(), start.elapsed())
    });
    let mut silent = silent_client(&url);
    let (result, elapsed) = server.join().unwrap();
    match result {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::IdleTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // The silent peer did receive the keepalive ping (0x89) before the server gave up.
    silent
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut first = [0u8; 1];
    silent.read_exact(&mut first).unwrap();
    assert_eq!(first[0], 0x89);
}

#[test]
fn a_socket_read_timeout_returns_to_the_caller_and_loses_nothing() {
    let (listener, url) = bind();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let client = thread::spawn(move || {
        let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
        rx.recv().unwrap(); // until the server has timed out once
        // Half a frame, then the rest after the server's read timed out again.
        ws.send("across two timeouts").unwrap();
        assert_eq!(ws.recv().unwrap().unwrap(), Message::from("ack"));
        ws.close(None, "").unwrap();
    });
    let (tcp, _) = listener.accept().unwrap();
    // A keepalive deadline far beyond the socket timeout: the socket's own timeout governs.
    let connection = ConnectionConfig::default()
        .with_keepalive(Some(Duration::from_secs(30)))
        .with_idle_timeout(None);
    let mut ws =
        sansock_blocking::accept_with(tcp, server_with(connection), |_| Ok(Accept::new())).unwrap();
    ws.get_ref()
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let start = Instant::now();
    let err = ws.recv().unwrap_err();
    assert!(err.is_would_block(), "{err:?}");
    assert!(start.elapsed() >= Duration::from_millis(90));
    assert_eq!(
        ws.get_ref().read_timeout().unwrap(),
        Some(Duration::from_millis(100)),
        "the caller's timeout is left as it was"
    );
    tx.send(()).unwrap();
    let message = loop {
        match ws.recv() {
            Ok(Some(m)) => break m,
            Err(e) if e.is_would_block() => continue,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(message, Message::from("across two timeouts"));
    ws.send("ack").unwrap();
    loop {
        match ws.recv() {
            Ok(None) => break,
            Err(e) if e.is_would_block() => continue,
            other => panic!("{other:?}"),
        }
    }
    client.join().unwrap();
}

#[test]
fn handshake_timeout_drops_a_silent_client() {
    let (listener, url) = bind();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let settings = ServerSettings::new().handshake_timeout(Duration::from_millis(200));
        sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new()))
    });
    let parsed = WsUrl::parse(&url).unwrap();
    let _tcp = TcpStream::connect((parsed.host.as_str(), parsed.port)).unwrap();
    assert!(matches!(
        server.join().unwrap(),
        Err(HandshakeError::Timeout)
    ));
}

#[test]
fn a_plain_http_request_gets_a_400_and_a_typed_error() {
    let (listener, url) = bind();
    let server = thread::spawn(move || sansock_blocking::accept(listener.accept().unwrap().0));
    let parsed = WsUrl::parse(&url).unwrap();
    let mut tcp = TcpStream::connect((parsed.host.as_str(), parsed.port)).unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        matches!(server.join().unwrap(), Err(HandshakeError::BadRequest(e)) if e.status() == 400)
    );
}

#[test]
fn connection_errors_are_distinct() {
    assert!(matches!(
        sansock_blocking::connect("http://example.com/"),
        Err(HandshakeError::Url(_))
    ));
    let patient = ClientSettings::new().handshake_timeout(Duration::from_secs(120));
    let nowhere = WsUrl::parse("ws://does-not-exist.invalid/").unwrap();
    assert!(matches!(
        sansock_blocking::connect_with(nowhere, patient),
        Err(HandshakeError::Dns(_))
    ));
    let (listener, url) = bind();
    drop(listener);
    assert!(matches!(
        sansock_blocking::connect(&url),
        Err(HandshakeError::Connect(_))
    ));
    let (listener, url) = bind();
    thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    let wss = url
        .replace("ws://", "wss://")
        .replace("127.0.0.1", "localhost");
    assert!(matches!(
        sansock_blocking::connect(&wss),
        Err(HandshakeError::Tls(_))
    ));
}

/// A rustls server stream: any `Read + Write` becomes a transport with an empty impl.
struct TlsServer(rustls::StreamOwned<rustls::ServerConnection, TcpStream>);

impl Read for TlsServer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for TlsServer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl BlockingStream for TlsServer {}

#[test]
fn wss_round_trip_with_a_generated_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_der = cert.cert.der().clone();
    let key_der =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone()], key_der)
            .unwrap(),
    );
    let (listener, url) = bind();
    let port = WsUrl::parse(&url).unwrap().port;
    thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let tls = rustls::ServerConnection::new(server_config).unwrap();
        let mut ws =
            sansock_blocking::accept(TlsServer(rustls::StreamOwned::new(tls, tcp))).unwrap();
        while let Ok(Some(m)) = ws.recv() {
            ws.send(m).unwrap();
        }
    });
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let url = WsUrl::parse(&format!("wss://localhost:{port}/secure")).unwrap();
    let (mut ws, _) =
        sansock_blocking::connect_with_tls(url, ClientSettings::new(), Arc::new(client_config))
            .unwrap();
    ws.send("over TLS").unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::from("over TLS"));
    let big = vec![3u8; 1 << 20];
    ws.send(big.clone()).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::from(big));
    assert!(ws.close(None, "").unwrap().was_clean());
}
