//! Echo server on blocking std::net, a thread per connection: echoes every text and binary
//! message, with whatever subprotocol the client offers first.
//!
//! Run: `cargo run -p sansock-blocking --example blocking_echo_server -- 9003`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_blocking::{Accept, ServerSettings, accept_with};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(9003);
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("echo server (blocking) on ws://{}", listener.local_addr()?);
    for tcp in listener.incoming() {
        let tcp = tcp?;
        let peer = tcp.peer_addr()?;
        let _ = tcp.set_nodelay(true);
        std::thread::spawn(move || {
            let accepted = accept_with(tcp, ServerSettings::new(), |request| {
                Ok(match request.protocols().next() {
                    Some(p) => Accept::new().with_protocol(p),
                    None => Accept::new(),
                })
            });
            let mut ws = match accepted {
                Ok(ws) => ws,
                Err(e) => return eprintln!("{peer}: handshake failed: {e}"),
            };
            println!("{peer}: connected");
            loop {
                let echoed = match ws.recv() {
                    Ok(Some(message)) => ws.send(message),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                if let Err(e) = echoed {
                    eprintln!("{peer}: {e}");
                    break;
                }
            }
            let code = ws.closed().map(|c| c.code.0);
            println!("{peer}: disconnected (close code {code:?})");
        });
    }
    Ok(())
}
