//! The scripted servers, one per adapter. Each accepts the best subprotocol of [`PROTOCOLS`]
//! that the client offers, fragments what it sends at [`FRAGMENT`] bytes, and follows the path:
//! - `/echo`: echoes every message;
//! - `/close/CODE`: closes at once with CODE and the reason "server closing";
//! - `/ping`: pings with "srv-ping", and once the pong arrives sends "got pong srv-ping";
//! - `/echo-uncompressed`: echoes with `send_uncompressed`;
//! - anything else: echoes, like `/echo` (what the conformance tester expects).
//!
//! Every server accepts permessage-deflate (default parameters) when the client offers it, and
//! sets `TCP_NODELAY` on what it accepts (as the examples do: messages are written whole).

use crate::{Adapter, FRAGMENT, PROTOCOLS};
use sansock_core::{
    Accept, CloseCode, ConnectionConfig, Event, Message, PerMessageDeflate, ServerConfig,
    UpgradeRequest,
};
use sansock_driver::{Runtime, ServerSettings, Transport, WebSocketStream};
use std::sync::Arc;

fn settings() -> ServerSettings {
    let connection = ConnectionConfig::default()
        .with_fragment_size(Some(FRAGMENT))
        .with_close_timeout(crate::CLOSE_TIMEOUT);
    let handshake = ServerConfig::default()
        .with_connection(connection)
        .with_extension(Arc::new(PerMessageDeflate::default()));
    ServerSettings::default().with_handshake(handshake)
}

/// Accepts the best known subprotocol offered; remembers the path.
fn decide(request: &UpgradeRequest, path: &mut String) -> Accept {
    *path = request.path().to_string();
    let offered: Vec<&str> = request.protocols().collect();
    match PROTOCOLS.iter().find(|p| offered.contains(p)) {
        Some(p) => Accept::new().with_protocol(*p),
        None => Accept::new(),
    }
}

/// What the script does first, by path.
enum Script {
    Echo,
    EchoUncompressed,
    Close(u16),
    Ping,
}

fn script(path: &str) -> Script {
    if let Some(code) = path.strip_prefix("/close/") {
        return Script::Close(code.parse().unwrap_or(1000));
    }
    match path {
        "/ping" => Script::Ping,
        "/echo-uncompressed" => Script::EchoUncompressed,
        _ => Script::Echo,
    }
}

/// What the script answers to an event: messages are echoed; on `/ping`, the pong is reported.
fn reply_to(script: &Script, event: Event) -> Option<Message> {
    match (script, event) {
        (_, Event::Message(m)) => Some(m),
        (Script::Ping, Event::Pong(p)) => Some(Message::from(format!(
            "got pong {}",
            String::from_utf8_lossy(&p)
        ))),
        _ => None,
    }
}

/// The script on an async adapter's stream (tokio, async-std and smol share it).
async fn script_async<S: Transport<R>, R: Runtime>(mut ws: WebSocketStream<S, R>, path: &str) {
    let script = script(path);
    match script {
        Script::Close(code) => {
            let _ = ws.close(Some(CloseCode(code)), "server closing").await;
            return;
        }
        Script::Ping => {
            let _ = ws.ping(b"srv-ping").await;
        }
        Script::Echo | Script::EchoUncompressed => {}
    }
    while let Some(Ok(event)) = ws.recv_event().await {
        let Some(reply) = reply_to(&script, event) else {
            continue;
        };
        let sent = match script {
            Script::EchoUncompressed => ws.send_uncompressed(reply).await,
            _ => ws.send(reply).await,
        };
        if sent.is_err() {
            break;
        }
    }
}

/// The script on the blocking adapter.
fn script_blocking<S: sansock_blocking::BlockingStream + Unpin>(
    mut ws: sansock_blocking::WebSocket<S>,
    path: &str,
) {
    let script = script(path);
    match script {
        Script::Close(code) => {
            let _ = ws.close(Some(CloseCode(code)), "server closing");
            return;
        }
        Script::Ping => {
            let _ = ws.ping(b"srv-ping");
        }
        Script::Echo | Script::EchoUncompressed => {}
    }
    while let Ok(Some(event)) = ws.read_event() {
        let Some(reply) = reply_to(&script, event) else {
            continue;
        };
        let sent = match script {
            Script::EchoUncompressed => ws.send_uncompressed(reply),
            _ => ws.send(reply),
        };
        if sent.is_err() {
            break;
        }
    }
}

/// Starts the scripted server of `adapter` on a free port, in threads of its own for the rest
/// of the process; gives its `ws://127.0.0.1:PORT` base URL.
///
/// # Panics
/// If no port can be bound.
pub fn serve(adapter: Adapter) -> String {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("ws://{}", std_listener.local_addr().expect("local address"));
    std::thread::spawn(move || match adapter {
        Adapter::Tokio => serve_tokio(std_listener),
        Adapter::AsyncStd => async_std::task::block_on(async {
            let listener = async_std::net::TcpListener::from(std_listener);
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                async_std::task::spawn(async move {
                    let mut path = String::new();
                    let accepted =
                        sansock_futures::accept_with(tcp, settings(), |r| Ok(decide(r, &mut path)))
                            .await;
                    if let Ok(ws) = accepted {
                        script_async(ws, &path).await;
                    }
                });
            }
        }),
        Adapter::Smol => smol::block_on(async {
            let Ok(listener) = smol::net::TcpListener::try_from(std_listener) else {
                return;
            };
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                smol::spawn(async move {
                    let mut path = String::new();
                    let accepted =
                        sansock_futures::accept_with(tcp, settings(), |r| Ok(decide(r, &mut path)))
                            .await;
                    if let Ok(ws) = accepted {
                        script_async(ws, &path).await;
                    }
                })
                .detach();
            }
        }),
        Adapter::Blocking => {
            for tcp in std_listener.incoming().map_while(Result::ok) {
                let _ = tcp.set_nodelay(true);
                std::thread::spawn(move || {
                    let mut path = String::new();
                    let accepted = sansock_blocking::accept_with(tcp, settings(), |r| {
                        Ok(decide(r, &mut path))
                    });
                    if let Ok(ws) = accepted {
                        script_blocking(ws, &path);
                    }
                });
            }
        }
    });
    base
}

fn serve_tokio(std_listener: std::net::TcpListener) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let _ = std_listener.set_nonblocking(true);
        let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
            return;
        };
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let mut path = String::new();
                let accepted =
                    sansock_tokio::accept_with(tcp, settings(), |r| Ok(decide(r, &mut path))).await;
                if let Ok(ws) = accepted {
                    script_async(ws, &path).await;
                }
            });
        }
    });
}
