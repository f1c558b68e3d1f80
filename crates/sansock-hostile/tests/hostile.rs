//! The hostile-peer suite: every attack below against a real Sansock tokio server
//! (`hostile-server`, started as a process of its own and stopped by its process id), over
//! loopback sockets, each with the bound it must respect — time, the server's resident memory
//! (`VmRSS` from `/proc`, sampled while the attack runs), and the close code or HTTP status it
//! must see. Each attack gets a fresh server, so that what one leaves resident does not hide
//! what the next costs. The table is printed (`cargo test -p sansock-hostile -- --nocapture`) and every
//! row asserted; the book's security chapter shows it.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stdout)]

use bytes::BytesMut;
use sansock_core::frame::{FrameHeader, OpCode, write_frame};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const MIB: u64 = 1024;

/// The server under attack.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hostile-server"))
            .arg("0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().strip_prefix("ready ").unwrap().parse().unwrap();
        Server { child, port }
    }

    /// The server's resident memory, KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    fn connect(&self) -> TcpStream {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        tcp.set_nodelay(true).unwrap();
        tcp
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `attack` while sampling the server's memory; gives its result, how long it took and
/// the most the server's memory grew, KiB.
fn measured<T>(server: &Server, attack: impl FnOnce() -> T) -> (T, Duration, u64) {
    let base = server.rss_kib();
    let peak = Arc::new(AtomicU64::new(base));
    let stop = Arc::new(AtomicBool::new(false));
    let pid = server.child.id();
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    if let Some(kib) = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.split_whitespace().next())
                        .and_then(|v| v.parse::<u64>().ok())
                    {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                }
                thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let start = Instant::now();
    let result = attack();
    let took = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    (
        result,
        took,
        peak.load(Ordering::Relaxed).saturating_sub(base),
    )
}

const REQUEST: &str = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

/// Reads an HTTP response head; gives its status and the head.
fn read_head(tcp: &mut TcpStream) -> Option<(u16, String)> {
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tcp.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head))
}

/// A WebSocket connection past the handshake (with `extra` header lines), raw.
fn upgraded(server: &Server, extra: &str) -> TcpStream {
    let mut tcp = server.connect();
    tcp.write_all(format!("{REQUEST}{extra}\r\n").as_bytes())
        .unwrap();
    let (status, _) = read_head(&mut tcp).unwrap();
    assert_eq!(status, 101);
    tcp
}

/// A frame as a client sends it (masked).
fn frame(fin: bool, rsv: u8, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_frame(&mut out, fin, rsv, opcode, payload, Some([1, 2, 3, 4]));
    out.to_vec()
}

/// What the server sent until it ended the connection or `within` passed: the data messages'
/// total payload, the close code, whether the connection ended.
#[derive(Debug, Default)]
struct Seen {
    payload: u64,
    messages: u64,
    close: Option<u16>,
    ended: bool,
}

fn read_until_end(tcp: &mut TcpStream, within: Duration, stop_after: Option<u64>) -> Seen {
    let start = Instant::now();
    tcp.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut seen = Seen::default();
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    while start.elapsed() < within {
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) if seen.close.is_some() => {
                seen.ended = true;
                return seen;
            }
            Ok(0) => {
                seen.ended = true;
                return seen;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                seen.ended = true;
                return seen;
            }
        }
        while let Ok(Some((h, n))) = FrameHeader::parse(&buf) {
            let len = h.payload_len as usize;
            if buf.len() < n + len {
                break;
            }
            match h.opcode {
                OpCode::Close if len >= 2 => {
                    seen.close = Some(u16::from_be_bytes([buf[n], buf[n + 1]]));
                }
                OpCode::Text | OpCode::Binary | OpCode::Continuation => {
                    seen.payload += len as u64;
                    if h.fin {
                        seen.messages += 1;
                    }
                }
                _ => {}
            }
            buf.drain(..n + len);
        }
        if stop_after.is_some_and(|m| seen.messages >= m) {
            return seen;
        }
    }
    seen
}

/// Writes `bytes` from another thread, ignoring failures (the server may close first).
fn write_in_background(tcp: &TcpStream, bytes: Vec<u8>) -> thread::JoinHandle<()> {
    let mut tcp = tcp.try_clone().unwrap();
    thread::spawn(move || {
        let _ = tcp.write_all(&bytes);
    })
}

struct Row {
    attack: &'static str,
    bound: String,
    measured: String,
    ok: bool,
}

#[test]
fn hostile_peers_are_bounded() {
    let mut rows = Vec::new();
    let mut row = |attack, bound: String, measured: String, ok: bool| {
        println!(
            "{attack}: {measured} (bound: {bound}) {}",
            if ok { "ok" } else { "FAILED" }
        );
        rows.push(Row {
            attack,
            bound,
            measured,
            ok,
        });
    };

    // 1. Slowloris: a request head dribbled a line every 200 ms.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (ended, took, grew) = measured(&server, || {
        let mut tcp = server.connect();
        tcp.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
        let start = Instant::now();
        let _ = tcp.write_all(b"GET / HTTP/1.1\r\n");
        while start.elapsed() < Duration::from_secs(10) {
            thread::sleep(Duration::from_millis(200));
            if tcp.write_all(b"X-Slow: 1\r\n").is_err() {
                break;
            }
            tcp.set_read_timeout(Some(Duration::from_millis(1)))
                .unwrap();
            let mut b = [0u8; 64];
            if tcp.read(&mut b).is_ok() {
                break; // an answer or the end
            }
        }
        start.elapsed() < Duration::from_secs(10)
    });
    row(
        "slowloris handshake (a header line every 200 ms)",
        "dropped by the 2 s handshake timeout, < 4 s".into(),
        format!("dropped after {:.1} s, +{grew} KiB", took.as_secs_f64()),
        ended && took < Duration::from_secs(4),
    );

    // 2. A 1 MiB header line.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (status, took, grew) = measured(&server, || {
        let mut tcp = server.connect();
        let mut request = format!("{REQUEST}X-Long: ").into_bytes();
        request.extend(std::iter::repeat_n(b'a', 1 << 20));
        let writer = write_in_background(&tcp, request);
        let status = read_head(&mut tcp).map(|(s, _)| s);
        let _ = writer.join();
        status
    });
    row(
        "a 1 MiB header line",
        "431, < 1 s, < 1 MiB".into(),
        format!("{status:?} after {:.2} s, +{grew} KiB", took.as_secs_f64()),
        status == Some(431) && took < Duration::from_secs(1) && grew < MIB,
    );

    // 3. 50,000 headers.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (status, took, grew) = measured(&server, || {
        let mut tcp = server.connect();
        let mut request = REQUEST.to_string();
        for i in 0..50_000 {
            request.push_str(&format!("X-{i}: v\r\n"));
        }
        request.push_str("\r\n");
        let writer = write_in_background(&tcp, request.into_bytes());
        let status = read_head(&mut tcp).map(|(s, _)| s);
        let _ = writer.join();
        status
    });
    row(
        "50,000 headers",
        "431, < 1 s, < 1 MiB".into(),
        format!("{status:?} after {:.2} s, +{grew} KiB", took.as_secs_f64()),
        status == Some(431) && took < Duration::from_secs(1) && grew < MIB,
    );

    // 4. A Sec-WebSocket-Protocol of thousands of empty items.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (status, took, _) = measured(&server, || {
        let mut tcp = server.connect();
        let items = ",".repeat(6000);
        tcp.write_all(format!("{REQUEST}Sec-WebSocket-Protocol: {items}\r\n\r\n").as_bytes())
            .unwrap();
        read_head(&mut tcp).map(|(s, _)| s)
    });
    row(
        "Sec-WebSocket-Protocol of 6,000 empty items",
        "answered (101 or 400) in < 100 ms".into(),
        format!("{status:?} after {:.1} ms", took.as_secs_f64() * 1e3),
        matches!(status, Some(101 | 400)) && took < Duration::from_millis(100),
    );

    // 5. A frame claiming 2^62 bytes.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        let mut header = vec![0x82, 0xFF];
        header.extend_from_slice(&(1u64 << 62).to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4]);
        tcp.write_all(&header).unwrap();
        read_until_end(&mut tcp, Duration::from_secs(5), None)
    });
    row(
        "a frame claiming 2^62 bytes",
        "close 1009, < 1 s, < 1 MiB".into(),
        format!(
            "close {:?} after {:.2} s, +{grew} KiB",
            seen.close,
            took.as_secs_f64()
        ),
        seen.close == Some(1009) && took < Duration::from_secs(1) && grew < MIB,
    );

    // 6. Millions of empty continuation frames.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        let mut flood = frame(false, 0, OpCode::Text, b"");
        let empty = frame(false, 0, OpCode::Continuation, b"");
        for _ in 0..2_000_000 {
            flood.extend_from_slice(&empty);
        }
        flood.extend_from_slice(&frame(true, 0, OpCode::Continuation, b"end"));
        let writer = write_in_background(&tcp, flood);
        let seen = read_until_end(&mut tcp, Duration::from_secs(30), Some(1));
        let _ = writer.join();
        seen
    });
    row(
        "2,000,000 empty continuation frames",
        "the message echoed, < 10 s, < 4 MiB".into(),
        format!(
            "{} message(s) echoed after {:.2} s, +{grew} KiB",
            seen.messages,
            took.as_secs_f64()
        ),
        seen.messages == 1 && seen.payload == 3 && took < Duration::from_secs(10) && grew < 4 * MIB,
    );

    // 7. Millions of 1-byte fragments.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        let mut flood = frame(false, 0, OpCode::Binary, b"x");
        let one = frame(false, 0, OpCode::Continuation, b"y");
        for _ in 0..1_000_000 {
            flood.extend_from_slice(&one);
        }
        flood.extend_from_slice(&frame(true, 0, OpCode::Continuation, b"z"));
        let writer = write_in_background(&tcp, flood);
        let seen = read_until_end(&mut tcp, Duration::from_secs(30), Some(1));
        let _ = writer.join();
        seen
    });
    row(
        "1,000,000 one-byte fragments",
        "the 1 MB message echoed, < 10 s, < 16 MiB".into(),
        format!(
            "{} B echoed after {:.2} s, +{grew} KiB",
            seen.payload,
            took.as_secs_f64()
        ),
        seen.payload == 1_000_002 && took < Duration::from_secs(10) && grew < 16 * MIB,
    );

    // 8. Pings without reading.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (_, took, grew) = measured(&server, || {
        let tcp = upgraded(&server, "");
        let mut flood = Vec::with_capacity(20 << 20);
        for i in 0..2_000_000u32 {
            flood.extend_from_slice(&frame(true, 0, OpCode::Ping, &i.to_be_bytes()));
        }
        let writer = write_in_background(&tcp, flood);
        writer.join().unwrap();
        thread::sleep(Duration::from_millis(200));
        drop(tcp);
    });
    row(
        "2,000,000 pings, never reading the pongs",
        "< 4 MiB (pongs coalesce)".into(),
        format!("+{grew} KiB over {:.2} s", took.as_secs_f64()),
        grew < 4 * MIB,
    );

    // 9. Echoes without reading.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (ended, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        tcp.set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let message = frame(true, 0, OpCode::Binary, &vec![7u8; 1 << 20]);
        let start = Instant::now();
        let mut refused = false;
        while start.elapsed() < Duration::from_secs(20) {
            match tcp.write(&message) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => {
                    refused = true;
                    break;
                }
            }
        }
        refused
    });
    row(
        "1 MiB messages sent, echoes never read",
        "dropped by the 3 s write timeout, < 10 s, < 32 MiB".into(),
        format!("dropped after {:.1} s, +{grew} KiB", took.as_secs_f64()),
        ended && took < Duration::from_secs(10) && grew < 32 * MIB,
    );

    // 10. A deflate bomb: 64 MiB of zeros, compressed, against the 16 MiB message limit.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        let zeros = vec![0u8; 64 << 20];
        let mut compressor = flate2::Compress::new(flate2::Compression::fast(), false);
        let mut packed = Vec::with_capacity(1 << 20);
        compressor
            .compress_vec(&zeros, &mut packed, flate2::FlushCompress::Sync)
            .unwrap();
        while packed.len() == packed.capacity() {
            packed.reserve(1 << 20);
            compressor
                .compress_vec(&[], &mut packed, flate2::FlushCompress::Sync)
                .unwrap();
        }
        packed.truncate(packed.len() - 4); // the 00 00 ff ff of the sync flush
        let writer = write_in_background(&tcp, frame(true, 0x40, OpCode::Binary, &packed));
        let seen = read_until_end(&mut tcp, Duration::from_secs(10), None);
        let _ = writer.join();
        seen
    });
    row(
        "a deflate bomb (64 MiB of zeros in ~64 KB)",
        "close 1009, < 2 s, < 40 MiB".into(),
        format!(
            "close {:?} after {:.2} s, +{grew} KiB",
            seen.close,
            took.as_secs_f64()
        ),
        seen.close == Some(1009) && took < Duration::from_secs(2) && grew < 40 * MIB,
    );

    // 11. Invalid UTF-8 at the end of a long text message.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        let mut text = vec![b'a'; 8 << 20];
        *text.last_mut().unwrap() = 0xFF;
        let writer = write_in_background(&tcp, frame(true, 0, OpCode::Text, &text));
        let seen = read_until_end(&mut tcp, Duration::from_secs(10), None);
        let _ = writer.join();
        seen
    });
    row(
        "invalid UTF-8 at the end of an 8 MiB text",
        "close 1007, < 2 s, < 24 MiB".into(),
        format!(
            "close {:?} after {:.2} s, +{grew} KiB",
            seen.close,
            took.as_secs_f64()
        ),
        seen.close == Some(1007) && took < Duration::from_secs(2) && grew < 24 * MIB,
    );

    // 12. A peer that goes silent, and one that sends a close and then nothing.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, _) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        read_until_end(&mut tcp, Duration::from_secs(15), None)
    });
    row(
        "a silent peer (never reads, never answers pings)",
        "dropped by keepalive, 3 s idle, < 5 s".into(),
        format!("dropped after {:.1} s", took.as_secs_f64()),
        seen.ended && took < Duration::from_secs(5),
    );
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, _) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        tcp.write_all(&frame(true, 0, OpCode::Close, &1000u16.to_be_bytes()))
            .unwrap();
        read_until_end(&mut tcp, Duration::from_secs(10), None)
    });
    row(
        "a close, then silence",
        "echoed, connection ended by the server, < 500 ms".into(),
        format!(
            "close {:?}, ended after {:.0} ms",
            seen.close,
            took.as_secs_f64() * 1e3
        ),
        seen.close == Some(1000) && seen.ended && took < Duration::from_millis(500),
    );

    // 13. Both directions streaming at once.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (seen, took, grew) = measured(&server, || {
        let mut tcp = upgraded(&server, "");
        let mut stream = Vec::new();
        for _ in 0..100 {
            stream.extend_from_slice(&frame(true, 0, OpCode::Binary, &vec![9u8; 1 << 20]));
        }
        let writer = write_in_background(&tcp, stream);
        let seen = read_until_end(&mut tcp, Duration::from_secs(30), Some(100));
        let _ = writer.join();
        seen
    });
    row(
        "100 × 1 MiB streamed while reading the echoes",
        "all echoed, < 10 s, < 16 MiB".into(),
        format!(
            "{} echoed after {:.2} s, +{grew} KiB",
            seen.messages,
            took.as_secs_f64()
        ),
        seen.messages == 100 && took < Duration::from_secs(10) && grew < 16 * MIB,
    );

    // 14. Fifty peers each send half of a 16 MB message and stall, under the 64 MiB budget,
    // while a well-behaved client goes on.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (outcome, took, grew) = measured(&server, || {
        let half = frame(true, 0, OpCode::Binary, &vec![5u8; 16_000_000]);
        let half = Arc::new(half[..half.len() / 2].to_vec());
        let stalled: Vec<_> = (0..50)
            .map(|_| {
                let tcp = upgraded(&server, "");
                let half = half.clone();
                let mut writer = tcp.try_clone().unwrap();
                thread::spawn(move || {
                    let _ = writer.write_all(&half);
                });
                tcp
            })
            .collect();
        thread::sleep(Duration::from_secs(2));
        let mut refused = 0;
        for tcp in &stalled {
            let mut tcp = tcp.try_clone().unwrap();
            if read_until_end(&mut tcp, Duration::from_millis(100), None).close == Some(1013) {
                refused += 1;
            }
        }
        let mut good = upgraded(&server, "");
        good.write_all(&frame(true, 0, OpCode::Text, b"still served"))
            .unwrap();
        let echoed = read_until_end(&mut good, Duration::from_secs(5), Some(1)).payload == 12;
        drop(stalled);
        (refused, echoed)
    });
    let (refused, echoed) = outcome;
    row(
        "50 peers stall halfway through a 16 MB message",
        "budget 64 MiB: the rest refused 1013, < 128 MiB, a small echo still served".into(),
        format!(
            "{refused} refused with 1013, echo served: {echoed}, +{grew} KiB over {:.1} s",
            took.as_secs_f64()
        ),
        refused >= 40 && echoed && grew < 128 * MIB,
    );

    // 16. Echoes never read, under the budget: 50 peers each send one 16 MB message and read
    // nothing. What the kernel does not take stays queued on the server: charged to the budget,
    // the sends it cannot take refused with 1013.
    let server = Server::start(); // a fresh server: each row's memory is its own
    let (outcome, took, grew) = measured(&server, || {
        let whole = Arc::new(frame(true, 0, OpCode::Binary, &vec![6u8; 16_000_000]));
        let silent: Vec<_> = (0..50)
            .map(|_| {
                let mut tcp = upgraded(&server, "");
                tcp.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
                let _ = tcp.write_all(&whole);
                thread::sleep(Duration::from_millis(20));
                tcp
            })
            .collect();
        let mut refused = 0;
        for tcp in &silent {
            let mut tcp = tcp.try_clone().unwrap();
            let seen = read_until_end(&mut tcp, Duration::from_millis(100), None);
            if seen.close == Some(1013) && seen.payload == 0 {
                refused += 1;
            }
        }
        let mut good = upgraded(&server, "");
        good.write_all(&frame(true, 0, OpCode::Text, b"still served"))
            .unwrap();
        let echoed = read_until_end(&mut good, Duration::from_secs(5), Some(1)).payload == 12;
        drop(silent);
        (refused, echoed)
    });
    let (refused, echoed) = outcome;
    row(
        "50 peers send a 16 MB message, never read the echo",
        "budget 64 MiB: the rest refused 1013, < 128 MiB, a small echo still served".into(),
        format!(
            "{refused} refused with 1013, echo served: {echoed}, +{grew} KiB over {:.1} s",
            took.as_secs_f64()
        ),
        refused >= 25 && echoed && grew < 128 * MIB,
    );

    println!("\n| attack | bound | measured |\n|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {}{} |",
            r.attack,
            r.bound,
            r.measured,
            if r.ok { "" } else { " **FAILED**" }
        );
    }
    let failed: Vec<&str> = rows.iter().filter(|r| !r.ok).map(|r| r.attack).collect();
    assert!(failed.is_empty(), "out of bounds: {failed:?}");
}
