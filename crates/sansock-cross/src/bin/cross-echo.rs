//! An echo server in a process of its own, for tests that kill a server and start it again
//! (`tests/reconnect.rs`): `cross-echo PORT`. Echoes every message; a text `close:CODE` is
//! answered with a close frame with that code instead. Prints `ready` once it listens.
#![allow(clippy::print_stdout)]

use sansock_core::{CloseCode, Message};

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(9002);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async move {
        // Started again on the port of a killed one: the port may be held a moment longer.
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => break listener,
                Err(e) if tries < 60 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("bind 127.0.0.1:{port}: {e}"),
            }
        };
        println!("ready");
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = sansock_tokio::accept(tcp).await else {
                    return;
                };
                while let Some(Ok(message)) = ws.recv().await {
                    let code = match &message {
                        Message::Text(t) => t.strip_prefix("close:").and_then(|c| c.parse().ok()),
                        Message::Binary(_) => None,
                    };
                    let sent = match code {
                        Some(code) => ws.close(Some(CloseCode(code)), "as asked").await.map(drop),
                        None => ws.send(message).await,
                    };
                    if sent.is_err() || code.is_some() {
                        break;
                    }
                }
            });
        }
    });
}
