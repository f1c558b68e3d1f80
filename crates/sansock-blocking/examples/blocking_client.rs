//! A blocking client: connects to a URL, sends each line of stdin as a text message, prints
//! what comes back (binary as its length), and the close code at the end.
//!
//! One thread, request and reply: each line is sent, then every message that arrives within
//! 200 ms is printed (the socket's read timeout ends the wait; nothing is lost by it).
//!
//! Run: `cargo run -p sansock-blocking --example blocking_client -- ws://127.0.0.1:9003/ [subprotocol]`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_blocking::{ClientSettings, CloseCode, MaybeTlsStream, Message, WebSocket, WsUrl};
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:9003/".to_string());
    let mut target = WsUrl::parse(&url)?;
    if let Some(protocol) = args.next() {
        target = target.with_protocol(protocol);
    }
    let (mut ws, response) = sansock_blocking::connect_with(target, ClientSettings::new())?;
    eprintln!("connected to {url} (subprotocol {:?})", response.protocol());
    ws.get_ref()
        .tcp()
        .set_read_timeout(Some(Duration::from_millis(200)))?;
    for line in std::io::stdin().lines() {
        ws.send(line?)?;
        if !print_until_quiet(&mut ws)? {
            break;
        }
    }
    if ws.closed().is_none() {
        ws.close(Some(CloseCode::NORMAL), "")?;
    }
    if let Some(closed) = ws.closed() {
        eprintln!("closed: code {} {:?}", closed.code, closed.reason.as_str());
    }
    Ok(())
}

/// Prints messages until none arrives for a while; false once the connection is over.
fn print_until_quiet(ws: &mut WebSocket<MaybeTlsStream>) -> Result<bool, sansock_blocking::Error> {
    loop {
        match ws.recv() {
            Ok(Some(Message::Text(text))) => println!("< {text}"),
            Ok(Some(Message::Binary(bytes))) => println!("< [{} bytes]", bytes.len()),
            Ok(None) => return Ok(false),
            Err(e) if e.is_would_block() => return Ok(true),
            Err(e) => return Err(e),
        }
    }
}
