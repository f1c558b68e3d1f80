//! The fan-out benchmark's servers and load: one publisher, many subscribers.
//!
//! A server (`bench-server fanout-NAME PORT`) takes a WebSocket on `/pub` as the publisher and
//! every other as a subscriber, and sends each message the publisher sends to every
//! subscriber:
//! - `fanout-sansock-prepared`: Sansock's `Topics` (framed once), each subscriber's writer
//!   feeding what queued up for it (`feed_prepared`) and writing it in one `flush`;
//! - `fanout-sansock-send`: the same topics, each subscriber's task framing it for itself with
//!   `send` (the loop people write without prepared messages);
//! - `fanout-tungstenite`: tokio-tungstenite 0.30 as its users write a broadcast: a bounded
//!   channel and a writer task per subscriber, `send` for each message;
//! - `fanout-tungstenite-feed`: the same, but each writer feeds what queued up for it
//!   (`SinkExt::feed`) and flushes once — the batching the prepared writer does, to show what
//!   of the difference is batching and what is framing once;
//! - `fanout-node-ws`: Node's `ws`, `wss.clients.forEach(c => c.send(data))` as its README shows.
//!
//! The load ([`run`]) connects the subscribers and the publisher over raw TCP. Each message
//! carries the instant it was published (nanoseconds since the load started); subscribers parse
//! frames as far as that and count deliveries. The publisher keeps at most `in_flight` (default
//! [`IN_FLIGHT`]) broadcasts unfinished (a message is finished when every subscriber has it), so
//! queues stay within the servers' bounds and the rate is what the server sustains.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Broadcasts the publisher may have unfinished at once, by default: a publisher that does not
/// wait for every subscriber before its next message, as a feed of prices or a busy room.
pub const IN_FLIGHT: u64 = 16;

/// The servers, by name.
pub const NAMES: [&str; 5] = [
    "fanout-sansock-prepared",
    "fanout-sansock-send",
    "fanout-tungstenite",
    "fanout-tungstenite-feed",
    "fanout-node-ws",
];

/// The subscribers' topic.
const TOPIC: &str = "all";

/// Runs fan-out server `name` on `addr` (on the calling thread) until killed.
///
/// # Errors
/// An unknown name, or a port that cannot be bound.
pub async fn serve(name: &str, addr: SocketAddr) -> io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    match name {
        "fanout-sansock-prepared" => sansock(listener, true).await,
        "fanout-sansock-send" => sansock(listener, false).await,
        "fanout-tungstenite" => tungstenite(listener, false).await,
        "fanout-tungstenite-feed" => tungstenite(listener, true).await,
        other => Err(io::Error::other(format!("no fan-out server named {other}"))),
    }
}

async fn sansock(listener: TcpListener, prepared: bool) -> io::Result<()> {
    use sansock_topics::{SlowPolicy, Topics};
    // Skip, not drop: the load keeps queues short, and a benchmark must not lose members.
    let topics = Topics::new(64, SlowPolicy::Skip);
    let settings = || {
        sansock_tokio::ServerSettings::new()
            .keepalive(None)
            .idle_timeout(None)
    };
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let topics = topics.clone();
        tokio::task::spawn_local(async move {
            let mut publisher = false;
            let accepted = sansock_tokio::accept_with(tcp, settings(), async |request| {
                publisher = request.path() == "/pub";
                Ok(sansock_core::Accept::new())
            })
            .await;
            let Ok(mut ws) = accepted else { return };
            if publisher {
                while let Some(Ok(message)) = ws.recv().await {
                    topics.publish(TOPIC, message);
                }
                return;
            }
            let subscription = topics.subscribe(TOPIC);
            while let Some(message) = subscription.recv().await {
                let sent = if prepared {
                    // The writer the book teaches: what queued up meanwhile, in one write.
                    let mut fed = ws.feed_prepared(&message).await;
                    while let (Ok(()), Some(more)) = (&fed, subscription.try_recv()) {
                        fed = ws.feed_prepared(&more).await;
                    }
                    match fed {
                        Ok(()) => ws.flush().await,
                        Err(e) => Err(e),
                    }
                } else {
                    ws.send(message.message().clone()).await
                };
                if sent.is_err() {
                    return;
                }
            }
        });
    }
}

async fn tungstenite(listener: TcpListener, feed: bool) -> io::Result<()> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
    let subscribers: Rc<std::cell::RefCell<Vec<tokio::sync::mpsc::Sender<Message>>>> =
        Rc::default();
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let subscribers = subscribers.clone();
        tokio::task::spawn_local(async move {
            let mut publisher = false;
            // tungstenite's callback type fixes the error type: not ours to shrink.
            #[allow(clippy::result_large_err)]
            let callback = |request: &Request, response: Response| {
                publisher = request.uri().path() == "/pub";
                Ok(response)
            };
            let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
                return;
            };
            let (mut write, mut read) = ws.split();
            if publisher {
                while let Some(Ok(message)) = read.next().await {
                    if message.is_text() || message.is_binary() {
                        subscribers.borrow_mut().retain(|tx| {
                            !matches!(
                                tx.try_send(message.clone()),
                                Err(tokio::sync::mpsc::error::TrySendError::Closed(_))
                            )
                        });
                    }
                }
                return;
            }
            let (tx, mut rx) = tokio::sync::mpsc::channel(64);
            subscribers.borrow_mut().push(tx);
            while let Some(message) = rx.recv().await {
                let sent = if feed {
                    let mut fed = write.feed(message).await;
                    while let (Ok(()), Ok(more)) = (&fed, rx.try_recv()) {
                        fed = write.feed(more).await;
                    }
                    match fed {
                        Ok(()) => write.flush().await,
                        Err(e) => Err(e),
                    }
                } else {
                    write.send(message).await
                };
                if sent.is_err() {
                    return;
                }
            }
        });
    }
}

/// What one fan-out run measured.
#[derive(Debug, Clone, Copy)]
pub struct Fanout {
    /// Messages received by subscribers per second.
    pub deliveries_per_sec: f64,
    /// The 99th percentile of publish-to-receipt time.
    pub p99: Duration,
    /// The median of publish-to-receipt time.
    pub p50: Duration,
}

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// Opens a WebSocket on `path` over raw TCP (the server's 101 read and dropped).
async fn open(port: u16, path: &str) -> io::Result<TcpStream> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    let _ = tcp.set_nodelay(true);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        return Err(io::Error::other("the upgrade was refused"));
    }
    Ok(tcp)
}

/// A masked binary frame of `size` bytes (at least 8) starting with `stamp`.
fn stamped_frame(size: usize, stamp: u64) -> Vec<u8> {
    const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
    let mut payload = vec![b'x'; size.max(8)];
    payload[..8].copy_from_slice(&stamp.to_le_bytes());
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(0x82);
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    out
}

/// Every whole unmasked frame at the front of `buf`: calls `f` with each payload, removes them.
fn frames(buf: &mut Vec<u8>, mut f: impl FnMut(&[u8])) {
    let mut at = 0;
    loop {
        let b = &buf[at..];
        if b.len() < 2 {
            break;
        }
        let (len, head) = match b[1] & 0x7f {
            126 if b.len() >= 4 => (usize::from(u16::from_be_bytes([b[2], b[3]])), 4),
            127 if b.len() >= 10 => {
                let len = u64::from_be_bytes(b[2..10].try_into().unwrap_or_default());
                (usize::try_from(len).unwrap_or(usize::MAX), 10)
            }
            126 | 127 => break,
            n => (usize::from(n), 2),
        };
        if b.len() < head + len {
            break;
        }
        f(&b[head..head + len]);
        at += head + len;
    }
    buf.drain(..at);
}

/// Fans `size`-byte messages out to `subscribers` on the server at `port` for `secs` (after a
/// warm-up of a tenth of that), at most `in_flight` broadcasts unfinished, on the calling
/// thread.
///
/// # Errors
/// When a connection fails.
pub fn run(
    port: u16,
    subscribers: usize,
    size: usize,
    in_flight: u64,
    secs: f64,
) -> io::Result<Fanout> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    rt.block_on(local.run_until(async move {
        let epoch = Instant::now();
        let delivered = Rc::new(Cell::new(0u64));
        let samples = Rc::new(std::cell::RefCell::new(Vec::<u64>::new()));
        let recording = Rc::new(Cell::new(false));
        let wake = Rc::new(tokio::sync::Notify::new());
        for _ in 0..subscribers {
            let mut tcp = open(port, "/sub").await?;
            let (delivered, samples, recording, wake) = (
                delivered.clone(),
                samples.clone(),
                recording.clone(),
                wake.clone(),
            );
            tokio::task::spawn_local(async move {
                let mut buf = Vec::with_capacity(64 << 10);
                let mut chunk = vec![0u8; 64 << 10];
                let mut n_seen = 0u64;
                while let Ok(n @ 1..) = tcp.read(&mut chunk).await {
                    buf.extend_from_slice(&chunk[..n]);
                    let now = epoch.elapsed().as_nanos() as u64;
                    frames(&mut buf, |payload| {
                        delivered.set(delivered.get() + 1);
                        n_seen += 1;
                        if recording.get() && n_seen % 8 == 0 && payload.len() >= 8 {
                            let stamp =
                                u64::from_le_bytes(payload[..8].try_into().unwrap_or_default());
                            samples.borrow_mut().push(now.saturating_sub(stamp));
                        }
                    });
                    wake.notify_one();
                }
            });
        }
        let mut publisher = open(port, "/pub").await?;
        let n = subscribers as u64;
        let warm_up = Duration::from_secs_f64(secs / 10.0);
        let end = Instant::now() + warm_up + Duration::from_secs_f64(secs);
        let (mut published, mut start, mut start_delivered) = (0u64, None, 0);
        while Instant::now() < end {
            // At most `in_flight` broadcasts unfinished.
            while delivered.get() + in_flight * n < (published + 1) * n {
                wake.notified().await;
            }
            if start.is_none() && epoch.elapsed() >= warm_up {
                start = Some(Instant::now());
                start_delivered = delivered.get();
                recording.set(true);
            }
            let stamp = epoch.elapsed().as_nanos() as u64;
            publisher.write_all(&stamped_frame(size, stamp)).await?;
            published += 1;
        }
        let elapsed = start.map_or(Duration::ZERO, |s| s.elapsed());
        recording.set(false);
        let mut samples = samples.borrow_mut();
        samples.sort_unstable();
        let pick = |q: f64| {
            let i = ((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1));
            Duration::from_nanos(samples.get(i).copied().unwrap_or(0))
        };
        Ok(Fanout {
            deliveries_per_sec: (delivered.get() - start_delivered) as f64
                / elapsed.as_secs_f64().max(1e-9),
            p99: pick(0.99),
            p50: pick(0.5),
        })
    }))
}
