//! `bench`: every echo server against the load generator, side by side in one run.
//!
//! ```text
//! bench [--grid headline|full|plain|axum|http2|smoke] [--secs 1] [--repeat 3] [--servers a,b] [--memory [--idle N]] [--out DIR]
//! bench --grid fanout [--subscribers 1000,10000] [--sizes 20,1024] [--in-flight 16] [--secs 2] [--servers a,b]
//! bench --report DIR      # the tables and the plot again from DIR/results.json
//! ```
//!
//! Each point starts a fresh server (`bench-server`, pinned to CPU 0 with `taskset` when there
//! is one) and one load run (`bench-load`, pinned to CPU 1); servers are taken in a rotated order
//! in each repeat so drift on the machine spreads over all of them. Writes `results.json`,
//! `results.md` and `throughput.svg` to DIR (default `target/bench`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_bench::process::{Server, checked_args, chosen, flag, free_port, pinned, sibling};
use sansock_bench::report::{self, Memory, Runs};
use sansock_bench::{Measured, Point, servers};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What `--help` prints.
const USAGE: &str = "\
bench [--grid headline|full|plain|axum|http2|smoke] [--secs 1] [--repeat 3] [--servers a,b] [--memory [--idle N]] [--out DIR]
bench --grid fanout [--subscribers 1000,10000] [--sizes 20,1024] [--in-flight 16] [--secs 2] [--servers a,b]
bench --report DIR      # the tables and the plot again from DIR/results.json";

fn load(server: &Server, p: Point, secs: f64) -> Option<Measured> {
    let args: Vec<String> = [
        server.port.to_string(),
        p.size.to_string(),
        p.conns.to_string(),
        p.inflight.to_string(),
        if p.text { "text" } else { "binary" }.into(),
        secs.to_string(),
        server.pid().to_string(),
    ]
    .into();
    let out = pinned(1, sibling("bench-load"), &args).output().ok()?;
    if !out.status.success() {
        eprintln!(
            "  load failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

fn grid(name: &str) -> Vec<Point> {
    let p = |size, conns, inflight, text| Point {
        size,
        conns,
        inflight,
        text,
    };
    match name {
        "smoke" => vec![p(20, 10, 16, false), p(1024, 1, 1, true)],
        // The plain `recv`/`send` loop's points: pipelined, where it used to write per
        // message, and ping-pong, where it must add no latency.
        "plain" => vec![
            p(20, 100, 16, false),
            p(1 << 10, 100, 16, false),
            p(20, 1000, 1, false),
            p(20, 100, 1, false),
            p(16 << 10, 10, 1, false),
        ],
        // The axum and hyper path against the plain tokio loop: pipelined and ping-pong.
        "axum" => vec![
            p(20, 100, 16, false),
            p(20, 100, 16, true),
            p(1 << 10, 100, 16, false),
            p(20, 100, 1, false),
            p(16 << 10, 10, 1, false),
        ],
        "full" => {
            let mut all = Vec::new();
            for size in [20, 1 << 10, 16 << 10, 1 << 20] {
                for conns in [1, 10, 100, 1000] {
                    for inflight in [1, 16] {
                        for text in [false, true] {
                            // 1 MiB × 1000 connections × 16 in flight is 16 GiB in the air.
                            if size == 1 << 20 && conns * inflight > 1600 {
                                continue;
                            }
                            all.push(p(size, conns, inflight, text));
                        }
                    }
                }
            }
            all
        }
        _ => vec![
            p(20, 100, 16, false),
            p(20, 100, 16, true),
            p(20, 1, 1, false),
            p(20, 100, 1, false),
            p(1 << 10, 10, 1, true),
            p(1 << 10, 1000, 1, false),
            p(16 << 10, 10, 1, false),
            p(16 << 10, 100, 16, false),
            p(1 << 20, 1, 1, false),
            p(1 << 20, 10, 1, true),
        ],
    }
}

fn memory(name: &str, idle: usize, secs: f64) -> Option<Memory> {
    let port = free_port();
    let server = Server::start(name, port).ok()?;
    std::thread::sleep(Duration::from_millis(100));
    let base = sansock_bench::procfs::status_kib(server.pid(), "VmRSS")?;
    let mut holder = pinned(
        1,
        sibling("bench-load"),
        &[port.to_string(), "--idle".into(), idle.to_string()],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .ok()?;
    let mut line = String::new();
    BufReader::new(holder.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    std::thread::sleep(Duration::from_millis(500));
    let held = sansock_bench::procfs::status_kib(server.pid(), "VmRSS")?;
    if let Some(mut stdin) = holder.stdin.take() {
        let _ = stdin.flush();
    }
    let _ = holder.kill();
    let _ = holder.wait();
    drop(server);
    let opened: usize = line.trim().strip_prefix("ready ")?.parse().ok()?;
    // Peak: a fresh server echoing 1 MiB messages on 100 connections.
    let port = free_port();
    let server = Server::start(name, port).ok()?;
    let big = Point {
        size: 1 << 20,
        conns: 100,
        inflight: 1,
        text: false,
    };
    load(&server, big, secs)?;
    let peak_kib = sansock_bench::procfs::status_kib(server.pid(), "VmHWM")?;
    Some(Memory {
        server: name.into(),
        idle_conns: opened,
        idle_bytes_per_conn: (held.saturating_sub(base) * 1024) as f64 / opened.max(1) as f64,
        peak_kib,
    })
}

/// The points the plot shows: the headline ones among those measured (all of a small grid).
fn plotted(points: &[Point]) -> Vec<Point> {
    let headline: Vec<Point> = grid("headline")
        .into_iter()
        .filter(|p| points.contains(p))
        .collect();
    if headline.is_empty() {
        points.to_vec()
    } else {
        headline
    }
}

/// `bench --report DIR`: the tables and the plot again, from `DIR/results.json`.
fn rerender(dir: &std::path::Path) -> std::io::Result<()> {
    let json = std::fs::read(dir.join("results.json"))?;
    let (all, mem): (Vec<Runs>, Vec<Memory>) =
        serde_json::from_slice(&json).map_err(std::io::Error::other)?;
    let names: Vec<&str> = servers::NAMES
        .iter()
        .copied()
        .filter(|n| all.iter().any(|r| r.server == *n))
        .collect();
    let mut points: Vec<Point> = Vec::new();
    for r in &all {
        if !points.contains(&r.point) {
            points.push(r.point);
        }
    }
    let mut md = report::markdown(&all, &names);
    md.push('\n');
    md.push_str(&report::cpu_markdown(&all, &names));
    if !mem.is_empty() {
        md.push('\n');
        md.push_str(&report::memory_markdown(&mem));
    }
    std::fs::write(dir.join("results.md"), &md)?;
    std::fs::write(
        dir.join("throughput.svg"),
        report::svg(&all, &names, &plotted(&points)),
    )?;
    println!("{md}");
    Ok(())
}

fn main() {
    let args = checked_args(
        USAGE,
        &[
            "--report",
            "--grid",
            "--secs",
            "--repeat",
            "--servers",
            "--out",
            "--idle",
            "--subscribers",
            "--sizes",
            "--in-flight",
        ],
        &["--memory"],
    );
    if let Some(dir) = flag(&args, "--report") {
        if let Err(e) = rerender(std::path::Path::new(&dir)) {
            eprintln!("bench --report {dir}: {e}");
            std::process::exit(1);
        }
        return;
    }
    let grid_name = flag(&args, "--grid").unwrap_or_else(|| "headline".into());
    if grid_name == "fanout" {
        // One publisher, many subscribers: a load of its own, in `bench-fanout`.
        let rest = args
            .iter()
            .filter(|a| !a.starts_with("--grid") && *a != "fanout");
        let ok = Command::new(sibling("bench-fanout"))
            .args(rest)
            .status()
            .is_ok_and(|s| s.success());
        std::process::exit(if ok { 0 } else { 1 });
    }
    if grid_name == "http2" {
        // 100 WebSockets as streams of one HTTP/2 connection against 100 HTTP/1.1 connections:
        // a load of its own (Sansock's client on both), in `bench-http2`.
        let mut cmd = Command::new(sibling("bench-http2"));
        for name in ["--secs", "--repeat"] {
            if let Some(value) = flag(&args, name) {
                cmd.arg(name).arg(value);
            }
        }
        let ok = cmd.status().is_ok_and(|s| s.success());
        std::process::exit(if ok { 0 } else { 1 });
    }
    let smoke = grid_name == "smoke";
    let secs: f64 = flag(&args, "--secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 0.2 } else { 1.0 });
    let repeat: usize = flag(&args, "--repeat")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 1 } else { 3 });
    let names = chosen(&servers::NAMES, flag(&args, "--servers").as_deref());
    let out = PathBuf::from(flag(&args, "--out").unwrap_or_else(|| "target/bench".into()));
    let points = grid(&grid_name);
    let mut all: Vec<Runs> = Vec::new();
    for r in 0..repeat {
        for p in &points {
            for k in 0..names.len() {
                let name = names[(k + r) % names.len()];
                let port = free_port();
                let measured = Server::start(name, port)
                    .ok()
                    .and_then(|server| load(&server, *p, secs));
                let Some(m) = measured else {
                    eprintln!("{name} at {}: no result", p.label());
                    continue;
                };
                println!(
                    "[{}/{repeat}] {:<17} {:<42} {:>12.0} msg/s {:>10.1} MB/s  server CPU {:.0}% \
                     ({:.0} msg per server CPU second)  client CPU {:.0}%",
                    r + 1,
                    name,
                    p.label(),
                    m.msgs_per_sec,
                    m.bytes_per_sec / 1e6,
                    m.server_cpu * 100.0,
                    m.msgs_per_sec / m.server_cpu.max(1e-9),
                    m.load_cpu * 100.0
                );
                match all.iter_mut().find(|x| x.point == *p && x.server == name) {
                    Some(x) => x.runs.push(m),
                    None => all.push(Runs {
                        point: *p,
                        server: name.into(),
                        runs: vec![m],
                    }),
                }
            }
        }
    }
    let mut mem = Vec::new();
    if args.iter().any(|a| a == "--memory") {
        let idle = flag(&args, "--idle")
            .and_then(|n| n.parse().ok())
            .unwrap_or(if smoke { 100 } else { 10_000 });
        for name in &names {
            match memory(name, idle, secs) {
                Some(m) => {
                    println!(
                        "{name}: {:.1} KiB per idle connection ({} open), peak {:.1} MiB",
                        m.idle_bytes_per_conn / 1024.0,
                        m.idle_conns,
                        m.peak_kib as f64 / 1024.0
                    );
                    mem.push(m);
                }
                None => eprintln!("{name}: memory not measured"),
            }
        }
    }
    let _ = std::fs::create_dir_all(&out);
    let mut md = format!(
        "Messages per second (median of {repeat} runs of {secs} s, ± half the range) and, in \
         parentheses, the ratio to {} in the same run.\n\n",
        report::REFERENCE
    );
    md.push_str(&report::markdown(&all, &names));
    md.push_str(&format!(
        "\nMessages per second of server CPU (what a message costs the server: the load \
         generator may be the ceiling of the table above), median of {repeat} runs, and the \
         ratio to {} in the same run.\n\n",
        report::REFERENCE
    ));
    md.push_str(&report::cpu_markdown(&all, &names));
    if !mem.is_empty() {
        md.push('\n');
        md.push_str(&report::memory_markdown(&mem));
    }
    let _ = std::fs::write(out.join("results.md"), &md);
    let _ = std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&(&all, &mem)).unwrap_or_default(),
    );
    let _ = std::fs::write(
        out.join("throughput.svg"),
        report::svg(&all, &names, &plotted(&points)),
    );
    println!("\n{md}");
    let missing = points.len() * names.len() - all.len();
    if missing > 0 {
        eprintln!("{missing} server × point combinations gave no result");
        std::process::exit(1);
    }
}
