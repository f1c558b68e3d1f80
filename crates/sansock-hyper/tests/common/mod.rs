//! What the hyper and axum tests share: a raw HTTP exchange over TCP (to see exactly what the
//! server answers), a masked client frame, and a Sansock client.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const LIMIT: Duration = Duration::from_secs(10);

/// A valid upgrade request for `path` with `extra` header lines (each ending in CRLF).
pub fn upgrade_request(path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

/// A masked text frame from a client.
pub fn masked_text(text: &str) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    assert!(text.len() < 126);
    let mut frame = vec![0x81, 0x80 | text.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(text.bytes().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Sends `bytes` in one write and reads until the head of the answer is complete and `more`
/// bytes after it have arrived; gives the head and what followed.
pub async fn exchange(addr: &str, bytes: &[u8], more: usize) -> (String, Vec<u8>) {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(got[..end + 4].to_vec()).unwrap();
            let rest = &got[end + 4..];
            let body_len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if rest.len() >= more.max(body_len) {
                return (head, rest.to_vec());
            }
        }
        let n = tokio::time::timeout(LIMIT, tcp.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            let head = String::from_utf8_lossy(&got).into_owned();
            return (head, Vec::new());
        }
        got.extend_from_slice(&chunk[..n]);
    }
}

/// The status code of an answer's head.
pub fn status(head: &str) -> u16 {
    head.split(' ').nth(1).unwrap().parse().unwrap()
}

/// The value of header `name` in an answer's head (case-insensitive name).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}
