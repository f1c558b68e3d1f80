//! The user-space cost of the echo path without the kernel: sansock-tokio's stream and sink
//! (`recv` then `feed`, as the benchmark's server) over an in-memory transport that hands out
//! 16 masked 20-byte frames per read and swallows every write. Beside it, tokio-tungstenite the
//! same way. Time per message.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::{SinkExt, StreamExt};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const MESSAGES: usize = 16 * 1000;
const PER_READ: usize = 16;
const REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// A masked binary frame of 20 bytes.
fn frame() -> Vec<u8> {
    let key = [1u8, 2, 3, 4];
    let mut f = vec![0x82u8, 0x80 | 20];
    f.extend_from_slice(&key);
    f.extend((0..20).map(|i| (i as u8) ^ key[i % 4]));
    f
}

/// Reads: the handshake request, then `PER_READ` frames per read, then the end of the stream.
struct Memory {
    input: Vec<u8>,
    at: usize,
    frame_len: usize,
    written: usize,
}

impl Memory {
    fn new(input: &[u8], frame_len: usize) -> Self {
        Memory {
            input: input.to_vec(),
            at: 0,
            frame_len,
            written: 0,
        }
    }
}

impl AsyncRead for Memory {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let chunk = if self.at == 0 {
            REQUEST.len()
        } else {
            PER_READ * self.frame_len
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
    let input: Vec<u8> = REQUEST
        .iter()
        .copied()
        .chain(frame().repeat(MESSAGES))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("echo loop, 20 B, 16 per read");
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.bench_function("sansock-tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut ws = sansock_tokio::accept(Memory::new(&input, 26))
                    .await
                    .unwrap();
                let mut n = 0;
                while let Some(Ok(m)) = ws.next().await {
                    ws.feed(m).await.unwrap();
                    n += 1;
                }
                assert_eq!(n, MESSAGES);
            })
        })
    });
    g.bench_function("tokio-tungstenite", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut ws = tokio_tungstenite::accept_async(Memory::new(&input, 26))
                    .await
                    .unwrap();
                let mut n = 0;
                while let Some(Ok(m)) = ws.next().await {
                    if m.is_binary() {
                        ws.feed(m).await.unwrap();
                        n += 1;
                    }
                }
                assert_eq!(n, MESSAGES);
            })
        })
    });
    g.finish();
}

criterion_group!(benches, echo_loop);
criterion_main!(benches);
