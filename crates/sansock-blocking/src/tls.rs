//! TLS for blocking clients: [`RustlsStream`] (rustls over a blocking stream, a type an engine
//! can name), the [`TlsEngine`] of the blocking [`Connector`], and the TLS handshake, done
//! eagerly so its failures are [`HandshakeError::Tls`]. Without the `rustls` feature there is no
//! TLS stream and `wss://` is [`HandshakeError::TlsUnavailable`].

use crate::Connector;
use sansock_client::{TlsConfig, TlsEngine, TlsStream};
#[cfg(feature = "rustls")]
use sansock_driver::BlockingStream;
use sansock_driver::HandshakeError;
#[cfg(feature = "rustls")]
use std::io::{self, Read, Write};
use std::time::Instant;

/// rustls over the blocking stream `S`: what `rustls::StreamOwned` is, without bounds on the
/// type itself.
#[cfg(feature = "rustls")]
#[derive(Debug)]
pub struct RustlsStream<S> {
    tls: rustls::ClientConnection,
    io: S,
}

#[cfg(feature = "rustls")]
impl<S: Read + Write> Read for RustlsStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        rustls::Stream::new(&mut self.tls, &mut self.io).read(buf)
    }
}

#[cfg(feature = "rustls")]
impl<S: Read + Write> Write for RustlsStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        rustls::Stream::new(&mut self.tls, &mut self.io).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        rustls::Stream::new(&mut self.tls, &mut self.io).flush()
    }
}

#[cfg(feature = "rustls")]
impl<S: Read + Write> sansock_client::TlsOver<S> for RustlsStream<S> {
    fn plain(&self) -> &S {
        &self.io
    }

    fn plain_mut(&mut self) -> &mut S {
        &mut self.io
    }

    fn close_notify(&mut self) -> io::Result<()> {
        self.tls.send_close_notify();
        self.flush()
    }
}

/// The blocking TLS streams: [`RustlsStream`] (none without the `rustls` feature).
impl TlsEngine for Connector {
    #[cfg(feature = "rustls")]
    type Stream<S> = RustlsStream<S>;
    #[cfg(not(feature = "rustls"))]
    type Stream<S> = sansock_client::NoTls;
}

/// The TLS handshake with `host` over `io`, given up at `deadline`.
#[cfg(feature = "rustls")]
pub(crate) fn handshake<S: BlockingStream>(
    mut io: S,
    host: &str,
    config: &TlsConfig,
    deadline: Instant,
) -> Result<TlsStream<S, Connector>, HandshakeError> {
    let name = TlsConfig::server_name(host)?;
    let mut tls = rustls::ClientConnection::new(config.rustls().clone(), name)
        .map_err(|e| HandshakeError::Tls(io::Error::other(e)))?;
    let previous = io.read_timeout().map_err(HandshakeError::Io)?;
    io.set_read_timeout(Some(crate::client::left(deadline)))
        .map_err(HandshakeError::Io)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut io).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HandshakeError::Timeout,
            _ => HandshakeError::Tls(e),
        })?;
    }
    io.set_read_timeout(previous).map_err(HandshakeError::Io)?;
    Ok(TlsStream::new(RustlsStream { tls, io }))
}

/// Without rustls there is no TLS.
#[cfg(not(feature = "rustls"))]
pub(crate) fn handshake<S>(
    _: S,
    _: &str,
    _: &TlsConfig,
    _: Instant,
) -> Result<TlsStream<S, Connector>, HandshakeError> {
    Err(HandshakeError::TlsUnavailable)
}
