//! `bench-fanout`: one publisher, many subscribers, side by side in one run.
//!
//! ```text
//! bench-fanout [--subscribers 1000,10000] [--sizes 20,1024] [--in-flight 16] [--secs 2] [--servers a,b]
//! ```
//!
//! For each server of `sansock_bench::fanout::NAMES`, number of subscribers and message size:
//! a fresh server (`bench-server fanout-…`, pinned to CPU 0), the memory it holds per idle
//! subscriber, then deliveries per second and publish-to-receipt latency (median and 99th
//! percentile) with the load on this process (re-run pinned to CPU 1). Prints a markdown table;
//! exits 1 if a server did not start or a run failed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_bench::fanout::{self, NAMES};
use sansock_bench::process::{Server, checked_args, chosen, flag, free_port, pinned};

/// What `--help` prints.
const USAGE: &str = "bench-fanout [--subscribers 1000,10000] [--sizes 20,1024] [--in-flight 16] [--secs 2] [--servers a,b]";

fn list(args: &[String], name: &str, default: &[usize]) -> Vec<usize> {
    flag(args, name).map_or_else(
        || default.to_vec(),
        |v| v.split(',').filter_map(|x| x.parse().ok()).collect(),
    )
}

/// KiB the server holds per idle subscriber: its RSS with `n` subscribers against none.
fn memory_per_subscriber(name: &str, n: usize) -> Option<f64> {
    let server = Server::start(name, free_port()).ok()?;
    std::thread::sleep(std::time::Duration::from_millis(200));
    let base = sansock_bench::procfs::status_kib(server.pid(), "VmRSS")?;
    let held = sansock_bench::load::hold_idle(server.port, n).ok()?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    let with = sansock_bench::procfs::status_kib(server.pid(), "VmRSS")?;
    drop(held);
    Some(with.saturating_sub(base) as f64 / n as f64)
}

fn main() {
    let args = checked_args(
        USAGE,
        &[
            "--subscribers",
            "--sizes",
            "--in-flight",
            "--secs",
            "--servers",
        ],
        &[],
    );
    // The load runs here: pinned to CPU 1, with room for many sockets.
    if std::env::var_os("SANSOCK_FANOUT_PINNED").is_none() {
        let exe = std::env::current_exe().unwrap_or_default();
        let status = pinned(1, exe, &args)
            .env("SANSOCK_FANOUT_PINNED", "1")
            .status();
        std::process::exit(status.map_or(1, |s| s.code().unwrap_or(1)));
    }
    let subscribers = list(&args, "--subscribers", &[1000, 10_000]);
    let sizes = list(&args, "--sizes", &[20, 1024]);
    let secs: f64 = flag(&args, "--secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let in_flight: u64 = flag(&args, "--in-flight")
        .and_then(|s| s.parse().ok())
        .unwrap_or(fanout::IN_FLIGHT);
    let names = chosen(&NAMES, flag(&args, "--servers").as_deref());
    println!("{in_flight} broadcasts in flight at most, {secs} s a point\n");
    let mut failed = 0;
    println!(
        "| server | subscribers | size | deliveries/s | p50 | p99 | KiB per idle subscriber |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for &n in &subscribers {
        for &size in &sizes {
            for name in &names {
                let memory = memory_per_subscriber(name, n);
                let Ok(server) = Server::start(name, free_port()) else {
                    eprintln!("{name}: did not start");
                    failed += 1;
                    continue;
                };
                match fanout::run(server.port, n, size, in_flight, secs) {
                    Ok(m) => println!(
                        "| {name} | {n} | {size} B | {:.0} | {:.2} ms | {:.2} ms | {} |",
                        m.deliveries_per_sec,
                        m.p50.as_secs_f64() * 1e3,
                        m.p99.as_secs_f64() * 1e3,
                        memory.map_or("?".into(), |k| format!("{k:.1}")),
                    ),
                    Err(e) => {
                        eprintln!("{name} with {n} subscribers, {size} B: {e}");
                        failed += 1;
                    }
                }
            }
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
