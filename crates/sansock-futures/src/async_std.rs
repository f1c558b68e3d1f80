//! async_std (feature `async-std`): [`connect`] a client over async_std's TCP; [`Connector`]'s
//! `connect_with` and `connect_with_tls` take settings, a proxy and your own TLS. Servers
//! use [`accept`](crate::accept) / [`accept_with`](crate::accept_with) on an `async_std::net::TcpStream`.

type Tcp = ::async_std::net::TcpStream;

/// A client connection over async_std's TCP, with or without TLS.
pub type ClientStream = crate::ClientStream<Tcp>;
/// async_std's pieces of the connect sequence, and its `connect_with` functions.
pub type Connector = crate::Connector<Tcp>;
/// A client on async_std that reconnects by itself (see `sansock_client::Reconnecting`).
pub type Reconnecting<H = sansock_client::NoHook<ClientStream>> =
    sansock_client::Reconnecting<Connector, H>;

/// Connects to `url` with default settings ([`Connector::connect`](crate::Connector::connect)).
///
/// # Errors
/// As [`Connector::connect`](crate::Connector::connect).
pub async fn connect(
    url: &str,
) -> Result<(ClientStream, Box<crate::Response>), crate::HandshakeError> {
    Connector::connect(url).await
}
