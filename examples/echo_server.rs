//! The echo server of the classic tutorials, on Sansock: only the `echo-protocol` subprotocol,
//! only origins from an allow-list, text echoed as text and binary as binary. Plain HTTP gets a
//! small test page at `/` and 404 elsewhere. Every connection, rejection and close is logged.
//!
//! Run: `cargo run --release --example echo_server -- [--port 8080] [--allow-origin http://localhost:8080]...`
//!
//! Without `--allow-origin`, the server's own page origins are allowed
//! (`http://localhost:PORT`, `http://127.0.0.1:PORT`). Requests without an `Origin` header come
//! from non-browser clients (which could claim any origin) and are let through: origin checks
//! protect browsers' users. A request without the subprotocol gets 400: it is a malformed
//! request for this service, as RFC 6455 §4.2.2 leaves the server to decide.
//!
//! permessage-deflate is agreed to when the client offers it (browsers always do), unless
//! `--no-deflate` is given; the log says what was agreed.
#![allow(clippy::print_stdout)]

use sansock_examples::{ECHO_PAGE, flag_values, port};
use sansock_tokio::{
    Accept, HttpResponse, Incoming, PerMessageDeflate, Reject, ServerSettings, UpgradeRequest,
};
use std::net::SocketAddr;
use std::sync::Arc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = port(&args, 8080);
    let mut allowed = flag_values(&args, "--allow-origin");
    if allowed.is_empty() {
        allowed = vec![
            format!("http://localhost:{port}"),
            format!("http://127.0.0.1:{port}"),
        ];
    }
    let allowed = Arc::new(allowed);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "echo server on ws://{} (origins allowed: {})",
        listener.local_addr()?,
        allowed.join(", ")
    );
    // Room for the browser test's 1 MiB messages, and more.
    let mut settings = ServerSettings::new().max_message_size(16 << 20);
    if !args.iter().any(|a| a == "--no-deflate") {
        settings = settings.deflate(PerMessageDeflate::default());
    }
    loop {
        let (tcp, peer) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        tokio::spawn(serve(tcp, peer, allowed.clone(), settings.clone()));
    }
}

/// The upgrade policy: an allowed origin (or none), and the `echo-protocol` subprotocol.
fn decide(
    request: &UpgradeRequest,
    allowed: &[String],
    peer: SocketAddr,
) -> Result<Accept, Reject> {
    if let Some(origin) = request.origin() {
        if !allowed.iter().any(|a| a == origin) {
            println!("{peer}: rejected: origin {origin} is not allowed (403)");
            return Err(Reject::new(403).with_body("origin not allowed"));
        }
    }
    if !request.protocols().any(|p| p == "echo-protocol") {
        println!("{peer}: rejected: the echo-protocol subprotocol was not offered (400)");
        return Err(Reject::new(400).with_body("the echo-protocol subprotocol is required"));
    }
    Ok(Accept::new().with_protocol("echo-protocol"))
}

async fn serve(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    allowed: Arc<Vec<String>>,
    settings: ServerSettings,
) {
    let incoming =
        sansock_tokio::accept_or_http(tcp, settings, |r| decide(r, &allowed, peer)).await;
    let mut ws = match incoming {
        Ok(Incoming::WebSocket(ws)) => ws,
        Ok(Incoming::Http(request)) => {
            let path = request.head().path().to_string();
            let response = if path == "/" {
                HttpResponse::new(200)
                    .with_header("Content-Type", "text/html; charset=utf-8")
                    .with_body(ECHO_PAGE)
            } else {
                HttpResponse::new(404).with_body("not found")
            };
            println!("{peer}: HTTP GET {path}: {}", response.status);
            let _ = request.respond(&response).await;
            return;
        }
        Err(e) => return println!("{peer}: handshake failed: {e}"),
    };
    println!(
        "{peer}: connected (extensions: {})",
        ws.extensions().unwrap_or("none")
    );
    while let Some(next) = ws.recv().await {
        let echoed = match next {
            Ok(message) => ws.send(message).await,
            Err(e) => Err(e),
        };
        if let Err(e) = echoed {
            println!("{peer}: {e}");
            break;
        }
    }
    match ws.closed() {
        Some(c) => println!(
            "{peer}: disconnected, close code {} {:?}",
            c.code,
            c.reason.as_str()
        ),
        None => println!("{peer}: disconnected"),
    }
}
