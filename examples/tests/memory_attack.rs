//! Safe by default across connections: 50 peers that each open a WebSocket, send half of a
//! 16 MiB message and stall, against each short example server started with its defaults as a
//! process (stopped by its pid). Without a server-wide budget each peer made the server hold
//! its half message (the plain tokio echo held 391 MiB); with the budget every server shares
//! by default (`ServerSettings::shared_budget`, 128 MiB), the server's peak RSS stays under
//! 100 MiB and the peers that do not fit are closed with 1013 (Try Again Later).
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod common;

use common::{Process, open_by_hand};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const PEERS: usize = 50;
/// The message each peer announces (just under the default 16 MiB limit) and half of it.
const MESSAGE: usize = (16 << 20) - 1024;
const SENT: usize = 8 << 20;

/// One stalling peer: a binary frame of `MESSAGE` bytes announced, `SENT` of them sent, then
/// nothing. Gives the close code the server sent within a few seconds, if any (a close cuts the
/// peer's writing short).
fn stall(mut tcp: TcpStream) -> Option<u16> {
    let reader = tcp.try_clone().unwrap();
    let closed = std::thread::spawn(move || {
        let mut reader = reader;
        reader
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut close = [0u8; 4];
        let code = match reader.read_exact(&mut close) {
            Ok(()) if close[0] == 0x88 => Some(u16::from_be_bytes([close[2], close[3]])),
            _ => None,
        };
        if code.is_some() {
            let _ = reader.shutdown(std::net::Shutdown::Both); // stops the writing below
        }
        code
    });
    let mut header = vec![0x82u8, 0x80 | 127];
    header.extend_from_slice(&(MESSAGE as u64).to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0]); // the mask: the payload goes as it is
    if tcp.write_all(&header).is_ok() {
        let chunk = vec![b'x'; 64 << 10];
        for _ in 0..SENT / chunk.len() {
            if tcp.write_all(&chunk).is_err() {
                break;
            }
        }
    }
    closed.join().unwrap()
}

fn attack(name: &str) {
    let path = if name == "axum_echo" { "/ws" } else { "/" };
    let server = Process::start(name, &["{port}"]);
    let peers: Vec<TcpStream> = (0..PEERS)
        .map(|_| open_by_hand(&server.addr, path, ""))
        .collect();
    let stalled: Vec<_> = peers
        .into_iter()
        .map(|tcp| std::thread::spawn(move || stall(tcp)))
        .collect();
    let closes: Vec<Option<u16>> = stalled.into_iter().map(|t| t.join().unwrap()).collect();
    let peak = server.peak_rss();
    let refused = closes.iter().filter(|c| **c == Some(1013)).count();
    eprintln!(
        "{name}: peak RSS {:.1} MiB with {PEERS} peers stalled halfway through a 16 MiB \
         message; {refused} closed with 1013",
        peak as f64 / (1 << 20) as f64
    );
    assert!(peak < 100 << 20, "{name} held {} MiB", peak >> 20);
    // The budget did the bounding: most peers did not fit, and only a budget's worth did.
    assert!(
        refused >= PEERS - 8,
        "{name}: only {refused} refused: {closes:?}"
    );
    assert!(
        closes.iter().all(|c| matches!(c, None | Some(1013))),
        "{closes:?}"
    );
}

#[test]
fn tokio_echo_stays_under_100_mib() {
    attack("tokio_echo");
}

#[test]
fn axum_echo_stays_under_100_mib() {
    attack("axum_echo");
}

#[test]
fn blocking_echo_stays_under_100_mib() {
    attack("blocking_echo");
}
