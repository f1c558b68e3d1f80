//! Echo server on smol (or async-std, with its feature): echoes every text and binary message, with whatever
//! subprotocol the client offers first.
//!
//! Run: `cargo run -p sansock-futures --features smol --example futures_echo_server -- 9002`
//! (`--features smol,async-std` and `--async-std` for async-std, discontinued upstream).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use futures_io::{AsyncRead, AsyncWrite};
use sansock_futures::{Accept, ServerSettings, accept_with};
use std::net::SocketAddr;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: u16 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(9002);
    let on_async_std = args.iter().any(|a| a == "--async-std");
    #[cfg(feature = "async-std")]
    if on_async_std {
        return async_std::task::block_on(async {
            let listener = async_std::net::TcpListener::bind(("127.0.0.1", port)).await?;
            println!("echo server (async-std) on ws://{}", listener.local_addr()?);
            loop {
                let (tcp, peer) = listener.accept().await?;
                let _ = tcp.set_nodelay(true);
                async_std::task::spawn(echo(tcp, peer));
            }
        });
    }
    if on_async_std {
        return Err(std::io::Error::other("built without the async-std feature"));
    }
    smol::block_on(async {
        let listener = smol::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("echo server (smol) on ws://{}", listener.local_addr()?);
        loop {
            let (tcp, peer) = listener.accept().await?;
            let _ = tcp.set_nodelay(true);
            smol::spawn(echo(tcp, peer)).detach();
        }
    })
}

async fn echo<S: AsyncRead + AsyncWrite + Unpin>(tcp: S, peer: SocketAddr) {
    let settings = ServerSettings::new();
    let accepted = accept_with(tcp, settings, async |request| {
        Ok(match request.protocols().next() {
            Some(p) => Accept::new().with_protocol(p),
            None => Accept::new(),
        })
    })
    .await;
    let mut ws = match accepted {
        Ok(ws) => ws,
        Err(e) => return eprintln!("{peer}: handshake failed: {e}"),
    };
    println!("{peer}: connected");
    while let Some(next) = ws.recv().await {
        let sent = match next {
            Ok(message) => ws.send(message).await,
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            eprintln!("{peer}: {e}");
            break;
        }
    }
    let code = ws.closed().map(|c| c.code.0);
    println!("{peer}: disconnected (close code {code:?})");
}
