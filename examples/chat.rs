//! A chat room in the browser: one port serves the page (`/`) and the WebSocket (`/chat`), as
//! in the Node tutorials where the HTTP server and the WebSocket server share one port.
//!
//! Run: `cargo run --release --example chat` and open <http://localhost:3000/> in two tabs.
//! Options: `--port 3000`, `--queue 64`.
//!
//! Each member has a queue of `--queue` messages; what happens when it fills, and everything
//! else about the room, is in `src/chat.rs`.
#![allow(clippy::print_stdout)]

use sansock_examples::{flag_values, port};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = port(&args, 3000);
    let queue = flag_values(&args, "--queue")
        .last()
        .and_then(|q| q.parse().ok())
        .unwrap_or(64usize)
        .max(1);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("chat room on http://{}/", listener.local_addr()?);
    sansock_examples::chat::run(listener, queue).await
}
