//! What the drive loop needs of a runtime: a [`Transport`] to read and write bytes, and a
//! [`Timer`] to wait for the core's next deadline. Each adapter's runtime is a marker type
//! implementing [`Runtime`]; the implementations live in `tokio_rt`, `futures_rt` and
//! `blocking_rt`. Nothing here knows about WebSocket.

use bytes::BytesMut;
use core::task::{Context, Poll};
use std::io;
use std::time::Instant;

/// A family of transports and a timer: tokio, the futures-io runtimes, or blocking `std::io`.
///
/// The marker type parameter keeps the families apart, so that one type may be, say, both a
/// tokio and a futures-io stream.
pub trait Runtime: Sized + 'static {
    /// Waits for an instant.
    type Timer: Timer;
    /// Its transports block the thread, so reads and writes are given the next deadline to
    /// stop at (the async runtimes wait on their timer instead and are given none). Set by
    /// Sansock's blocking runtime only, so hidden from the docs.
    #[doc(hidden)]
    const BLOCKS: bool = false;
}

/// A one-shot timer that can be moved to another deadline.
pub trait Timer: Unpin {
    /// A timer that fires at `deadline`.
    fn at(deadline: Instant) -> Self;
    /// Moves the timer to `deadline`.
    fn reset(&mut self, deadline: Instant);
    /// Ready once the deadline has passed; otherwise registers `cx`'s waker.
    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()>;
}

/// A byte stream of runtime `R`.
///
/// Errors of kind `WouldBlock` or `TimedOut` are not fatal: the drive loop hands them to the
/// caller and keeps every byte and all state, so the call can be repeated.
pub trait Transport<R: Runtime>: Unpin {
    /// `poll_read_buf` reads into uninitialised spare capacity at no cost (tokio's `ReadBuf`),
    /// so the driver may read between frames into a buffer it hands over to the core whole;
    /// otherwise it reads into an initialised scratch buffer and the core copies. An
    /// optimisation set by Sansock's tokio transport only, so hidden from the docs.
    #[doc(hidden)]
    const READS_UNINIT: bool = false;
    /// Its reads own their buffer while they are in flight (io_uring): the driver reads every
    /// time into the connection's own receive buffer (never into one that connections
    /// share), and lets the transport keep it until the read completes (see
    /// [`poll_read_buf`](Self::poll_read_buf)). Set by `sansock-compio`'s transports, so
    /// hidden from the docs.
    #[doc(hidden)]
    const READS_OWNED: bool = false;
    /// Appends bytes read from the transport to `buf`'s end (`buf` has spare capacity);
    /// `Ok(0)` is the end of the stream. `deadline` is when the caller's timer fires: a
    /// transport that blocks the thread must not block past it (it returns `Pending` then);
    /// others ignore it.
    ///
    /// A transport whose reads own their buffer (io_uring's) may take `buf` into the read it
    /// starts, leaving `buf` empty with no capacity, and answer `Pending`: it is then called
    /// with an empty `buf` until the read completes, and puts the buffer back into `buf`
    /// (whatever the read appended included, also on an error).
    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>>;
    /// Reads into `buf`, which is initialised memory (the scratch buffer connections share
    /// between frames, zeroed once per thread), returning how much; `Ok(0)` is the end of the
    /// stream. `deadline` as for [`poll_read_buf`](Self::poll_read_buf).
    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>>;
    /// Writes some of `buf`, returning how much. `deadline` as for reads: a transport that
    /// blocks the thread must not block past it (it returns `Pending` then, having written
    /// nothing); others ignore it.
    ///
    /// A transport whose writes own their buffer (io_uring's) may take a copy of `buf` into
    /// the write it starts and answer `Pending`: it is then called again with the same bytes
    /// at the front of `buf` (more may follow) and answers how many of them were written.
    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>>;
    /// Writes some of `bufs`, in order, returning how much (one `writev` where the transport
    /// has it; otherwise writing from the first non-empty slice is enough). `deadline` as for
    /// [`poll_write`](Self::poll_write).
    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>>;
    /// Flushes buffered output; `deadline` as for [`poll_write`](Self::poll_write).
    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>>;
    /// Ends the write side (TCP FIN, TLS close_notify); `deadline` as for
    /// [`poll_write`](Self::poll_write).
    fn poll_shutdown(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>>;
}

/// Appends what `read` puts into a zeroed slice to `buf`, for transports that read into `&mut
/// [u8]` (futures-io, `std::io`). The slice is the buffer's spare capacity, at most 64 KiB. Only
/// reads into a frame under way (large messages) come here and pay for the zeroing; reads
/// between frames go to the thread's scratch buffer through `poll_read_into`, zeroed once
/// (tokio's transports read into uninitialised memory and pay nothing either way).
pub fn read_into_spare(
    buf: &mut BytesMut,
    read: impl FnOnce(&mut [u8]) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<usize>> {
    const MAX_CHUNK: usize = 64 << 10;
    let start = buf.len();
    let chunk = (buf.capacity() - start).clamp(1, MAX_CHUNK);
    // Safe Rust cannot read into uninitialised memory.
    buf.resize(start + chunk, 0);
    let result = read(&mut buf[start..]);
    let got = match &result {
        Poll::Ready(Ok(n)) => (*n).min(chunk),
        _ => 0,
    };
    buf.truncate(start + got);
    result
}

/// The instant `timeout` from now; one thirty years away (as good as never, and still an
/// instant every timer takes) when `timeout` is too long for an `Instant` (`Duration::MAX`).
pub fn deadline_after(timeout: core::time::Duration) -> Instant {
    const NEVER: core::time::Duration = core::time::Duration::from_secs(30 * 365 * 24 * 3600);
    let now = Instant::now();
    now.checked_add(timeout.min(NEVER)).unwrap_or(now)
}

/// True for the I/O errors after which the same call can be made again: the transport is not
/// broken, it had nothing to give yet (a non-blocking socket, a socket read or write timeout).
pub(crate) fn is_retryable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Writes the write side of the [`Transport`] of an async runtime, whose streams are
/// `$write` (tokio's or futures-io's `AsyncWrite`, which closes with `$close`): each call goes
/// to the stream as it is; the deadline is the runtime's timer's, not the stream's.
#[cfg(any(feature = "tokio", feature = "futures-io"))]
macro_rules! async_writes {
    ($write:path, $close:ident) => {
        fn poll_write(
            &mut self,
            cx: &mut Context<'_>,
            buf: &[u8],
            _deadline: Option<Instant>,
        ) -> Poll<io::Result<usize>> {
            <Self as $write>::poll_write(Pin::new(self), cx, buf)
        }

        fn poll_write_vectored(
            &mut self,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
            _deadline: Option<Instant>,
        ) -> Poll<io::Result<usize>> {
            <Self as $write>::poll_write_vectored(Pin::new(self), cx, bufs)
        }

        fn poll_flush(
            &mut self,
            cx: &mut Context<'_>,
            _deadline: Option<Instant>,
        ) -> Poll<io::Result<()>> {
            <Self as $write>::poll_flush(Pin::new(self), cx)
        }

        fn poll_shutdown(
            &mut self,
            cx: &mut Context<'_>,
            _deadline: Option<Instant>,
        ) -> Poll<io::Result<()>> {
            <Self as $write>::$close(Pin::new(self), cx)
        }
    };
}
#[cfg(any(feature = "tokio", feature = "futures-io"))]
pub(crate) use async_writes;
