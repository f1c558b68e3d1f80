//! A WebSocket echo on blocking `std::net`, a thread per connection: no async runtime. SIGTERM
//! or Ctrl-C closes every WebSocket with 1001 and waits for the closes (a second: at once).
//!
//! Run: `cargo run --example blocking_echo`, then `cargo run --example tokio_client`.
#![allow(clippy::print_stdout)]

use sansock_blocking::{Accept, ServerSettings, Shutdown};
use std::net::TcpListener;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "9001".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}"))?;
    println!("echo (blocking) on ws://{}/", listener.local_addr()?);
    let shutdown = Shutdown::new();
    let settings = ServerSettings::new().shutdown(&shutdown);
    let (signalled, signal) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || match signalled.send(()) {
        Ok(()) => {}                       // the first: the main thread shuts down
        Err(_) => std::process::exit(130), // the main thread took one already
    })
    .map_err(std::io::Error::other)?;
    let accepting = shutdown.clone();
    std::thread::spawn(move || {
        for tcp in listener
            .incoming()
            .flatten()
            .take_while(|_| !accepting.is_begun())
        {
            let settings = settings.clone();
            std::thread::spawn(move || {
                let Ok(mut ws) =
                    sansock_blocking::accept_with(tcp, settings, |_| Ok(Accept::new()))
                else {
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
    });
    let _ = signal.recv();
    drop(signal); // a second signal now exits at once
    shutdown.begin(); // every WebSocket closes with 1001 "server shutting down"
    shutdown.wait_finished(Duration::from_secs(15));
    Ok(())
}
