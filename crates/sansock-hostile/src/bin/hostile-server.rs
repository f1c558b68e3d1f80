//! `hostile-server PORT`: the echo server the hostile-peer suite attacks — Sansock on tokio,
//! the plain `recv`/`send` loop, with `sansock_hostile::settings`. Prints `ready` once it
//! listens on 127.0.0.1:PORT (0: any free port, printed as `ready PORT`).
#![allow(clippy::print_stdout)]

use sansock_core::MemoryBudget;
use std::io::Write;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("ready {}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    let budget = MemoryBudget::new(sansock_hostile::BUDGET);
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let settings = sansock_hostile::settings(&budget);
        tokio::spawn(async move {
            let accepted = sansock_tokio::accept_with(tcp, settings, async |_| {
                Ok(sansock_tokio::Accept::new())
            })
            .await;
            let Ok(mut ws) = accepted else { return };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
}
