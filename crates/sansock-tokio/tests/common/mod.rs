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
    let mut ws = sansock_tokio::accept_with(tcp, settings, async |r| {
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

/// Accepts one connection on `stream` with a 1 s close timeout, fills the peer's socket
/// buffers and our queue (until a send waits 300 ms), then closes: gives the close's outcome
/// and how long it took.
pub async fn fill_then_close<S>(
    stream: S,
) -> (
    Result<sansock_tokio::Closed, sansock_tokio::Error>,
    std::time::Duration,
)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use std::time::Duration;
    let settings = ServerSettings::new().close_timeout(Duration::from_secs(1));
    let mut ws = sansock_tokio::accept_with(stream, settings, async |_| Ok(Accept::new()))
        .await
        .unwrap();
    let big = sansock_tokio::Message::binary(vec![3u8; 1 << 20]);
    while tokio::time::timeout(Duration::from_millis(300), ws.send(big.clone()))
        .await
        .is_ok()
    {}
    let start = tokio::time::Instant::now();
    let closed = ws
        .close(Some(sansock_tokio::CloseCode::GOING_AWAY), "")
        .await;
    (closed, start.elapsed())
}
