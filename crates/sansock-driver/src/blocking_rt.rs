//! The blocking runtime: `std::io::Read + Write` streams driven on the caller's thread.
//!
//! The drive loop is poll-based; here it runs with a no-op waker ([`block_on`]). A read or a
//! write blocks the thread, but never past the connection's next deadline: the [`Transport`] of every
//! [`BlockingStream`] shortens the stream's read or write timeout to it (restoring the caller's
//! own timeout afterwards) and answers `Pending` when that deadline, not the caller's timeout, ended the
//! call — the loop then fires the timer and goes on. `WouldBlock` and `TimedOut` from the
//! caller's socket settings (a non-blocking socket among them) go back to the caller.

use crate::runtime::{Runtime, Timer, Transport, read_into_spare};
use bytes::BytesMut;
use core::task::{Context, Poll, Waker};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// The blocking runtime marker.
#[derive(Debug, Clone, Copy)]
pub struct Blocking;

impl Runtime for Blocking {
    type Timer = Deadline;
    const BLOCKS: bool = true;
}

/// A timer that only compares the clock with its deadline (the blocking read waits for it).
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Timer for Deadline {
    fn at(deadline: Instant) -> Self {
        Deadline(deadline)
    }

    fn reset(&mut self, deadline: Instant) {
        self.0 = deadline;
    }

    fn poll_elapsed(&mut self, _cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A blocking byte stream: `Read + Write`, and — where the stream has them — read and write
/// timeouts, so that a blocked read or write ends in time for the connection's deadlines
/// (keepalive, close, idle and write timeouts).
///
/// `TcpStream`, `UnixStream` and the TLS streams of `sansock-blocking` implement it. For any
/// other `Read + Write`, an empty `impl BlockingStream for MyStream {}` will do: its deadlines
/// then fire at the first call after they pass.
pub trait BlockingStream: Read + Write {
    /// The stream's read timeout as the application set it. Default: none.
    ///
    /// # Errors
    /// As the stream's own getter.
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(None)
    }

    /// Sets the read timeout (never to zero). Default: does nothing.
    ///
    /// # Errors
    /// As the stream's own setter.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Ok(())
    }

    /// The stream's write timeout as the application set it. Default: none.
    ///
    /// # Errors
    /// As the stream's own getter.
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(None)
    }

    /// Sets the write timeout (never to zero). Default: does nothing.
    ///
    /// # Errors
    /// As the stream's own setter.
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Ok(())
    }

    /// Ends the write side (TCP FIN). Default: flushes.
    ///
    /// # Errors
    /// As the stream's own shutdown.
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.flush()
    }
}

/// `BlockingStream` for a socket type with std's timeout getters and setters and `shutdown`.
macro_rules! socket_stream {
    ($ty:ty) => {
        impl BlockingStream for $ty {
            fn read_timeout(&self) -> io::Result<Option<Duration>> {
                <$ty>::read_timeout(self)
            }

            fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
                <$ty>::set_read_timeout(self, timeout)
            }

            fn write_timeout(&self) -> io::Result<Option<Duration>> {
                <$ty>::write_timeout(self)
            }

            fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
                <$ty>::set_write_timeout(self, timeout)
            }

            fn shutdown_write(&mut self) -> io::Result<()> {
                self.shutdown(std::net::Shutdown::Write)
            }
        }
    };
}

socket_stream!(std::net::TcpStream);
#[cfg(unix)]
socket_stream!(std::os::unix::net::UnixStream);

impl<S: BlockingStream + ?Sized> BlockingStream for Box<S> {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        (**self).read_timeout()
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_read_timeout(timeout)
    }

    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        (**self).write_timeout()
    }

    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_write_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        (**self).shutdown_write()
    }
}

/// Which of the stream's timeouts bounds a call.
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

/// How the [`Blocking`] runtime bounds a call on a [`BlockingStream`] by a deadline.
trait Bounded: BlockingStream {
    fn timeout(&self, direction: Direction) -> io::Result<Option<Duration>> {
        match direction {
            Direction::Read => self.read_timeout(),
            Direction::Write => self.write_timeout(),
        }
    }

    fn set_timeout(&self, direction: Direction, timeout: Option<Duration>) -> io::Result<()> {
        match direction {
            Direction::Read => self.set_read_timeout(timeout),
            Direction::Write => self.set_write_timeout(timeout),
        }
    }

    /// Runs `call` once, never blocking past `deadline` unless the caller's own timeout is
    /// shorter. `Pending` only when our deadline ended it; a `WouldBlock` or `TimedOut` that
    /// came sooner is the caller's (a non-blocking socket, a timeout of their own) and goes
    /// back to them — looping on it would spin.
    fn bounded<T>(
        &mut self,
        direction: Direction,
        deadline: Option<Instant>,
        mut call: impl FnMut(&mut Self) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        let Some(deadline) = deadline else {
            return Poll::Ready(retry_interrupted(|| call(self)));
        };
        let start = Instant::now();
        let bound = deadline
            .saturating_duration_since(start)
            .max(Duration::from_millis(1));
        let caller = self.timeout(direction)?;
        let ours = match caller {
            Some(c) if c <= bound => None,
            _ => Some(bound),
        };
        if ours.is_some() {
            self.set_timeout(direction, ours)?;
        }
        let result = retry_interrupted(|| call(self));
        if ours.is_some() {
            self.set_timeout(direction, caller)?;
        }
        match (result, ours) {
            // At least half our timeout went by: it was ours that ended the call.
            (Err(e), Some(t)) if timed_out(&e) && start.elapsed() * 2 >= t => Poll::Pending,
            (other, _) => Poll::Ready(other),
        }
    }
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl<S: BlockingStream + ?Sized> Bounded for S {}

/// Every [`BlockingStream`] is a transport of the [`Blocking`] runtime.
impl<S: BlockingStream + Unpin> Transport<Blocking> for S {
    fn poll_read_buf(
        &mut self,
        _cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        read_into_spare(buf, |spare| {
            self.bounded(Direction::Read, deadline, |s| s.read(spare))
        })
    }

    fn poll_read_into(
        &mut self,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        self.bounded(Direction::Read, deadline, |s| s.read(buf))
    }

    fn poll_write(
        &mut self,
        _cx: &mut Context<'_>,
        buf: &[u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        self.bounded(Direction::Write, deadline, |s| s.write(buf))
    }

    fn poll_write_vectored(
        &mut self,
        _cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        self.bounded(Direction::Write, deadline, |s| s.write_vectored(bufs))
    }

    fn poll_flush(
        &mut self,
        _cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        self.bounded(Direction::Write, deadline, |s| s.flush())
    }

    fn poll_shutdown(
        &mut self,
        _cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        self.bounded(Direction::Write, deadline, |s| s.shutdown_write())
    }
}

fn retry_interrupted<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Runs a future of the blocking runtime (a handshake, say) to completion on this thread.
pub fn wait<F: std::future::Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    block_on(|cx| future.as_mut().poll(cx))
}

/// Runs a poll function of the blocking runtime to completion on this thread.
///
/// Blocking transports only answer `Pending` when a deadline has come (the read was bounded by
/// it), so polling again makes progress: the timer is due now.
pub fn block_on<T>(mut poll: impl FnMut(&mut Context<'_>) -> Poll<T>) -> T {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = poll(&mut cx) {
            return v;
        }
    }
}
