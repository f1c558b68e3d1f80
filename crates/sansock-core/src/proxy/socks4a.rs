//! SOCKS4a: one `CONNECT` request (an IPv4 address, or `0.0.0.1` and the name for the proxy to
//! resolve) and one 8-byte reply; 0x5A grants. No password: a user name goes as the user id.

use super::{Credentials, Machine, ProxyError, ProxyTarget, TargetHost, fill};
use alloc::vec::Vec;

const GRANTED: u8 = 0x5A;

#[derive(Debug)]
pub(super) struct Socks4a {
    buf: Vec<u8>,
}

impl Socks4a {
    /// Queues the request in `out`.
    pub(super) fn start(
        target: &ProxyTarget,
        credentials: Option<&Credentials>,
        out: &mut Vec<u8>,
    ) -> Result<Self, ProxyError> {
        let user = credentials.map_or("", |c| c.username.as_str());
        if !credentials.is_none_or(|c| c.password.is_empty()) || user.contains('\0') {
            return Err(ProxyError::InvalidCredentials(
                "SOCKS4a takes a user id and no password",
            ));
        }
        out.extend_from_slice(&[0x04, 0x01]);
        out.extend_from_slice(&target.port().to_be_bytes());
        let name = match target.parsed_host()? {
            TargetHost::V4(ip) => {
                out.extend_from_slice(&ip.octets());
                None
            }
            TargetHost::V6(_) => {
                return Err(ProxyError::InvalidTarget(
                    "SOCKS4a cannot carry an IPv6 address",
                ));
            }
            TargetHost::Name(name) => {
                out.extend_from_slice(&[0, 0, 0, 1]);
                Some(name)
            }
        };
        out.extend_from_slice(user.as_bytes());
        out.push(0);
        if let Some(name) = name {
            out.extend_from_slice(name.as_bytes());
            out.push(0);
        }
        Ok(Socks4a {
            buf: Vec::with_capacity(8),
        })
    }
}

impl Machine for Socks4a {
    fn receive(&mut self, input: &[u8], _out: &mut Vec<u8>) -> Result<(usize, bool), ProxyError> {
        let taken = fill(&mut self.buf, input, 8);
        if self.buf.len() < 8 {
            return Ok((taken, false));
        }
        if self.buf[0] != 0x00 {
            return Err(ProxyError::Malformed("not a SOCKS4 reply"));
        }
        if self.buf[1] != GRANTED {
            return Err(ProxyError::Socks4Refused(self.buf[1]));
        }
        Ok((taken, true))
    }
}
