//! The opening handshake on raw bytes, both roles, written for the tester alone: just enough
//! HTTP to open a connection to (or accept one from) the implementation under test.

use base64::Engine as _;
use sha1::{Digest, Sha1};
use std::io::{self, Read, Write};
use std::net::TcpStream;

/// `base64(SHA-1(key + GUID))`, RFC 6455 §4.2.2.
pub fn accept_for(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// Reads an HTTP head (up to the blank line); returns it and any bytes read past it.
fn read_head(tcp: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > 64 << 10 {
            return Err(io::Error::other("head over 64 KiB"));
        }
        let n = tcp.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// What the tester as client got back: bytes read past the response head, and the server's
/// `Sec-WebSocket-Extensions`, if any.
pub type Opened = (Vec<u8>, Option<String>);

/// Opens a WebSocket to `host:port` at `target` (the tester as client), offering `extensions`
/// if given.
///
/// # Errors
/// I/O errors, or a response that is not a valid 101 for our key.
pub fn client(
    tcp: &mut TcpStream,
    host: &str,
    target: &str,
    nonce: [u8; 16],
    extensions: Option<&str>,
) -> io::Result<Opened> {
    let key = base64::engine::general_purpose::STANDARD.encode(nonce);
    let offer = extensions
        .map(|e| format!("Sec-WebSocket-Extensions: {e}\r\n"))
        .unwrap_or_default();
    write!(
        tcp,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{offer}\r\n"
    )?;
    let (head, rest) = read_head(tcp)?;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "101" {
        return Err(io::Error::other(format!("expected 101, got {status:?}")));
    }
    if header(&head, "sec-websocket-accept") != Some(accept_for(&key).as_str()) {
        return Err(io::Error::other("wrong Sec-WebSocket-Accept"));
    }
    Ok((
        rest,
        header(&head, "sec-websocket-extensions").map(String::from),
    ))
}

/// Accepts a WebSocket on `tcp` (the tester as server). `answer` is given the request target and
/// the client's `Sec-WebSocket-Extensions` and gives the extensions to agree to, if any; returns
/// the request target and bytes read past the request head.
///
/// # Errors
/// I/O errors, or a request without a key.
pub fn server(
    tcp: &mut TcpStream,
    answer: impl FnOnce(&str, Option<&str>) -> Option<String>,
) -> io::Result<(String, Vec<u8>)> {
    let (head, rest) = read_head(tcp)?;
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let key = header(&head, "sec-websocket-key")
        .ok_or_else(|| io::Error::other("no Sec-WebSocket-Key"))?;
    let extensions = answer(&target, header(&head, "sec-websocket-extensions"))
        .map(|e| format!("Sec-WebSocket-Extensions: {e}\r\n"))
        .unwrap_or_default();
    write!(
        tcp,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{extensions}\r\n",
        accept_for(key)
    )?;
    Ok((target, rest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rfc_accept_value() {
        assert_eq!(
            super::accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
