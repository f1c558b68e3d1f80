//! TLS for clients: [`MaybeTlsStream`] — plain TCP or rustls over a blocking `TcpStream` — and
//! the TLS handshake, done eagerly so its failures are [`Error::Tls`].

use sansock_driver::BlockingStream;
#[cfg(feature = "rustls")]
use sansock_driver::Error;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A client stream: plain TCP (`ws://`) or TLS over TCP (`wss://`).
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTlsStream {
    /// `ws://`.
    Plain(TcpStream),
    /// `wss://`.
    #[cfg(feature = "rustls")]
    Rustls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl MaybeTlsStream {
    /// The TCP stream underneath (to set it non-blocking, say).
    pub fn tcp(&self) -> &TcpStream {
        match self {
            MaybeTlsStream::Plain(s) => s,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => s.get_ref(),
        }
    }
}

/// Runs the TLS handshake over `tcp` (bounded by `timeout`).
#[cfg(feature = "rustls")]
pub(crate) fn wrap(
    mut tcp: TcpStream,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> Result<MaybeTlsStream, Error> {
    let name = sansock_driver::tls::server_name(host)?;
    let mut tls =
        rustls::ClientConnection::new(config, name).map_err(|e| Error::Tls(io::Error::other(e)))?;
    let previous = tcp.read_timeout().map_err(Error::Io)?;
    tcp.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
        .map_err(Error::Io)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut tcp).map_err(|e| {
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                Error::HandshakeTimeout
            } else {
                Error::Tls(e)
            }
        })?;
    }
    tcp.set_read_timeout(previous).map_err(Error::Io)?;
    Ok(MaybeTlsStream::Rustls(Box::new(rustls::StreamOwned::new(
        tls, tcp,
    ))))
}

impl Read for MaybeTlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            MaybeTlsStream::Plain(s) => s.read(buf),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => s.read(buf),
        }
    }
}

impl Write for MaybeTlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            MaybeTlsStream::Plain(s) => s.write(buf),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            MaybeTlsStream::Plain(s) => s.flush(),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => s.flush(),
        }
    }
}

impl BlockingStream for MaybeTlsStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.tcp().read_timeout()
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(timeout)
    }

    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.tcp().write_timeout()
    }

    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_write_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        #[cfg(feature = "rustls")]
        if let MaybeTlsStream::Rustls(s) = self {
            s.conn.send_close_notify();
            s.flush()?;
        }
        self.tcp().shutdown(std::net::Shutdown::Write)
    }
}
