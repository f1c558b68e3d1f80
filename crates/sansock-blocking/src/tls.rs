//! TLS for clients: [`MaybeTlsStream`] — plain TCP or rustls over a blocking `TcpStream` (the
//! enum, its forwarding and its socket options are the driver's `MaybeTls`) — and the TLS
//! handshake, done eagerly so its failures are [`Error::Tls`].

#[cfg(feature = "rustls")]
use sansock_driver::Error;
#[cfg(feature = "rustls")]
use std::io;
use std::net::TcpStream;
#[cfg(feature = "rustls")]
use std::time::Duration;

/// A client stream: plain TCP (`ws://`) or TLS over TCP (`wss://`); `plain()` gives the TCP
/// stream (to set it non-blocking, say).
#[cfg(feature = "rustls")]
pub type MaybeTlsStream =
    sansock_driver::MaybeTls<TcpStream, rustls::StreamOwned<rustls::ClientConnection, TcpStream>>;
/// A client stream: plain TCP (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream = sansock_driver::MaybeTls<TcpStream, sansock_driver::NoTls>;

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
    Ok(MaybeTlsStream::Tls(Box::new(rustls::StreamOwned::new(
        tls, tcp,
    ))))
}
