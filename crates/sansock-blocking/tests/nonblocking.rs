//! sansock-blocking driven by a mio poll loop over a non-blocking socket: every `WouldBlock`
//! returns to the loop mid-frame, mid-message and mid-write, and nothing is lost — a 16 MiB
//! message and a thousand pipelined small ones come back intact and in order.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use mio::{Events, Interest, Poll, Token};
use sansock_blocking::{BlockingStream, ClientSettings, Error, Message, ServerSettings, WsUrl};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

/// mio's TCP stream as a Sansock transport: `Read + Write` and an empty `BlockingStream` impl.
struct MioStream(mio::net::TcpStream);

impl Read for MioStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for MioStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl BlockingStream for MioStream {
    fn shutdown_write(&mut self) -> std::io::Result<()> {
        self.0.shutdown(std::net::Shutdown::Write)
    }
}

fn messages() -> Vec<Message> {
    let big: Vec<u8> = (0..16 << 20).map(|i: u32| (i * 7 % 253) as u8).collect();
    let mut all = vec![Message::from("first"), Message::from(big)];
    all.extend((0..1000).map(|i| Message::from(format!("small {i}"))));
    all.push(Message::from(vec![9u8; 70_000]));
    all
}

#[derive(Debug, Default)]
struct Counts {
    echoed: usize,
    would_blocks: usize,
    buffer_full: usize,
}

/// Sends what waits in `backlog` until the socket takes no more; a message handed back by
/// `WriteBufferFull` goes back to the front.
fn echo_backlog(
    ws: &mut sansock_blocking::WebSocket<MioStream>,
    backlog: &mut VecDeque<Message>,
    counts: &mut Counts,
) {
    while let Some(m) = backlog.pop_front() {
        match ws.send(m) {
            Ok(()) => counts.echoed += 1,
            Err(Error::WriteBufferFull(m)) => {
                counts.buffer_full += 1;
                backlog.push_front(m);
                return;
            }
            Err(e) if e.is_would_block() => {
                counts.echoed += 1; // queued; the next flush writes it
                counts.would_blocks += 1;
                return;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn a_mio_loop_echoes_everything_over_a_non_blocking_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let client = thread::spawn(move || {
        let (mut ws, _) =
            sansock_blocking::connect_with(WsUrl::parse(&url).unwrap(), ClientSettings::new())
                .unwrap();
        let sent = messages();
        // Everything first, then read: the server's echo of the 16 MiB message blocks on a
        // peer that is still sending, and its write buffer passes the high-water mark.
        for m in &sent {
            ws.send(m.clone()).unwrap();
        }
        // Not reading for a while: the server's echoes pile up against the high-water mark
        // whatever the speed of its reads.
        thread::sleep(Duration::from_millis(300));
        for m in &sent {
            assert_eq!(&ws.recv().unwrap().unwrap(), m);
        }
        ws.close(Some(sansock_blocking::CloseCode::NORMAL), "done")
            .unwrap()
    });

    let (tcp, _) = listener.accept().unwrap();
    let control = tcp.try_clone().unwrap();
    // The handshake in blocking mode, then non-blocking for the rest.
    let mut ws = sansock_blocking::accept_with(
        MioStream(mio::net::TcpStream::from_std(tcp)),
        ServerSettings::new().write_high_water(32 << 10),
        |_| Ok(sansock_blocking::Accept::new()),
    )
    .unwrap();
    control.set_nonblocking(true).unwrap();
    let mut poll = Poll::new().unwrap();
    poll.registry()
        .register(
            &mut ws.get_mut().0,
            Token(0),
            Interest::READABLE | Interest::WRITABLE,
        )
        .unwrap();
    let mut events = Events::with_capacity(8);
    let mut backlog: VecDeque<Message> = VecDeque::new();
    let mut counts = Counts::default();
    let start = Instant::now();
    'run: loop {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the loop is stuck"
        );
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .unwrap();
        // Edge-triggered: write what waits, then read until the socket has nothing more.
        match ws.flush() {
            Err(e) if e.is_would_block() => counts.would_blocks += 1,
            other => other.unwrap(),
        }
        echo_backlog(&mut ws, &mut backlog, &mut counts);
        loop {
            match ws.recv() {
                Ok(Some(m)) => backlog.push_back(m),
                Ok(None) => break 'run,
                Err(e) if e.is_would_block() => {
                    counts.would_blocks += 1;
                    break;
                }
                Err(e) => panic!("{e}"),
            }
        }
        // Echo what was read now, as far as the socket takes it.
        echo_backlog(&mut ws, &mut backlog, &mut counts);
    }
    let closed = client.join().unwrap();
    assert!(closed.was_clean());
    assert_eq!(counts.echoed, messages().len());
    assert!(backlog.is_empty());
    assert!(counts.would_blocks > 0, "the socket did block");
    assert!(
        counts.buffer_full > 0,
        "the write high-water mark was reached"
    );
    let server_view = ws.closed().unwrap();
    assert!(server_view.was_clean());
    assert_eq!(server_view.reason.as_str(), "done");
    eprintln!("{counts:?}");
}

/// A masked text frame as a client sends it (mask key fixed for the test).
fn masked_text(payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let key = [0x12u8, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&key);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    frame
}

#[test]
fn would_block_mid_header_and_mid_payload_loses_no_byte() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let peer = thread::spawn(move || {
        let parsed = WsUrl::parse(&url).unwrap();
        let tcp = std::net::TcpStream::connect((parsed.host.as_str(), parsed.port)).unwrap();
        let (ws, _) =
            sansock_blocking::client(tcp, &parsed.request, ClientSettings::new()).unwrap();
        ws.into_inner()
    });
    let (tcp, _) = listener.accept().unwrap();
    let mut ws = sansock_blocking::accept(tcp).unwrap();
    let mut raw = peer.join().unwrap();
    ws.get_ref().set_nonblocking(true).unwrap();
    assert!(ws.recv().unwrap_err().is_would_block(), "nothing sent yet");
    let frame = masked_text("split three ways".as_bytes());
    // One byte of header, then the rest of the header and half the payload, then the rest.
    for piece in [&frame[..1], &frame[1..10], &frame[10..]] {
        assert!(ws.recv().unwrap_err().is_would_block());
        raw.write_all(piece).unwrap();
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        ws.recv().unwrap().unwrap(),
        Message::from("split three ways")
    );
    assert!(ws.recv().unwrap_err().is_would_block());
}
