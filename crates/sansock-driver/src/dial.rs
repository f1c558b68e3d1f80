//! Dialling: the first address of a resolved host that takes a connection, for every client
//! adapter (each brings its own runtime's DNS and TCP).

use crate::Error;
use std::future::Future;
use std::io;

/// Connects to each of `addrs` in turn with `connect` and returns the first stream; the last
/// failure otherwise.
///
/// # Errors
/// [`Error::Connect`] with the last address's error (or "no address").
pub async fn first_connected<A, T, F, Fut>(
    addrs: impl IntoIterator<Item = A>,
    mut connect: F,
) -> Result<T, Error>
where
    F: FnMut(A) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match connect(addr).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(Error::Connect(last))
}
