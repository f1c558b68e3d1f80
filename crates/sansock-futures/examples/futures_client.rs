//! A client on smol (or async-std, with its feature): connects to a URL, sends each line of stdin as a text
//! message, prints what comes back (binary as its length), and the close code at the end.
//!
//! Run: `cargo run -p sansock-futures --features smol --example futures_client -- ws://127.0.0.1:9002/ [subprotocol]`
//! (`--features smol,async-std` and `--async-std` for async-std, discontinued upstream).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use futures_io::{AsyncRead, AsyncWrite};
use sansock_futures::{ClientSettings, CloseCode, Message, WebSocketStream, WsUrl};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let on_async_std = args.iter().any(|a| a == "--async-std");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let url = positional
        .next()
        .cloned()
        .unwrap_or_else(|| "ws://127.0.0.1:9002/".to_string());
    let mut target = WsUrl::parse(&url)?;
    if let Some(protocol) = positional.next() {
        target = target.with_protocol(protocol.clone());
    }
    // Lines of stdin, read on a thread of their own (stdin is blocking everywhere).
    let (lines_tx, lines) = smol::channel::unbounded::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if lines_tx.send_blocking(line).is_err() {
                break;
            }
        }
    });
    #[cfg(feature = "async-std")]
    if on_async_std {
        return async_std::task::block_on(async {
            let (ws, response) =
                sansock_futures::async_std::Connector::connect_with(target, ClientSettings::new())
                    .await?;
            eprintln!("connected to {url} (subprotocol {:?})", response.protocol());
            run(ws, lines).await
        });
    }
    if on_async_std {
        return Err("built without the async-std feature".into());
    }
    smol::block_on(async {
        let (ws, response) =
            sansock_futures::smol::Connector::connect_with(target, ClientSettings::new()).await?;
        eprintln!("connected to {url} (subprotocol {:?})", response.protocol());
        run(ws, lines).await
    })
}

async fn run<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    ws: WebSocketStream<S>,
    lines: smol::channel::Receiver<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (mut read, mut write) = ws.split();
    let printer = async move {
        while let Some(next) = read.recv().await {
            match next {
                Ok(Message::Text(text)) => println!("< {text}"),
                Ok(Message::Binary(bytes)) => println!("< [{} bytes]", bytes.len()),
                Err(e) => eprintln!("error: {e}"),
            }
        }
        if let Some(closed) = read.closed() {
            eprintln!("closed: code {} {:?}", closed.code, closed.reason.as_str());
        }
    };
    let sender = async move {
        while let Ok(line) = lines.recv().await {
            write.send(line).await?;
        }
        write.send_close(Some(CloseCode::NORMAL), "").await
    };
    let (_, sent) = futures_util::future::join(printer, sender).await;
    Ok(sent?)
}
