//! A WebSocket echo on blocking `std::net`, a thread per connection: no async runtime.
//!
//! Run: `cargo run --example blocking_echo`, then `cargo run --example tokio_client`.
#![allow(clippy::print_stdout)]

use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "9001".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}"))?;
    println!("echo (blocking) on ws://{}/", listener.local_addr()?);
    for tcp in listener.incoming() {
        let tcp = tcp?;
        std::thread::spawn(move || {
            let Ok(mut ws) = sansock_blocking::accept(tcp) else {
                return; // not a valid upgrade: answered with 400 and closed
            };
            // `recv` blocks, and wakes for keepalive pings and timeouts on its own.
            while let Ok(Some(message)) = ws.recv() {
                if ws.send(message).is_err() {
                    break;
                }
            }
        });
    }
    Ok(())
}
