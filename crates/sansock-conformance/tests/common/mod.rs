//! tokio-tungstenite 0.30 as its own Autobahn examples are written (`examples/autobahn-server.rs`
//! and `autobahn-client.rs`: echo text and binary, stop at the first error), for the tests that
//! run it through the tester.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use futures_util::{SinkExt, StreamExt};

/// Echoes text and binary; any error ends it.
pub(crate) async fn echo<S>(mut ws: tokio_tungstenite::WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(Ok(m)) = ws.next().await {
        if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
            break;
        }
    }
}

/// The echo server on `listener`.
pub(crate) async fn echo_server(listener: tokio::net::TcpListener) {
    while let Ok((tcp, _)) = listener.accept().await {
        tokio::spawn(async move {
            if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                echo(ws).await;
            }
        });
    }
}

/// The echo server on a runtime of its own; its `ws://` base URL (no trailing slash).
pub(crate) fn echo_server_thread() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            echo_server(tokio::net::TcpListener::from_std(listener).unwrap()).await;
        });
    });
    url
}

/// The testee client against the tester at `base`, as agent `Tungstenite`.
pub(crate) async fn testee(base: &str) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{base}/getCaseCount"))
        .await
        .unwrap();
    let count: usize = match ws.next().await {
        Some(Ok(m)) => m.to_text().unwrap().parse().unwrap(),
        other => panic!("{other:?}"),
    };
    let _ = ws.close(None).await;
    for n in 1..=count {
        let url = format!("{base}/runCase?case={n}&agent=Tungstenite");
        if let Ok((ws, _)) = tokio_tungstenite::connect_async(url).await {
            echo(ws).await;
        }
    }
    let url = format!("{base}/updateReports?agent=Tungstenite");
    if let Ok((mut ws, _)) = tokio_tungstenite::connect_async(url).await {
        let _ = ws.close(None).await;
    }
}
