//! A clean shutdown: when the signal comes, the echo server and the chat close every WebSocket
//! with 1001 "server shutting down", and `run` returns only once each close handshake is done.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_examples::shutdown::REASON;
use sansock_hyper::{CloseCode, Event, ServerSettings};
use sansock_tokio::{ClientSettings, MaybeTlsStream, WebSocketStream, WsUrl};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

type Client = WebSocketStream<MaybeTlsStream>;

/// Reads until the server's close: its code and reason (the client answers it as it reads).
async fn close_of(ws: &mut Client) -> (u16, String) {
    loop {
        match timeout(LIMIT, ws.recv_event()).await.unwrap() {
            Some(Ok(Event::Closed(closed))) => {
                return (closed.code.0, closed.reason.as_str().to_string());
            }
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}

/// Starts `run` with a signal; gives the address, the trigger and the server's task.
async fn start<F, Fut>(
    run: F,
) -> (
    String,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
)
where
    F: FnOnce(
        tokio::net::TcpListener,
        std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    ) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (trigger, signal) = oneshot::channel::<()>();
    let server = tokio::spawn(run(
        listener,
        Box::pin(async move {
            let _ = signal.await;
        }),
    ));
    (addr, trigger, server)
}

#[tokio::test]
async fn the_echo_server_closes_every_websocket_with_1001_and_waits() {
    let (addr, trigger, server) = start(|listener, signal| {
        sansock_examples::echo::run(listener, Vec::new(), ServerSettings::new(), None, signal)
    })
    .await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let url = WsUrl::parse(&format!("ws://{addr}/"))
            .unwrap()
            .with_protocol("echo-protocol");
        let (mut ws, _) = sansock_tokio::connect_with(url, ClientSettings::new())
            .await
            .unwrap();
        ws.send("hi").await.unwrap();
        assert!(ws.recv().await.unwrap().is_ok()); // the echo: the server's task is running
        clients.push(ws);
    }
    trigger.send(()).unwrap();
    // The server waits for the closes: it is still running while nobody has answered.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !server.is_finished(),
        "returned before the WebSockets closed"
    );
    for ws in &mut clients {
        assert_eq!(close_of(ws).await, (1001, REASON.to_string()));
        assert!(ws.closed().unwrap().was_clean());
    }
    timeout(LIMIT, server).await.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn the_chat_closes_every_member_with_1001_and_waits() {
    let (addr, trigger, server) = start(|listener, signal| {
        sansock_examples::chat::run(
            listener,
            sansock_examples::chat::Config::alone(16),
            None,
            signal,
        )
    })
    .await;
    let mut members = Vec::new();
    for nick in ["ann", "ben"] {
        let (mut ws, _) = sansock_tokio::connect(&format!("ws://{addr}/chat?nick={nick}"))
            .await
            .unwrap();
        // Our own join notice: we are in the room.
        let joined = format!(r#"{{"type":"join","nick":"{nick}"}}"#);
        loop {
            let text = ws.recv().await.unwrap().unwrap();
            if text.as_text() == Some(joined.as_str()) {
                break;
            }
        }
        members.push(ws);
    }
    trigger.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!server.is_finished(), "returned before the members closed");
    for ws in &mut members {
        let (code, reason) = close_of(ws).await;
        assert_eq!((code, reason.as_str()), (CloseCode::GOING_AWAY.0, REASON));
    }
    timeout(LIMIT, server).await.unwrap().unwrap().unwrap();
}
