//! An echo server on axum: a WebSocket upgrade on any path echoes every message (text as text,
//! binary as binary), permessage-deflate is agreed to when offered, and a plain `GET` gets a
//! short page. What the conformance tester, the interop peers and the benchmarks run against on
//! the axum path. Ctrl-C stops it.
//!
//! Run: `cargo run --release --example axum_echo -- --port 9001`

use clap::Parser;
use sansock_examples::shutdown::ctrl_c;

/// An echo server on axum.
#[derive(Parser)]
struct Args {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 9001)]
    port: u16,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    sansock_examples::init_logs();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    tracing::info!("axum echo on ws://{}/", listener.local_addr()?);
    axum::serve(
        sansock_examples::nodelay(listener),
        sansock_examples::axum_echo::router(),
    )
    .with_graceful_shutdown(ctrl_c())
    .await
}
