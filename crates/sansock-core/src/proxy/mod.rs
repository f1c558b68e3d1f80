//! Proxy handshakes, sans-IO: what a client says to a proxy before its WebSocket handshake —
//! HTTP `CONNECT`, SOCKS5 with no authentication or user/password (RFC 1928, RFC 1929) and
//! SOCKS4a. Which proxy the environment names for a URL is the client's (`sansock-client`).
//!
//! A [`ProxyHandshake`] is driven like the WebSocket handshake: write what
//! [`transmit`](ProxyHandshake::transmit) holds, hand what the proxy answers to
//! [`receive`](ProxyHandshake::receive) until it [`is_connected`](ProxyHandshake::is_connected); from then on the
//! connection is a tunnel to the target, and the WebSocket (or TLS, for `wss://`) handshake runs
//! through it. Dialling the proxy, TLS to an `https://` proxy and resolving a name for a proxy that
//! wants an address are the adapters' (I/O); everything said on the wire is here.
//!
//! ```
//! use sansock_core::proxy::{ProxyHandshake, ProxyProtocol, ProxyTarget};
//!
//! let target = ProxyTarget::new("example.com", 443);
//! let mut proxy = ProxyHandshake::new(ProxyProtocol::HttpConnect, &target, None, Default::default())
//!     .unwrap();
//! assert!(proxy.transmit().starts_with(b"CONNECT example.com:443 HTTP/1.1\r\n"));
//! let n = proxy.transmit().len();
//! proxy.advance_transmit(n);
//! proxy.receive(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
//! assert!(proxy.is_connected());
//! ```

mod error;
mod http_connect;
mod socks4a;
mod socks5;

pub use error::ProxyError;

use crate::HandshakeLimits;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

/// Which proxy protocol to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyProtocol {
    /// HTTP `CONNECT host:port` (an `http://` or `https://` proxy).
    HttpConnect,
    /// SOCKS5 (`socks5://` with an address resolved by the client, `socks5h://` with the name
    /// sent to the proxy to resolve).
    Socks5,
    /// SOCKS4a (`socks4a://`; `socks4://` with an IPv4 address resolved by the client).
    Socks4a,
}

/// Where the tunnel should lead: a host name or IP address, and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTarget {
    host: String,
    port: u16,
}

/// The target's host, as each protocol encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetHost<'a> {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    Name(&'a str),
}

impl ProxyTarget {
    /// The target `host` (a name, an IPv4 address, or an IPv6 address with or without brackets)
    /// and `port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let mut host = host.into();
        if host.starts_with('[') && host.ends_with(']') {
            host = String::from(&host[1..host.len() - 1]);
        }
        ProxyTarget { host, port }
    }

    /// The host, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn parsed_host(&self) -> Result<TargetHost<'_>, ProxyError> {
        if let Ok(v4) = self.host.parse::<Ipv4Addr>() {
            return Ok(TargetHost::V4(v4));
        }
        if let Ok(v6) = self.host.parse::<Ipv6Addr>() {
            return Ok(TargetHost::V6(v6));
        }
        // A name: what may appear in a request line and in SOCKS's one length byte.
        let fits = !self.host.is_empty()
            && self.host.len() <= 255
            && self
                .host
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b'@' | b'[' | b']'));
        if fits {
            Ok(TargetHost::Name(&self.host))
        } else {
            Err(ProxyError::InvalidTarget(
                "the host is not an IP address or a name of 1 to 255 printable characters",
            ))
        }
    }
}

/// A user name and password for the proxy (HTTP Basic, or SOCKS5's RFC 1929).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub(crate) username: String,
    /// The password.
    pub(crate) password: String,
}

impl Credentials {
    /// `username` and `password`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

/// The state machine of one protocol: takes the proxy's bytes, queues the client's.
trait Machine {
    /// Takes from `input` what the current reply needs; gives how many bytes it took and
    /// whether the tunnel is up. Queues the next request in `out`.
    fn receive(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(usize, bool), ProxyError>;
}

#[derive(Debug)]
enum Protocol {
    Http(http_connect::HttpConnect),
    Socks5(socks5::Socks5),
    Socks4a(socks4a::Socks4a),
}

/// A client's handshake with a proxy: bytes in, bytes out (see the [module](self)).
#[derive(Debug)]
pub struct ProxyHandshake {
    protocol: Protocol,
    out: Vec<u8>,
    sent: usize,
    connected: bool,
    failed: bool,
}

impl ProxyHandshake {
    /// Starts a handshake with a proxy of `protocol` for a tunnel to `target`, with
    /// `credentials` if the proxy wants them; `limits` bound an HTTP proxy's answer. The first
    /// request is ready in [`transmit`](Self::transmit).
    ///
    /// # Errors
    /// [`ProxyError::InvalidTarget`] for a host the protocol cannot carry (an IPv6 address to
    /// SOCKS4a, a name over 255 bytes), [`ProxyError::InvalidCredentials`] for credentials it
    /// cannot (over 255 bytes for SOCKS5, any for SOCKS4a but a user name).
    pub fn new(
        protocol: ProxyProtocol,
        target: &ProxyTarget,
        credentials: Option<&Credentials>,
        limits: HandshakeLimits,
    ) -> Result<Self, ProxyError> {
        let mut out = Vec::with_capacity(64);
        let protocol = match protocol {
            ProxyProtocol::HttpConnect => Protocol::Http(http_connect::HttpConnect::start(
                target,
                credentials,
                limits,
                &mut out,
            )?),
            ProxyProtocol::Socks5 => {
                Protocol::Socks5(socks5::Socks5::start(target, credentials, &mut out)?)
            }
            ProxyProtocol::Socks4a => {
                Protocol::Socks4a(socks4a::Socks4a::start(target, credentials, &mut out)?)
            }
        };
        Ok(ProxyHandshake {
            protocol,
            out,
            sent: 0,
            connected: false,
            failed: false,
        })
    }

    /// The bytes to write to the proxy now (empty while waiting for its answer).
    pub fn transmit(&self) -> &[u8] {
        &self.out[self.sent..]
    }

    /// Marks `n` bytes of [`transmit`](Self::transmit) as written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.sent = (self.sent + n).min(self.out.len());
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        }
    }

    /// Whether the tunnel is up.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Bytes the proxy sent. Every byte must be part of its answer: the target speaks only
    /// after the client (a WebSocket request, a TLS hello), so bytes past the final answer are
    /// an error too. Then write what [`transmit`](Self::transmit) holds, or, once
    /// [`is_connected`](Self::is_connected), start the WebSocket (or TLS) handshake.
    ///
    /// # Errors
    /// The proxy refused ([`ProxyError::Refused`], [`ProxyError::Socks5Refused`],
    /// [`ProxyError::Socks4Refused`]), wants credentials it did not get or turned them down, or
    /// broke its protocol. Once an error is returned the handshake is over.
    pub fn receive(&mut self, input: &[u8]) -> Result<(), ProxyError> {
        if self.failed {
            return Err(ProxyError::Malformed("the handshake already failed"));
        }
        let result = self.receive_inner(input);
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn receive_inner(&mut self, input: &[u8]) -> Result<(), ProxyError> {
        if input.is_empty() {
            return Ok(());
        }
        if self.connected || !self.transmit().is_empty() {
            // The proxy answers a request before it was all written, or talks past its answer.
            return Err(ProxyError::UnexpectedData);
        }
        let machine: &mut dyn Machine = match &mut self.protocol {
            Protocol::Http(m) => m,
            Protocol::Socks5(m) => m,
            Protocol::Socks4a(m) => m,
        };
        let (taken, connected) = machine.receive(input, &mut self.out)?;
        self.connected = connected;
        if taken < input.len() {
            return Err(ProxyError::UnexpectedData);
        }
        Ok(())
    }

    /// The proxy closed the connection: the error to report.
    pub fn receive_eof(&mut self) -> ProxyError {
        self.failed = true;
        ProxyError::Closed
    }
}

/// Moves bytes from `input` into `buf` until it holds `want`; gives how many it took.
pub(crate) fn fill(buf: &mut Vec<u8>, input: &[u8], want: usize) -> usize {
    let take = want.saturating_sub(buf.len()).min(input.len());
    buf.extend_from_slice(&input[..take]);
    take
}
