//! TLS for clients: [`MaybeTlsStream`] — plain TCP or rustls (futures-rustls) over whichever
//! runtime's TCP stream `T` is.

use core::pin::Pin;
use core::task::{Context, Poll};
use futures_io::{AsyncRead, AsyncWrite};
use std::io;

/// A client transport: plain (`ws://`) or TLS (`wss://`) over the runtime's TCP stream `T`.
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTlsStream<T> {
    /// `ws://`.
    Plain(T),
    /// `wss://`.
    #[cfg(feature = "rustls")]
    Rustls(Box<futures_rustls::client::TlsStream<T>>),
}

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
    Ok(MaybeTlsStream::Rustls(Box::new(stream)))
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for MaybeTlsStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTlsStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for MaybeTlsStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTlsStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTlsStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTlsStream::Plain(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTlsStream::Plain(s) => Pin::new(s).poll_close(cx),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Rustls(s) => Pin::new(s.as_mut()).poll_close(cx),
        }
    }
}
