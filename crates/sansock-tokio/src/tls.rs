//! TLS for clients: [`MaybeTlsStream`] (plain or rustls over tokio; the enum and its forwarding
//! are the driver's `MaybeTls`) over a [`ClientSocket`] (TCP, or TLS to an `https://` proxy),
//! and the TLS handshake.

use tokio::net::TcpStream;

/// The client's connection to the first hop: TCP to the server or to a proxy, or TLS over TCP
/// to an `https://` proxy.
#[cfg(feature = "rustls")]
pub type ClientSocket =
    sansock_driver::MaybeTls<TcpStream, tokio_rustls::client::TlsStream<TcpStream>>;
/// The client's connection to the first hop: TCP to the server or to a proxy.
#[cfg(not(feature = "rustls"))]
pub type ClientSocket = sansock_driver::MaybeTls<TcpStream, sansock_driver::NoTls>;

/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`).
#[cfg(feature = "rustls")]
pub type MaybeTlsStream =
    sansock_driver::MaybeTls<ClientSocket, tokio_rustls::client::TlsStream<ClientSocket>>;
/// A client transport: the [`ClientSocket`] (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream = sansock_driver::MaybeTls<ClientSocket, sansock_driver::NoTls>;

/// The TLS handshake with `host` over `io`.
#[cfg(feature = "rustls")]
pub(crate) async fn handshake<S>(
    io: S,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
) -> Result<Box<tokio_rustls::client::TlsStream<S>>, crate::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let name = sansock_driver::tls::server_name(host)?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, io)
        .await
        .map_err(crate::Error::Tls)?;
    Ok(Box::new(stream))
}
