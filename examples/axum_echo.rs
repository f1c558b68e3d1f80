//! An echo server on axum: a WebSocket upgrade on any path echoes every message (text as text,
//! binary as binary), permessage-deflate is agreed to when offered, and a plain `GET` gets a
//! short page. What the conformance tester, the interop peers and the benchmarks run against on
//! the axum path. Ctrl-C stops it.
//!
//! Run: `cargo run --release --example axum_echo -- --port 9001` — HTTP/1.1 and HTTP/2 with prior
//! knowledge (h2c) on the port; with `--tls` (a self-signed certificate made at start) or
//! `--cert FILE --key FILE`, HTTPS with h2 or HTTP/1.1 by ALPN. WebSockets come either way.

use clap::Parser;
use sansock_examples::serve::{TlsArgs, serve};
use sansock_examples::shutdown::{Shutdown, ctrl_c};

/// An echo server on axum.
#[derive(Parser)]
struct Args {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 9001)]
    port: u16,
    #[command(flatten)]
    tls: TlsArgs,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    sansock_examples::init_logs();
    let args = Args::parse();
    let tls = args.tls.load()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let scheme = if tls.is_some() { "wss" } else { "ws" };
    tracing::info!("axum echo on {scheme}://{}/", listener.local_addr()?);
    let app = sansock_examples::axum_echo::router();
    serve(listener, app, tls, Shutdown::new(), ctrl_c()).await
}
