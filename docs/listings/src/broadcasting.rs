//! The "Broadcasting" chapter: a server whose every connection subscribes to one topic, and a
//! publish that frames a message once for all of them.

// ANCHOR: topics
use sansock_tokio::{CloseCode, Error, PreparedMessage};
use sansock_topics::{SlowPolicy, Subscription, Topics};
use tokio::net::{TcpListener, TcpStream};

type WriteHalf = sansock_tokio::WriteHalf<TcpStream>;

/// Serves `listener`: every connection gets what is published to `"news"`; what a
/// connection says is published to everyone.
pub async fn serve(listener: TcpListener, topics: Topics) {
    while let Ok((tcp, _)) = listener.accept().await {
        let topics = topics.clone();
        tokio::spawn(async move {
            let Ok(ws) = sansock_tokio::accept(tcp).await else {
                return;
            };
            let subscription = topics.subscribe("news");
            let (mut read, mut write) = ws.split();
            let writer = tokio::spawn(async move {
                loop {
                    tokio::select! {
                        // Dropped for being slow (its queue full): say why and stop.
                        () = subscription.dropped() => {
                            let _ = write.send_close(Some(CloseCode::POLICY_VIOLATION), "too slow").await;
                            return;
                        }
                        next = subscription.recv() => match next {
                            // The same frame bytes for every subscriber: no re-encoding.
                            Some(message) => if send(&mut write, &subscription, &message).await.is_err() { return },
                            None => return,
                        },
                    }
                }
            });
            while let Some(Ok(message)) = read.recv().await {
                topics.publish("news", message);
            }
            writer.abort();
        });
    }
}

// ANCHOR: writer
/// Sends `message` and whatever queued up behind it, in one write.
async fn send(
    write: &mut WriteHalf,
    subscription: &Subscription,
    message: &PreparedMessage,
) -> Result<(), Error> {
    write.feed_prepared(message).await?;
    while let Some(more) = subscription.try_recv() {
        write.feed_prepared(&more).await?;
    }
    write.flush().await
}
// ANCHOR_END: writer

/// The topics: 64 messages queued at most per subscriber, the slow dropped.
pub fn topics() -> Topics {
    Topics::new(64, SlowPolicy::Drop)
}
// ANCHOR_END: topics

#[cfg(test)]
mod tests {
    use super::*;
    use sansock_tokio::Message;

    #[test]
    fn every_subscriber_gets_every_publish() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("ws://{}/", listener.local_addr().unwrap());
            let topics = topics();
            tokio::spawn(serve(listener, topics.clone()));
            let mut clients = Vec::new();
            for _ in 0..3 {
                clients.push(sansock_tokio::connect(&url).await.unwrap().0);
            }
            while topics.subscribers("news") < 3 {
                tokio::task::yield_now().await;
            }
            let published = topics.publish("news", "from the server");
            assert_eq!(published.delivered, 3);
            clients[0].send("from a client").await.unwrap();
            for client in &mut clients {
                let seen = vec![
                    client.recv().await.unwrap().unwrap(),
                    client.recv().await.unwrap().unwrap(),
                ];
                assert_eq!(
                    seen,
                    [
                        Message::text("from the server"),
                        Message::text("from a client")
                    ]
                );
            }
        });
    }
}
