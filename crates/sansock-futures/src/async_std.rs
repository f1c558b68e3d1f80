//! async-std: `connect` over async-std's TCP (feature `async-std`). Servers use [`accept`]
//! / [`accept_with`] on an `async_std::net::TcpStream`.

use crate::Error;
use sansock_driver::dial::first_connected;

pub use crate::{accept, accept_with};

crate::connect::client_functions!("async_std", ::async_std::net::TcpStream, dial, resolve);

async fn resolve(host: String, port: u16) -> Result<Vec<std::net::SocketAddr>, Error> {
    let addrs = ::async_std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).await;
    addrs.map(Iterator::collect).map_err(Error::Dns)
}

async fn dial(host: String, port: u16) -> Result<::async_std::net::TcpStream, Error> {
    let addrs = resolve(host, port).await?;
    let tcp = first_connected(addrs, ::async_std::net::TcpStream::connect).await?;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}
