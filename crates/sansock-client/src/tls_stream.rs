//! [`TlsStream`]: a client's TLS stream, one type whether or not the build has TLS. Each
//! runtime names the stream its TLS makes with a [`TlsEngine`] (tokio-rustls, futures-rustls,
//! rustls over a blocking stream — or [`NoTls`](crate::NoTls) without the `rustls` feature), and
//! `TlsStream<S, E>` wraps it, so a feature never changes a public type: it only changes what is
//! inside. The forwarding of `Read`/`Write` and of tokio's and futures-io's `AsyncRead`/
//! `AsyncWrite` to the stream inside is here, once.

use crate::maybe_tls::TlsOver;
use std::io::{self, IoSlice, Read, Write};

/// What a runtime's TLS makes: its TLS stream over a transport `S`.
pub trait TlsEngine {
    /// TLS over `S`.
    type Stream<S>;
}

/// A client's TLS stream over `S`, made by engine `E` ([`TlsEngine`]).
pub struct TlsStream<S, E: TlsEngine>(E::Stream<S>);

impl<S, E: TlsEngine> TlsStream<S, E> {
    /// Wraps the stream the engine made.
    pub fn new(stream: E::Stream<S>) -> Self {
        TlsStream(stream)
    }

    /// The engine's stream (the TLS session and the transport under it).
    pub fn get_ref(&self) -> &E::Stream<S> {
        &self.0
    }

    /// The engine's stream, mutably (for a runtime whose transports forward to it).
    pub fn get_mut(&mut self) -> &mut E::Stream<S> {
        &mut self.0
    }
}

impl<S, E: TlsEngine> core::fmt::Debug for TlsStream<S, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream").finish_non_exhaustive()
    }
}

impl<S, E: TlsEngine> Read for TlsStream<S, E>
where
    E::Stream<S>: Read,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<S, E: TlsEngine> Write for TlsStream<S, E>
where
    E::Stream<S>: Write,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<P, E: TlsEngine> TlsOver<P> for TlsStream<P, E>
where
    E::Stream<P>: TlsOver<P>,
{
    fn plain(&self) -> &P {
        self.0.plain()
    }

    fn plain_mut(&mut self) -> &mut P {
        self.0.plain_mut()
    }

    fn close_notify(&mut self) -> io::Result<()> {
        self.0.close_notify()
    }
}

/// Writes the forwarding of one family of async I/O traits (tokio's, futures-io's) to the
/// stream inside a [`TlsStream`]: `$buf` is what a read fills and `$filled` what it answers,
/// `$close` the write side's shutdown, and `$extra` any more methods of the write trait.
#[cfg(any(feature = "tokio", feature = "futures-io"))]
macro_rules! forward_to_engine {
    ($read:path, $write:path, $buf:ty, $filled:ty, $close:ident $(, $extra:item)*) => {
        impl<S, E: TlsEngine> $read for TlsStream<S, E>
        where
            E::Stream<S>: $read + Unpin,
        {
            fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: $buf) -> Poll<io::Result<$filled>> {
                Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
            }
        }

        impl<S, E: TlsEngine> $write for TlsStream<S, E>
        where
            E::Stream<S>: $write + Unpin,
        {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.get_mut().0).poll_flush(cx)
            }

            fn $close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.get_mut().0).$close(cx)
            }

            $($extra)*
        }
    };
}

#[cfg(feature = "tokio")]
mod tokio_io {
    use super::{TlsEngine, TlsStream};
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use std::io::{self, IoSlice};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    forward_to_engine!(
        AsyncRead,
        AsyncWrite,
        &mut ReadBuf<'_>,
        (),
        poll_shutdown,
        fn is_write_vectored(&self) -> bool {
            self.0.is_write_vectored()
        }
    );
}

#[cfg(feature = "futures-io")]
mod futures_io {
    use super::{TlsEngine, TlsStream};
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use futures_io::{AsyncRead, AsyncWrite};
    use std::io::{self, IoSlice};

    forward_to_engine!(AsyncRead, AsyncWrite, &mut [u8], usize, poll_close);
}
