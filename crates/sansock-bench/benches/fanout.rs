//! One message to 1,000 server connections, in memory (no sockets): each connection framing
//! (and compressing) it for itself with `send`, against framing (and compressing) it once with
//! `PreparedMessage` and `send_prepared`; tungstenite beside them, sending to 1,000 of its
//! WebSockets. What a broadcast costs before any system call.
//!
//! `cargo bench -p sansock-bench --bench fanout`
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansock_core::testing::pair_with;
use sansock_core::{
    ClientConfig, Connection, Message, PerMessageDeflate, PreparedMessage, ServerConfig,
};
use std::hint::black_box;
use std::io::{self, Read, Write};
use std::sync::Arc;
use tokio_tungstenite::tungstenite;

const MEMBERS: usize = 1000;

/// `MEMBERS` server connections, with permessage-deflate without context takeover if `deflate`.
fn room(deflate: bool) -> Vec<Connection> {
    (0..MEMBERS)
        .map(|_| {
            let (mut client, mut server) = (ClientConfig::default(), ServerConfig::default());
            if deflate {
                let d = PerMessageDeflate::default().with_no_context_takeover(true);
                client = client.with_extension(Arc::new(d.clone()));
                server = server.with_extension(Arc::new(d));
            }
            pair_with(client, server).1
        })
        .collect()
}

/// Writes what each connection queued nowhere (as a socket that takes everything).
fn written(room: &mut [Connection]) {
    for conn in room {
        let n = conn.transmit_len();
        conn.advance_transmit(n);
    }
}

/// A transport for tungstenite that takes every byte and has nothing to read.
struct Sink;

impl Read for Sink {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::WouldBlock.into())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn fanout(c: &mut Criterion) {
    // A chat line of about 1 KiB, compressible as chat is.
    let text = "{\"type\":\"message\",\"nick\":\"alice\",\"text\":\"hello everyone \"} ".repeat(17);
    let message = Message::text(text.as_str());
    let mut g = c.benchmark_group("fan-out of 1 KiB to 1,000 connections");
    g.throughput(Throughput::Elements(MEMBERS as u64));
    for (deflate, label) in [(false, "plain"), (true, "deflate, no context takeover")] {
        let mut members = room(deflate);
        g.bench_function(format!("sansock send, {label}"), |b| {
            b.iter(|| {
                for conn in &mut members {
                    conn.send(black_box(&message)).unwrap();
                }
                written(&mut members);
            })
        });
        g.bench_function(format!("sansock send_prepared, {label}"), |b| {
            b.iter(|| {
                let prepared = PreparedMessage::new(black_box(message.clone()));
                for conn in &mut members {
                    conn.send_prepared(&prepared).unwrap();
                }
                written(&mut members);
            })
        });
    }
    let mut sockets: Vec<_> = (0..MEMBERS)
        .map(|_| {
            tungstenite::WebSocket::from_raw_socket(Sink, tungstenite::protocol::Role::Server, None)
        })
        .collect();
    let theirs = tungstenite::Message::text(text.as_str());
    g.bench_function("tungstenite send, plain", |b| {
        b.iter(|| {
            for ws in &mut sockets {
                ws.send(black_box(theirs.clone())).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
