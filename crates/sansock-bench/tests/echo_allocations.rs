//! Allocations on the echo path of a sansock-tokio server (the benchmark's `echo` loop), counted
//! with a counting global allocator: two per read (a receive buffer, and its promotion to a
//! shared one when the first message is cut out of it) — so two per message in ping-pong, where
//! every message wakes an idle connection that holds no buffer, and none per message while a
//! read brings many.
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

#[test]
fn the_echo_path_allocates_once_per_read_not_per_message() {
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
        let _ = sansock_bench::servers::echo(&mut ws).await;
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
        "allocations per message: ping-pong {:.2}, 16 pipelined {:.2}",
        per_message[0], per_message[1]
    );
    // Ping-pong: the receive buffer an idle connection gave up is made again.
    assert!(per_message[0] <= 2.05, "{per_message:?}");
    // Pipelined: the same two per read of 16 messages, nothing per message.
    assert!(per_message[1] <= 0.15, "{per_message:?}");
}
