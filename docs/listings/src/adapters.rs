//! The adapter chapter's listing: one echo server, written for each adapter. Only the types
//! and the way of waiting differ; the calls are the same.

// ANCHOR: tokio
/// Echo on tokio: a task per connection.
pub async fn echo_tokio(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let Ok(mut ws) = sansock_tokio::accept(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
}
// ANCHOR_END: tokio

// ANCHOR: smol
/// Echo on smol: the same, with smol's listener and tasks.
pub async fn echo_smol(listener: smol::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (tcp, _) = listener.accept().await?;
        smol::spawn(async move {
            let Ok(mut ws) = sansock_futures::accept(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        })
        .detach();
    }
}
// ANCHOR_END: smol

// ANCHOR: async_std
/// Echo on async-std.
pub async fn echo_async_std(listener: async_std::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (tcp, _) = listener.accept().await?;
        async_std::task::spawn(async move {
            let Ok(mut ws) = sansock_futures::accept(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
}
// ANCHOR_END: async_std

// ANCHOR: blocking
/// Echo on blocking std::net: a thread per connection.
pub fn echo_blocking(listener: std::net::TcpListener) -> std::io::Result<()> {
    for tcp in listener.incoming() {
        let tcp = tcp?;
        std::thread::spawn(move || {
            let Ok(mut ws) = sansock_blocking::accept(tcp) else {
                return;
            };
            while let Ok(Some(message)) = ws.recv() {
                if ws.send(message).is_err() {
                    break;
                }
            }
        });
    }
    Ok(())
}
// ANCHOR_END: blocking

// ANCHOR: compio
/// Echo on compio (io_uring): a task per connection on this thread's runtime.
pub async fn echo_compio(listener: compio::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (tcp, _) = listener.accept().await?;
        compio::runtime::spawn(async move {
            let Ok(mut ws) = sansock_compio::accept(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        })
        .detach();
    }
}
// ANCHOR_END: compio

// ANCHOR: batch
/// Echo on tokio in batches: every message one read brought, handed to a closure, small ones
/// borrowed from the stack; the replies leave together when the next batch starts.
pub async fn echo_tokio_batches(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use sansock_tokio::Received;
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let Ok(mut ws) = sansock_tokio::accept(tcp).await else {
                return;
            };
            let echo =
                |received: Received<'_>, outbox: &mut sansock_tokio::Outbox<'_>| match received {
                    Received::Message(message) => outbox.send(message),
                    Received::Part(part) => outbox.send_part(part),
                };
            while let Ok(n) = ws.recv_batch(echo).await {
                if n == 0 {
                    break; // closed cleanly
                }
            }
        });
    }
}
// ANCHOR_END: batch

// ANCHOR: settings
/// A tokio echo server with settings: deflate, a 1 MiB message limit, pings every 15 s, a
/// 5 s handshake, and one memory budget for every connection.
pub async fn echo_tokio_with_settings(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use sansock_tokio::{Accept, MemoryBudget, PerMessageDeflate, ServerSettings};
    use std::time::Duration;
    let settings = ServerSettings::new()
        .deflate(PerMessageDeflate::default())
        .max_message_size(1 << 20)
        .keepalive(Duration::from_secs(15))
        .handshake_timeout(Duration::from_secs(5))
        .memory_budget(MemoryBudget::new(256 << 20));
    loop {
        let (tcp, _) = listener.accept().await?;
        let settings = settings.clone(); // clones share the budget
        tokio::spawn(async move {
            let accepted = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()));
            let Ok(mut ws) = accepted.await else { return };
            while let Some(Ok(message)) = ws.recv().await {
                if ws.send(message).await.is_err() {
                    break;
                }
            }
        });
    }
}
// ANCHOR_END: settings

#[cfg(test)]
mod tests {
    use sansock_blocking::Message;
    use std::net::TcpListener;

    /// A blocking client's round trip through the echo server at `addr`.
    fn round_trip(addr: std::net::SocketAddr) {
        let (mut ws, _) = sansock_blocking::connect(&format!("ws://{addr}/")).unwrap();
        ws.send("echo?").unwrap();
        assert_eq!(ws.recv().unwrap().unwrap(), Message::from("echo?"));
        assert!(ws.close(None, "").unwrap().was_clean());
    }

    fn std_listener() -> (TcpListener, std::net::SocketAddr) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        (l, addr)
    }

    #[test]
    fn every_listing_echoes() {
        on_tokio(super::echo_tokio);
        on_tokio(super::echo_tokio_with_settings);

        let (l, addr) = std_listener();
        std::thread::spawn(move || {
            smol::block_on(super::echo_smol(
                smol::net::TcpListener::try_from(l).unwrap(),
            ))
        });
        round_trip(addr);

        let (l, addr) = std_listener();
        std::thread::spawn(move || async_std::task::block_on(super::echo_async_std(l.into())));
        round_trip(addr);

        let (l, addr) = std_listener();
        std::thread::spawn(move || super::echo_blocking(l));
        round_trip(addr);

        let (l, addr) = std_listener();
        std::thread::spawn(move || {
            let runtime = compio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                super::echo_compio(compio::net::TcpListener::from_std(l).unwrap()).await
            })
        });
        round_trip(addr);

        on_tokio(super::echo_tokio_batches);
    }

    /// Runs the tokio listing `echo` on a thread of its own and makes a round trip through it.
    fn on_tokio<F: Future<Output = std::io::Result<()>> + 'static>(
        echo: fn(tokio::net::TcpListener) -> F,
    ) {
        let (l, addr) = std_listener();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                l.set_nonblocking(true).unwrap();
                echo(tokio::net::TcpListener::from_std(l).unwrap()).await
            })
        });
        round_trip(addr);
    }
}
