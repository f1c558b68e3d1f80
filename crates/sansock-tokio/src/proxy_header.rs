//! Reading the PROXY protocol header off a connection a load
//! balancer (HAProxy's `send-proxy` / `send-proxy-v2`) accepted for us: the bytes move here,
//! what they mean is the core's (`sansock_core::proxy_protocol`).

use sansock_core::proxy_protocol::{ProxyHeaderStep, proxy_header_step};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

pub use sansock_core::proxy_protocol::{DEFAULT_MAX_PROXY_HEADER, ProxyHeaderError};

/// Reads the PROXY protocol header (version 1 or 2) that starts `io`, and nothing after it, so
/// that a TLS or HTTP handshake can follow on `io`. Returns the client's address, or `None`
/// when the balancer spoke for itself (a health check's `LOCAL`) — use the socket's peer then.
///
/// Call it on every connection of a listener only the balancer can reach: whoever can connect
/// directly could otherwise claim any address.
///
/// # Errors
/// `InvalidData` wrapping a [`ProxyHeaderError`] when the connection does not start with a
/// valid header (longer than [`DEFAULT_MAX_PROXY_HEADER`] included), `TimedOut` when the whole
/// header has not come within `timeout`, and the transport's own errors
/// (`UnexpectedEof` when it ends first).
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let (mut tcp, balancer) = listener.accept().await?;
/// let timeout = std::time::Duration::from_secs(5);
/// let client = sansock_tokio::read_proxy_header(&mut tcp, timeout).await?.unwrap_or(balancer);
/// let ws = sansock_tokio::accept(tcp).await;
/// # let _ = (client, ws); Ok(()) }
/// ```
pub async fn read_proxy_header<S: AsyncRead + Unpin>(
    io: &mut S,
    timeout: Duration,
) -> io::Result<Option<SocketAddr>> {
    let read = async {
        let mut header = Vec::with_capacity(108);
        loop {
            match proxy_header_step(&header, DEFAULT_MAX_PROXY_HEADER) {
                Ok(ProxyHeaderStep::Read(n)) => {
                    let start = header.len();
                    header.resize(start + n, 0);
                    io.read_exact(&mut header[start..]).await?;
                }
                Ok(ProxyHeaderStep::Done(client)) => return Ok(client),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(read) => read,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "no complete PROXY protocol header in time",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn reads_the_header_and_leaves_the_rest() {
        let (mut balancer, mut server) = tokio::io::duplex(1024);
        let sent = b"PROXY TCP4 192.0.2.44 127.0.0.1 5000 80\r\nGET /chat HTTP/1.1\r\n";
        balancer.write_all(sent).await.unwrap();
        let client = read_proxy_header(&mut server, Duration::from_secs(1)).await;
        assert_eq!(client.unwrap(), Some("192.0.2.44:5000".parse().unwrap()));
        let mut rest = [0; 20];
        server.read_exact(&mut rest).await.unwrap();
        assert_eq!(&rest, b"GET /chat HTTP/1.1\r\n");
    }

    #[tokio::test(start_paused = true)]
    async fn no_header_is_a_typed_error_and_a_silent_peer_times_out() {
        let (mut balancer, mut server) = tokio::io::duplex(1024);
        balancer.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let e = read_proxy_header(&mut server, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let inner = e
            .get_ref()
            .and_then(|e| e.downcast_ref::<ProxyHeaderError>());
        assert_eq!(inner, Some(&ProxyHeaderError::Missing));

        let (mut balancer, mut server) = tokio::io::duplex(1024);
        balancer.write_all(b"PROXY TCP4 192.0.2").await.unwrap();
        let e = read_proxy_header(&mut server, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        drop(balancer);
    }
}
