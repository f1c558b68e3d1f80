//! Echo server on tokio: echoes every text and binary message.
//!
//! Run: `cargo run -p sansock-tokio --example tokio_echo_server -- 9001`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_tokio::accept;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(9001);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("echo server on ws://{}", listener.local_addr()?);
    loop {
        let (tcp, peer) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        tokio::spawn(async move {
            let mut ws = match accept(tcp).await {
                Ok(ws) => ws,
                Err(e) => return eprintln!("{peer}: handshake failed: {e}"),
            };
            println!("{peer}: connected");
            while let Some(next) = ws.recv().await {
                match next {
                    Ok(message) => {
                        if let Err(e) = ws.send(message).await {
                            eprintln!("{peer}: {e}");
                            break;
                        }
                    }
                    Err(e) => {
                        eprintln!("{peer}: {e}");
                        break;
                    }
                }
            }
            let code = ws.closed().map(|c| c.code.0);
            println!("{peer}: disconnected (close code {code:?})");
        });
    }
}
