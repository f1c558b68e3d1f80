//! TLS for clients: [`MaybeTlsStream`] (plain TCP or rustls over tokio; the enum and its
//! forwarding are the driver's `MaybeTls`), and the TLS handshake.

use tokio::net::TcpStream;

/// A client transport: plain TCP (`ws://`) or TLS over TCP (`wss://`).
#[cfg(feature = "rustls")]
pub type MaybeTlsStream =
    sansock_driver::MaybeTls<TcpStream, tokio_rustls::client::TlsStream<TcpStream>>;
/// A client transport: plain TCP (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream = sansock_driver::MaybeTls<TcpStream, sansock_driver::NoTls>;

#[cfg(feature = "rustls")]
pub(crate) async fn wrap(
    tcp: TcpStream,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
) -> Result<MaybeTlsStream, crate::Error> {
    let name = sansock_driver::tls::server_name(host)?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(crate::Error::Tls)?;
    Ok(MaybeTlsStream::Tls(Box::new(stream)))
}
