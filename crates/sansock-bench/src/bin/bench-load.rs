//! `bench-load PORT SIZE CONNS INFLIGHT text|binary SECS [SERVER_PID]`: one load run against the
//! echo server on PORT (and the server's CPU time over the same window, given its pid); prints
//! what it measured as one JSON line. `bench-load PORT --idle N`: opens N idle
//! connections, prints `ready`, and keeps them until its standard input closes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_bench::Point;
use sansock_bench::load::{self, Load};
use std::io::Read;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|a| a.parse::<f64>().ok());
    let Some(port) = num(0).map(|p| p as u16) else {
        return usage();
    };
    if args.get(1).map(String::as_str) == Some("--idle") {
        let Some(n) = num(2) else { return usage() };
        match load::hold_idle(port, n as usize) {
            Ok(held) => {
                println!("ready {}", held.len());
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
            }
            Err(e) => {
                eprintln!("bench-load: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let (Some(size), Some(conns), Some(inflight), Some(kind), Some(secs)) =
        (num(1), num(2), num(3), args.get(4), num(5))
    else {
        return usage();
    };
    let point = Point {
        size: size as usize,
        conns: conns as usize,
        inflight: inflight as usize,
        text: kind == "text",
    };
    let run = Load {
        point,
        window: Duration::from_secs_f64(secs),
        warmup: Duration::from_secs_f64((secs / 4.0).min(0.5)),
        server_pid: num(6).map(|pid| pid as u32),
    };
    match load::run(port, run) {
        Ok(m) => println!("{}", serde_json::to_string(&m).unwrap_or_default()),
        Err(e) => {
            eprintln!("bench-load: {e}");
            std::process::exit(1);
        }
    }
    // Leave without closing each connection politely: the server sees them drop.
    std::process::exit(0);
}

fn usage() {
    eprintln!(
        "usage: bench-load PORT SIZE CONNS INFLIGHT text|binary SECS [SERVER_PID] | bench-load PORT --idle N"
    );
    std::process::exit(2);
}
