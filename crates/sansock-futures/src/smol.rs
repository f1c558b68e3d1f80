//! smol: `connect` over smol's TCP (feature `smol`). Servers use [`accept`] /
//! [`accept_with`] on a `smol::net::TcpStream`.

use crate::Error;
use sansock_driver::dial::first_connected;

pub use crate::{accept, accept_with};

crate::connect::client_functions!("smol", ::smol::net::TcpStream, dial, resolve);

async fn resolve(host: String, port: u16) -> Result<Vec<std::net::SocketAddr>, Error> {
    ::smol::net::resolve((host.as_str(), port))
        .await
        .map_err(Error::Dns)
}

async fn dial(host: String, port: u16) -> Result<::smol::net::TcpStream, Error> {
    let addrs = resolve(host, port).await?;
    let tcp = first_connected(addrs, ::smol::net::TcpStream::connect).await?;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}
