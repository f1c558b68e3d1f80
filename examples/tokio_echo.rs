//! The shortest Sansock server: a WebSocket echo on tokio, one task per connection.
//!
//! Run: `cargo run --example tokio_echo`, then `cargo run --example tokio_client`.
#![allow(clippy::print_stdout)]

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "9001".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("echo on ws://{}/", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let Ok(mut ws) = sansock_tokio::accept(tcp).await else {
                return; // not a valid upgrade: answered with 400 and closed
            };
            // Text comes back as text, binary as binary; pings are answered for you.
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
}
