//! The write path as the plain `recv`/`send` loop meets it: pipelined echoes leave in a few
//! writes (counted through a transport wrapper), ping-pong answers every message as it is
//! sent, a subscription drained with `feed_prepared` leaves in one write, a lone send reaches the
//! peer, a reply left to the next receive is written on drop, a
//! close to a peer that never reads ends by the close timeout; and the endings and limits the
//! write path must get right (`close` with message parts on, `closed` after a protocol error,
//! timeouts of `Duration::MAX`).
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{bind_local, echo_once, fill_then_close, silent_client};
use futures_util::SinkExt;
use sansock_core::ConnectionConfig;
use sansock_tokio::{
    Accept, ClientSettings, CloseCode, Ending, Error, Initiator, Message, ServerSettings, WsUrl,
};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

/// A transport that counts the write calls that took bytes (a vectored write is one call).
struct Counting {
    inner: DuplexStream,
    writes: Arc<AtomicUsize>,
}

impl AsyncRead for Counting {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counting {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        written
    }

    /// One write for all of `bufs`, as `writev` on a socket (the duplex pipe has none).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let joined: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
        self.poll_write(cx, &joined)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A server running the plain loop over a counting transport, and a client on the other end.
async fn counted_pair() -> (
    sansock_tokio::WebSocketStream<DuplexStream>,
    Arc<AtomicUsize>,
    tokio::task::JoinHandle<()>,
) {
    let (near, far) = tokio::io::duplex(1 << 20);
    let writes = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: far,
        writes: writes.clone(),
    };
    let server = tokio::spawn(async move {
        let mut ws = sansock_tokio::accept(counting).await.unwrap();
        while let Some(Ok(m)) = ws.recv().await {
            if ws.send(m).await.is_err() {
                break;
            }
        }
    });
    let request = WsUrl::parse("ws://localhost/").unwrap().request;
    let (client, _) = sansock_tokio::client(near, &request, ClientSettings::new())
        .await
        .unwrap();
    (client, writes, server)
}

#[tokio::test]
async fn pipelined_echoes_of_the_plain_loop_leave_in_far_fewer_writes_than_messages() {
    let (mut client, writes, _server) = counted_pair().await;
    let before = writes.load(Ordering::Relaxed); // the handshake's
    const N: usize = 64;
    for i in 0..N {
        client
            .feed(Message::from(format!("message {i}")))
            .await
            .unwrap();
    }
    client.flush().await.unwrap(); // all 64 in one write: the server reads them at once
    for i in 0..N {
        let echoed = timeout(LIMIT, client.recv())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(echoed, Message::from(format!("message {i}")));
    }
    let echo_writes = writes.load(Ordering::Relaxed) - before;
    // One write for the batch (a second if the read was cut); it was one per message.
    assert!(echo_writes <= 4, "{N} echoes took {echo_writes} writes");
}

#[tokio::test]
async fn ping_pong_through_the_plain_loop_answers_each_message_as_it_is_sent() {
    let (mut client, writes, _server) = counted_pair().await;
    let before = writes.load(Ordering::Relaxed);
    for i in 0..100 {
        client.send(Message::from(vec![i as u8; 20])).await.unwrap();
        // No later call of the server's is needed for the answer to come.
        let echoed = timeout(LIMIT, client.recv())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(echoed, Message::from(vec![i as u8; 20]));
    }
    assert_eq!(writes.load(Ordering::Relaxed) - before, 100);
}

#[tokio::test]
async fn a_lone_send_reaches_the_peer() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        ws.recv().await
    });
    let (mut client, _) = sansock_tokio::connect(&url).await.unwrap();
    client.send("alone").await.unwrap();
    // The client makes no further call and keeps the connection open.
    let got = timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(got.unwrap().unwrap(), Message::from("alone"));
    drop(client);
}

#[tokio::test]
async fn a_reply_left_to_the_next_receive_is_written_when_the_stream_is_dropped() {
    let (mut client, server) = first_then(Behind::Whole).await;
    // "second" is buffered, so the reply waits for the next receive...
    client.send("reply").await.unwrap();
    assert!(
        client.buffered_amount() > 0,
        "the reply was written at once"
    );
    // ...which never comes: dropping the stream writes it.
    drop(client);
    let got = timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(got.unwrap().unwrap(), Message::from("reply"));
}

/// What the server writes behind "first", in the same write.
enum Behind {
    /// Another whole message, "second".
    Whole,
    /// A ping.
    Ping,
    /// A message of 4 MiB, of which the client's read takes only the start.
    Long,
}

/// A server that writes "first" and then `behind`, and gives the first message the client
/// sends back; the client, once it has received "first".
async fn first_then(
    behind: Behind,
) -> (
    sansock_tokio::ClientStream,
    tokio::task::JoinHandle<Option<Result<Message, Error>>>,
) {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        ws.feed(Message::from("first")).await.unwrap();
        match behind {
            Behind::Whole => {
                ws.feed(Message::from("second")).await.unwrap();
                ws.flush().await.unwrap();
                ws.recv().await
            }
            Behind::Ping => {
                ws.ping(b"behind").await.unwrap();
                ws.recv().await
            }
            // (Written by a half of its own, since the client does not read it all.)
            Behind::Long => {
                let (mut read, mut write) = ws.split();
                let long = Message::from(vec![7u8; 4 << 20]);
                tokio::spawn(async move { write.send(long).await });
                read.recv().await
            }
        }
    });
    let (mut client, _) = sansock_tokio::connect(&url).await.unwrap();
    let first = timeout(LIMIT, client.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first, Message::from("first"));
    (client, server)
}

#[tokio::test]
async fn a_send_with_only_a_ping_or_half_a_message_buffered_writes_at_once() {
    // A ping behind the message, or the start of a long message: the next receive would wait
    // for input, and the caller may be waiting on something else first (another connection,
    // a timer): the reply leaves at once, with no further call of the client's.
    for behind in [Behind::Ping, Behind::Long] {
        let (mut client, server) = first_then(behind).await;
        client.send("reply").await.unwrap();
        assert_eq!(client.buffered_amount(), 0, "the reply waits for a receive");
        let got = timeout(LIMIT, server).await.unwrap().unwrap();
        assert_eq!(got.unwrap().unwrap(), Message::from("reply"));
        drop(client);
    }
}

#[tokio::test]
async fn close_to_a_peer_that_never_reads_ends_by_the_close_timeout() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        fill_then_close(tcp).await
    });
    let _silent = silent_client(&url).await;
    let (closed, took) = timeout(LIMIT, server).await.unwrap().unwrap();
    match closed {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn close_with_message_parts_on_drops_what_arrives_and_closes_cleanly() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let connection = ConnectionConfig::default().with_message_parts(Some(1024));
        let settings = ServerSettings::new().connection(connection);
        let mut ws = sansock_tokio::accept_with(tcp, settings, async |_| Ok(Accept::new()))
            .await
            .unwrap();
        // Wait for the first bytes of the large messages, then close while they arrive.
        let _ = ws.recv_event().await;
        ws.close(Some(CloseCode::NORMAL), "enough").await
    });
    let (mut client, _) = sansock_tokio::connect(&url).await.unwrap();
    for _ in 0..10 {
        if client.send(vec![5u8; 100_000]).await.is_err() {
            break; // the server's close came first
        }
    }
    while let Some(Ok(_)) = timeout(LIMIT, client.recv()).await.unwrap() {}
    let closed = timeout(LIMIT, server).await.unwrap().unwrap().unwrap();
    assert_eq!(closed.code, CloseCode::NORMAL);
    assert!(closed.was_clean());
}

#[tokio::test]
async fn closed_tells_the_ending_after_a_protocol_error() {
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = sansock_tokio::accept(tcp).await.unwrap();
        let error = ws.recv().await;
        (error, ws.closed().cloned())
    });
    let mut raw = silent_client(&url).await;
    // A masked frame with the reserved opcode 3.
    raw.write_all(&[0x83, 0x80, 1, 2, 3, 4]).await.unwrap();
    let (error, closed) = timeout(LIMIT, server).await.unwrap().unwrap();
    assert!(matches!(error, Some(Err(Error::Protocol(_)))), "{error:?}");
    let closed = closed.expect("closed() after a protocol error");
    assert_eq!(closed.code, CloseCode::PROTOCOL_ERROR);
    assert_eq!(closed.ending, Ending::ProtocolError);
    assert_eq!(closed.initiator, Initiator::Local);
}

#[tokio::test]
async fn timeouts_of_duration_max_mean_no_deadline() {
    let forever = Duration::MAX;
    let connection = ConnectionConfig::default()
        .with_keepalive(Some(forever))
        .with_idle_timeout(Some(forever))
        .with_close_timeout(forever);
    let server_settings = ServerSettings::new()
        .connection(connection.clone())
        .handshake_timeout(forever)
        .write_timeout(Some(forever));
    let client_settings = ClientSettings::new()
        .connection(connection)
        .handshake_timeout(forever)
        .write_timeout(Some(forever));
    let (listener, url) = bind_local().await;
    let server = tokio::spawn(echo_once(listener, server_settings));
    let (mut ws, _) = sansock_tokio::connect_with(WsUrl::parse(&url).unwrap(), client_settings)
        .await
        .unwrap();
    ws.send("still here").await.unwrap();
    let echoed = timeout(LIMIT, ws.recv()).await.unwrap().unwrap().unwrap();
    assert_eq!(echoed, Message::from("still here"));
    let closed = timeout(LIMIT, ws.close(Some(CloseCode::NORMAL), ""))
        .await
        .unwrap()
        .unwrap();
    assert!(closed.was_clean());
    timeout(LIMIT, server).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_subscription_drained_with_feed_prepared_leaves_in_one_write_per_batch() {
    use sansock_topics::{SlowPolicy, Topics};
    let (near, far) = tokio::io::duplex(1 << 20);
    let writes = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: far,
        writes: writes.clone(),
    };
    let topics = Topics::new(64, SlowPolicy::Drop);
    let subscription = topics.subscribe("news");
    // 50 messages wait for the subscriber before its writer runs.
    for i in 0..50 {
        topics.publish("news", format!("item {i}"));
    }
    let server = tokio::spawn(async move {
        let mut ws = sansock_tokio::accept(counting).await.unwrap();
        let before = writes.load(Ordering::Relaxed);
        let mut sent = 0;
        while sent < 50 {
            let message = subscription.recv().await.unwrap();
            ws.feed_prepared(&message).await.unwrap();
            sent += 1;
            while let Some(more) = subscription.try_recv() {
                ws.feed_prepared(&more).await.unwrap();
                sent += 1;
            }
            assert!(ws.buffered_amount() > 0, "fed, not written");
            ws.flush().await.unwrap();
            assert_eq!(ws.buffered_amount(), 0);
        }
        let batch_writes = writes.load(Ordering::Relaxed) - before;
        ws.close(None, "").await.ok();
        batch_writes
    });
    let request = WsUrl::parse("ws://localhost/").unwrap().request;
    let (mut client, _) = sansock_tokio::client(near, &request, ClientSettings::new())
        .await
        .unwrap();
    for i in 0..50 {
        let got = timeout(LIMIT, client.recv())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(got, Message::from(format!("item {i}")));
    }
    while let Some(Ok(_)) = client.recv().await {}
    assert_eq!(timeout(LIMIT, server).await.unwrap().unwrap(), 1);
}
