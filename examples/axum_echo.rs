//! A WebSocket echo inside axum, one more route beside the pages: permessage-deflate when the
//! client offers it, HTTP/1.1 and HTTP/2 (RFC 8441) on one port. SIGTERM or Ctrl-C closes every
//! WebSocket with 1001 and waits for the closes (a second signal: at once). Run: `cargo run
//! --example axum_echo`, then `cargo run --example tokio_client -- ws://127.0.0.1:9001/ws hi`.
#![allow(clippy::print_stdout)]

use axum::routing::{any, get};
use axum::{Router, extract::State, response::Response};
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{PerMessageDeflate, ServerSettings, Shutdown};
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

async fn echo(State(shutdown): State<Shutdown>, upgrade: WebSocketUpgrade) -> Response {
    let settings = ServerSettings::new().deflate(PerMessageDeflate::default());
    upgrade
        .settings(settings.shutdown(&shutdown))
        .on_upgrade(async |mut ws| {
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "9001".into());
    let shutdown = Shutdown::new();
    let app = Router::new()
        .route("/", get(async || "open a WebSocket on /ws\n"))
        // `any`, not `get`: over HTTP/2 a WebSocket opens with CONNECT, not GET.
        .route("/ws", any(echo))
        .with_state(shutdown.clone());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("axum echo on ws://{}/ws", listener.local_addr()?);
    let (mut term, mut int) = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::interrupt())?,
    );
    let begin = shutdown.clone();
    let signalled = async move {
        tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        begin.begin(); // every WebSocket closes with 1001 "server shutting down"
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(signalled)
        .await?;
    let mut again = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::interrupt())?,
    );
    tokio::select! {
        _ = tokio::time::timeout(Duration::from_secs(15), shutdown.finished()) => Ok(()),
        _ = again.0.recv() => std::process::exit(143),
        _ = again.1.recv() => std::process::exit(130),
    }
}
