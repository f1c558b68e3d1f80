//! [`MaybeTls`]: a client's transport, plain (`ws://`) or TLS (`wss://`), once for every
//! runtime: the forwarding of std's `Read`/`Write`, tokio's and futures-io's `AsyncRead`/
//! `AsyncWrite` to whichever variant it is, and [`NoTls`], the TLS stream of a build without
//! rustls (there is none). Making the TLS stream is each runtime's
//! [`Connector`](crate::Connector); the rustls configuration is `tls.rs`.

use std::io::{self, IoSlice, Read, Write};

/// A client transport: `P` the plain stream (`ws://`) or `T` the TLS stream over it (`wss://`).
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTls<P, T> {
    /// `ws://`.
    Plain(P),
    /// `wss://`.
    Tls(Box<T>),
}

/// The TLS stream of a build without TLS: no value exists.
#[derive(Debug)]
pub enum NoTls {}

impl Read for NoTls {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match *self {}
    }
}

impl Write for NoTls {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        match *self {}
    }

    fn flush(&mut self) -> io::Result<()> {
        match *self {}
    }
}

impl<P: Read, T: Read> Read for MaybeTls<P, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            MaybeTls::Plain(s) => s.read(buf),
            MaybeTls::Tls(s) => s.read(buf),
        }
    }
}

impl<P: Write, T: Write> Write for MaybeTls<P, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            MaybeTls::Plain(s) => s.write(buf),
            MaybeTls::Tls(s) => s.write(buf),
        }
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            MaybeTls::Plain(s) => s.write_vectored(bufs),
            MaybeTls::Tls(s) => s.write_vectored(bufs),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            MaybeTls::Plain(s) => s.flush(),
            MaybeTls::Tls(s) => s.flush(),
        }
    }
}

/// The blocking adapter's streams: the socket options go to the TCP stream underneath; a TLS
/// stream sends close_notify before the TCP write side is shut.
mod blocking {
    use super::{MaybeTls, NoTls};
    use sansock_driver::BlockingStream;
    use std::io;
    use std::time::Duration;

    /// What the blocking adapter needs of a TLS stream over `P`.
    pub trait TlsOver<P> {
        /// The plain stream underneath.
        fn plain(&self) -> &P;
        /// The plain stream underneath, to shut it.
        fn plain_mut(&mut self) -> &mut P;
        /// Sends close_notify (what the TLS shutdown writes).
        ///
        /// # Errors
        /// As the stream's write.
        fn close_notify(&mut self) -> io::Result<()>;
    }

    impl<P> TlsOver<P> for NoTls {
        fn plain(&self) -> &P {
            match *self {}
        }

        fn plain_mut(&mut self) -> &mut P {
            match *self {}
        }

        fn close_notify(&mut self) -> io::Result<()> {
            match *self {}
        }
    }

    impl<P, T: TlsOver<P>> MaybeTls<P, T> {
        /// The plain stream underneath (the TCP stream: to set it non-blocking, say).
        pub fn plain(&self) -> &P {
            match self {
                MaybeTls::Plain(s) => s,
                MaybeTls::Tls(s) => s.plain(),
            }
        }
    }

    impl<P, T1: TlsOver<P>, T2: TlsOver<MaybeTls<P, T1>>> MaybeTls<MaybeTls<P, T1>, T2> {
        /// The plain stream under both layers a client may have (TLS to the server, TLS to an
        /// `https://` proxy): the TCP stream, to set it non-blocking, say.
        pub fn tcp(&self) -> &P {
            self.plain().plain()
        }
    }

    impl<P: BlockingStream, T: TlsOver<P> + io::Read + io::Write> BlockingStream for MaybeTls<P, T> {
        fn read_timeout(&self) -> io::Result<Option<Duration>> {
            self.plain().read_timeout()
        }

        fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
            self.plain().set_read_timeout(timeout)
        }

        fn write_timeout(&self) -> io::Result<Option<Duration>> {
            self.plain().write_timeout()
        }

        fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
            self.plain().set_write_timeout(timeout)
        }

        fn shutdown_write(&mut self) -> io::Result<()> {
            match self {
                MaybeTls::Plain(s) => s.shutdown_write(),
                MaybeTls::Tls(s) => {
                    s.close_notify()?;
                    s.plain_mut().shutdown_write()
                }
            }
        }
    }
}

pub use blocking::TlsOver;

/// Writes the forwarding of one family of async I/O traits (tokio's, futures-io's) to whichever
/// variant a [`MaybeTls`] is, and the (never called) impls of [`NoTls`]: `$buf` is what a read
/// fills and `$filled` what it answers, `$close` the write side's shutdown, and `$extra` any
/// more methods of the write trait to forward.
#[cfg(any(feature = "tokio", feature = "futures-io"))]
macro_rules! forward_async_io {
    ($read:path, $write:path, $buf:ty, $filled:ty, $close:ident $(, $extra:item)*) => {
        impl $read for NoTls {
            fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, _: $buf) -> Poll<io::Result<$filled>> {
                match *self.get_mut() {}
            }
        }

        impl $write for NoTls {
            fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
                match *self.get_mut() {}
            }

            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                match *self.get_mut() {}
            }

            fn $close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                match *self.get_mut() {}
            }
        }

        impl<P: $read + Unpin, T: $read + Unpin> $read for MaybeTls<P, T> {
            fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: $buf) -> Poll<io::Result<$filled>> {
                match self.get_mut() {
                    MaybeTls::Plain(s) => Pin::new(s).poll_read(cx, buf),
                    MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
                }
            }
        }

        impl<P: $write + Unpin, T: $write + Unpin> $write for MaybeTls<P, T> {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    MaybeTls::Plain(s) => Pin::new(s).poll_write(cx, buf),
                    MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
                }
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    MaybeTls::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
                    MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
                }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    MaybeTls::Plain(s) => Pin::new(s).poll_flush(cx),
                    MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
                }
            }

            fn $close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    MaybeTls::Plain(s) => Pin::new(s).$close(cx),
                    MaybeTls::Tls(s) => Pin::new(s.as_mut()).$close(cx),
                }
            }

            $($extra)*
        }
    };
}

#[cfg(feature = "tokio")]
mod tokio_io {
    use super::{MaybeTls, NoTls};
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use std::io::{self, IoSlice};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    forward_async_io!(
        AsyncRead,
        AsyncWrite,
        &mut ReadBuf<'_>,
        (),
        poll_shutdown,
        fn is_write_vectored(&self) -> bool {
            match self {
                MaybeTls::Plain(s) => s.is_write_vectored(),
                MaybeTls::Tls(s) => s.is_write_vectored(),
            }
        }
    );
}

#[cfg(feature = "futures-io")]
mod futures_io {
    use super::{MaybeTls, NoTls};
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use futures_io::{AsyncRead, AsyncWrite};
    use std::io::{self, IoSlice};

    forward_async_io!(AsyncRead, AsyncWrite, &mut [u8], usize, poll_close);
}
