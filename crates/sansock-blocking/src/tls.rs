//! TLS for clients: [`MaybeTlsStream`] — plain or rustls over a [`ClientSocket`] (a blocking
//! `TcpStream`, or TLS over it to an `https://` proxy; the enum, its forwarding and its socket
//! options are the driver's `MaybeTls`) — and the TLS handshake, done eagerly so its failures
//! are [`Error::Tls`].

#[cfg(feature = "rustls")]
use sansock_driver::{BlockingStream, Error};
#[cfg(feature = "rustls")]
use std::io;
use std::net::TcpStream;
#[cfg(feature = "rustls")]
use std::time::Duration;

/// The client's connection to the first hop: TCP to the server or to a proxy, or TLS over TCP
/// to an `https://` proxy.
#[cfg(feature = "rustls")]
pub type ClientSocket =
    sansock_driver::MaybeTls<TcpStream, rustls::StreamOwned<rustls::ClientConnection, TcpStream>>;
/// The client's connection to the first hop: TCP to the server or to a proxy.
#[cfg(not(feature = "rustls"))]
pub type ClientSocket = sansock_driver::MaybeTls<TcpStream, sansock_driver::NoTls>;

/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`). `tcp()` gives the TCP stream under both.
#[cfg(feature = "rustls")]
pub type MaybeTlsStream = sansock_driver::MaybeTls<
    ClientSocket,
    rustls::StreamOwned<rustls::ClientConnection, ClientSocket>,
>;
/// A client transport: the [`ClientSocket`] (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream = sansock_driver::MaybeTls<ClientSocket, sansock_driver::NoTls>;

/// The TLS handshake with `host` over `io`, within `timeout`.
#[cfg(feature = "rustls")]
pub(crate) fn handshake<S: BlockingStream>(
    mut io: S,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> Result<Box<rustls::StreamOwned<rustls::ClientConnection, S>>, Error> {
    let name = sansock_driver::tls::server_name(host)?;
    let mut tls =
        rustls::ClientConnection::new(config, name).map_err(|e| Error::Tls(io::Error::other(e)))?;
    let previous = io.read_timeout().map_err(Error::Io)?;
    io.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
        .map_err(Error::Io)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut io).map_err(|e| {
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
    io.set_read_timeout(previous).map_err(Error::Io)?;
    Ok(Box::new(rustls::StreamOwned::new(tls, io)))
}
