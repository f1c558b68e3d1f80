//! The echo path without the kernel: an in-memory transport that hands a server masked frames
//! and swallows its writes ([`Memory`]), and each library's echo loop over it
//! ([`echo_in_memory`]). The criterion bench `echo_loop` times these loops; the
//! `bench-instructions` program runs one of them once, for `valgrind --tool=callgrind` to count
//! the instructions a message costs (a count that, unlike a time, is the same on any machine of
//! the kind and under any load).
//!
//! Not here: anything with a socket (that is [`servers`](crate::servers)).

use futures_util::{SinkExt, StreamExt};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The upgrade request every in-memory run starts with.
pub const REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// The length on the wire of [`frame`]`(n)`: the header, the masking key, the payload.
pub fn frame_len(n: usize) -> usize {
    if n < 126 { 2 + 4 + n } else { 4 + 4 + n }
}

/// A masked binary frame of `n` bytes (< 64 KiB).
pub fn frame(n: usize) -> Vec<u8> {
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

/// The whole input of a run: the upgrade request, then `count` masked frames of `size` bytes.
pub fn input(size: usize, count: usize) -> bytes::Bytes {
    REQUEST
        .iter()
        .copied()
        .chain(frame(size).repeat(count))
        .collect::<Vec<u8>>()
        .into()
}

/// How the in-memory transport hands its input out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Payload bytes per frame (< 64 KiB).
    pub size: usize,
    /// Frames per read (16: pipelined; 1: ping-pong).
    pub per_read: usize,
    /// Frames in all.
    pub count: usize,
    /// A read that is pending (after waking the task) between every two reads: each message
    /// then pays what a wake-up costs in user space, as in ping-pong over a socket.
    pub wake_between: bool,
}

/// Reads: the handshake request, then `per_read` frames per read, then the end of the stream.
/// Writes are counted and dropped.
#[derive(Debug)]
pub struct Memory {
    input: bytes::Bytes,
    at: usize,
    frame_len: usize,
    per_read: usize,
    /// Bytes written so far.
    pub written: usize,
    pending_between: bool,
    /// The last read was a `Pending`.
    was_pending: bool,
}

impl Memory {
    /// A transport over `input` (from [`input`]) shaped as `shape` says.
    pub fn new(input: &bytes::Bytes, shape: Shape) -> Self {
        Memory {
            input: input.clone(),
            at: 0,
            frame_len: frame_len(shape.size),
            per_read: shape.per_read,
            written: 0,
            pending_between: shape.wake_between,
            was_pending: false,
        }
    }

    /// The same, past the handshake request (for a server that takes none).
    pub fn after_handshake(mut self) -> Self {
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

/// The echo loops [`echo_in_memory`] runs, by name.
pub const LOOPS: [&str; 5] = [
    "sansock-tokio-plain",
    "sansock-tokio",
    "sansock-tokio-batch",
    "tokio-tungstenite",
    "fastwebsockets",
];

/// Runs the echo loop `name` (one of [`LOOPS`]) over a fresh [`Memory`] on `input` until the
/// input ends; gives how many messages it echoed.
///
/// - `sansock-tokio-plain`: `accept`, then `recv` and `send`, the loop the docs teach;
/// - `sansock-tokio`: `accept`, then each message from the `Stream` fed back to the `Sink`;
/// - `sansock-tokio-batch`: `accept`, then `recv_batch`, each message queued through the
///   `Outbox`;
/// - `tokio-tungstenite`: `accept_async`, then `next` and `feed`;
/// - `fastwebsockets`: past the handshake, `read_frame` then `write_frame`.
///
/// # Errors
/// An unknown name, or a handshake that failed.
pub async fn echo_in_memory(name: &str, input: &bytes::Bytes, shape: Shape) -> io::Result<usize> {
    let memory = Memory::new(input, shape);
    let mut n = 0;
    match name {
        "sansock-tokio-plain" => {
            let mut ws = sansock_tokio::accept(memory)
                .await
                .map_err(io::Error::other)?;
            while let Some(Ok(m)) = ws.recv().await {
                if ws.send(m).await.is_err() {
                    break;
                }
                n += 1;
            }
        }
        "sansock-tokio" => {
            let mut ws = sansock_tokio::accept(memory)
                .await
                .map_err(io::Error::other)?;
            while let Some(Ok(m)) = ws.next().await {
                if ws.feed(m).await.is_err() {
                    break;
                }
                n += 1;
            }
        }
        "sansock-tokio-batch" => {
            let mut ws = sansock_tokio::accept(memory)
                .await
                .map_err(io::Error::other)?;
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
        }
        "tokio-tungstenite" => {
            let mut ws = tokio_tungstenite::accept_async(memory)
                .await
                .map_err(io::Error::other)?;
            while let Some(Ok(m)) = ws.next().await {
                if m.is_binary() {
                    if ws.feed(m).await.is_err() {
                        break;
                    }
                    n += 1;
                }
            }
        }
        "fastwebsockets" => {
            let mut ws = fastwebsockets::WebSocket::after_handshake(
                memory.after_handshake(),
                fastwebsockets::Role::Server,
            );
            while let Ok(frame) = ws.read_frame().await {
                if frame.opcode == fastwebsockets::OpCode::Binary {
                    if ws.write_frame(frame).await.is_err() {
                        break;
                    }
                    n += 1;
                }
            }
        }
        other => return Err(io::Error::other(format!("no echo loop named {other}"))),
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every loop echoes every message, in both shapes the bench uses.
    #[test]
    fn every_loop_echoes_every_message() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        for shape in [
            Shape {
                size: 20,
                per_read: 16,
                count: 64,
                wake_between: false,
            },
            Shape {
                size: 300,
                per_read: 1,
                count: 10,
                wake_between: true,
            },
        ] {
            assert_eq!(frame_len(shape.size), frame(shape.size).len());
            let input = input(shape.size, shape.count);
            for name in LOOPS {
                let echoed = rt.block_on(echo_in_memory(name, &input, shape));
                assert_eq!(echoed.ok(), Some(shape.count), "{name} {shape:?}");
            }
        }
        assert!(
            rt.block_on(echo_in_memory(
                "nobody",
                &input(20, 1),
                Shape {
                    size: 20,
                    per_read: 1,
                    count: 1,
                    wake_between: false
                }
            ))
            .is_err()
        );
    }
}
