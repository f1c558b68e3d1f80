//! The "Staying connected" chapter: a reconnecting client that subscribes again on each
//! connect, and the loop around it.

// ANCHOR: reconnecting
use sansock_tokio::{Backoff, ClientSettings, HandshakeError, Message, Reconnecting, WsUrl};
use std::time::Duration;

/// Follows a feed at `url` until the server closes it for good; gives what arrived.
pub async fn follow(url: &str) -> Result<Vec<Message>, HandshakeError> {
    let backoff = Backoff::new()
        .initial(Duration::from_secs(1)) // the first wait
        .factor(2.0) // each next wait twice as long
        .max(Duration::from_secs(30)) // but never longer than this
        .jitter(0.5) // each wait drawn from ±50% of it
        .max_attempts(None); // never give up (Some(n): after n failures in a row)
    let mut client = Reconnecting::new(WsUrl::parse(url)?, ClientSettings::new(), backoff)
        // Runs on every new connection before it is handed out: subscribe again.
        .on_connect(async |ws| ws.send("subscribe prices").await)
        // Runs before each retry: the attempt that failed, its error, the wait.
        .on_retry(|attempt, error, wait| {
            tracing::warn!("attempt {attempt} failed ({error}), retrying in {wait:?}");
        });
    let mut received = Vec::new();
    let mut ws = client.connect().await?;
    loop {
        while let Some(Ok(message)) = ws.recv().await {
            received.push(message);
        }
        match client.reconnect(&ws).await? {
            Some(next) => ws = next,
            None => return Ok(received), // closed for good (1000, 1008, …)
        }
    }
}
// ANCHOR_END: reconnecting

#[cfg(test)]
mod tests {
    use sansock_tokio::{CloseCode, Message};

    /// A feed that answers the subscription with one price, closes with 1012 (restarting) the
    /// first time and with 1000 the second: the client reconnects once, then stops.
    #[test]
    fn follows_a_feed_across_a_restart() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("ws://{}/", listener.local_addr().unwrap());
            tokio::spawn(async move {
                for (n, code) in [CloseCode::SERVICE_RESTART, CloseCode::NORMAL]
                    .into_iter()
                    .enumerate()
                {
                    let (tcp, _) = listener.accept().await.unwrap();
                    let mut ws = sansock_tokio::accept(tcp).await.unwrap();
                    let subscription = ws.recv().await.unwrap().unwrap();
                    assert_eq!(subscription, Message::text("subscribe prices"));
                    ws.send(format!("price {n}")).await.unwrap();
                    ws.close(Some(code), "").await.unwrap();
                }
            });
            let received = super::follow(&url).await.unwrap();
            assert_eq!(
                received,
                [Message::text("price 0"), Message::text("price 1")]
            );
        });
    }
}
