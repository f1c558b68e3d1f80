//! The user-space cost of the echo path without the kernel: sansock-tokio's stream and sink
//! (`recv` then `feed`, as the benchmark's server) over an in-memory transport that hands out
//! 16 masked 20-byte frames per read, or one 16 KiB frame, and swallows every write; and 20 B
//! ping-pong, where every read of one frame is followed by a read that is pending (and wakes the
//! task at once), so each message pays what a wake-up costs in user space: the read buffer
//! given back while waiting, the task polled again. Beside it, tokio-tungstenite and
//! fastwebsockets the same way. Time per message.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::{SinkExt, StreamExt};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// A masked binary frame of `n` bytes (< 64 KiB).
fn frame(n: usize) -> Vec<u8> {
    let key = [1u8, 2, 3, 4];
    let mut f = if n < 126 {
        vec![0x82u8, 0x80 | n as u8]
    } else {
        vec![0x82u8, 0x80 | 126, (n >> 8) as u8, n as u8]
    };
    f.extend_from_slice(&key);
    f.extend((0..n).map(|i| (i as u8) ^ key[i % 4]));
    f
}

/// Reads: the handshake request, then `per_read` frames per read, then the end of the stream.
struct Memory {
    input: bytes::Bytes,
    at: usize,
    frame_len: usize,
    per_read: usize,
    written: usize,
    /// Answer every other read with `Pending` (after waking the task).
    pending_between: bool,
    /// The last read was a `Pending`.
    was_pending: bool,
}

impl Memory {
    fn new(input: &bytes::Bytes, frame_len: usize, per_read: usize, pending: bool) -> Self {
        Memory {
            input: input.clone(),
            at: 0,
            frame_len,
            per_read,
            written: 0,
            pending_between: pending,
            was_pending: false,
        }
    }

    /// The same, past the handshake request (for a server that takes none).
    fn after_handshake(mut self) -> Self {
        self.at = REQUEST.len();
        self
    }
}

impl AsyncRead for Memory {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pending_between && self.at > REQUEST.len() && !self.was_pending {
            self.was_pending = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.was_pending = false;
        let chunk = if self.at == 0 {
            REQUEST.len()
        } else {
            self.per_read * self.frame_len
        };
        let n = chunk.min(self.input.len() - self.at).min(buf.remaining());
        let at = self.at;
        buf.put_slice(&self.input[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Memory {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        b: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.written += b.len();
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn echo_loop(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // 20 B pipelined (16 frames a read), 20 B and 16 KiB ping-pong (one frame a read, the 20 B
    // with a wake-up between reads).
    for (size, per_read, count, pending) in [
        (20, 16, 16 * 1000, false),
        (20, 1, 1000, true),
        (16 << 10, 1, 1000, false),
    ] {
        let frame = frame(size);
        let input: bytes::Bytes = REQUEST
            .iter()
            .copied()
            .chain(frame.repeat(count))
            .collect::<Vec<u8>>()
            .into();
        let wakes = if pending { ", a wake-up between" } else { "" };
        let name = format!("echo loop, {size} B, {per_read} per read{wakes}");
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(count as u64));
        let memory = || Memory::new(&input, frame.len(), per_read, pending);
        g.bench_function("sansock-tokio", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut ws = sansock_tokio::accept(memory()).await.unwrap();
                    let mut n = 0;
                    while let Some(Ok(m)) = ws.next().await {
                        ws.feed(m).await.unwrap();
                        n += 1;
                    }
                    assert_eq!(n, count);
                })
            })
        });
        g.bench_function("sansock-tokio, recv_batch", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut ws = sansock_tokio::accept(memory()).await.unwrap();
                    let mut n = 0;
                    while let Ok(1..) = ws
                        .recv_batch(|received, outbox| match received {
                            sansock_tokio::Received::Message(m) => {
                                n += 1;
                                outbox.send(m)
                            }
                            sansock_tokio::Received::Part(p) => outbox.send_part(p),
                        })
                        .await
                    {}
                    assert_eq!(n, count);
                })
            })
        });
        g.bench_function("tokio-tungstenite", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut ws = tokio_tungstenite::accept_async(memory()).await.unwrap();
                    let mut n = 0;
                    while let Some(Ok(m)) = ws.next().await {
                        if m.is_binary() {
                            ws.feed(m).await.unwrap();
                            n += 1;
                        }
                    }
                    assert_eq!(n, count);
                })
            })
        });
        g.bench_function("fastwebsockets", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let io = memory().after_handshake();
                    let mut ws = fastwebsockets::WebSocket::after_handshake(
                        io,
                        fastwebsockets::Role::Server,
                    );
                    let mut n = 0;
                    while let Ok(frame) = ws.read_frame().await {
                        if frame.opcode == fastwebsockets::OpCode::Binary {
                            ws.write_frame(frame).await.unwrap();
                            n += 1;
                        }
                    }
                    assert_eq!(n, count);
                })
            })
        });
        g.finish();
    }
}

criterion_group!(benches, echo_loop);
criterion_main!(benches);
