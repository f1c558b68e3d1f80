//! The axum extractor on a real axum 0.8 server: a page and a WebSocket on one route
//! (`Option<WebSocketUpgrade>`), subprotocols chosen by `protocols`, permessage-deflate from the
//! settings, an async decision that rejects, the core's statuses as rejections, and a first
//! frame in the same packet as the request.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use common::*;
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{Message, PerMessageDeflate, Reject, ServerSettings, WebSocket};
use sansock_tokio::{ClientSettings, WsUrl};
use std::collections::HashMap;

async fn echo(mut ws: WebSocket) {
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
}

/// `/`: the page to a plain GET, a WebSocket to an upgrade.
async fn root(ws: Option<WebSocketUpgrade>) -> Response {
    match ws {
        Some(ws) => ws
            .settings(ServerSettings::new().deflate(PerMessageDeflate::default()))
            .protocols(["chat.v2", "chat.v1"])
            .on_upgrade(echo),
        None => "the page".into_response(),
    }
}

/// `/private?token=..`: a token checked by an async lookup before the decision.
async fn private(ws: WebSocketUpgrade, Query(query): Query<HashMap<String, String>>) -> Response {
    tokio::task::yield_now().await; // the lookup
    if query.get("token").map(String::as_str) != Some("secret") {
        return ws.reject(&Reject::new(401).with_body("token required"));
    }
    ws.on_upgrade(echo)
}

async fn start() -> String {
    let app = Router::new()
        .route("/", any(root))
        .route("/private", any(private));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn a_page_and_a_websocket_on_one_route() {
    let addr = start().await;
    let (head, body) = exchange(&addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0).await;
    assert_eq!(status(&head), 200);
    assert_eq!(body, b"the page");

    let url = WsUrl::parse(&format!("ws://{addr}/"))
        .unwrap()
        .with_protocol("chat.v1")
        .with_protocol("chat.v2");
    let settings = ClientSettings::new().deflate(PerMessageDeflate::default());
    let (mut ws, response) = sansock_tokio::connect_with(url, settings).await.unwrap();
    // The client's order of preference decides among the protocols both speak.
    assert_eq!(response.protocol(), Some("chat.v1"));
    assert!(
        response
            .extensions()
            .unwrap()
            .starts_with("permessage-deflate")
    );
    for message in [Message::text("héllo"), Message::binary(vec![7u8; 100_000])] {
        ws.send(message.clone()).await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap(), message);
    }
    let closed = ws
        .close(Some(sansock_hyper::CloseCode::NORMAL), "")
        .await
        .unwrap();
    assert!(closed.was_clean());
}

#[tokio::test]
async fn an_async_decision_accepts_or_rejects() {
    let addr = start().await;
    let (head, body) = exchange(
        &addr,
        upgrade_request("/private?token=guess", "").as_bytes(),
        0,
    )
    .await;
    assert_eq!(status(&head), 401);
    assert_eq!(body, b"token required");
    let (mut ws, _) = sansock_tokio::connect(&format!("ws://{addr}/private?token=secret"))
        .await
        .unwrap();
    ws.send(Message::text("in")).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::text("in"));
}

#[tokio::test]
async fn broken_upgrades_get_the_cores_status() {
    let addr = start().await;
    let old = upgrade_request("/", "").replace("Version: 13", "Version: 8");
    let (head, _) = exchange(&addr, old.as_bytes(), 0).await;
    assert_eq!(status(&head), 426);
    assert_eq!(header(&head, "sec-websocket-version"), Some("13"));
    // Not a WebSocket request at all, on a route that requires one: 400.
    let (head, _) = exchange(&addr, b"GET /private HTTP/1.1\r\nHost: x\r\n\r\n", 0).await;
    assert_eq!(status(&head), 400);
}

#[tokio::test]
async fn a_first_frame_in_the_same_packet_as_the_request_is_echoed() {
    let addr = start().await;
    let mut bytes = upgrade_request("/", "").into_bytes();
    bytes.extend_from_slice(&masked_text("early"));
    let (head, rest) = exchange(&addr, &bytes, 7).await;
    assert_eq!(status(&head), 101, "{head}");
    assert_eq!(&rest[..7], b"\x81\x05early");
}
