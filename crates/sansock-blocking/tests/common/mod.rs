//! Helpers shared by the blocking adapter's tests: a listener on a free port, and a client
//! that completes the handshake and then holds the raw stream, silent.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use sansock_blocking::{ClientSettings, WsUrl};
use std::net::{TcpListener, TcpStream};

/// Binds 127.0.0.1 on a free port; gives the listener and its `ws://` URL.
pub fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// A client that completes the handshake and then holds the raw stream (reads nothing,
/// answers nothing).
pub fn silent_client(url: &str) -> TcpStream {
    let parsed = WsUrl::parse(url).unwrap();
    let tcp = TcpStream::connect((parsed.host.as_str(), parsed.port)).unwrap();
    let (ws, _) = sansock_blocking::client(tcp, &parsed.request, ClientSettings::new()).unwrap();
    ws.into_inner()
}
