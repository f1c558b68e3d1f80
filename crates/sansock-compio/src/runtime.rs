//! compio's pieces for the drive loop: the [`Compio`] runtime marker, its [`CompioTimer`], and
//! [`TcpStream`], compio's TCP stream as a [`Transport`] whose reads and writes own their
//! buffers, as io_uring wants. A read goes straight into the connection's own receive buffer,
//! lent to the kernel until the read completes (no copy; the driver knows such transports by
//! `READS_OWNED`). A write takes the connection's output into a buffer the stream keeps and
//! reuses, and hands it to the kernel. The TLS stream over it is `tls.rs`'s; the driver, which
//! knows nothing of compio, is `sansock-driver`.

use crate::slot::{Op, slot};
use bytes::BytesMut;
use compio::BufResult;
use compio::io::{AsyncReadExt, AsyncWrite};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use sansock_driver::{Runtime, Timer, Transport};
use std::io;
use std::time::Instant;

/// The compio runtime marker: one thread per core, each with its own io_uring (or epoll where
/// io_uring is missing or forbidden; IOCP on Windows).
#[derive(Debug, Clone, Copy)]
pub struct Compio;

impl Runtime for Compio {
    type Timer = CompioTimer;
}

/// A sleep on compio's timer (its future cannot be named).
type Sleep = Pin<Box<dyn Future<Output = ()>>>;

/// compio's timer. Moving the deadline later costs nothing: the timer fires at the earlier
/// instant and sets itself again for the later one (only a sooner deadline makes a new one).
pub struct CompioTimer {
    deadline: Instant,
    /// The sleep under way and the instant it ends.
    sleep: Option<(Sleep, Instant)>,
}

impl core::fmt::Debug for CompioTimer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CompioTimer")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Timer for CompioTimer {
    fn at(deadline: Instant) -> Self {
        CompioTimer {
            deadline,
            sleep: None,
        }
    }

    fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if Instant::now() >= self.deadline {
                self.sleep = None;
                return Poll::Ready(());
            }
            // A sleep that ends later than the deadline is replaced; a sooner one is kept.
            if self
                .sleep
                .as_ref()
                .is_some_and(|(_, until)| *until > self.deadline)
            {
                self.sleep = None;
            }
            let deadline = self.deadline;
            let (sleep, _) = self.sleep.get_or_insert_with(|| {
                let sleep: Sleep = Box::pin(compio::time::sleep_until(deadline));
                (sleep, deadline)
            });
            ready!(sleep.as_mut().poll(cx));
            self.sleep = None; // fired: due now, or set again for a later deadline
        }
    }
}

/// The most one write takes from the connection's output.
const MAX_WRITE: usize = 256 << 10;

/// The write buffer a stream keeps between writes, at most.
const KEEP_WRITE_BUFFER: usize = 64 << 10;

/// How long a write in flight when its stream is dropped may take to finish (the close frame
/// or the last replies of a connection that ended, say).
const DROP_WRITE_BOUND: core::time::Duration = core::time::Duration::from_secs(1);

/// The least room a read is given, and the most it is given unless the connection's own buffer
/// has more: reads grow from the least while they come back full (pipelined messages) and
/// shrink back while they come back small (an idle connection's read in flight holds little).
const MIN_READ: usize = 4 << 10;
const MAX_READ: usize = 32 << 10;

/// compio's TCP stream, as a [`Transport`] of the [`Compio`] runtime: reads into the
/// connection's own buffer, which the kernel holds while the read is in flight; writes from a
/// buffer the stream reuses.
pub struct TcpStream {
    tcp: compio::net::TcpStream,
    read: Box<dyn Op<BytesMut>>,
    /// Where the read in flight appends, in its buffer, and the room it was given.
    read_from: usize,
    read_room: usize,
    /// The room the next read is given (between `MIN_READ` and `MAX_READ`).
    read_size: usize,
    /// The read in flight was started by `poll_read_into`, into `scratch`.
    reading_into_scratch: bool,
    scratch: BytesMut,
    write: Box<dyn Op<Vec<u8>>>,
    /// The write buffer while no write is in flight.
    spare: Vec<u8>,
    shutdown: Option<Pin<Box<dyn Future<Output = io::Result<()>>>>>,
}

impl core::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TcpStream")
            .field("tcp", &self.tcp)
            .finish_non_exhaustive()
    }
}

impl From<compio::net::TcpStream> for TcpStream {
    fn from(tcp: compio::net::TcpStream) -> Self {
        let reader = tcp.clone();
        let writer = tcp.clone();
        TcpStream {
            tcp,
            read: slot(move |buf: BytesMut| {
                let mut tcp = reader.clone();
                // Into the spare room after what the buffer holds (a frame's start).
                async move { tcp.append(buf).await }
            }),
            read_from: 0,
            read_room: 0,
            read_size: MIN_READ,
            reading_into_scratch: false,
            scratch: BytesMut::new(),
            write: slot(move |buf: Vec<u8>| {
                let mut tcp = writer.clone();
                async move { tcp.write(buf).await }
            }),
            spare: Vec::new(),
            shutdown: None,
        }
    }
}

impl TcpStream {
    /// compio's stream (its address, its socket options).
    pub fn get_ref(&self) -> &compio::net::TcpStream {
        &self.tcp
    }

    /// Starts a read into `buf` (owned by the read until it completes).
    fn start_read(&mut self, mut buf: BytesMut) {
        if buf.capacity() - buf.len() < self.read_size {
            buf.reserve(self.read_size);
        }
        self.read_from = buf.len();
        self.read_room = buf.capacity() - buf.len();
        self.read.start(buf);
    }

    /// Sizes the next read by how much this one brought.
    fn read_brought(&mut self, n: usize) {
        if n >= self.read_room {
            self.read_size = (self.read_size * 2).min(MAX_READ);
        } else if n < self.read_size / 8 {
            self.read_size = (self.read_size / 2).max(MIN_READ);
        }
    }

    /// Starts a write of `pieces`, as much of them as one write takes.
    fn start_write<'a>(&mut self, pieces: impl IntoIterator<Item = &'a [u8]>) {
        let mut out = core::mem::take(&mut self.spare);
        out.clear();
        for piece in pieces {
            let room = MAX_WRITE - out.len();
            out.extend_from_slice(&piece[..piece.len().min(room)]);
            if out.len() == MAX_WRITE {
                break;
            }
        }
        self.write.start(out);
    }

    /// Polls the write in flight; its buffer is kept for the next.
    fn poll_written(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let BufResult(result, buf) = ready!(self.write.poll(cx));
        if buf.capacity() <= KEEP_WRITE_BUFFER {
            self.spare = buf;
        }
        Poll::Ready(result)
    }
}

/// A write in flight when its stream is dropped is finished by a task of its own on the
/// current runtime, within a second (the driver leaves a connection's last bytes to
/// a write it started; io_uring has them only once the write completes). Outside a runtime it
/// is cancelled.
impl Drop for TcpStream {
    fn drop(&mut self) {
        if !self.write.busy() {
            return;
        }
        let mut write = core::mem::replace(&mut self.write, Box::new(crate::slot::Idle));
        let finish = move |runtime: &compio::runtime::Runtime| {
            let finished = core::future::poll_fn(move |cx| write.poll(cx));
            runtime
                .spawn(async move {
                    let _ = compio::time::timeout(DROP_WRITE_BOUND, finished).await;
                })
                .detach();
        };
        let _ = compio::runtime::Runtime::try_with_current(finish);
    }
}

impl Transport<Compio> for TcpStream {
    const READS_OWNED: bool = true;

    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        if !self.read.busy() {
            self.reading_into_scratch = false;
            self.start_read(core::mem::take(buf));
        }
        let BufResult(result, back) = ready!(self.read.poll(cx));
        if let Ok(n) = result {
            self.read_brought(n);
        }
        let fresh = &back[self.read_from.min(back.len())..];
        if self.reading_into_scratch {
            // Started by `poll_read_into`: the bytes are appended, the scratch kept.
            buf.extend_from_slice(fresh);
            self.scratch = back;
            self.scratch.clear();
        } else if buf.is_empty() {
            *buf = back; // the caller's buffer, back with what the read appended
        } else {
            buf.extend_from_slice(fresh);
        }
        Poll::Ready(result)
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        if !self.read.busy() {
            let mut scratch = core::mem::take(&mut self.scratch);
            scratch.clear();
            scratch.reserve(buf.len());
            self.reading_into_scratch = true;
            self.read_from = 0;
            self.read.start(scratch);
        }
        let BufResult(result, mut back) = ready!(self.read.poll(cx));
        let from = if self.reading_into_scratch {
            0
        } else {
            self.read_from
        };
        let n = back.len().saturating_sub(from).min(buf.len());
        buf[..n].copy_from_slice(&back[from..from + n]);
        back.clear();
        self.scratch = back;
        Poll::Ready(result.map(|_| n))
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        if !self.write.busy() {
            self.start_write([buf]);
        }
        self.poll_written(cx)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        if !self.write.busy() {
            self.start_write(bufs.iter().map(|b| &**b));
        }
        self.poll_written(cx)
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        // A write completes when the kernel has the bytes: nothing is buffered here, but a
        // write in flight is waited for.
        if self.write.busy() {
            ready!(self.poll_written(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(cx, deadline))?;
        let shutdown = self.shutdown.get_or_insert_with(|| {
            let mut tcp = self.tcp.clone();
            Box::pin(async move { tcp.shutdown().await })
        });
        shutdown.as_mut().poll(cx)
    }
}
