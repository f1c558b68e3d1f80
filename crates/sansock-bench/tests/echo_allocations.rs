//! Allocations on the echo path of a sansock-tokio server, counted with a counting global
//! allocator, for both of the benchmark's echo loops:
//! - `echo` (`Stream` and `Sink`): two per read (a receive buffer, and its promotion to a
//!   shared one when the first message is cut out of it) — so two per message in ping-pong,
//!   where every message wakes an idle connection that holds no buffer, and none per message
//!   while a read brings many;
//! - `echo_batches` (`recv_batch`): none at all — the read is handed over from the thread's
//!   shared buffer and the small messages are lent from the stack.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::io::{Read, Write};
use std::time::Duration;

/// A masked binary frame of `n` (< 126) bytes.
fn frame(n: usize) -> Vec<u8> {
    let key = [1u8, 2, 3, 4];
    let mut f = vec![0x82u8, 0x80 | n as u8];
    f.extend_from_slice(&key);
    f.extend((0..n).map(|i| (i as u8) ^ key[i % 4]));
    f
}

/// Allocations per message in ping-pong and 16 pipelined, echoing 20-byte messages with the
/// loop `batches` picks.
fn allocations_per_message(batches: bool) -> Vec<f64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    local.spawn_local(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        if batches {
            let _ = sansock_bench::servers::echo_batches(&mut ws).await;
        } else {
            let _ = sansock_bench::servers::echo(&mut ws).await;
        }
    });
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client.set_nodelay(true).unwrap();
    client
        .write_all(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    // Lets the server run until it waits for input again.
    let settle = || {
        rt.block_on(local.run_until(async { tokio::time::sleep(Duration::from_millis(2)).await }));
    };
    settle();
    let mut buf = [0u8; 4096];
    let _ = client.read(&mut buf).unwrap();
    let mut per_message = Vec::new();
    for batch in [1usize, 16] {
        let bytes = frame(20).repeat(batch);
        let mut round = || {
            client.write_all(&bytes).unwrap();
            settle();
            let mut got = 0;
            while got < 22 * batch {
                got += client.read(&mut buf).unwrap();
            }
        };
        for _ in 0..10 {
            round(); // warm up
        }
        let rounds = 100;
        let info = allocation_counter::measure(|| {
            for _ in 0..rounds {
                round();
            }
        });
        per_message.push(info.count_total as f64 / (rounds * batch) as f64);
    }
    eprintln!(
        "allocations per message ({}): ping-pong {:.2}, 16 pipelined {:.2}",
        if batches { "recv_batch" } else { "Stream/Sink" },
        per_message[0],
        per_message[1]
    );
    per_message
}

#[test]
fn the_stream_echo_allocates_once_per_read_not_per_message() {
    let per_message = allocations_per_message(false);
    // Ping-pong: the receive buffer an idle connection gave up is made again.
    assert!(per_message[0] <= 2.05, "{per_message:?}");
    // Pipelined: the same two per read of 16 messages, nothing per message.
    assert!(per_message[1] <= 0.15, "{per_message:?}");
}

#[test]
fn the_batch_echo_allocates_nothing() {
    let per_message = allocations_per_message(true);
    // Not one allocation in 100 rounds of either (the odd one would be the shared read
    // buffer made again, which happens only while messages still hold the old one).
    assert!(per_message[0] <= 0.01, "{per_message:?}");
    assert!(per_message[1] <= 0.01, "{per_message:?}");
}
