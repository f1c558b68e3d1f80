//! The blocking runtime: `std::io::Read + Write` streams driven on the caller's thread.
//!
//! The drive loop is poll-based; here it runs with a no-op waker ([`block_on`]). A read blocks
//! the thread, but never past the core's next deadline: [`BlockingIo`] shortens the stream's
//! read timeout to it (restoring the caller's own timeout afterwards) and answers `Pending` when
//! that deadline, not the caller's timeout, ended the read — the loop then fires the timer and
//! goes on. `WouldBlock` and `TimedOut` from the caller's socket settings go back to the caller.

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

/// A blocking byte stream: `Read + Write`, and — where the stream has them — read timeouts, so
/// that a blocked read ends in time for the connection's deadlines (close timeout, keepalive).
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

    /// Ends the write side (TCP FIN). Default: flushes.
    ///
    /// # Errors
    /// As the stream's own shutdown.
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.flush()
    }
}

impl BlockingStream for std::net::TcpStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        std::net::TcpStream::read_timeout(self)
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

#[cfg(unix)]
impl BlockingStream for std::os::unix::net::UnixStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        std::os::unix::net::UnixStream::read_timeout(self)
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

impl<S: BlockingStream + ?Sized> BlockingStream for Box<S> {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        (**self).read_timeout()
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_read_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        (**self).shutdown_write()
    }
}

/// A [`BlockingStream`] as a [`Transport`] of the [`Blocking`] runtime.
#[derive(Debug)]
pub struct BlockingIo<S>(pub S);

impl<S: BlockingStream> BlockingIo<S> {
    /// Reads once, never blocking past `deadline` unless the caller's own timeout is shorter.
    fn read_bounded(
        &mut self,
        spare: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        let bound = deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        let caller = match bound {
            Some(_) => self.0.read_timeout()?,
            None => None,
        };
        let ours = match (bound, caller) {
            (Some(b), None) => Some(b),
            (Some(b), Some(c)) if b < c => Some(b),
            _ => None,
        };
        if let Some(t) = ours {
            self.0.set_read_timeout(Some(t))?;
        }
        let result = loop {
            match self.0.read(spare) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        if ours.is_some() {
            self.0.set_read_timeout(caller)?;
        }
        match result {
            Err(e) if ours.is_some() && timed_out(&e) => Poll::Pending,
            other => Poll::Ready(other),
        }
    }
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl<S: BlockingStream + Unpin> Transport<Blocking> for BlockingIo<S> {
    fn poll_read_buf(
        &mut self,
        _cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        read_into_spare(buf, |spare| self.read_bounded(spare, deadline))
    }

    fn poll_read_into(
        &mut self,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        self.read_bounded(buf, deadline)
    }

    fn poll_write(&mut self, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(retry_interrupted(|| self.0.write(buf)))
    }

    fn poll_write_vectored(
        &mut self,
        _cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(retry_interrupted(|| self.0.write_vectored(bufs)))
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(retry_interrupted(|| self.0.flush()))
    }

    fn poll_shutdown(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown_write())
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
