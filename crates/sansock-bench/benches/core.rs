//! Micro benchmarks of the core, beside tungstenite's where its API allows it without a
//! socket: frame header parsing, unmasking, UTF-8 validation, encoding, and a full receive of
//! many small frames from one buffer and of one 1 MiB frame, and reading a text message as `&str`.
//!
//! `cargo bench -p sansock-bench --bench core`
#![allow(missing_docs, clippy::unwrap_used)]

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sansock_core::frame::{FrameHeader, OpCode, apply_mask, write_frame};
use sansock_core::internal::Utf8Validator;
use sansock_core::{Connection, ConnectionConfig, Event, EventRef, Timestamp};
use std::hint::black_box;
use std::io::Cursor;
use tokio_tungstenite::tungstenite;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn masked(payload: &[u8], opcode: OpCode) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_frame(&mut out, true, 0, opcode, payload, Some(KEY));
    out.to_vec()
}

fn header(c: &mut Criterion) {
    let mut g = c.benchmark_group("header parse");
    for size in [20usize, 1 << 16] {
        let frame = masked(&vec![b'a'; size], OpCode::Text);
        let head = &frame[..14.min(frame.len())];
        g.bench_with_input(BenchmarkId::new("sansock", size), head, |b, h| {
            b.iter(|| FrameHeader::parse(black_box(h)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("tungstenite", size), head, |b, h| {
            b.iter(|| {
                let mut cursor = Cursor::new(black_box(h));
                tungstenite::protocol::frame::FrameHeader::parse(&mut cursor).unwrap()
            })
        });
    }
    g.finish();
}

fn unmask(c: &mut Criterion) {
    let mut g = c.benchmark_group("unmask");
    for size in [20usize, 1 << 10, 16 << 10, 1 << 20] {
        let mut data = vec![0x55u8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(BenchmarkId::new("sansock", size), |b| {
            b.iter(|| apply_mask(black_box(&mut data), KEY, 0))
        });
        g.bench_function(BenchmarkId::new("byte loop", size), |b| {
            b.iter(|| {
                for (i, x) in black_box(&mut data).iter_mut().enumerate() {
                    *x ^= KEY[i & 3];
                }
            })
        });
        let src = vec![0x55u8; size];
        let mut dst = vec![0u8; size];
        g.bench_function(BenchmarkId::new("memcpy", size), |b| {
            b.iter(|| dst.copy_from_slice(black_box(&src)))
        });
    }
    g.finish();
}

fn utf8(c: &mut Criterion) {
    let mut g = c.benchmark_group("utf8");
    let text = "ünïcode ✓ and ascii ".repeat(40_000);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("sansock (simdutf8, streaming)", |b| {
        b.iter(|| {
            let mut v = Utf8Validator::new();
            v.feed(black_box(text.as_bytes())).unwrap();
            v.finish().unwrap()
        })
    });
    g.bench_function("std::str::from_utf8", |b| {
        b.iter(|| {
            std::str::from_utf8(black_box(text.as_bytes()))
                .unwrap()
                .len()
        })
    });
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    for size in [20usize, 1 << 20] {
        let payload = vec![b'a'; size];
        let mut out = BytesMut::with_capacity(size + 14);
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(BenchmarkId::new("sansock masked", size), |b| {
            b.iter(|| {
                out.clear();
                write_frame(
                    &mut out,
                    true,
                    0,
                    OpCode::Binary,
                    black_box(&payload),
                    Some(KEY),
                );
            })
        });
        let mut buf = Vec::with_capacity(size + 14);
        g.bench_function(BenchmarkId::new("tungstenite masked", size), |b| {
            b.iter(|| {
                buf.clear();
                let mut frame = tungstenite::protocol::frame::Frame::message(
                    black_box(payload.clone()),
                    tungstenite::protocol::frame::coding::OpCode::Data(
                        tungstenite::protocol::frame::coding::Data::Binary,
                    ),
                    true,
                );
                frame.header_mut().mask = Some(KEY);
                frame.format(&mut buf).unwrap();
            })
        });
    }
    g.finish();
}

/// A server connection with `input` buffered.
fn server_with(input: &[u8]) -> Connection {
    let mut conn = Connection::server(ConnectionConfig::default(), Timestamp::ZERO, None);
    conn.handle_bytes(Timestamp::ZERO, input);
    conn
}

fn receive(c: &mut Criterion) {
    let mut g = c.benchmark_group("receive");
    let small: Vec<u8> = (0..10_000)
        .flat_map(|_| masked(b"twenty bytes of text", OpCode::Text))
        .collect();
    let big = masked(&vec![7u8; 1 << 20], OpCode::Binary);
    for (name, input, count) in [("10k × 20 B", &small, 10_000), ("1 × 1 MiB", &big, 1)] {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(BenchmarkId::new("sansock", name), |b| {
            b.iter(|| {
                let mut conn = server_with(black_box(input));
                let mut n = 0;
                while let Ok(Some(Event::Message(_))) = conn.poll_event() {
                    n += 1;
                }
                assert_eq!(n, count);
            })
        });
        g.bench_function(BenchmarkId::new("sansock poll_event_into", name), |b| {
            let mut small = [0u8; 256];
            b.iter(|| {
                let mut conn = server_with(black_box(input));
                let mut n = 0;
                loop {
                    match conn.poll_event_into(&mut small) {
                        Ok(Some(EventRef::Message(m))) => {
                            black_box(m.as_bytes());
                        }
                        Ok(Some(EventRef::Event(Event::Message(_)))) => {}
                        _ => break,
                    }
                    n += 1;
                }
                assert_eq!(n, count);
            })
        });
        g.bench_function(BenchmarkId::new("tungstenite", name), |b| {
            b.iter(|| {
                let stream = Cursor::new(black_box(input.clone()));
                let mut ws = tungstenite::WebSocket::from_raw_socket(
                    stream,
                    tungstenite::protocol::Role::Server,
                    None,
                );
                let mut n = 0;
                while let Ok(m) = ws.read() {
                    if m.is_text() || m.is_binary() {
                        n += 1;
                    }
                }
                assert_eq!(n, count);
            })
        });
    }
    g.finish();
}

/// Reading a received text message as `&str` (what `len()`, `==` or parsing it does): the
/// price of a check on every access, which `Utf8Bytes` does not pay.
fn text_access(c: &mut Criterion) {
    let mut g = c.benchmark_group("text as str");
    for size in [20usize, 1 << 10, 1 << 20] {
        let text = sansock_core::Utf8Bytes::from("a".repeat(size));
        g.bench_function(BenchmarkId::new("Utf8Bytes::len", size), |b| {
            b.iter(|| black_box(&text).len())
        });
    }
    g.finish();
}

criterion_group!(benches, header, unmask, utf8, encode, receive, text_access);
criterion_main!(benches);
