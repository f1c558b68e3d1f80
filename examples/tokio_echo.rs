//! The shortest Sansock server: a WebSocket echo on tokio, one task per connection. SIGTERM or
//! Ctrl-C closes every WebSocket with 1001 and waits for the closes (a second signal: at once).
//!
//! Run: `cargo run --example tokio_echo`, then `cargo run --example tokio_client`.
#![allow(clippy::print_stdout)]

use sansock_tokio::{Accept, ServerSettings, Shutdown};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "9001".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("echo on ws://{}/", listener.local_addr()?);
    let shutdown = Shutdown::new();
    let settings = ServerSettings::new().shutdown(&shutdown);
    let (mut term, mut int) = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::interrupt())?,
    );
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = term.recv() => break,
            _ = int.recv() => break,
        };
        let settings = settings.clone();
        tokio::spawn(async move {
            let accepted = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()));
            let Ok(mut ws) = accepted.await else {
                return; // not a valid upgrade: answered with 400 and closed
            };
            // Text comes back as text, binary as binary; pings are answered for you.
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
    shutdown.begin(); // every WebSocket closes with 1001 "server shutting down"
    tokio::select! {
        _ = tokio::time::timeout(Duration::from_secs(15), shutdown.finished()) => Ok(()),
        _ = term.recv() => std::process::exit(143),
        _ = int.recv() => std::process::exit(130),
    }
}
