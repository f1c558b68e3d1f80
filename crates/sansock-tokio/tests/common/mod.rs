//! Loopback helpers: an echo server on an ephemeral port, and a client that handshakes and then
//! only holds the raw TCP stream (a peer that goes silent).
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use sansock_tokio::{Accept, ClientSettings, ServerSettings, WebSocketStream};
use tokio::net::{TcpListener, TcpStream};

/// Binds 127.0.0.1 on a free port.
pub async fn bind_local() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// Accepts one connection with `settings` and echoes it until it ends; returns the stream.
pub async fn echo_once(
    listener: TcpListener,
    settings: ServerSettings,
) -> WebSocketStream<TcpStream> {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = sansock_tokio::accept_with(tcp, settings, |r| {
        Ok(match r.protocols().next() {
            Some(p) => Accept::new().with_protocol(p),
            None => Accept::new(),
        })
    })
    .await
    .unwrap();
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
    ws
}

/// A client that completes the handshake and then keeps only the TCP stream (reads nothing,
/// answers nothing).
pub async fn silent_client(url: &str) -> TcpStream {
    let parsed = sansock_tokio::WsUrl::parse(url).unwrap();
    let tcp = TcpStream::connect((parsed.host.as_str(), parsed.port))
        .await
        .unwrap();
    let (ws, _) = sansock_tokio::client(tcp, &parsed.request, ClientSettings::new())
        .await
        .unwrap();
    ws.into_inner()
}
