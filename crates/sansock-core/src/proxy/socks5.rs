//! SOCKS5 (RFC 1928) with no authentication or user/password (RFC 1929): a greeting offering
//! the methods, the proxy's choice, the credentials if it chose them, then `CONNECT` to an IPv4,
//! IPv6 or domain address (the last lets the proxy resolve the name: `socks5h`).

use super::{Credentials, Machine, ProxyError, ProxyTarget, TargetHost, fill};
use alloc::vec::Vec;

const VERSION: u8 = 0x05;
const NO_AUTH: u8 = 0x00;
const USER_PASSWORD: u8 = 0x02;
const NO_ACCEPTABLE: u8 = 0xFF;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for the method the proxy chose (2 bytes).
    Method,
    /// Waiting for the verdict on the credentials (2 bytes).
    Auth,
    /// Waiting for the reply to `CONNECT` (its length depends on the address type).
    Reply,
}

#[derive(Debug)]
pub(super) struct Socks5 {
    stage: Stage,
    /// The reply read so far (at most 4 + 1 + 255 + 2 bytes).
    buf: Vec<u8>,
    /// The `CONNECT` request, sent once the method is settled.
    request: Vec<u8>,
    /// The RFC 1929 request, if credentials were given.
    auth: Option<Vec<u8>>,
}

impl Socks5 {
    /// Queues the greeting in `out`.
    pub(super) fn start(
        target: &ProxyTarget,
        credentials: Option<&Credentials>,
        out: &mut Vec<u8>,
    ) -> Result<Self, ProxyError> {
        let mut request = Vec::with_capacity(22);
        request.extend_from_slice(&[VERSION, 0x01, 0x00]);
        match target.parsed_host()? {
            TargetHost::V4(ip) => {
                request.push(0x01);
                request.extend_from_slice(&ip.octets());
            }
            TargetHost::V6(ip) => {
                request.push(0x04);
                request.extend_from_slice(&ip.octets());
            }
            TargetHost::Name(name) => {
                request.push(0x03);
                request.push(name.len() as u8); // at most 255: checked by `parsed_host`
                request.extend_from_slice(name.as_bytes());
            }
        }
        request.extend_from_slice(&target.port().to_be_bytes());
        let auth = match credentials {
            None => None,
            Some(c) => {
                let (user, pass) = (c.username.as_bytes(), c.password.as_bytes());
                if user.is_empty() || user.len() > 255 || pass.len() > 255 {
                    return Err(ProxyError::InvalidCredentials(
                        "SOCKS5 takes a user name of 1 to 255 bytes and a password of at most 255",
                    ));
                }
                let mut auth = Vec::with_capacity(3 + user.len() + pass.len());
                auth.extend_from_slice(&[0x01, user.len() as u8]);
                auth.extend_from_slice(user);
                auth.push(pass.len() as u8);
                auth.extend_from_slice(pass);
                Some(auth)
            }
        };
        if auth.is_some() {
            out.extend_from_slice(&[VERSION, 2, NO_AUTH, USER_PASSWORD]);
        } else {
            out.extend_from_slice(&[VERSION, 1, NO_AUTH]);
        }
        Ok(Socks5 {
            stage: Stage::Method,
            buf: Vec::with_capacity(8),
            request,
            auth,
        })
    }

    /// The length of the `CONNECT` reply, once enough of it is here to tell.
    fn reply_len(&self) -> Result<Option<usize>, ProxyError> {
        if self.buf.len() < 5 {
            return Ok(None);
        }
        Ok(Some(match self.buf[3] {
            0x01 => 4 + 4 + 2,
            0x04 => 4 + 16 + 2,
            0x03 => 4 + 1 + self.buf[4] as usize + 2,
            _ => {
                return Err(ProxyError::Malformed(
                    "unknown address type in the SOCKS5 reply",
                ));
            }
        }))
    }
}

impl Machine for Socks5 {
    fn receive(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(usize, bool), ProxyError> {
        match self.stage {
            Stage::Method => {
                let taken = fill(&mut self.buf, input, 2);
                if self.buf.len() < 2 {
                    return Ok((taken, false));
                }
                if self.buf[0] != VERSION {
                    return Err(ProxyError::Malformed("not a SOCKS5 answer"));
                }
                let method = self.buf[1];
                self.buf.clear();
                match (method, self.auth.take()) {
                    (NO_AUTH, _) => {
                        out.extend_from_slice(&self.request);
                        self.stage = Stage::Reply;
                    }
                    (USER_PASSWORD, Some(auth)) => {
                        out.extend_from_slice(&auth);
                        self.stage = Stage::Auth;
                    }
                    (NO_ACCEPTABLE, _) => return Err(ProxyError::Socks5NoAcceptableMethod),
                    _ => {
                        return Err(ProxyError::Malformed(
                            "the SOCKS5 proxy chose a method not offered",
                        ));
                    }
                }
                Ok((taken, false))
            }
            Stage::Auth => {
                let taken = fill(&mut self.buf, input, 2);
                if self.buf.len() < 2 {
                    return Ok((taken, false));
                }
                if self.buf[0] != 0x01 {
                    return Err(ProxyError::Malformed("not an RFC 1929 answer"));
                }
                if self.buf[1] != 0x00 {
                    return Err(ProxyError::Socks5AuthFailed(self.buf[1]));
                }
                self.buf.clear();
                out.extend_from_slice(&self.request);
                self.stage = Stage::Reply;
                Ok((taken, false))
            }
            Stage::Reply => {
                let mut taken = fill(&mut self.buf, input, 5);
                let Some(len) = self.reply_len()? else {
                    return Ok((taken, false));
                };
                if self.buf[0] != VERSION || self.buf[2] != 0x00 {
                    return Err(ProxyError::Malformed("not a SOCKS5 reply"));
                }
                if self.buf[1] != 0x00 {
                    return Err(ProxyError::Socks5Refused(self.buf[1]));
                }
                taken += fill(&mut self.buf, &input[taken..], len);
                Ok((taken, self.buf.len() == len))
            }
        }
    }
}
