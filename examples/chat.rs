//! A chat room in the browser: one axum router serves the page (`/`), the member list
//! (`/members`) and the WebSocket (`/chat`) on one port. Ctrl-C closes every member with 1001
//! and waits for the closes.
//!
//! Run: `cargo run --release --example chat` and open <http://localhost:3000/> in two tabs.
//! Options: `--port 3000`, `--queue 64`, `--tls` (HTTPS with a self-signed certificate; h2 by
//! ALPN, so a browser's WebSockets come as HTTP/2 streams) or `--cert FILE --key FILE`; logs by
//! `RUST_LOG` (default `info`). The plain port speaks HTTP/1.1 and HTTP/2 with prior knowledge.
//!
//! Each member has a queue of `--queue` messages; what happens when it fills, and everything
//! else about the room, is in `src/chat.rs`.

use clap::Parser;
use sansock_examples::serve::{TlsArgs, scheme};
use sansock_examples::shutdown::ctrl_c;

/// A chat room in the browser.
#[derive(Parser)]
struct Args {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// How many messages may wait for a member before it is dropped as too slow.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    queue: u16,
    #[command(flatten)]
    tls: TlsArgs,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    sansock_examples::init_logs();
    let args = Args::parse();
    let tls = args.tls.load()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    tracing::info!(
        "chat room on {}://{}/",
        scheme(&tls),
        listener.local_addr()?
    );
    sansock_examples::chat::run(listener, usize::from(args.queue), tls, ctrl_c()).await
}
