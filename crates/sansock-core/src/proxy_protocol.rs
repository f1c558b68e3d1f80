//! The PROXY protocol (HAProxy's, versions 1 and 2), sans-IO: the header a load balancer writes
//! before a connection's first byte to say whose connection it is, so that a server behind it
//! sees its clients' addresses instead of the balancer's. [`proxy_header_step`] says how much to
//! read next — never more than the header holds, so the bytes after it (a TLS or HTTP
//! handshake) stay in the transport for whoever reads them next — and parses the header once
//! it is whole. Reading is the adapters' (`sansock_tokio::read_proxy_header`).
//!
//! A server that expects the header must get it on every connection: a client that can reach
//! the server directly could otherwise claim any address. Version 2 (HAProxy's
//! `send-proxy-v2`) is read in three reads; version 1, a line of text, a byte at a time past its
//! first 15 (its length is only known at its end).
//!
//! (The `ppp` crate parses these headers too; its stated dependency floors do not build and it
//! needs `std`, for what is some sixty lines here.)
//!
//! ```
//! use sansock_core::proxy_protocol::{ProxyHeaderStep, proxy_header_step};
//!
//! let header = b"PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\n";
//! let mut read = Vec::new();
//! let client = loop {
//!     match proxy_header_step(&read, 4096).unwrap() {
//!         ProxyHeaderStep::Read(n) => read.extend_from_slice(&header[read.len()..][..n]),
//!         ProxyHeaderStep::Done(client) => break client,
//!     }
//! };
//! assert_eq!(client, Some("203.0.113.7:51234".parse().unwrap()));
//! ```

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Version 2's signature, its first 12 bytes.
const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";
/// Version 1's first bytes.
const V1_PREFIX: &[u8; 6] = b"PROXY ";
/// Version 1's longest line, CRLF included (the protocol's own limit).
const V1_MAX: usize = 107;
/// Version 1's shortest line (`PROXY UNKNOWN\r\n`).
const V1_MIN: usize = 15;
/// Version 2's fixed part: the signature, version and command, family, length.
const V2_FIXED: usize = 16;

/// The default longest version 2 header accepted (its addresses and TLVs included): HAProxy's
/// own TLVs (ALPN, authority, unique id, TLS details) fit many times over.
pub const DEFAULT_MAX_PROXY_HEADER: usize = 4096;

/// What to do next with the bytes read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeaderStep {
    /// Read exactly this many more bytes (all of them belong to the header), then ask again.
    Read(usize),
    /// The header is complete: the client's address, or `None` when the balancer spoke for
    /// itself (a `LOCAL` or `UNKNOWN` header, a health check) or named a Unix socket — the
    /// transport's own peer address is then the one to use.
    Done(Option<SocketAddr>),
}

/// A connection that does not start with a valid PROXY protocol header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeaderError {
    /// Its first bytes are neither version's: it did not come through the balancer (or the
    /// balancer does not send the header).
    Missing,
    /// The header is longer than the limit (version 1's 107 bytes, or the limit given for
    /// version 2).
    TooLong,
    /// The header breaks the protocol: what is wrong with it.
    Malformed(&'static str),
}

impl fmt::Display for ProxyHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyHeaderError::Missing => f.write_str("the connection has no PROXY protocol header"),
            ProxyHeaderError::TooLong => f.write_str("the PROXY protocol header is too long"),
            ProxyHeaderError::Malformed(why) => write!(f, "malformed PROXY protocol header: {why}"),
        }
    }
}

impl core::error::Error for ProxyHeaderError {}

/// The next step for `read`, the bytes of the connection read so far (all of them header: read
/// only what [`ProxyHeaderStep::Read`] asks for). `max_len` bounds a version 2 header.
///
/// # Errors
/// When `read` cannot be the start of a header, or the header is too long or malformed.
pub fn proxy_header_step(read: &[u8], max_len: usize) -> Result<ProxyHeaderStep, ProxyHeaderError> {
    let starts = |prefix: &[u8]| {
        let n = read.len().min(prefix.len());
        read[..n] == prefix[..n]
    };
    // The two versions differ from their first byte: six bytes tell them apart.
    if read.is_empty() {
        return Ok(ProxyHeaderStep::Read(V1_PREFIX.len()));
    }
    if starts(V2_SIGNATURE) {
        if read.len() < V2_FIXED {
            return Ok(ProxyHeaderStep::Read(V2_FIXED - read.len()));
        }
        let total = V2_FIXED + usize::from(u16::from_be_bytes([read[14], read[15]]));
        if total > max_len.max(V2_FIXED) {
            return Err(ProxyHeaderError::TooLong);
        }
        if read.len() < total {
            return Ok(ProxyHeaderStep::Read(total - read.len()));
        }
        return v2_source(read[12], read[13], &read[V2_FIXED..]).map(ProxyHeaderStep::Done);
    }
    if starts(V1_PREFIX) {
        if read.len() < V1_MIN {
            return Ok(ProxyHeaderStep::Read(V1_MIN - read.len()));
        }
        return match read.strip_suffix(b"\r\n") {
            Some(line) => v1_source(&line[V1_PREFIX.len()..]).map(ProxyHeaderStep::Done),
            None if read.len() >= V1_MAX => Err(ProxyHeaderError::TooLong),
            None => Ok(ProxyHeaderStep::Read(1)),
        };
    }
    Err(ProxyHeaderError::Missing)
}

/// Version 1's fields after `PROXY `: `TCP4|TCP6 source destination sport dport`, or
/// `UNKNOWN` and anything.
fn v1_source(fields: &[u8]) -> Result<Option<SocketAddr>, ProxyHeaderError> {
    let malformed = ProxyHeaderError::Malformed;
    let line = core::str::from_utf8(fields).map_err(|_| malformed("not text"))?;
    let mut fields = line.split(' ');
    let family = fields.next().unwrap_or_default();
    if family == "UNKNOWN" {
        return Ok(None);
    }
    let (Some(source), Some(_), Some(port), Some(_), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(malformed("not five fields"));
    };
    let ip = match family {
        "TCP4" => source.parse::<Ipv4Addr>().map(IpAddr::V4),
        "TCP6" => source.parse::<Ipv6Addr>().map(IpAddr::V6),
        _ => return Err(malformed("unknown protocol")),
    };
    let ip = ip.map_err(|_| malformed("bad source address"))?;
    let port = port.parse().map_err(|_| malformed("bad source port"))?;
    Ok(Some(SocketAddr::new(ip, port)))
}

/// Version 2's addresses by its version-and-command and family bytes.
fn v2_source(command: u8, family: u8, rest: &[u8]) -> Result<Option<SocketAddr>, ProxyHeaderError> {
    let malformed = ProxyHeaderError::Malformed;
    match command {
        0x20 => return Ok(None), // LOCAL: the balancer's own connection
        0x21 => {}
        _ if command >> 4 != 2 => return Err(malformed("not version 2")),
        _ => return Err(malformed("unknown command")),
    }
    let port = |at: usize| u16::from_be_bytes([rest[at], rest[at + 1]]);
    match family >> 4 {
        0x1 if rest.len() >= 12 => {
            let ip = Ipv4Addr::new(rest[0], rest[1], rest[2], rest[3]);
            Ok(Some(SocketAddr::new(IpAddr::V4(ip), port(8))))
        }
        0x2 if rest.len() >= 36 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&rest[..16]);
            Ok(Some(SocketAddr::new(
                IpAddr::V6(Ipv6Addr::from(octets)),
                port(32),
            )))
        }
        0x1 | 0x2 => Err(malformed("addresses shorter than their family")),
        0x0 | 0x3 => Ok(None), // unspecified, or Unix sockets
        _ => Err(malformed("unknown address family")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Reads `bytes` the way an adapter does; returns the step's result and how much was read.
    fn read_from(bytes: &[u8]) -> (Result<Option<SocketAddr>, ProxyHeaderError>, usize) {
        let mut read = Vec::new();
        loop {
            match proxy_header_step(&read, DEFAULT_MAX_PROXY_HEADER) {
                Ok(ProxyHeaderStep::Read(n)) => {
                    let Some(more) = bytes.get(read.len()..read.len() + n) else {
                        return (Err(ProxyHeaderError::Missing), read.len());
                    };
                    read.extend_from_slice(more);
                }
                Ok(ProxyHeaderStep::Done(client)) => return (Ok(client), read.len()),
                Err(e) => return (Err(e), read.len()),
            }
        }
    }

    fn v2(command: u8, family: u8, addresses: &[u8]) -> Vec<u8> {
        let mut header = V2_SIGNATURE.to_vec();
        header.extend([0x20 | command, family]);
        header.extend(u16::try_from(addresses.len()).unwrap().to_be_bytes());
        header.extend(addresses);
        header
    }

    #[test]
    fn version_1_leaves_what_follows_unread() {
        let mut input = b"PROXY TCP6 2001:db8::7 2001:db8::1 40000 443\r\n".to_vec();
        let header = input.len();
        input.extend(b"GET / HTTP/1.1\r\n\r\n");
        let (client, read) = read_from(&input);
        assert_eq!(client, Ok(Some("[2001:db8::7]:40000".parse().unwrap())));
        assert_eq!(read, header);
        assert_eq!(read_from(b"PROXY UNKNOWN\r\nGET").0, Ok(None));
    }

    #[test]
    fn version_2_is_read_in_exact_pieces() {
        // TCP over IPv4: source 198.51.100.9:1234, destination 10.0.0.1:443, then one TLV.
        let mut addresses = vec![198, 51, 100, 9, 10, 0, 0, 1, 0x04, 0xD2, 0x01, 0xBB];
        addresses.extend([0x01, 0x00, 0x02, b'h', b'2']); // ALPN "h2"
        let mut input = v2(1, 0x11, &addresses);
        let header = input.len();
        input.extend(b"\x16\x03\x01"); // a TLS ClientHello's first bytes
        let mut read = Vec::new();
        let mut reads = Vec::new();
        while let ProxyHeaderStep::Read(n) = proxy_header_step(&read, 4096).unwrap() {
            reads.push(n);
            read.extend_from_slice(&input[read.len()..read.len() + n]);
        }
        assert_eq!(reads, [6, 10, addresses.len()]);
        assert_eq!(read.len(), header);
        assert_eq!(
            read_from(&input).0,
            Ok(Some("198.51.100.9:1234".parse().unwrap()))
        );
        // LOCAL: the balancer's own connection (a health check); a Unix socket's addresses.
        assert_eq!(read_from(&v2(0, 0x00, &[])).0, Ok(None));
        assert_eq!(read_from(&v2(1, 0x31, &[0; 216])).0, Ok(None));
        // TCP over IPv6.
        let mut six = [0u8; 36];
        six[15] = 1; // ::1
        six[32..34].copy_from_slice(&8080u16.to_be_bytes());
        assert_eq!(
            read_from(&v2(1, 0x21, &six)).0,
            Ok(Some("[::1]:8080".parse().unwrap()))
        );
    }

    #[test]
    fn what_is_not_a_header_is_refused_early() {
        let (result, read) = read_from(b"GET /chat HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(result, Err(ProxyHeaderError::Missing));
        assert_eq!(read, 6);
        assert_eq!(
            read_from(b"\x16\x03\x01\x02\x00\x01").0,
            Err(ProxyHeaderError::Missing)
        );
        let long = [b"PROXY TCP4 ".as_slice(), &[b'1'; 200]].concat();
        assert_eq!(read_from(&long), (Err(ProxyHeaderError::TooLong), V1_MAX));
        let big = v2(1, 0x11, &[0; 5000]);
        assert_eq!(read_from(&big).0, Err(ProxyHeaderError::TooLong));
        let bad = b"PROXY TCP4 300.1.1.1 10.0.0.1 1 2\r\n";
        assert!(matches!(
            read_from(bad).0,
            Err(ProxyHeaderError::Malformed(_))
        ));
        // Version 2 with an address block too short for its family.
        assert!(matches!(
            read_from(&v2(1, 0x11, &[1, 2, 3])).0,
            Err(ProxyHeaderError::Malformed(_))
        ));
    }
}
