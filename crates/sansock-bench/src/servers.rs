//! The echo servers, one per library, each as its users would write it and each on one thread
//! (the runner pins it to one core): every text or binary message comes back as it came.
//!
//! - `sansock-tokio-plain`, `sansock-smol-plain`, `sansock-blocking-plain`: the loop every page
//!   of the docs shows, as people write it — `while let Some(m) = ws.recv().await { ws.send(m?)
//!   .await? }` (blocking: `read` and `send`) — [`echo_plain`]; a `send` leaves its frame to the
//!   next `recv` while another whole message is buffered, so the echoes of one read leave in
//!   one write;
//! - `sansock-compio-plain`: the same loop on compio (io_uring), one runtime on one thread,
//!   every connection a task of it — [`echo_plain`];
//! - `sansock-tokio`: Sansock's fastest way, as a server built for throughput would be written:
//!   `recv_batch` hands every message of a read to a closure (the small ones borrowed from the
//!   stack, no allocation) that queues the echo; the next batch writes what is queued before it
//!   waits, so the echoes of one read leave in one write — [`echo_batches`]; on a
//!   current-thread runtime;
//! - `sansock-tokio-parts`: the same with message parts on from 16 KiB, as a proxy would run:
//!   a large message goes back part by part as it arrives (`send_part`, one fragment each);
//! - `sansock-tokio-stream`: the plain way on the same runtime: each message from the `Stream`
//!   fed to the `Sink` (`SinkExt::feed` queues it, the next receive writes it) — [`echo`];
//! - `sansock-smol`: the plain way on smol — [`echo`];
//! - `sansock-blocking`: a thread per connection, `read` then `feed`, the same way;
//! - `tungstenite`, `tungstenite-8k`: tokio-tungstenite 0.30 the same way (its own echo example),
//!   default config and with an 8 KiB read buffer;
//! - `fastwebsockets`: fastwebsockets 0.10 with auto-pong and auto-close, as its own echo example;
//! - `sansock-axum`: the `axum_echo` example's router (Sansock inside axum, the plain loop) —
//!   what the axum path costs against `sansock-tokio-plain`;
//! - `sansock-axum-h2`: the same router served as the examples serve it (`sansock_hyper`'s
//!   server builder: HTTP/1.1 and HTTP/2 with prior knowledge on one port), for `bench-http2`;
//! - `axum-ws`: axum 0.8's own `ws` (tokio-tungstenite underneath), its documented echo;
//! - `fastwebsockets-hyper`: fastwebsockets 0.10 through hyper 1 (its `upgrade` feature), as its
//!   own echo example;
//! - `raw`: the ceiling — the handshake, then every byte written back as read, no WebSocket logic;
//! - `node-ws`: Node's `ws` 8 (`tests/interop/bench-echo.mjs`), when `scripts/interop-setup.sh`
//!   has installed it: the process becomes `node` (same pid, same core);
//! - `bun`: Bun 1.4's own WebSocket server, uWebSockets inside (`tests/interop/bench-echo-bun.js`,
//!   Bun from npm, installed by the same script): the process becomes `bun`.

use futures_util::{SinkExt, StreamExt, TryStreamExt};
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every server's name, in the order the tables show them.
pub const NAMES: [&str; 19] = [
    "sansock-tokio-plain",
    "sansock-compio-plain",
    "sansock-axum",
    "sansock-axum-h2",
    "sansock-tokio",
    "sansock-tokio-parts",
    "sansock-tokio-stream",
    "sansock-smol-plain",
    "sansock-smol",
    "sansock-blocking-plain",
    "sansock-blocking",
    "tungstenite",
    "tungstenite-8k",
    "fastwebsockets",
    "axum-ws",
    "fastwebsockets-hyper",
    "raw",
    "node-ws",
    "bun",
];

/// Runs the server `name` on `127.0.0.1:port` until the process is killed.
///
/// # Errors
/// An unknown name, or a port that cannot be bound.
pub fn run(name: &str, port: u16) -> io::Result<()> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    match name {
        "node-ws" => interop_peer("node", "node_modules/ws", port, "bench-echo.mjs"),
        "fanout-node-ws" => interop_peer("node", "node_modules/ws", port, "bench-fanout.mjs"),
        "bun" => interop_peer(BUN, BUN, port, "bench-echo-bun.js"),
        fanout if fanout.starts_with("fanout-") => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let local = tokio::task::LocalSet::new();
            rt.block_on(local.run_until(crate::fanout::serve(fanout, addr)))
        }
        "sansock-smol" => smol::block_on(sansock_smol(addr, false)),
        "sansock-smol-plain" => smol::block_on(sansock_smol(addr, true)),
        "sansock-compio-plain" => compio::runtime::Runtime::new()?.block_on(sansock_compio(addr)),
        "sansock-blocking" => sansock_blocking(addr, false),
        "sansock-blocking-plain" => sansock_blocking(addr, true),
        _ => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let local = tokio::task::LocalSet::new();
            rt.block_on(local.run_until(on_tokio(name, addr)))
        }
    }
}

/// Becomes `node tests/interop/SCRIPT PORT` (returns only if that fails).
/// Bun, as npm installs it under `tests/interop`.
const BUN: &str = "node_modules/.bin/bun";

/// Becomes `program` (a path under `tests/interop`, or one on the `PATH`) running `script` of
/// `tests/interop` on `port`, once `scripts/interop-setup.sh` has installed `needs` there.
fn interop_peer(program: &str, needs: &str, port: u16, script: &str) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop");
    if !dir.join(needs).exists() {
        return Err(io::Error::other(format!(
            "{needs} is not installed: run scripts/interop-setup.sh"
        )));
    }
    let local = dir.join(program);
    let program = if local.exists() {
        local.into_os_string()
    } else {
        program.into()
    };
    Err(std::process::Command::new(program)
        .arg(dir.join(script))
        .arg(port.to_string())
        .exec())
}

async fn on_tokio(name: &str, addr: std::net::SocketAddr) -> io::Result<()> {
    let kind = match name {
        "sansock-tokio" => 0,
        "tungstenite" => 1,
        "tungstenite-8k" => 2,
        "fastwebsockets" => 3,
        "raw" => 4,
        "sansock-tokio-stream" => 5,
        "sansock-tokio-parts" => 6,
        "sansock-tokio-plain" => 7,
        "sansock-axum" => return sansock_axum(addr).await,
        "sansock-axum-h2" => {
            let listener = TcpListener::bind(addr).await?;
            let app = sansock_examples::axum_echo::router();
            let shutdown = sansock_examples::shutdown::Shutdown::new();
            return sansock_examples::serve::serve(
                listener,
                app,
                None,
                shutdown,
                std::future::pending(),
            )
            .await;
        }
        "axum-ws" => return axum_ws(addr).await,
        "fastwebsockets-hyper" => 8,
        other => return Err(io::Error::other(format!("no server named {other}"))),
    };
    let listener = TcpListener::bind(addr).await?;
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        // Each server's connection is a task of its own future's size, as in its users' code
        // (one task type for all of them would size every task for the largest).
        fn spawn<F: std::future::Future + 'static>(connection: F) {
            tokio::task::spawn_local(connection);
        }
        match kind {
            0 => spawn(sansock_tokio(tcp, None)),
            6 => spawn(sansock_tokio(tcp, Some(PART_MIN))),
            1 => spawn(tungstenite(
                tcp,
                tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default(),
            )),
            2 => {
                let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                    .read_buffer_size(8 << 10);
                spawn(tungstenite(tcp, config));
            }
            3 => spawn(fastwebsockets(tcp)),
            5 => spawn(sansock_tokio_stream(tcp)),
            7 => spawn(sansock_tokio_plain(tcp)),
            8 => spawn(fastwebsockets_hyper(tcp)),
            _ => spawn(raw(tcp)),
        }
    }
}

/// The most generous message limit every library accepts, so 1 MiB echoes pass everywhere.
const MAX_MESSAGE: usize = 64 << 20;

/// The smallest part `sansock-tokio-parts` hands out: messages under 16 KiB always come whole.
pub const PART_MIN: usize = 16 << 10;

async fn sansock_tokio(tcp: TcpStream, parts: Option<usize>) -> io::Result<()> {
    let connection = sansock_core::ConnectionConfig::default()
        .with_max_message_size(MAX_MESSAGE)
        .with_message_parts(parts);
    let settings = sansock_tokio::ServerSettings::new().connection(connection);
    let mut ws =
        sansock_tokio::accept_with(tcp, settings, async |_| Ok(sansock_tokio::Accept::new()))
            .await
            .map_err(io::Error::other)?;
    echo_batches(&mut ws).await.map_err(io::Error::other)
}

async fn sansock_tokio_plain(tcp: TcpStream) -> io::Result<()> {
    let mut ws = sansock_tokio::accept(tcp).await.map_err(io::Error::other)?;
    echo_plain(&mut ws).await.map_err(io::Error::other)
}

/// The echo loop as the docs teach it: `recv`, then `send`.
///
/// # Errors
/// The stream's errors.
pub async fn echo_plain<S, R>(
    ws: &mut sansock_driver::WebSocketStream<S, R>,
) -> Result<(), sansock_driver::Error>
where
    S: sansock_driver::Transport<R>,
    R: sansock_driver::Runtime,
{
    while let Some(message) = ws.recv().await {
        ws.send(message?).await?;
    }
    Ok(())
}

async fn sansock_tokio_stream(tcp: TcpStream) -> io::Result<()> {
    let mut ws = sansock_tokio::accept(tcp).await.map_err(io::Error::other)?;
    echo(&mut ws).await.map_err(io::Error::other)
}

/// The echo loop on a tokio Sansock stream, in batches: every message of a read is handed to
/// the closure (small ones borrowed, no allocation) and queued back at once, parts (with
/// message parts on) as they come; the next batch writes what is queued before it waits.
///
/// # Errors
/// The stream's errors.
pub async fn echo_batches<S>(
    ws: &mut sansock_tokio::WebSocketStream<S>,
) -> Result<(), sansock_tokio::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use sansock_tokio::Received;
    while ws
        .recv_batch(|received, outbox| match received {
            Received::Message(message) => outbox.send(message),
            Received::Part(part) => outbox.send_part(part),
        })
        .await?
        > 0
    {}
    ws.flush().await
}

/// The echo loop on a Sansock stream: feed each message; the next receive writes them.
///
/// # Errors
/// The stream's errors.
pub async fn echo<W, M, E>(ws: &mut W) -> Result<(), E>
where
    W: futures_util::Stream<Item = Result<M, E>> + futures_util::Sink<M, Error = E> + Unpin,
{
    while let Some(message) = ws.next().await {
        ws.feed(message?).await?;
    }
    ws.flush().await
}

async fn sansock_smol(addr: std::net::SocketAddr, plain: bool) -> io::Result<()> {
    let ex = smol::LocalExecutor::new();
    ex.run(async {
        let listener = smol::net::TcpListener::bind(addr).await?;
        loop {
            let (tcp, _) = listener.accept().await?;
            let _ = tcp.set_nodelay(true);
            ex.spawn(async move {
                let Ok(mut ws) = sansock_futures::accept(tcp).await else {
                    return;
                };
                let _ = if plain {
                    echo_plain(&mut ws).await
                } else {
                    echo(&mut ws).await
                };
            })
            .detach();
        }
    })
    .await
}

async fn sansock_compio(addr: std::net::SocketAddr) -> io::Result<()> {
    let listener = compio::net::TcpListener::bind(addr).await?;
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        compio::runtime::spawn(async move {
            let Ok(mut ws) = sansock_compio::accept(tcp).await else {
                return;
            };
            let _ = echo_plain(&mut ws).await;
        })
        .detach();
    }
}

fn sansock_blocking(addr: std::net::SocketAddr, plain: bool) -> io::Result<()> {
    let listener = std::net::TcpListener::bind(addr)?;
    for tcp in listener.incoming() {
        let tcp = tcp?;
        let _ = tcp.set_nodelay(true);
        std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(move || {
                let Ok(mut ws) = sansock_blocking::accept(tcp) else {
                    return;
                };
                while let Ok(Some(message)) = ws.recv() {
                    let sent = if plain {
                        ws.send(message)
                    } else {
                        ws.feed(message)
                    };
                    if sent.is_err() {
                        break;
                    }
                }
            })?;
    }
    Ok(())
}

async fn tungstenite(
    tcp: TcpStream,
    config: tokio_tungstenite::tungstenite::protocol::WebSocketConfig,
) -> io::Result<()> {
    let config = config.max_message_size(Some(MAX_MESSAGE));
    let ws = tokio_tungstenite::accept_async_with_config(tcp, Some(config))
        .await
        .map_err(io::Error::other)?;
    let (write, read) = ws.split();
    read.try_filter(|m| std::future::ready(m.is_text() || m.is_binary()))
        .forward(write)
        .await
        .map_err(io::Error::other)
}

/// Reads an upgrade request and answers 101 (for the servers without a handshake of their own).
async fn upgrade_by_hand(tcp: &mut TcpStream) -> io::Result<()> {
    let mut head = Vec::with_capacity(1024);
    let mut byte = [0u8; 512];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tcp.read(&mut byte).await?;
        if n == 0 || head.len() > 16 << 10 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&byte[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let key = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim())
        })
        .ok_or_else(|| io::Error::other("no key"))?;
    let accept = sansock_core::accept_key(key.as_bytes());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    tcp.write_all(response.as_bytes()).await
}

async fn fastwebsockets(mut tcp: TcpStream) -> io::Result<()> {
    upgrade_by_hand(&mut tcp).await?;
    let ws = fastwebsockets::WebSocket::after_handshake(tcp, fastwebsockets::Role::Server);
    fastwebsockets_loop(ws).await
}

/// fastwebsockets' echo, with auto-pong and auto-close, as its own example.
async fn fastwebsockets_loop<S>(mut ws: fastwebsockets::WebSocket<S>) -> io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    ws.set_auto_close(true);
    ws.set_auto_pong(true);
    ws.set_max_message_size(MAX_MESSAGE);
    loop {
        let frame = ws.read_frame().await.map_err(io::Error::other)?;
        match frame.opcode {
            fastwebsockets::OpCode::Close => return Ok(()),
            fastwebsockets::OpCode::Text | fastwebsockets::OpCode::Binary => {
                ws.write_frame(frame).await.map_err(io::Error::other)?;
            }
            _ => {}
        }
    }
}

async fn raw(mut tcp: TcpStream) -> io::Result<()> {
    upgrade_by_hand(&mut tcp).await?;
    // Starts at 64 KiB and doubles up to 1 MiB whenever a read fills it, so large messages
    // move in large reads (the ceiling must not be held back by its own buffer).
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        tcp.write_all(&buf[..n]).await?;
        if n == buf.len() && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
        }
    }
}

/// The `axum_echo` example's router, served as the example serves it.
async fn sansock_axum(addr: std::net::SocketAddr) -> io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let app = sansock_examples::axum_echo::router();
    axum::serve(sansock_examples::nodelay(listener), app).await
}

/// axum's own `ws`, as its documentation's echo writes it.
async fn axum_ws(addr: std::net::SocketAddr) -> io::Result<()> {
    use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
    async fn echo(mut socket: WebSocket) {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Text(_) | Message::Binary(_))
                && socket.send(message).await.is_err()
            {
                break;
            }
        }
    }
    let app = axum::Router::new().fallback(|ws: WebSocketUpgrade| async move {
        ws.max_message_size(MAX_MESSAGE).on_upgrade(echo)
    });
    let listener = TcpListener::bind(addr).await?;
    axum::serve(sansock_examples::nodelay(listener), app).await
}

/// fastwebsockets through hyper: its `upgrade`, then the same loop as `fastwebsockets`.
async fn fastwebsockets_hyper(tcp: TcpStream) -> io::Result<()> {
    use http_body_util::Empty;
    use hyper::body::{Bytes, Incoming};
    async fn upgrade(
        mut request: hyper::Request<Incoming>,
    ) -> Result<hyper::Response<Empty<Bytes>>, fastwebsockets::WebSocketError> {
        let (response, fut) = fastwebsockets::upgrade::upgrade(&mut request)?;
        tokio::task::spawn_local(async move {
            let Ok(ws) = fut.await else { return };
            let _ = fastwebsockets_loop(ws).await;
        });
        Ok(response)
    }
    hyper::server::conn::http1::Builder::new()
        .serve_connection(
            hyper_util::rt::TokioIo::new(tcp),
            hyper::service::service_fn(upgrade),
        )
        .with_upgrades()
        .await
        .map_err(io::Error::other)
}
