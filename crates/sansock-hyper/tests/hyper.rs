//! sansock-hyper on a real hyper 1.x server (HTTP/1.1 with upgrades): a page and a WebSocket on
//! one port, the core's checks and statuses, subprotocols, rejections, permessage-deflate, and a
//! first frame that arrives in the same packet as the request.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use sansock_hyper::{Accept, Message, PerMessageDeflate, Reject, ServerSettings, UpgradeError};
use sansock_tokio::{ClientSettings, WsUrl};
use std::convert::Infallible;

/// The service: `/` is a page; any upgrade is checked, `/private` refused with 403, the
/// subprotocol `echo.v1` chosen when offered, deflate accepted, and every message echoed.
async fn service(mut request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if !sansock_hyper::is_upgrade_request(&request) {
        return Ok(Response::new(Full::from("the page")));
    }
    let settings = ServerSettings::new().deflate(PerMessageDeflate::default());
    let upgrade = match sansock_hyper::upgrade(&mut request, settings) {
        Ok(upgrade) => upgrade,
        Err(e) => return Ok(e.into_response()),
    };
    if upgrade.request().path() == "/private" {
        return Ok(upgrade.reject(&Reject::new(403).with_body("not for you")));
    }
    let mut accept = Accept::new();
    if upgrade.request().protocols().any(|p| p == "echo.v1") {
        accept = accept.with_protocol("echo.v1");
    }
    if upgrade.request().path() == "/wrong-protocol" {
        accept = Accept::new().with_protocol("never-offered");
    }
    let (response, websocket) = match upgrade.accept(&accept) {
        Ok(accepted) => accepted,
        Err(e) => return Ok(e.into_response()),
    };
    tokio::spawn(async move {
        let mut ws = websocket.await.unwrap();
        while let Some(Ok(message)) = ws.recv().await {
            if ws.send(message).await.is_err() {
                break;
            }
        }
    });
    Ok(response)
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::spawn(
                http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service_fn(service))
                    .with_upgrades(),
            );
        }
    });
    addr
}

#[tokio::test]
async fn a_page_and_a_websocket_share_the_port() {
    let addr = start().await;
    let (head, body) = exchange(&addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0).await;
    assert_eq!(status(&head), 200);
    assert_eq!(body, b"the page");

    let url = WsUrl::parse(&format!("ws://{addr}/echo"))
        .unwrap()
        .with_protocol("other")
        .with_protocol("echo.v1");
    let (mut ws, response) = sansock_tokio::connect_with(url, ClientSettings::new())
        .await
        .unwrap();
    assert_eq!(response.protocol(), Some("echo.v1"));
    for message in [
        Message::text("héllo"),
        Message::binary(vec![0u8, 1, 2, 255]),
    ] {
        ws.send(message.clone()).await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap(), message);
    }
    let closed = ws
        .close(Some(sansock_hyper::CloseCode::NORMAL), "bye")
        .await
        .unwrap();
    assert!(closed.was_clean());
}

#[tokio::test]
async fn permessage_deflate_is_negotiated_as_on_a_bare_stream() {
    let addr = start().await;
    let settings = ClientSettings::new().deflate(PerMessageDeflate::default());
    let url = WsUrl::parse(&format!("ws://{addr}/echo")).unwrap();
    let (mut ws, response) = sansock_tokio::connect_with(url, settings).await.unwrap();
    assert!(
        response
            .extensions()
            .unwrap()
            .starts_with("permessage-deflate")
    );
    let big = Message::text("compress me ".repeat(10_000));
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), big);
    let stats = ws.stats();
    assert!(
        stats.bytes_in < 10_000,
        "{stats:?}: the echo came compressed"
    );
}

#[tokio::test]
async fn a_first_frame_in_the_same_packet_as_the_request_reaches_the_connection() {
    let addr = start().await;
    let mut bytes = upgrade_request("/echo", "").into_bytes();
    bytes.extend_from_slice(&masked_text("early"));
    let (head, rest) = exchange(&addr, &bytes, 7).await;
    assert_eq!(status(&head), 101, "{head}");
    assert_eq!(
        header(&head, "sec-websocket-accept"),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
    assert_eq!(&rest[..7], b"\x81\x05early");
}

#[tokio::test]
async fn bad_requests_get_the_cores_answers() {
    let addr = start().await;
    let cases = [
        (
            upgrade_request("/", "").replace("Version: 13", "Version: 8"),
            426,
        ),
        (
            upgrade_request("/", "").replace("dGhlIHNhbXBsZSBub25jZQ==", "short"),
            400,
        ),
        (upgrade_request("/", "Sec-WebSocket-Protocol: a b\r\n"), 400),
        (upgrade_request("/", "").replace("GET", "POST"), 405),
    ];
    for (request, expected) in cases {
        let (head, _) = exchange(&addr, request.as_bytes(), 0).await;
        assert_eq!(status(&head), expected, "{request}\n{head}");
        if expected == 426 {
            assert_eq!(header(&head, "sec-websocket-version"), Some("13"));
        }
        if expected == 405 {
            assert_eq!(header(&head, "allow"), Some("GET"));
        }
    }
}

#[tokio::test]
async fn the_application_rejects_with_status_and_body_and_its_mistakes_are_500() {
    let addr = start().await;
    let (head, body) = exchange(&addr, upgrade_request("/private", "").as_bytes(), 0).await;
    assert_eq!(status(&head), 403);
    assert_eq!(body, b"not for you");
    let (head, _) = exchange(&addr, upgrade_request("/wrong-protocol", "").as_bytes(), 0).await;
    assert_eq!(status(&head), 500);
}

#[test]
fn a_request_without_an_upgrade_handle_is_not_upgradable() {
    // A request built by hand (no connection behind it) has no upgrade handle.
    let mut request = Request::get("/")
        .header("Host", "x")
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Version", "13")
        .body(())
        .unwrap();
    let error = sansock_hyper::upgrade(&mut request, ServerSettings::new()).unwrap_err();
    assert!(matches!(error, UpgradeError::NotUpgradable));
    assert_eq!(error.into_response().status(), 500);
    // The request keeps its headers.
    assert_eq!(request.headers()["upgrade"], "websocket");
}
