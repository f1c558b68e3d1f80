//! The load generator: raw TCP, pre-masked frames, one thread (the runner pins it to a core).
//!
//! Each connection opens with a fixed handshake, then keeps `inflight` messages in flight: it
//! writes that many frames, and for every echo that comes back writes one more (all the echoes
//! of one read are answered with one write, from a buffer built once), reading and writing in
//! one task with non-blocking calls. Echoes are parsed only as
//! far as their headers: payloads are skipped, not copied or checked. The count starts after a
//! warm-up and stops at the end of the window; the generator's own CPU use is reported so a
//! run where the client was the bottleneck can be told apart.

use crate::{Measured, Point};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// One masked frame carrying `size` bytes (ASCII text, or a byte pattern).
pub fn masked_frame(size: usize, text: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 14);
    out.push(0x80 | if text { 0x1 } else { 0x2 });
    if size < 126 {
        out.push(0x80 | size as u8);
    } else if size <= 0xffff {
        out.push(0x80 | 126);
        out.extend_from_slice(&(size as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(size as u64).to_be_bytes());
    }
    out.extend_from_slice(&MASK);
    out.extend((0..size).map(|i| {
        let b = if text {
            b'a' + (i % 26) as u8
        } else {
            (i * 31 % 251) as u8
        };
        b ^ MASK[i % 4]
    }));
    out
}

/// Counts whole messages in a byte stream read in arbitrary pieces: frames with FIN set (a
/// server may echo a message in fragments as it arrives), skipping payloads.
#[derive(Debug, Default)]
pub struct FrameCounter {
    /// Payload bytes of the current frame still to skip.
    skip: u64,
    /// Whether the current frame ends a message.
    fin: bool,
    /// A header cut by a read boundary.
    partial: Vec<u8>,
}

impl FrameCounter {
    /// Feeds the next bytes; returns how many messages ended in them.
    pub fn feed(&mut self, mut bytes: &[u8]) -> usize {
        let mut done = 0;
        loop {
            if self.skip > 0 {
                let n = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.skip -= n as u64;
                bytes = &bytes[n..];
                if self.skip > 0 {
                    return done;
                }
                done += usize::from(self.fin);
            }
            if bytes.is_empty() {
                return done;
            }
            let parsed = if self.partial.is_empty() {
                header(bytes).map(|(len, fin, payload)| {
                    bytes = &bytes[len..];
                    (fin, payload)
                })
            } else {
                // Complete a header cut by the last read, a byte at a time (at most 14).
                loop {
                    if let Some((_, fin, payload)) = header(&self.partial) {
                        self.partial.clear();
                        break Some((fin, payload));
                    }
                    let Some((&b, rest)) = bytes.split_first() else {
                        return done;
                    };
                    self.partial.push(b);
                    bytes = rest;
                }
            };
            match parsed {
                Some((fin, 0)) => done += usize::from(fin),
                Some((fin, payload)) => (self.skip, self.fin) = (payload, fin),
                None => {
                    self.partial.extend_from_slice(bytes);
                    return done;
                }
            }
        }
    }
}

/// A frame header's length, its FIN bit and its payload length, if the header is all there.
fn header(b: &[u8]) -> Option<(usize, bool, u64)> {
    let fin = *b.first()? & 0x80 != 0;
    let b1 = *b.get(1)?;
    let mask = if b1 & 0x80 != 0 { 4 } else { 0 };
    let (len, at) = match b1 & 0x7f {
        126 => (u64::from(u16::from_be_bytes([*b.get(2)?, *b.get(3)?])), 4),
        127 => (u64::from_be_bytes(b.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    (b.len() >= at + mask).then_some((at + mask, fin, len))
}

/// Load settings.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// What to send.
    pub point: Point,
    /// How long to count.
    pub window: Duration,
    /// How long to run before counting.
    pub warmup: Duration,
    /// The server's process, whose CPU time is read over the same window.
    pub server_pid: Option<u32>,
}

/// Opens a WebSocket to `port` by hand; gives the stream once the 101 arrived.
async fn open(port: u16) -> std::io::Result<TcpStream> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.set_nodelay(true)?;
    tcp.write_all(
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await? == 0 || head.len() > 4096 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        return Err(std::io::Error::other("no 101"));
    }
    Ok(tcp)
}

/// Runs `load` against the echo server on `port` (on the current thread).
///
/// # Errors
/// When not a single connection opens.
pub fn run(port: u16, load: Load) -> std::io::Result<Measured> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    rt.block_on(local.run_until(drive(port, load)))
}

async fn drive(port: u16, load: Load) -> std::io::Result<Measured> {
    let p = load.point;
    let frame = masked_frame(p.size, p.text);
    let batch: Arc<Vec<u8>> = Arc::new(frame.repeat(p.inflight));
    let frame_len = frame.len();
    let echoed = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let mut streams = Vec::with_capacity(p.conns);
    for _ in 0..p.conns {
        match open(port).await {
            Ok(s) => streams.push(s),
            Err(_) => {
                errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    if streams.is_empty() {
        return Err(std::io::Error::other("no connection opened"));
    }
    for tcp in streams {
        let (batch, echoed, errors) = (batch.clone(), echoed.clone(), errors.clone());
        tokio::task::spawn_local(async move {
            if keep_in_flight(&tcp, &batch, frame_len, p.inflight, &echoed)
                .await
                .is_err()
            {
                errors.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::time::sleep(load.warmup).await;
    let server_cpu = || {
        load.server_pid
            .map(crate::procfs::cpu_time_of)
            .unwrap_or_default()
    };
    let (m0, c0, s0, t0) = (
        echoed.load(Ordering::Relaxed),
        crate::procfs::own_cpu_time(),
        server_cpu(),
        Instant::now(),
    );
    tokio::time::sleep(load.window).await;
    let (m1, c1, s1, t1) = (
        echoed.load(Ordering::Relaxed),
        crate::procfs::own_cpu_time(),
        server_cpu(),
        Instant::now(),
    );
    let secs = (t1 - t0).as_secs_f64();
    let msgs = (m1 - m0) as f64 / secs;
    Ok(Measured {
        msgs_per_sec: msgs,
        bytes_per_sec: msgs * p.size as f64,
        load_cpu: (c1 - c0).as_secs_f64() / secs,
        server_cpu: (s1 - s0).as_secs_f64() / secs,
        errors: errors.load(Ordering::Relaxed),
    })
}

/// One connection's loop, in one task: write what is owed as far as the socket takes it, read
/// what came, and owe one frame for every echo (no channel, no second task).
async fn keep_in_flight(
    tcp: &TcpStream,
    batch: &[u8],
    frame_len: usize,
    inflight: usize,
    echoed: &AtomicU64,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 256 << 10];
    let mut counter = FrameCounter::default();
    let mut owed = inflight;
    // The frames of the write under way, and how many of its bytes are out.
    let (mut current, mut pos) = (0usize, 0usize);
    loop {
        while owed > 0 {
            if current == 0 {
                (current, pos) = (owed.min(inflight), 0);
            }
            match tcp.try_write(&batch[pos..current * frame_len]) {
                Ok(n) => {
                    pos += n;
                    if pos == current * frame_len {
                        owed -= current;
                        current = 0;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if owed > 0 {
            tokio::select! {
                r = tcp.readable() => r?,
                w = tcp.writable() => w?,
            }
        } else {
            tcp.readable().await?;
        }
        match tcp.try_read(&mut buf) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                let done = counter.feed(&buf[..n]);
                echoed.fetch_add(done as u64, Ordering::Relaxed);
                owed += done;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// Opens `conns` connections and keeps them open, idle, until the process ends.
///
/// # Errors
/// When a connection fails to open.
pub fn hold_idle(port: u16, conns: usize) -> std::io::Result<Vec<std::net::TcpStream>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut held = Vec::with_capacity(conns);
        for _ in 0..conns {
            held.push(open(port).await?.into_std()?);
        }
        Ok(held)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_messages_cut_anywhere() {
        let mut stream = Vec::new();
        for size in [0, 5, 125, 126, 300, 70_000] {
            stream.extend(masked_frame(size, false));
            // The same message again in two fragments: counted once.
            let mut first = masked_frame(size, false);
            first[0] &= 0x7f;
            stream.extend(first);
            let mut last = masked_frame(size, false);
            last[0] = 0x80;
            stream.extend(last);
            // Unmasked, as a server sends.
            let mut f = masked_frame(size, true);
            f[1] &= 0x7f;
            let at = if size < 126 {
                2
            } else if size <= 0xffff {
                4
            } else {
                10
            };
            f.drain(at..at + 4);
            stream.extend(f);
        }
        for cut in [1, 2, 3, 7, 13, 64, 1000, stream.len()] {
            let mut c = FrameCounter::default();
            let total: usize = stream.chunks(cut).map(|piece| c.feed(piece)).sum();
            assert_eq!(total, 18, "cut {cut}");
        }
    }
}
