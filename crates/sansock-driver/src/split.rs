//! Split halves: a [`ReadHalf`] and a [`WriteHalf`] over one connection, for two tasks.
//!
//! Both halves share the driver behind a mutex that is only held inside a poll (never across an
//! `.await`). Either half may write: the read half flushes automatic pongs and the close echo
//! even if the write half is idle. Because the transport keeps one waker per direction, each
//! half registers its waker in a small fan-out set and polls the transport with a waker that
//! wakes both; a half can then never be left waiting on readiness the other half consumed.

use crate::Error;
use crate::driver::Driver;
use crate::runtime::{Runtime, Transport};
use crate::stream::WebSocketStream;
use atomic_waker::AtomicWaker;
use core::future::poll_fn;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use futures_core::Stream;
use futures_sink::Sink;
use sansock_core::{CloseCode, Closed, Message};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Wake;

struct Shared<S: Transport<R>, R: Runtime> {
    driver: Mutex<Driver<S, R>>,
    /// What the handshake agreed on, readable without the lock.
    negotiated: crate::driver::Negotiated,
}

/// Wakes the tasks of both halves.
#[derive(Default)]
struct FanOut {
    read: AtomicWaker,
    write: AtomicWaker,
}

impl Wake for FanOut {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.read.wake();
        self.write.wake();
    }
}

struct Half<S: Transport<R>, R: Runtime> {
    shared: Arc<Shared<S, R>>,
    wakers: Arc<FanOut>,
    waker: Waker,
}

impl<S: Transport<R>, R: Runtime> Half<S, R> {
    fn lock(&self) -> MutexGuard<'_, Driver<S, R>> {
        // No code panics while holding the lock, but a poisoned lock still holds a valid driver.
        self.shared
            .driver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The write half set a new deadline (the close timeout): the read half, which may be parked
    /// on the socket with no timer, must poll again to arm it.
    fn deadline_changed(&self) {
        self.wakers.read.wake();
    }

    /// Runs `f` on the driver with the fan-out waker, after registering this half's waker.
    fn poll<T>(
        &self,
        cx: &mut Context<'_>,
        reader: bool,
        f: impl FnOnce(&mut Driver<S, R>, &mut Context<'_>) -> T,
    ) -> T {
        let slot = if reader {
            &self.wakers.read
        } else {
            &self.wakers.write
        };
        slot.register(cx.waker());
        let mut fan_cx = Context::from_waker(&self.waker);
        let mut driver = self.lock();
        if reader && !driver.receives_on(cx.waker()) {
            driver.receiving_task = Some(cx.waker().clone());
        }
        f(&mut driver, &mut fan_cx)
    }

    /// Writes what `queue` queued: left to the next receive only when this task is the one
    /// receiving (the halves used in one task); otherwise written now.
    fn poll_sent(&self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let same_task = self.lock().receives_on(cx.waker());
        self.poll(cx, false, |d, cx| d.poll_sent(cx, same_task))
    }
}

pub(crate) fn split<S: Transport<R>, R: Runtime>(
    driver: Driver<S, R>,
) -> (ReadHalf<S, R>, WriteHalf<S, R>) {
    let shared = Arc::new(Shared {
        negotiated: driver.negotiated.clone(),
        driver: Mutex::new(driver),
    });
    let wakers = Arc::new(FanOut::default());
    let waker = Waker::from(wakers.clone());
    let read = Half {
        shared: shared.clone(),
        wakers: wakers.clone(),
        waker: waker.clone(),
    };
    let write = Half {
        shared,
        wakers,
        waker,
    };
    (ReadHalf { half: read }, WriteHalf { half: write })
}

/// The receiving half of a split [`WebSocketStream`].
pub struct ReadHalf<S: Transport<R>, R: Runtime> {
    half: Half<S, R>,
}

/// The sending half of a split [`WebSocketStream`].
pub struct WriteHalf<S: Transport<R>, R: Runtime> {
    half: Half<S, R>,
}

impl<S: Transport<R>, R: Runtime> core::fmt::Debug for ReadHalf<S, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ReadHalf")
    }
}

impl<S: Transport<R>, R: Runtime> core::fmt::Debug for WriteHalf<S, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WriteHalf")
    }
}

/// The halves passed to [`ReadHalf::reunite`] come from different streams.
#[derive(Debug)]
pub struct ReuniteError<S: Transport<R>, R: Runtime>(pub ReadHalf<S, R>, pub WriteHalf<S, R>);

impl<S: Transport<R>, R: Runtime> ReadHalf<S, R> {
    /// The next message; as [`WebSocketStream::recv`] (and cancel-safe likewise).
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        poll_fn(|cx| self.half.poll(cx, true, |d, cx| d.poll_next_message(cx))).await
    }

    /// The next event of any kind; as [`WebSocketStream::recv_event`].
    pub async fn recv_event(&mut self) -> Option<Result<sansock_core::Event, Error>> {
        poll_fn(|cx| self.half.poll(cx, true, |d, cx| d.poll_event(cx))).await
    }

    /// Live counters of the connection, as the stream's `stats`.
    pub fn stats(&self) -> sansock_core::Stats {
        self.half.lock().conn.stats()
    }

    /// How the connection ended, once it has.
    pub fn closed(&self) -> Option<Closed> {
        self.half.lock().closed().cloned()
    }

    /// The subprotocol the handshake agreed on.
    pub fn protocol(&self) -> Option<&str> {
        self.half.shared.negotiated.protocol.as_deref()
    }

    /// The extensions the handshake agreed on.
    pub fn extensions(&self) -> Option<&str> {
        self.half.shared.negotiated.extensions.as_deref()
    }

    /// Puts the halves back together.
    ///
    /// # Errors
    /// [`ReuniteError`] (with both halves) if they belong to different streams.
    pub fn reunite(
        self,
        write: WriteHalf<S, R>,
    ) -> Result<WebSocketStream<S, R>, ReuniteError<S, R>> {
        if !Arc::ptr_eq(&self.half.shared, &write.half.shared) {
            return Err(ReuniteError(self, write));
        }
        let shared = self.half.shared;
        drop(write);
        match Arc::try_unwrap(shared) {
            Ok(shared) => {
                let driver = shared
                    .driver
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(WebSocketStream::from_driver(driver))
            }
            Err(_) => unreachable_two_halves(),
        }
    }
}

#[cold]
fn unreachable_two_halves() -> ! {
    // Only the two halves hold the Arc, and both were consumed above.
    panic!("a split stream has exactly two halves")
}

impl<S: Transport<R>, R: Runtime> WriteHalf<S, R> {
    /// Sends a message; as [`WebSocketStream::send`].
    ///
    /// # Errors
    /// As [`WebSocketStream::send`].
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.send_with(message.into(), true).await
    }

    /// Sends a message uncompressed; as [`WebSocketStream::send_uncompressed`].
    ///
    /// # Errors
    /// As [`WebSocketStream::send`].
    pub async fn send_uncompressed(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.send_with(message.into(), false).await
    }

    async fn send_with(&mut self, message: Message, compress: bool) -> Result<(), Error> {
        self.queue_and_flush(|d| match compress {
            true => d.start_send(&message),
            false => d.start_send_uncompressed(&message),
        })
        .await
    }

    /// Waits until the output is under the high-water mark, queues with `queue` (holding the
    /// lock), and writes.
    async fn queue_and_flush(
        &mut self,
        queue: impl FnOnce(&mut Driver<S, R>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        poll_fn(|cx| self.half.poll(cx, false, |d, cx| d.poll_writable(cx))).await?;
        queue(&mut self.half.lock())?;
        poll_fn(|cx| self.half.poll_sent(cx)).await
    }

    /// Sends a prepared message; as [`WebSocketStream::send_prepared`].
    ///
    /// # Errors
    /// As [`WebSocketStream::send`].
    pub async fn send_prepared(
        &mut self,
        prepared: &sansock_core::PreparedMessage,
    ) -> Result<(), Error> {
        self.queue_and_flush(|d| d.start_send_prepared(prepared))
            .await
    }

    /// Queues a prepared message without writing it; as [`WebSocketStream::feed_prepared`]
    /// ([`flush`](Self::flush) writes what was fed).
    ///
    /// # Errors
    /// As [`WebSocketStream::send`].
    pub async fn feed_prepared(
        &mut self,
        prepared: &sansock_core::PreparedMessage,
    ) -> Result<(), Error> {
        poll_fn(|cx| self.half.poll(cx, false, |d, cx| d.poll_writable(cx))).await?;
        self.half.lock().start_send_prepared(prepared)
    }

    /// Sends a message part; as [`WebSocketStream::send_part`].
    ///
    /// # Errors
    /// As [`WebSocketStream::send_part`].
    pub async fn send_part(&mut self, part: &sansock_core::MessagePart) -> Result<(), Error> {
        self.queue_and_flush(|d| d.start_send_part(part)).await
    }

    /// Sends a ping.
    ///
    /// # Errors
    /// As [`WebSocketStream::ping`].
    pub async fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.queue_and_flush(|d| d.start_ping(payload)).await
    }

    /// Sends a close frame and writes it (what was queued before goes first); the read half
    /// sees the peer's answer and ends. Waits at most the close timeout for the transport.
    /// (The stream's `close` also waits for the answer; this, like `SinkExt::close`, does not.)
    ///
    /// # Errors
    /// An invalid code or reason; I/O errors; [`Error::AbnormalClose`] when the close timeout
    /// (or the write timeout) passed before the transport took it.
    pub async fn send_close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), Error> {
        self.half.lock().start_close(code, reason)?;
        self.half.deadline_changed();
        self.flush().await
    }

    /// Writes everything queued (running the connection's timers while it waits).
    ///
    /// # Errors
    /// I/O errors; [`Error::AbnormalClose`] when a deadline ended the connection meanwhile.
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.half.poll(cx, false, |d, cx| d.poll_flush(cx))).await
    }

    /// Bytes queued for the transport and not yet written.
    pub fn buffered_amount(&self) -> usize {
        self.half.lock().conn.transmit_len()
    }

    /// Live counters of the connection, as the stream's `stats`.
    pub fn stats(&self) -> sansock_core::Stats {
        self.half.lock().conn.stats()
    }
}

impl<S: Transport<R>, R: Runtime> Stream for ReadHalf<S, R> {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.half.poll(cx, true, |d, cx| d.poll_next_message(cx))
    }
}

impl<S: Transport<R>, R: Runtime> Sink<Message> for WriteHalf<S, R> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.half.poll(cx, false, |d, cx| d.poll_writable(cx))
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Error> {
        self.half.lock().start_send(&item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.half.poll(cx, false, |d, cx| d.poll_flush(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.half.lock().start_close(Some(CloseCode::NORMAL), "")?;
        self.half.deadline_changed();
        self.half.poll(cx, false, |d, cx| d.poll_flush(cx))
    }
}
