//! The user-space cost of the echo path without the kernel: each library's echo loop
//! (`sansock_bench::memory`) over an in-memory transport that hands out 16 masked 20-byte frames
//! per read, or one 16 KiB frame, and swallows every write; and 20 B ping-pong, where every read
//! of one frame is followed by a read that is pending (and wakes the task at once), so each
//! message pays what a wake-up costs in user space: the read buffer given back while waiting,
//! the task polled again. Sansock's `Stream`/`Sink` and `recv_batch` loops, tokio-tungstenite
//! and fastwebsockets side by side. Time per message.
//!
//! The same loops' instruction counts: `scripts/instructions.sh`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansock_bench::memory::{LOOPS, Shape, echo_in_memory, input};

fn echo_loop(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // 20 B pipelined (16 frames a read), 20 B and 16 KiB ping-pong (one frame a read, the 20 B
    // with a wake-up between reads).
    for (size, per_read, count, wake_between) in [
        (20, 16, 16 * 1000, false),
        (20, 1, 1000, true),
        (16 << 10, 1, 1000, false),
    ] {
        let shape = Shape {
            size,
            per_read,
            count,
            wake_between,
        };
        let input = input(size, count);
        let wakes = if wake_between {
            ", a wake-up between"
        } else {
            ""
        };
        let mut g = c.benchmark_group(format!("echo loop, {size} B, {per_read} per read{wakes}"));
        g.throughput(Throughput::Elements(count as u64));
        for name in LOOPS {
            g.bench_function(name, |b| {
                b.iter(|| {
                    let echoed = rt.block_on(echo_in_memory(name, &input, shape)).unwrap();
                    assert_eq!(echoed, count);
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, echo_loop);
criterion_main!(benches);
