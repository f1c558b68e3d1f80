//! The shortest Sansock client: connects, sends its arguments as text messages, prints the
//! replies, and closes with 1000.
//!
//! Run: `cargo run --example tokio_echo`, then
//! `cargo run --example tokio_client -- ws://127.0.0.1:9001/ hello world`.
#![allow(clippy::print_stdout)]

use sansock_tokio::{CloseCode, Message};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "ws://127.0.0.1:9001/".into());
    let (mut ws, _response) = sansock_tokio::connect(&url).await?;
    for text in args {
        ws.send(text).await?;
        match ws.recv().await {
            Some(Ok(Message::Text(reply))) => println!("< {reply}"),
            Some(Ok(Message::Binary(bytes))) => println!("< [{} bytes]", bytes.len()),
            Some(Err(e)) => return Err(e.into()),
            None => break, // the server closed
        }
    }
    let closed = ws.close(Some(CloseCode::NORMAL), "bye").await?;
    println!("closed with {}", closed.code);
    Ok(())
}
