//! WebSockets over HTTP/2 (RFC 8441) with real hyper and axum servers: several WebSockets as
//! streams of one h2c connection (the server sees them as HTTP/2 extended CONNECTs and answers
//! 200), permessage-deflate as on HTTP/1.1, the fall back to HTTP/1.1 for a server without
//! HTTP/2 and for one whose SETTINGS lack the extended CONNECT, and a stream whose reader stops
//! holding bounded memory and slowing no other stream.
#![allow(clippy::unwrap_used, clippy::panic)]

use axum::Router;
use axum::response::Response;
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{
    Carrier, Http2Connection, Http2Unavailable, Message, PerMessageDeflate, ServerSettings,
    WebSocket,
};
use sansock_tokio::{ClientSettings, WsUrl};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn echo(mut ws: WebSocket) {
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
}

/// An axum echo on any path, served by `sansock_hyper::server_builder`, that records how each
/// WebSocket came; and how many TCP connections it accepted.
async fn axum_server() -> (String, Arc<Mutex<Vec<Carrier>>>, Arc<Mutex<usize>>) {
    let carriers = Arc::new(Mutex::new(Vec::new()));
    let seen = carriers.clone();
    let app = Router::new().fallback(move |ws: WebSocketUpgrade| {
        let seen = seen.clone();
        async move {
            if let Some(request) = ws.request() {
                seen.lock().unwrap().push(request.carrier());
            }
            let response: Response = ws
                .settings(ServerSettings::new().deflate(PerMessageDeflate::default()))
                .on_upgrade(echo);
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(Mutex::new(0usize));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            *count.lock().unwrap() += 1;
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let builder = sansock_hyper::server_builder();
                let _ = builder
                    .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    (format!("ws://{addr}/"), carriers, accepted)
}

#[tokio::test]
async fn several_websockets_are_streams_of_one_h2c_connection() {
    let (url, carriers, accepted) = axum_server().await;
    let url = WsUrl::parse(&url).unwrap();
    let h2 = Http2Connection::connect(&url, &ClientSettings::new())
        .await
        .unwrap();
    let mut sockets = Vec::new();
    for i in 0..3 {
        let request = sansock_core::ClientRequest::new("ignored", format!("/room/{i}"));
        let (ws, response) = h2.websocket(&request, ClientSettings::new()).await.unwrap();
        assert!(ws.get_ref().is_http2());
        assert_eq!(response.head().header_str(":status"), None);
        sockets.push(ws);
    }
    for (i, ws) in sockets.iter_mut().enumerate() {
        let message = Message::text(format!("stream {i}"));
        ws.send(message.clone()).await.unwrap();
        assert_eq!(
            timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap(),
            message
        );
    }
    for ws in &mut sockets {
        let closed = ws
            .close(Some(sansock_hyper::CloseCode::NORMAL), "")
            .await
            .unwrap();
        assert!(closed.was_clean(), "{closed:?}");
    }
    assert_eq!(*carriers.lock().unwrap(), [Carrier::Http2; 3]);
    assert_eq!(
        *accepted.lock().unwrap(),
        1,
        "one TCP connection for every WebSocket"
    );
}

#[tokio::test]
async fn permessage_deflate_over_http2() {
    let (url, _, _) = axum_server().await;
    let settings = ClientSettings::new().deflate(PerMessageDeflate::default());
    let (mut ws, response) = sansock_hyper::connect_http2(WsUrl::parse(&url).unwrap(), settings)
        .await
        .unwrap();
    assert!(ws.get_ref().is_http2());
    assert!(
        response
            .extensions()
            .unwrap()
            .starts_with("permessage-deflate")
    );
    let big = Message::text("over h2, compressed ".repeat(5000));
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), big);
    assert!(ws.stats().bytes_in < 10_000, "{:?}", ws.stats());
}

/// A plain hyper echo: HTTP/1.1 only, or HTTP/1.1 and HTTP/2 without
/// `SETTINGS_ENABLE_CONNECT_PROTOCOL` (hyper-util's auto builder with its defaults).
async fn hyper_server(with_http2: bool) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let io = hyper_util::rt::TokioIo::new(tcp);
            let service = hyper::service::service_fn(|mut request| async move {
                let upgrade = sansock_hyper::upgrade(&mut request, ServerSettings::new()).unwrap();
                let (response, websocket) = upgrade.accept(&sansock_hyper::Accept::new()).unwrap();
                tokio::spawn(async move { echo(websocket.await.unwrap()).await });
                Ok::<_, std::convert::Infallible>(response)
            });
            tokio::spawn(async move {
                if with_http2 {
                    let builder = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    );
                    let _ = builder.serve_connection_with_upgrades(io, service).await;
                } else {
                    let builder = hyper::server::conn::http1::Builder::new();
                    let _ = builder.serve_connection(io, service).with_upgrades().await;
                }
            });
        }
    });
    addr
}

/// `Http2Connection` says why it cannot, and `connect_http2` falls back to HTTP/1.1.
async fn falls_back(addr: std::net::SocketAddr, why: fn(&Http2Unavailable) -> bool) {
    let url = WsUrl::parse(&format!("ws://{addr}/")).unwrap();
    let refused = Http2Connection::connect(&url, &ClientSettings::new()).await;
    assert!(refused.as_ref().is_err_and(why), "{refused:?}");
    let (mut ws, _) = sansock_hyper::connect_http2(url, ClientSettings::new())
        .await
        .unwrap();
    assert!(!ws.get_ref().is_http2());
    ws.send("over HTTP/1.1").await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::text("over HTTP/1.1")
    );
}

#[tokio::test]
async fn a_server_without_http2_gets_http1() {
    let addr = hyper_server(false).await;
    falls_back(addr, |e| matches!(e, Http2Unavailable::NoHttp2)).await;
}

#[tokio::test]
async fn a_server_whose_settings_lack_the_extended_connect_gets_http1() {
    let addr = hyper_server(true).await;
    falls_back(addr, |e| matches!(e, Http2Unavailable::NoExtendedConnect)).await;
}

#[tokio::test]
async fn a_stream_whose_reader_stops_is_bounded_and_slows_no_other() {
    let (url, _, _) = axum_server().await;
    let url = WsUrl::parse(&url).unwrap();
    let h2 = Http2Connection::connect(&url, &ClientSettings::new())
        .await
        .unwrap();
    let request = sansock_core::ClientRequest::new("x", "/");
    let (stalled, _) = h2.websocket(&request, ClientSettings::new()).await.unwrap();
    let (mut other, _) = h2.websocket(&request, ClientSettings::new()).await.unwrap();
    // The stalled one sends 64 KiB messages and never reads its echoes: the server's echo
    // waits on the stream's window, stops reading, and so our sends stop too.
    let (_read, mut write) = stalled.split();
    let sent = Arc::new(Mutex::new(0usize));
    let counter = sent.clone();
    let flooding = tokio::spawn(async move {
        let chunk = Message::binary(vec![7u8; 64 << 10]);
        loop {
            if write.send(chunk.clone()).await.is_err() {
                break;
            }
            *counter.lock().unwrap() += 64 << 10;
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stuck_at = *sent.lock().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        *sent.lock().unwrap(),
        stuck_at,
        "the stalled stream's sends stopped"
    );
    // Bounded: the stream's windows (256 KiB each way) and the write queues of both ends, not
    // the whole flood (576 KiB when measured).
    assert!(
        stuck_at < 2 << 20,
        "{stuck_at} bytes went in before the sends stopped"
    );
    // The other stream of the same connection is not held up.
    for i in 0..20 {
        let message = Message::text(format!("still here {i}"));
        other.send(message.clone()).await.unwrap();
        assert_eq!(
            timeout(LIMIT, other.recv())
                .await
                .unwrap()
                .unwrap()
                .unwrap(),
            message
        );
    }
    flooding.abort();
}
