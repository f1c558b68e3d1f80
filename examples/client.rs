//! A client: connects to a URL (offering a subprotocol if given), sends each line of stdin as a
//! text message, prints each message that comes back (binary as hex), and the close code and
//! reason at the end.
//!
//! Run: `cargo run --example client -- ws://127.0.0.1:8080/ echo-protocol`
//!
//! Through a proxy: `--proxy http://127.0.0.1:8888` (or `socks5h://…`), or as curl takes it from
//! the environment (`https_proxy=http://127.0.0.1:8888 cargo run --example client -- wss://…`);
//! `--no-proxy` ignores the environment.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use clap::Parser;
use sansock_tokio::{ClientSettings, Message, Proxy, WsUrl};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A WebSocket client: stdin lines out, messages in.
#[derive(Parser)]
struct Args {
    /// The server's URL (`ws://` or `wss://`).
    #[arg(default_value = "ws://127.0.0.1:8080/")]
    url: String,
    /// A subprotocol to offer.
    protocol: Option<String>,
    /// A proxy to connect through (`http://`, `https://`, `socks5://`, `socks5h://`,
    /// `socks4a://`; credentials as `http://user:pass@host:port`). Default: the one the
    /// environment names (`wss_proxy`/`ws_proxy`, `https_proxy`/`http_proxy`, `all_proxy`,
    /// minus `no_proxy`).
    #[arg(long)]
    proxy: Option<String>,
    /// Connect directly, whatever the environment says.
    #[arg(long, conflicts_with = "proxy")]
    no_proxy: bool,
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let Args {
        url,
        protocol,
        proxy,
        no_proxy,
    } = Args::parse();
    let mut target = WsUrl::parse(&url)?;
    if let Some(protocol) = protocol {
        target = target.with_protocol(protocol);
    }
    if let Some(proxy) = proxy {
        target = target.with_proxy(Proxy::parse(&proxy)?);
    } else if no_proxy {
        target = target.with_proxy(None);
    }
    if let Some(proxy) = target.proxy()? {
        eprintln!("through the proxy {}:{}", proxy.host(), proxy.port());
    }
    let (ws, response) = sansock_tokio::connect_with(target, ClientSettings::new()).await?;
    eprintln!("connected to {url} (subprotocol {:?})", response.protocol());
    let (mut read, mut write) = ws.split();
    let printer = tokio::spawn(async move {
        while let Some(next) = read.recv().await {
            match next {
                Ok(Message::Text(text)) => println!("< {text}"),
                Ok(Message::Binary(bytes)) => println!("< {}", hex(&bytes)),
                Err(e) => eprintln!("error: {e}"),
            }
        }
        if let Some(closed) = read.closed() {
            eprintln!("closed: code {} {:?}", closed.code, closed.reason.as_str());
        }
    });
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        write.send(line).await?;
    }
    write
        .send_close(Some(sansock_tokio::CloseCode::NORMAL), "")
        .await?;
    printer.await?;
    Ok(())
}

/// `bytes` as hex, the first 64 of them, with the length.
fn hex(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(64).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 64 { "…" } else { "" };
    format!("[{} bytes] {shown}{more}", bytes.len())
}
