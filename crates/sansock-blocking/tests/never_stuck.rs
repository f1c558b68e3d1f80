//! The blocking adapter and a peer that does not play along, over loopback TCP: a non-blocking
//! socket with a deadline armed returns a would-block error instead of spinning; a send to a
//! peer that stopped reading is freed by the idle timeout (keepalive on) or the write timeout;
//! two peers on non-blocking sockets stream at each other both ways at once and both finish;
//! the plain `read`/`send` loop writes a pipelined batch's echoes in a few writes; and prepared
//! messages fed, then flushed, leave in one write.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{bind, silent_client};
use sansock_blocking::{
    Accept, BlockingStream, Ending, Error, Message, PreparedMessage, ServerSettings,
};
use sansock_core::ConnectionConfig;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

fn keepalive() -> ConnectionConfig {
    ConnectionConfig::default()
        .with_keepalive(Some(Duration::from_secs(1)))
        .with_idle_timeout(Some(Duration::from_secs(2)))
}

#[test]
fn a_non_blocking_socket_with_a_deadline_armed_returns_would_block_instead_of_spinning() {
    let (listener, url) = bind();
    let _peer = thread::spawn(move || {
        let silent = silent_client(&url);
        thread::sleep(Duration::from_secs(5));
        drop(silent);
    });
    let (tcp, _) = listener.accept().unwrap();
    let settings = ServerSettings::new().connection(keepalive());
    let mut ws = sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new())).unwrap();
    ws.get_ref().set_nonblocking(true).unwrap();
    let start = Instant::now();
    let error = ws.recv().unwrap_err();
    // It used to loop on the socket's would-block until the keepalive deadline moved on.
    assert!(error.is_would_block(), "{error}");
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
}

fn send_until_freed(settings: ServerSettings) -> (Error, Duration) {
    let (listener, url) = bind();
    let peer = thread::spawn(move || silent_client(&url));
    let (tcp, _) = listener.accept().unwrap();
    let mut ws = sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new())).unwrap();
    let _silent = peer.join().unwrap();
    let big = Message::from(vec![1u8; 1 << 20]);
    let start = Instant::now();
    loop {
        if let Err(e) = ws.send(big.clone()) {
            return (e, start.elapsed());
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "send never failed"
        );
    }
}

#[test]
fn a_silent_peer_frees_a_blocked_send_by_the_idle_timeout() {
    let settings = ServerSettings::new().connection(keepalive());
    let (error, took) = send_until_freed(settings);
    match error {
        Error::AbnormalClose(c) => assert_eq!(c.ending, Ending::IdleTimedOut),
        other => panic!("{other}"),
    }
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_silent_peer_frees_a_blocked_send_by_the_write_timeout() {
    let settings = ServerSettings::new().write_timeout(Some(Duration::from_secs(1)));
    let (error, took) = send_until_freed(settings);
    match error {
        Error::AbnormalClose(c) => assert_eq!(c.ending, Ending::WriteTimedOut),
        other => panic!("{other}"),
    }
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn close_to_a_silent_peer_ends_by_the_close_timeout() {
    let (listener, url) = bind();
    let peer = thread::spawn(move || silent_client(&url));
    let (tcp, _) = listener.accept().unwrap();
    let connection = ConnectionConfig::default().with_close_timeout(Duration::from_secs(1));
    let settings = ServerSettings::new()
        .connection(connection)
        .write_high_water(1 << 30);
    let mut ws = sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new())).unwrap();
    let _silent = peer.join().unwrap();
    for _ in 0..8 {
        ws.feed(Message::from(vec![2u8; 1 << 20])).unwrap(); // queued, not written
    }
    let start = Instant::now();
    match ws.close(None, "") {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

/// Sends `count` messages of `size` bytes while reading as many, on a non-blocking socket:
/// a send the socket cannot take now stays queued (or comes back, past the high-water mark).
fn stream_both_ways<S: BlockingStream + Unpin>(
    ws: &mut sansock_blocking::WebSocket<S>,
    count: usize,
    size: usize,
) -> usize {
    let start = Instant::now();
    let (mut sent, mut got) = (0, 0);
    let mut held: Option<Message> = None;
    while got < count || sent < count || ws.buffered_amount() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "stuck: sent {sent}, got {got}"
        );
        let mut progress = false;
        if sent < count {
            let message = held
                .take()
                .unwrap_or_else(|| Message::from(vec![sent as u8; size]));
            match ws.send(message) {
                Ok(()) => (sent, progress) = (sent + 1, true),
                Err(Error::WriteBufferFull(m)) => held = Some(m),
                Err(e) if e.is_would_block() => (sent, progress) = (sent + 1, true), // queued
                Err(e) => panic!("send: {e}"),
            }
        } else if let Err(e) = ws.flush() {
            assert!(e.is_would_block(), "flush: {e}");
        }
        if got < count {
            match ws.recv() {
                Ok(Some(m)) => {
                    assert_eq!(m.as_bytes().len(), size);
                    assert_eq!(m.as_bytes()[0], got as u8);
                    (got, progress) = (got + 1, true);
                }
                Ok(None) => panic!("closed after {got}"),
                Err(e) if e.is_would_block() => {}
                Err(e) => panic!("read: {e}"),
            }
        }
        if !progress {
            thread::sleep(Duration::from_micros(200));
        }
    }
    got
}

#[test]
fn two_peers_on_non_blocking_sockets_stream_both_ways_at_once() {
    for (count, size) in [(200, 1 << 20), (20_000, 1 << 10)] {
        let (listener, url) = bind();
        let server = thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let mut ws = sansock_blocking::accept(tcp).unwrap();
            ws.get_ref().set_nonblocking(true).unwrap();
            stream_both_ways(&mut ws, count, size)
        });
        let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
        ws.get_ref().tcp().set_nonblocking(true).unwrap();
        assert_eq!(stream_both_ways(&mut ws, count, size), count);
        assert_eq!(server.join().unwrap(), count);
    }
}

/// A TCP stream that counts the write calls that took bytes.
struct Counting(TcpStream, Arc<AtomicUsize>);

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        if n > 0 {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl BlockingStream for Counting {}

#[test]
fn the_plain_read_send_loop_writes_a_pipelined_batch_in_a_few_writes() {
    let (listener, url) = bind();
    let writes = Arc::new(AtomicUsize::new(0));
    let counted = writes.clone();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut ws = sansock_blocking::accept(Counting(tcp, counted.clone())).unwrap();
        counted.store(0, Ordering::Relaxed); // the handshake's write does not count
        while let Ok(Some(m)) = ws.recv() {
            ws.send(m).unwrap();
        }
    });
    let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
    const N: usize = 64;
    for i in 0..N {
        ws.feed(Message::from(format!("message {i}"))).unwrap();
    }
    ws.flush().unwrap(); // one write: the server reads all 64 at once
    for i in 0..N {
        assert_eq!(
            ws.recv().unwrap().unwrap(),
            Message::from(format!("message {i}"))
        );
    }
    let n = writes.load(Ordering::Relaxed);
    assert!(n <= 4, "{N} echoes took {n} writes");
    ws.close(None, "").unwrap();
    server.join().unwrap();
}

#[test]
fn prepared_messages_fed_then_flushed_leave_in_one_write_and_arrive_in_order() {
    let (listener, url) = bind();
    let counted = Arc::new(AtomicUsize::new(0));
    let prepared: Vec<PreparedMessage> = (0..32)
        .map(|i| PreparedMessage::new(Message::from(format!("broadcast {i}"))))
        .collect();
    let expected: Vec<Message> = prepared.iter().map(|p| p.message().clone()).collect();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut ws = sansock_blocking::accept(Counting(tcp, counted.clone())).unwrap();
        counted.store(0, Ordering::Relaxed); // the handshake's write does not count
        for p in &prepared {
            ws.feed_prepared(p).unwrap();
        }
        assert_eq!(counted.load(Ordering::Relaxed), 0, "feeding writes nothing");
        ws.flush().unwrap();
        let writes = counted.load(Ordering::Relaxed);
        ws.close(None, "").unwrap();
        writes
    });
    let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
    for m in &expected {
        assert_eq!(&ws.recv().unwrap().unwrap(), m);
    }
    assert!(ws.recv().unwrap().is_none(), "then the server's close");
    assert_eq!(
        server.join().unwrap(),
        1,
        "32 prepared messages in one write"
    );
}
