//! HTTP `CONNECT` (RFC 9110 §9.3.6): one request, one response head; 2xx opens the tunnel.
//! Interim 1xx answers are skipped; any other status is [`ProxyError::Refused`] with its head.

use super::{Credentials, Machine, ProxyError, ProxyTarget, TargetHost};
use crate::HandshakeLimits;
use crate::handshake::Head;
use crate::handshake::head::{HeadError, HeadProgress, HeadReader};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use base64::Engine;

#[derive(Debug)]
pub(super) struct HttpConnect {
    reader: HeadReader,
    limits: HandshakeLimits,
}

impl HttpConnect {
    /// Queues the `CONNECT` request in `out`.
    pub(super) fn start(
        target: &ProxyTarget,
        credentials: Option<&Credentials>,
        limits: HandshakeLimits,
        out: &mut Vec<u8>,
    ) -> Result<Self, ProxyError> {
        let authority = match target.parsed_host()? {
            TargetHost::V6(ip) => format!("[{ip}]:{}", target.port()),
            TargetHost::V4(ip) => format!("{ip}:{}", target.port()),
            TargetHost::Name(name) => format!("{name}:{}", target.port()),
        };
        out.extend_from_slice(
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").as_bytes(),
        );
        if let Some(c) = credentials {
            if c.username.contains(':') {
                return Err(ProxyError::InvalidCredentials(
                    "a Basic user name cannot hold a colon",
                ));
            }
            if (c.username.chars().chain(c.password.chars())).any(char::is_control) {
                return Err(ProxyError::InvalidCredentials(
                    "control characters in the credentials",
                ));
            }
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", c.username, c.password));
            out.extend_from_slice(format!("Proxy-Authorization: Basic {token}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        Ok(HttpConnect {
            reader: HeadReader::default(),
            limits,
        })
    }
}

impl Machine for HttpConnect {
    fn receive(&mut self, input: &[u8], _out: &mut Vec<u8>) -> Result<(usize, bool), ProxyError> {
        let mut taken = 0;
        while taken < input.len() {
            match self
                .reader
                .push(&input[taken..], self.limits.max_head_bytes)
            {
                HeadProgress::Partial => return Ok((input.len(), false)),
                HeadProgress::TooLarge => return Err(ProxyError::TooLarge),
                HeadProgress::Complete { consumed } => {
                    taken += consumed;
                    let bytes = core::mem::take(&mut self.reader).into_bytes();
                    let head = Head::parse(bytes, &self.limits, false).map_err(|e| match e {
                        HeadError::TooManyHeaders | HeadError::TooLarge => ProxyError::TooLarge,
                        HeadError::Malformed => ProxyError::Malformed("not an HTTP/1.x response"),
                    })?;
                    match head.status() {
                        100..=199 => continue, // interim: the final answer follows
                        200..=299 => return Ok((taken, true)),
                        status => {
                            return Err(ProxyError::Refused {
                                status,
                                head: Box::new(head),
                            });
                        }
                    }
                }
            }
        }
        Ok((taken, false))
    }
}
