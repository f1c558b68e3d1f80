//! The HTTP/2 chapter's listings: an axum server whose WebSockets come as HTTP/1.1 upgrades or
//! HTTP/2 streams, and a client that opens several WebSockets on one HTTP/2 connection.

// ANCHOR: server
use axum::Router;
use axum::response::Response;
use axum::routing::any;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{Carrier, WebSocket};

/// Serves `app` on `listener`: HTTP/1.1 and HTTP/2 (h2c) on one port, WebSockets on both.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = Router::new().route("/ws", any(ws)); // `any`: HTTP/2 WebSockets come as CONNECT
    loop {
        let (tcp, _) = listener.accept().await?;
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let builder = sansock_hyper::server_builder(); // extended CONNECT, sane windows
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                .await;
        });
    }
}

async fn ws(upgrade: WebSocketUpgrade) -> Response {
    let over = match upgrade.request().map(|r| r.carrier()) {
        Some(Carrier::Http2) => "an HTTP/2 stream",
        _ => "an HTTP/1.1 connection",
    };
    upgrade.on_upgrade(move |mut ws: WebSocket| async move {
        let _ = ws.send(format!("you came over {over}")).await;
        while let Some(Ok(message)) = ws.recv().await {
            if ws.send(message).await.is_err() {
                break;
            }
        }
    })
}
// ANCHOR_END: server

// ANCHOR: client
use sansock_core::ClientRequest;
use sansock_hyper::{ClientWebSocket, Http2Connection};
use sansock_tokio::{ClientSettings, WsUrl};

/// Opens `n` WebSockets to `url` as streams of one HTTP/2 connection.
pub async fn open_many(
    url: &str,
    n: usize,
) -> Result<Vec<ClientWebSocket>, Box<dyn std::error::Error>> {
    let url = WsUrl::parse(url)?;
    let connection = Http2Connection::connect(&url, &ClientSettings::new()).await?;
    let mut sockets = Vec::new();
    for _ in 0..n {
        let request = ClientRequest::new(url.host.as_str(), url.request.target());
        let (ws, _response) = connection
            .websocket(&request, ClientSettings::new())
            .await?;
        sockets.push(ws);
    }
    Ok(sockets)
}
// ANCHOR_END: client

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use sansock_tokio::Message;

    #[tokio::test]
    async fn websockets_come_as_streams_of_one_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(super::serve(listener));
        let mut sockets = super::open_many(&format!("ws://{addr}/ws"), 2)
            .await
            .unwrap();
        for ws in &mut sockets {
            assert!(ws.get_ref().is_http2());
            let hello = ws.recv().await.unwrap().unwrap();
            assert_eq!(hello, Message::text("you came over an HTTP/2 stream"));
            ws.send("echo").await.unwrap();
            assert_eq!(ws.recv().await.unwrap().unwrap(), Message::text("echo"));
        }
        // The same route over HTTP/1.1.
        let (mut ws, _) = sansock_tokio::connect(&format!("ws://{addr}/ws"))
            .await
            .unwrap();
        let hello = ws.recv().await.unwrap().unwrap();
        assert_eq!(hello, Message::text("you came over an HTTP/1.1 connection"));
    }
}
