//! A WebSocket echo inside axum: one more route beside the pages, permessage-deflate agreed to
//! when the client offers it, HTTP/1.1 and HTTP/2 (RFC 8441) on one port.
//!
//! Run: `cargo run --example axum_echo`, then
//! `cargo run --example tokio_client -- ws://127.0.0.1:9001/ws hello`.
#![allow(clippy::print_stdout)]

use axum::Router;
use axum::response::Response;
use axum::routing::{any, get};
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{PerMessageDeflate, ServerSettings};

async fn echo(upgrade: WebSocketUpgrade) -> Response {
    let settings = ServerSettings::new().deflate(PerMessageDeflate::default());
    upgrade.settings(settings).on_upgrade(async |mut ws| {
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
    let app = Router::new()
        .route("/", get(async || "open a WebSocket on /ws\n"))
        // `any`, not `get`: over HTTP/2 a WebSocket opens with CONNECT, not GET.
        .route("/ws", any(echo));
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("axum echo on ws://{}/ws", listener.local_addr()?);
    axum::serve(listener, app).await
}
