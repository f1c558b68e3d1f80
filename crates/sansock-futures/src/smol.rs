//! smol (feature `smol`): [`connect`] a client over smol's TCP; [`Connector`]'s
//! `connect_with` and `connect_with_tls` take settings, a proxy and your own TLS. Servers
//! use [`accept`](crate::accept) / [`accept_with`](crate::accept_with) on an `smol::net::TcpStream`.

type Tcp = ::smol::net::TcpStream;

/// A client connection over smol's TCP, with or without TLS.
pub type ClientStream = crate::ClientStream<Tcp>;
/// smol's pieces of the connect sequence, and its `connect_with` functions.
pub type Connector = crate::Connector<Tcp>;
/// A client on smol that reconnects by itself (see `sansock_client::Reconnecting`).
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
