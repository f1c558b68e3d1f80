//! TLS for compio clients: [`RustlsStream`], rustls over any [`Transport`] of the [`Compio`]
//! runtime (the TCP stream, or the TLS stream to an `https://` proxy), itself such a transport;
//! and the TLS handshake, done eagerly so its failures are [`HandshakeError::Tls`]. Ciphertext
//! is read into a buffer of the stream's own (the kernel holds it while a read is in flight)
//! and decrypted into the connection's; plaintext is encrypted into a buffer that is then
//! written. Without the `rustls` feature there is no TLS stream and `wss://` is
//! [`HandshakeError::TlsUnavailable`].

use crate::Connector;
use sansock_client::{TlsConfig, TlsEngine, TlsStream};
use sansock_driver::HandshakeError;
#[cfg(feature = "rustls")]
use {
    crate::runtime::Compio,
    bytes::{Buf, BytesMut},
    core::task::{Context, Poll, ready},
    sansock_driver::Transport,
    std::io::{self, Read, Write},
    std::time::Instant,
};

/// rustls' client over the compio transport `S`.
#[cfg(feature = "rustls")]
#[derive(Debug)]
pub struct RustlsStream<S> {
    tls: rustls::ClientConnection,
    io: S,
    /// Ciphertext read and not yet given to rustls.
    incoming: BytesMut,
    /// Ciphertext to write, from `sent` on.
    outgoing: Vec<u8>,
    sent: usize,
    /// The peer's end of the stream (or its close_notify).
    eof: bool,
    /// A read of ciphertext is in flight (the transport may hold `incoming` meanwhile).
    reading: bool,
}

/// The most ciphertext one read takes.
#[cfg(feature = "rustls")]
const CIPHERTEXT_READ: usize = 16 << 10;

#[cfg(feature = "rustls")]
fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

#[cfg(feature = "rustls")]
impl<S: Transport<Compio>> RustlsStream<S> {
    /// Writes the ciphertext rustls has made; pending until all of it is written.
    fn poll_send_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if self.sent == self.outgoing.len() {
                self.outgoing.clear();
                self.sent = 0;
                if !self.tls.wants_write() {
                    return Poll::Ready(Ok(()));
                }
                self.tls.write_tls(&mut self.outgoing)?;
                continue;
            }
            let n = ready!(self.io.poll_write(cx, &self.outgoing[self.sent..], None))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
    }

    /// Reads ciphertext once and gives it to rustls; `Ok(false)` at the end of the stream.
    fn poll_receive_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        if self.incoming.is_empty() {
            if !self.reading {
                self.incoming.reserve(CIPHERTEXT_READ);
                self.reading = true;
            }
            let n = ready!(self.io.poll_read_buf(cx, &mut self.incoming, None));
            self.reading = false;
            if n? == 0 {
                return Poll::Ready(Ok(false));
            }
        }
        // Only as much as rustls takes: past its bound, plaintext must be read first.
        while !self.incoming.is_empty() && self.tls.wants_read() {
            let n = self.tls.read_tls(&mut &self.incoming[..])?;
            self.incoming.advance(n);
            self.tls.process_new_packets().map_err(tls_error)?;
            if n == 0 {
                break;
            }
        }
        Poll::Ready(Ok(true))
    }

    /// Runs the handshake to its end.
    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.tls.is_handshaking() {
            ready!(self.poll_send_tls(cx))?;
            if !self.tls.is_handshaking() {
                break;
            }
            if !ready!(self.poll_receive_tls(cx))? {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
        }
        self.poll_send_tls(cx)
    }
}

#[cfg(feature = "rustls")]
impl<S: Transport<Compio>> Transport<Compio> for RustlsStream<S> {
    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        sansock_driver::internal::read_into_spare(buf, |spare| {
            self.poll_read_into(cx, spare, deadline)
        })
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        loop {
            match self.tls.reader().read(buf) {
                Ok(n) => return Poll::Ready(Ok(n)), // 0: close_notify
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            if self.eof {
                return Poll::Ready(Ok(0));
            }
            // Alerts and key updates rustls wants sent go out before we wait for more.
            if self.tls.wants_write() {
                let _ = self.poll_send_tls(cx)?;
            }
            if !ready!(self.poll_receive_tls(cx))? {
                self.eof = true;
            }
        }
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[io::IoSlice::new(buf)], deadline)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let n = self.tls.writer().write_vectored(bufs)?;
            // Encrypted at once; written as far as the transport takes it now.
            let sent = self.poll_send_tls(cx)?;
            if n > 0 {
                return Poll::Ready(Ok(n));
            }
            ready!(sent); // rustls' buffer is full: wait for the transport
        }
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_send_tls(cx))?;
        self.io.poll_flush(cx, deadline)
    }

    fn poll_shutdown(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        if !self.tls.is_handshaking() {
            self.tls.send_close_notify();
        }
        ready!(self.poll_send_tls(cx))?;
        self.io.poll_shutdown(cx, deadline)
    }
}

/// compio's TLS streams: [`RustlsStream`] (none without the `rustls` feature).
impl TlsEngine for Connector {
    #[cfg(feature = "rustls")]
    type Stream<S> = RustlsStream<S>;
    #[cfg(not(feature = "rustls"))]
    type Stream<S> = sansock_client::NoTls;
}

/// The TLS handshake with `host` over `io` (the deadline is the connect sequence's).
#[cfg(feature = "rustls")]
pub(crate) async fn handshake<S: Transport<Compio>>(
    io: S,
    host: &str,
    config: &TlsConfig,
) -> Result<TlsStream<S, Connector>, HandshakeError> {
    let name = TlsConfig::server_name(host)?;
    let tls = rustls::ClientConnection::new(config.rustls().clone(), name)
        .map_err(|e| HandshakeError::Tls(io::Error::other(e)))?;
    let mut stream = RustlsStream {
        tls,
        io,
        incoming: BytesMut::new(),
        outgoing: Vec::new(),
        sent: 0,
        eof: false,
        reading: false,
    };
    core::future::poll_fn(|cx| stream.poll_handshake(cx))
        .await
        .map_err(HandshakeError::Tls)?;
    Ok(TlsStream::new(stream))
}

/// Without rustls there is no TLS.
#[cfg(not(feature = "rustls"))]
pub(crate) async fn handshake<S>(
    _: S,
    _: &str,
    _: &TlsConfig,
) -> Result<TlsStream<S, Connector>, HandshakeError> {
    Err(HandshakeError::TlsUnavailable)
}
