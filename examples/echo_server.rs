//! The echo server of the classic tutorials, on Sansock inside axum: only the `echo-protocol`
//! subprotocol, only origins from an allow-list, text echoed as text and binary as binary. Plain
//! HTTP gets a small test page at `/` and 404 elsewhere. Every connection, rejection and close is
//! logged (`RUST_LOG` sets what). Ctrl-C closes every WebSocket with 1001 and waits for the
//! closes.
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

use clap::Parser;
use sansock_examples::serve::{TlsArgs, scheme};
use sansock_examples::shutdown::signals;
use sansock_hyper::{PerMessageDeflate, ServerSettings};

/// The tutorials' echo server.
#[derive(Parser)]
struct Args {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// An origin whose pages may connect (repeat for more); default: this server's own.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// Do not agree to permessage-deflate.
    #[arg(long)]
    no_deflate: bool,
    #[command(flatten)]
    tls: TlsArgs,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    sansock_examples::init_logs();
    let args = Args::parse();
    let tls = args.tls.load()?;
    let mut allowed = args.allow_origin;
    if allowed.is_empty() {
        let scheme = scheme(&tls);
        allowed = vec![
            format!("{scheme}://localhost:{}", args.port),
            format!("{scheme}://127.0.0.1:{}", args.port),
        ];
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    tracing::info!(
        "echo server on {}://{} (origins allowed: {})",
        if tls.is_some() { "wss" } else { "ws" },
        listener.local_addr()?,
        allowed.join(", ")
    );
    // Room for the browser test's 1 MiB messages, and more.
    let mut settings = ServerSettings::new().max_message_size(16 << 20);
    if !args.no_deflate {
        settings = settings.deflate(PerMessageDeflate::default());
    }
    sansock_examples::echo::run(listener, allowed, settings, tls, signals()).await
}
