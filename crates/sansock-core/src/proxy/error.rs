//! What can go wrong between a client and its proxy: [`ProxyError`].

use crate::handshake::Head;
use alloc::boxed::Box;

/// A proxy handshake that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyError {
    /// The HTTP proxy answered `CONNECT` with a status other than 2xx — 407 when it wants
    /// credentials (or turned them down), 403 when the target is not allowed, 502 or 503 when it
    /// could not reach the target. The head keeps every header (`Proxy-Authenticate`, say).
    Refused {
        /// The status code.
        status: u16,
        /// The response head.
        head: Box<Head>,
    },
    /// The SOCKS5 proxy would not connect (its RFC 1928 §6 reply code: 0x01 general failure,
    /// 0x02 not allowed by its rules, 0x03 network and 0x04 host unreachable, 0x05 refused by
    /// the target, 0x06 TTL expired, 0x07 command and 0x08 address type not supported).
    Socks5Refused(u8),
    /// The SOCKS5 proxy accepts none of the ways offered to authenticate (it wants credentials
    /// and none were given, or it wants a method other than user/password).
    Socks5NoAcceptableMethod,
    /// The SOCKS5 proxy turned the credentials down (its RFC 1929 status byte).
    Socks5AuthFailed(u8),
    /// The SOCKS4a proxy would not connect (its reply code: 0x5B rejected, 0x5C and 0x5D
    /// identd failures).
    Socks4Refused(u8),
    /// The proxy's answer is larger than the handshake limits allow.
    TooLarge,
    /// The proxy's answer breaks its protocol.
    Malformed(&'static str),
    /// Bytes arrived that no request asked for (past the final answer, or before a request was
    /// written).
    UnexpectedData,
    /// The proxy closed the connection before the tunnel was up.
    Closed,
    /// The target cannot be said in this protocol.
    InvalidTarget(&'static str),
    /// The credentials cannot be said in this protocol.
    InvalidCredentials(&'static str),
}

impl ProxyError {
    /// The HTTP status of a refused `CONNECT`.
    pub fn status(&self) -> Option<u16> {
        match self {
            ProxyError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the proxy wants (other) credentials: a 407 (or a 401, which some proxies send —
    /// tinyproxy among them — and which, in answer to `CONNECT`, can only be the proxy's), no
    /// acceptable SOCKS5 method, or SOCKS5 credentials turned down.
    pub fn is_auth_required(&self) -> bool {
        matches!(
            self,
            ProxyError::Refused {
                status: 401 | 407,
                ..
            } | ProxyError::Socks5NoAcceptableMethod
                | ProxyError::Socks5AuthFailed(_)
        )
    }

    /// Whether trying again later may succeed: the proxy could not reach the target (a 5xx;
    /// SOCKS network or host unreachable, refused, TTL expired, general failure) or went away.
    /// Refusals by rule and authentication failures are not.
    pub fn is_transient(&self) -> bool {
        match self {
            ProxyError::Refused { status, .. } => (500..600).contains(status),
            ProxyError::Socks5Refused(code) => matches!(code, 0x01 | 0x03..=0x06),
            ProxyError::Socks4Refused(code) => *code == 0x5B,
            ProxyError::Closed => true,
            _ => false,
        }
    }
}

impl core::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ProxyError::Refused { status: 407, .. } => {
                f.write_str("the proxy wants credentials (407 Proxy Authentication Required)")
            }
            ProxyError::Refused { status, head } => match head.reason() {
                "" => write!(f, "the proxy refused the tunnel with {status}"),
                reason => write!(f, "the proxy refused the tunnel with {status} {reason}"),
            },
            ProxyError::Socks5Refused(code) => {
                let why = match code {
                    0x01 => "general failure",
                    0x02 => "connection not allowed by ruleset",
                    0x03 => "network unreachable",
                    0x04 => "host unreachable",
                    0x05 => "connection refused by the target",
                    0x06 => "TTL expired",
                    0x07 => "command not supported",
                    0x08 => "address type not supported",
                    _ => "unassigned reply code",
                };
                write!(f, "the SOCKS5 proxy refused: {why} ({code:#04x})")
            }
            ProxyError::Socks5NoAcceptableMethod => {
                f.write_str("the SOCKS5 proxy accepts none of the offered authentication methods")
            }
            ProxyError::Socks5AuthFailed(status) => {
                write!(
                    f,
                    "the SOCKS5 proxy turned the credentials down (status {status})"
                )
            }
            ProxyError::Socks4Refused(code) => {
                write!(
                    f,
                    "the SOCKS4a proxy refused the request (code {code:#04x})"
                )
            }
            ProxyError::TooLarge => f.write_str("the proxy's answer is over the head limit"),
            ProxyError::Malformed(what) => write!(f, "the proxy's answer is malformed: {what}"),
            ProxyError::UnexpectedData => {
                f.write_str("the proxy sent bytes past its answer or before the request")
            }
            ProxyError::Closed => {
                f.write_str("the proxy closed the connection before the tunnel was up")
            }
            ProxyError::InvalidTarget(why) => {
                write!(f, "the proxy cannot be asked for this target: {why}")
            }
            ProxyError::InvalidCredentials(why) => {
                write!(f, "the credentials cannot be sent to this proxy: {why}")
            }
        }
    }
}

#[cfg(feature = "std")]
extern crate std;
#[cfg(feature = "std")]
impl std::error::Error for ProxyError {}
