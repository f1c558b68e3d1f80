//! TLS for clients: [`MaybeTlsStream`] — plain TCP or rustls (futures-rustls) over whichever
//! runtime's TCP stream `T` is (the enum and its forwarding are the driver's `MaybeTls`) — and
//! the TLS handshake.

#[cfg(feature = "rustls")]
use futures_io::{AsyncRead, AsyncWrite};

/// A client transport: plain (`ws://`) or TLS (`wss://`) over the runtime's TCP stream `T`.
#[cfg(feature = "rustls")]
pub type MaybeTlsStream<T> = sansock_driver::MaybeTls<T, futures_rustls::client::TlsStream<T>>;
/// A client transport: plain (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream<T> = sansock_driver::MaybeTls<T, sansock_driver::NoTls>;

#[cfg(feature = "rustls")]
pub(crate) async fn wrap<T: AsyncRead + AsyncWrite + Unpin>(
    tcp: T,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
) -> Result<MaybeTlsStream<T>, crate::Error> {
    let name = sansock_driver::tls::server_name(host)?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(crate::Error::Tls)?;
    Ok(MaybeTlsStream::Tls(Box::new(stream)))
}
