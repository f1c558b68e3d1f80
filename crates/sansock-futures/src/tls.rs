//! TLS for clients: [`MaybeTlsStream`] — plain or rustls (futures-rustls; the enum and its
//! forwarding are the driver's `MaybeTls`) over a [`ClientSocket`]: whichever runtime's TCP
//! stream `T` is, or TLS over it to an `https://` proxy — and the TLS handshake.

#[cfg(feature = "rustls")]
use futures_io::{AsyncRead, AsyncWrite};

/// The client's connection to the first hop: the runtime's TCP stream `T` to the server or to a
/// proxy, or TLS over it to an `https://` proxy.
#[cfg(feature = "rustls")]
pub type ClientSocket<T> = sansock_driver::MaybeTls<T, futures_rustls::client::TlsStream<T>>;
/// The client's connection to the first hop: the runtime's TCP stream `T`.
#[cfg(not(feature = "rustls"))]
pub type ClientSocket<T> = sansock_driver::MaybeTls<T, sansock_driver::NoTls>;

/// A client transport: the [`ClientSocket`] as it is (`ws://`) or TLS to the server over it
/// (`wss://`).
#[cfg(feature = "rustls")]
pub type MaybeTlsStream<T> =
    sansock_driver::MaybeTls<ClientSocket<T>, futures_rustls::client::TlsStream<ClientSocket<T>>>;
/// A client transport: the [`ClientSocket`] (`ws://`; `wss://` needs the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type MaybeTlsStream<T> = sansock_driver::MaybeTls<ClientSocket<T>, sansock_driver::NoTls>;

/// The TLS handshake with `host` over `io`.
#[cfg(feature = "rustls")]
pub(crate) async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    io: S,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
) -> Result<Box<futures_rustls::client::TlsStream<S>>, crate::Error> {
    let name = sansock_driver::tls::server_name(host)?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, io)
        .await
        .map_err(crate::Error::Tls)?;
    Ok(Box::new(stream))
}
