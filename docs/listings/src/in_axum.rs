//! The adapter chapter's "in an axum or hyper server": the page and the WebSocket on one port and
//! one router, the upgrade checked by the core, permessage-deflate from the settings.

// ANCHOR: axum
use axum::Router;
use axum::response::{Html, Response};
use axum::routing::{any, get};
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{PerMessageDeflate, Reject, ServerSettings, WebSocket};

/// The site: a page at `/`, an echo WebSocket at `/ws` for pages of this site only.
pub fn app() -> Router {
    Router::new()
        .route(
            "/",
            get(Html(
                "<script>new WebSocket(`ws://${location.host}/ws`)</script>",
            )),
        )
        .route("/ws", any(ws)) // `any`, not `get`: HTTP/2 upgrades come as CONNECT
}

async fn ws(upgrade: WebSocketUpgrade) -> Response {
    let upgrade = upgrade
        .settings(ServerSettings::new().deflate(PerMessageDeflate::default()))
        .protocols(["echo.v1"]);
    // Look before accepting: path, origin, offered subprotocols and extensions.
    let foreign = upgrade
        .request()
        .and_then(|r| r.origin())
        .is_some_and(|o| !o.starts_with("http://localhost"));
    if foreign {
        return upgrade.reject(&Reject::new(403).with_body("origin not allowed"));
    }
    upgrade.on_upgrade(echo)
}

async fn echo(mut ws: WebSocket) {
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
}
// ANCHOR_END: axum

// ANCHOR: hyper
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response as HyperResponse};
use sansock_hyper::Accept;

/// A hyper service: the page to plain requests, an echo WebSocket to upgrades.
pub async fn service(
    mut request: Request<Incoming>,
) -> Result<HyperResponse<Full<Bytes>>, std::convert::Infallible> {
    if !sansock_hyper::is_upgrade_request(&request) {
        return Ok(HyperResponse::new(Full::from("a page")));
    }
    let settings = ServerSettings::new().deflate(PerMessageDeflate::default());
    let accepted = sansock_hyper::upgrade(&mut request, settings)
        .and_then(|upgrade| upgrade.accept(&Accept::new()));
    let (response, websocket) = match accepted {
        Ok(accepted) => accepted,
        Err(refused) => return Ok(refused.into_response()), // 400, 405, 426, 431 or 500
    };
    tokio::spawn(async move {
        if let Ok(ws) = websocket.await {
            echo(ws).await;
        }
    });
    Ok(response)
}

/// Serves `service` on one connection — with upgrades, or hyper never hands it over.
pub async fn serve_one(tcp: tokio::net::TcpStream) -> Result<(), hyper::Error> {
    let io = hyper_util::rt::TokioIo::new(tcp);
    hyper::server::conn::http1::Builder::new()
        .serve_connection(io, hyper::service::service_fn(service))
        .with_upgrades()
        .await
}
// ANCHOR_END: hyper

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use sansock_tokio::{ClientSettings, Message, PerMessageDeflate, WsUrl};

    async fn talk(url: &str) {
        let settings = ClientSettings::new().deflate(PerMessageDeflate::default());
        let (mut ws, response) = sansock_tokio::connect_with(WsUrl::parse(url).unwrap(), settings)
            .await
            .unwrap();
        assert!(
            response
                .extensions()
                .unwrap()
                .starts_with("permessage-deflate")
        );
        ws.send("hello").await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap(), Message::text("hello"));
    }

    #[tokio::test]
    async fn the_axum_listing_serves_a_websocket_and_refuses_foreign_pages() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, super::app()).await });
        talk(&format!("ws://{addr}/ws")).await;
        let foreign = WsUrl::parse(&format!("ws://{addr}/ws"))
            .unwrap()
            .with_header("Origin", "http://evil.example");
        let refused = sansock_tokio::connect_with(foreign, ClientSettings::new()).await;
        assert!(
            matches!(refused, Err(sansock_tokio::HandshakeError::Response(e)) if e.status() == Some(403))
        );
    }

    #[tokio::test]
    async fn the_hyper_listing_serves_a_websocket() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            super::serve_one(tcp).await
        });
        talk(&format!("ws://{addr}/")).await;
    }
}
