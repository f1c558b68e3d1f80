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
//! [`serve_with`] starts one with message parts on, which echoes each part as it arrives
//! (`send_part`) and whole messages whole, or one that echoes in batches (`recv_batch`,
//! `recv_batch`).

use crate::{Adapter, FRAGMENT, PROTOCOLS};
use sansock_core::{
    Accept, CloseCode, Event, Message, MessagePart, PerMessageDeflate, UpgradeRequest,
};
use sansock_driver::{Runtime, ServerSettings, Shutdown, Transport, WebSocketStream};

fn settings(parts: Option<usize>, shutdown: Option<&Shutdown>) -> ServerSettings {
    let settings = ServerSettings::new()
        .fragment_size(FRAGMENT)
        .close_timeout(crate::CLOSE_TIMEOUT)
        .message_parts(parts)
        .deflate(PerMessageDeflate::default());
    match shutdown {
        Some(shutdown) => settings.shutdown(shutdown),
        None => settings,
    }
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

/// What `/prepared` sends first on every connection: one message, framed once for all
/// (compressed once for the connections with permessage-deflate without context takeover).
pub fn prepared() -> &'static sansock_core::PreparedMessage {
    static PREPARED: std::sync::LazyLock<sansock_core::PreparedMessage> =
        std::sync::LazyLock::new(|| {
            sansock_core::PreparedMessage::new(Message::text(
                "prepared once, sent to all; ".repeat(8),
            ))
        });
    &PREPARED
}

/// What the script does first, by path.
enum Script {
    Echo,
    Prepared,
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
        "/prepared" => Script::Prepared,
        "/echo-uncompressed" => Script::EchoUncompressed,
        _ => Script::Echo,
    }
}

/// What the script sends back.
enum Reply {
    Message(Message),
    Part(MessagePart),
}

/// What the script answers to an event: messages and parts are echoed; on `/ping`, the pong is
/// reported.
fn reply_to(script: &Script, event: Event) -> Option<Reply> {
    match (script, event) {
        (_, Event::Message(m)) => Some(Reply::Message(m)),
        (_, Event::Part(p)) => Some(Reply::Part(p)),
        (Script::Ping, Event::Pong(p)) => Some(Reply::Message(Message::from(format!(
            "got pong {}",
            String::from_utf8_lossy(&p)
        )))),
        _ => None,
    }
}

/// The script on an async adapter's stream (tokio, async-std and smol share it).
/// The batch echo: every message and part of a read queued back at once.
fn echo_received(
    received: sansock_driver::Received<'_>,
    outbox: &mut sansock_driver::Outbox<'_>,
) -> Result<(), sansock_driver::Error> {
    match received {
        sansock_driver::Received::Message(m) => outbox.send(m),
        sansock_driver::Received::Part(p) => outbox.send_part(p),
    }
}

async fn script_async<S: Transport<R>, R: Runtime>(
    mut ws: WebSocketStream<S, R>,
    path: &str,
    batches: bool,
) {
    let script = script(path);
    match script {
        Script::Close(code) => {
            let _ = ws.close(Some(CloseCode(code)), "server closing").await;
            return;
        }
        Script::Ping => {
            let _ = ws.ping(b"srv-ping").await;
        }
        Script::Prepared => {
            let _ = ws.send_prepared(prepared()).await;
        }
        Script::Echo if batches => {
            while let Ok(1..) = ws.recv_batch(echo_received).await {}
            return;
        }
        Script::Echo | Script::EchoUncompressed => {}
    }
    while let Some(Ok(event)) = ws.recv_event().await {
        let Some(reply) = reply_to(&script, event) else {
            continue;
        };
        let sent = match (&script, reply) {
            (_, Reply::Part(part)) => ws.send_part(&part).await,
            (Script::EchoUncompressed, Reply::Message(m)) => ws.send_uncompressed(m).await,
            (_, Reply::Message(m)) => ws.send(m).await,
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
    batches: bool,
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
        Script::Prepared => {
            let _ = ws.send_prepared(prepared());
        }
        Script::Echo if batches => {
            while let Ok(1..) = ws.recv_batch(echo_received) {}
            return;
        }
        Script::Echo | Script::EchoUncompressed => {}
    }
    while let Ok(Some(event)) = ws.recv_event() {
        let Some(reply) = reply_to(&script, event) else {
            continue;
        };
        let sent = match (&script, reply) {
            (_, Reply::Part(part)) => ws.send_part(&part),
            (Script::EchoUncompressed, Reply::Message(m)) => ws.send_uncompressed(m),
            (_, Reply::Message(m)) => ws.send(m),
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
    serve_with(adapter, None, false)
}

/// As [`serve`], with [`message_parts`](sansock_driver::ServerSettings::message_parts) set to `parts` (the
/// echo goes back part by part as it arrives), and with `batches` echoing in batches.
///
/// # Panics
/// If no port can be bound.
pub fn serve_with(adapter: Adapter, parts: Option<usize>, batches: bool) -> String {
    serve_full(adapter, settings(parts, None), batches)
}

/// As [`serve`], each connection closed with 1001 when `shutdown` begins (and any opened
/// after it began, at once).
///
/// # Panics
/// If no port can be bound.
pub fn serve_until(adapter: Adapter, shutdown: &Shutdown) -> String {
    serve_full(adapter, settings(None, Some(shutdown)), false)
}

fn serve_full(adapter: Adapter, settings: ServerSettings, batches: bool) -> String {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("ws://{}", std_listener.local_addr().expect("local address"));
    std::thread::spawn(move || match adapter {
        Adapter::Tokio => serve_tokio(std_listener, settings, batches),
        Adapter::AsyncStd => async_std::task::block_on(async {
            let listener = async_std::net::TcpListener::from(std_listener);
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                let settings = settings.clone();
                async_std::task::spawn(async move {
                    let mut path = String::new();
                    let accepted = sansock_futures::accept_with(tcp, settings, async |r| {
                        Ok(decide(r, &mut path))
                    })
                    .await;
                    if let Ok(ws) = accepted {
                        script_async(ws, &path, batches).await;
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
                let settings = settings.clone();
                smol::spawn(async move {
                    let mut path = String::new();
                    let accepted = sansock_futures::accept_with(tcp, settings, async |r| {
                        Ok(decide(r, &mut path))
                    })
                    .await;
                    if let Ok(ws) = accepted {
                        script_async(ws, &path, batches).await;
                    }
                })
                .detach();
            }
        }),
        Adapter::Compio => serve_compio(std_listener, settings, batches),
        Adapter::Blocking => {
            for tcp in std_listener.incoming().map_while(Result::ok) {
                let _ = tcp.set_nodelay(true);
                let settings = settings.clone();
                std::thread::spawn(move || {
                    let mut path = String::new();
                    let accepted =
                        sansock_blocking::accept_with(tcp, settings, |r| Ok(decide(r, &mut path)));
                    if let Ok(ws) = accepted {
                        script_blocking(ws, &path, batches);
                    }
                });
            }
        }
    });
    base
}

fn serve_tokio(std_listener: std::net::TcpListener, settings: ServerSettings, batches: bool) {
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
            let settings = settings.clone();
            tokio::spawn(async move {
                let mut path = String::new();
                let accepted =
                    sansock_tokio::accept_with(tcp, settings, async |r| Ok(decide(r, &mut path)))
                        .await;
                if let Ok(ws) = accepted {
                    script_async(ws, &path, batches).await;
                }
            });
        }
    });
}

fn serve_compio(std_listener: std::net::TcpListener, settings: ServerSettings, batches: bool) {
    let Ok(runtime) = compio::runtime::Runtime::new() else {
        return;
    };
    runtime.block_on(async {
        let Ok(listener) = compio::net::TcpListener::from_std(std_listener) else {
            return;
        };
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            let settings = settings.clone();
            compio::runtime::spawn(async move {
                let mut path = String::new();
                let accepted =
                    sansock_compio::accept_with(tcp, settings, async |r| Ok(decide(r, &mut path)))
                        .await;
                if let Ok(ws) = accepted {
                    script_async(ws, &path, batches).await;
                }
            })
            .detach();
        }
    });
}
