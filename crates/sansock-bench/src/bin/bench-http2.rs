//! `bench-http2`: 100 WebSockets as streams of one HTTP/2 connection against 100 WebSockets on
//! 100 HTTP/1.1 connections, side by side in one run, on the same server (`sansock-axum-h2`:
//! the `axum_echo` router served with `sansock_hyper::server_builder`, pinned to CPU 0) and the
//! same client library (Sansock's own: `sansock_tokio::connect` or `sansock_hyper::
//! Http2Connection`, in a child pinned to CPU 1).
//!
//! ```text
//! bench-http2 [--secs 1] [--repeat 3]
//! ```
//!
//! Prints messages echoed per second, median of the repeats, as a markdown table.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_bench::process::checked_args;
use sansock_bench::process::flag;
use sansock_hyper::Http2Connection;
use sansock_tokio::{ClientSettings, Message, WsUrl};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What `--help` prints.
const USAGE: &str = "bench-http2 [--secs 1] [--repeat 3]";

const SOCKETS: usize = 100;

/// `program args` pinned to `cpu` when `taskset` exists.
fn pinned(cpu: usize, program: &std::path::Path, args: &[String]) -> Command {
    let mut cmd = if Command::new("taskset").arg("-V").output().is_ok() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(cpu.to_string()).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    cmd
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--load") {
        return load(&args[1..]);
    }
    let args = checked_args(USAGE, &["--secs", "--repeat"], &[]);
    let secs: f64 = flag(&args, "--secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let repeat: usize = flag(&args, "--repeat")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let exe = std::env::current_exe().unwrap_or_default();
    let server_exe = exe.with_file_name("bench-server");
    let points = [(20usize, 16usize), (1 << 10, 16), (20, 1), (16 << 10, 1)];
    println!(
        "| point | {SOCKETS} HTTP/1.1 connections | {SOCKETS} streams of one HTTP/2 connection | HTTP/2 ÷ HTTP/1.1 |"
    );
    println!("|---|---:|---:|---:|");
    for (size, inflight) in points {
        let mut results = [Vec::new(), Vec::new()];
        for _ in 0..repeat {
            for (k, carrier) in ["h1", "h2"].iter().enumerate() {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .and_then(|l| l.local_addr())
                    .map(|a| a.port())
                    .unwrap_or(9400);
                let Ok(mut server) = pinned(
                    0,
                    &server_exe,
                    &["sansock-axum-h2".into(), port.to_string()],
                )
                .stdin(Stdio::null())
                .spawn() else {
                    eprintln!("bench-server did not start");
                    return;
                };
                let end = Instant::now() + Duration::from_secs(5);
                while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
                    && Instant::now() < end
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let load_args: Vec<String> = vec![
                    "--load".into(),
                    (*carrier).into(),
                    port.to_string(),
                    size.to_string(),
                    inflight.to_string(),
                    secs.to_string(),
                ];
                let out = pinned(1, &exe, &load_args).output();
                let _ = server.kill();
                let _ = server.wait();
                match out
                    .ok()
                    .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok())
                {
                    Some(rate) => results[k].push(rate),
                    None => eprintln!("{carrier} at {size} B × {inflight}: no result"),
                }
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let (h1, h2) = (median(&mut results[0]), median(&mut results[1]));
        let label = if size >= 1 << 10 {
            format!("{} KiB", size >> 10)
        } else {
            format!("{size} B")
        };
        let mode = if inflight == 1 {
            "ping-pong".to_string()
        } else {
            format!("{inflight} in flight")
        };
        println!(
            "| {label} × {mode} | {:.0} k | {:.0} k | {:.2}× |",
            h1 / 1e3,
            h2 / 1e3,
            if h1 > 0.0 { h2 / h1 } else { 0.0 }
        );
    }
}

/// The load: `SOCKETS` WebSockets over `carrier` (`h1` or `h2`), each keeping `inflight`
/// messages of `size` bytes in flight for `secs`; prints echoes per second.
fn load(args: &[String]) {
    let get = |i: usize| args.get(i).cloned().unwrap_or_default();
    let (carrier, port) = (get(0), get(1));
    let size: usize = get(2).parse().unwrap_or(20);
    let inflight: usize = get(3).parse().unwrap_or(1);
    let secs: f64 = get(4).parse().unwrap_or(1.0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let url = format!("ws://127.0.0.1:{port}/");
    let rate = rt.block_on(async move {
        let echoed = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        let h2 = if carrier == "h2" {
            let url = WsUrl::parse(&url).ok()?;
            Some(
                Http2Connection::connect(&url, &ClientSettings::new())
                    .await
                    .ok()?,
            )
        } else {
            None
        };
        let payload = Message::binary(vec![b'x'; size]);
        let start = Instant::now() + Duration::from_millis(200);
        let end = start + Duration::from_secs_f64(secs);
        for _ in 0..SOCKETS {
            let (mut ws_send, mut ws_recv) = match &h2 {
                Some(h2) => {
                    let request = sansock_core::ClientRequest::new("127.0.0.1", "/");
                    let (ws, _) = h2.websocket(&request, ClientSettings::new()).await.ok()?;
                    let (r, w) = ws.split();
                    (Either::H2(w), EitherRead::H2(r))
                }
                None => {
                    let (ws, _) = sansock_tokio::connect(&url).await.ok()?;
                    let (r, w) = ws.split();
                    (Either::H1(w), EitherRead::H1(r))
                }
            };
            let (payload, echoed) = (payload.clone(), echoed.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..inflight {
                    if ws_send.send(payload.clone()).await.is_err() {
                        return;
                    }
                }
                while Instant::now() < end {
                    if !ws_recv.recv().await {
                        return;
                    }
                    if Instant::now() >= start {
                        echoed.fetch_add(1, Ordering::Relaxed);
                    }
                    if ws_send.send(payload.clone()).await.is_err() {
                        return;
                    }
                }
            }));
        }
        tokio::time::sleep_until(end.into()).await;
        for t in &tasks {
            t.abort();
        }
        Some(echoed.load(Ordering::Relaxed) as f64 / secs)
    });
    match rate {
        Some(rate) => println!("{rate}"),
        None => {
            eprintln!("the load could not connect");
            std::process::exit(1);
        }
    }
}

type H1 = sansock_tokio::MaybeTlsStream;
type H2 = sansock_hyper::ClientStream;

/// The writing half over either carrier.
enum Either {
    H1(sansock_tokio::WriteHalf<H1>),
    H2(sansock_tokio::WriteHalf<H2>),
}

impl Either {
    async fn send(&mut self, message: Message) -> Result<(), sansock_tokio::Error> {
        match self {
            Either::H1(w) => w.send(message).await,
            Either::H2(w) => w.send(message).await,
        }
    }
}

/// The reading half over either carrier.
enum EitherRead {
    H1(sansock_tokio::ReadHalf<H1>),
    H2(sansock_tokio::ReadHalf<H2>),
}

impl EitherRead {
    /// The next message arrived.
    async fn recv(&mut self) -> bool {
        match self {
            EitherRead::H1(r) => matches!(r.recv().await, Some(Ok(_))),
            EitherRead::H2(r) => matches!(r.recv().await, Some(Ok(_))),
        }
    }
}
