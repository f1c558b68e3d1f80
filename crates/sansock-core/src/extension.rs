//! The plug-in point for extensions that use the RSV bits (RFC 6455 §9), such as
//! permessage-deflate (RFC 7692).
//!
//! Three pieces: [`ExtensionOffer`], the parsed `Sec-WebSocket-Extensions` grammar; the
//! negotiation traits [`ServerExtension`] and [`ClientExtension`], consulted by the handshakes;
//! and [`Extension`], the per-connection transform the connection calls for each data message.
//! One negotiated extension at a time may claim RSV bits. No extension is implemented here.

use crate::{CloseCode, MessageKind};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use bytes::BytesMut;

/// A negotiated extension's per-connection state: transforms message payloads.
pub trait Extension: Send {
    /// The RSV bits (`frame::RSV1` …) this extension may set on the first frame of a message.
    fn rsv_bits(&self) -> u8;

    /// Transforms an outgoing message. Writes the new payload into `out` and returns the RSV
    /// bits for the message's first frame, or returns `Ok(None)` to send `payload` unchanged.
    ///
    /// # Errors
    /// When the message cannot be transformed; nothing is sent.
    fn encode(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError>;

    /// A key under which this side's encoding of a message depends on the message and the
    /// negotiated parameters only — no state carried from one message to the next — so that
    /// connections with equal keys encode every message to the same bytes and one encoding
    /// serves them all ([`PreparedMessage`](crate::PreparedMessage)). Keys of different
    /// extensions must differ (put a tag of your own in the top byte). `None` (the default):
    /// each connection encodes for itself.
    fn shared_encoding(&self) -> Option<u64> {
        None
    }

    /// Encodes `payload` as [`encode`](Self::encode) would with no state carried over, for
    /// every connection with this [`shared_encoding`](Self::shared_encoding) key. The default
    /// sends it unchanged (`Ok(None)`).
    ///
    /// # Errors
    /// As [`encode`](Self::encode).
    fn encode_shared(
        &self,
        kind: MessageKind,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError> {
        let _ = (kind, payload, out);
        Ok(None)
    }

    /// Transforms one incoming frame of a message whose first frame carried the RSV bits `rsv`,
    /// appending the result to `out`. `fin` marks the message's last frame. `out` must never
    /// grow past `max_len` bytes: stop and fail with 1009 instead (bombs are checked while
    /// decoding, not after).
    ///
    /// # Errors
    /// Corrupt input, or output over `max_len`; the connection fails with the error's code.
    fn decode(
        &mut self,
        rsv: u8,
        payload: &[u8],
        fin: bool,
        out: &mut BytesMut,
        max_len: usize,
    ) -> Result<(), ExtensionError>;
}

/// An extension could not transform data; the connection closes with `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionError {
    /// The close code (1009 for output over the limit, 1007 or 1002 for corrupt input).
    pub code: CloseCode,
    /// What went wrong.
    pub reason: &'static str,
}

/// Server side of negotiation: picks among the client's offers of one extension.
pub trait ServerExtension: Send + Sync {
    /// The extension token, e.g. `permessage-deflate`.
    fn name(&self) -> &str;

    /// Given the client's offers of this extension in its order of preference, returns the
    /// response element (e.g. `permessage-deflate; server_no_context_takeover`) and the
    /// connection's instance, or `None` to decline.
    fn negotiate(&self, offers: &[&ExtensionOffer]) -> Option<(String, Box<dyn Extension>)>;
}

/// Client side of negotiation: offers one extension and checks the server's answer.
pub trait ClientExtension: Send + Sync {
    /// The extension token, e.g. `permessage-deflate`.
    fn name(&self) -> &str;

    /// The offer, as one or more comma-separated elements of `Sec-WebSocket-Extensions`.
    fn offer(&self) -> String;

    /// The server accepted with `response`: build the instance, or refuse (the handshake fails).
    ///
    /// # Errors
    /// A reason when the response's parameters are not acceptable.
    fn accept(&self, response: &ExtensionOffer) -> Result<Box<dyn Extension>, &'static str>;
}

/// One element of a `Sec-WebSocket-Extensions` header: a name and its parameters. The
/// handshake parses the header (RFC 6455 §9.1's grammar: tokens, `;` parameters, quoted values)
/// and hands the elements to the extensions.
///
/// ```
/// use sansock_core::ExtensionOffer;
/// let offer = ExtensionOffer {
///     name: "permessage-deflate".into(),
///     params: vec![("client_max_window_bits".into(), None), ("server_max_window_bits".into(), Some("10".into()))],
/// };
/// assert_eq!(offer.param("client_max_window_bits"), Some(None));
/// assert_eq!(offer.param("Server_Max_Window_Bits"), Some(Some("10")));
/// assert_eq!(offer.param("server_no_context_takeover"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionOffer {
    /// The extension token.
    pub name: String,
    /// Parameters in order, each with its value if it had one (quotes removed).
    pub params: Vec<(String, Option<String>)>,
}

/// A `Sec-WebSocket-Extensions` value that does not follow RFC 6455 §9.1's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MalformedExtensions;

impl ExtensionOffer {
    /// The value of parameter `name`: `None` if absent, `Some(None)` if present without value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// Parses a comma-separated list of extension elements (empty elements are skipped).
    ///
    /// # Errors
    /// [`MalformedExtensions`] when the value breaks the grammar.
    pub(crate) fn parse_list(value: &str) -> Result<Vec<ExtensionOffer>, MalformedExtensions> {
        let mut p = Parser {
            s: value.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        loop {
            p.skip_ws();
            if p.eat(b',') {
                continue;
            }
            if p.done() {
                return Ok(out);
            }
            let name = p.token()?;
            let mut params = Vec::new();
            loop {
                p.skip_ws();
                if !p.eat(b';') {
                    break;
                }
                p.skip_ws();
                let key = p.token()?;
                p.skip_ws();
                let value = if p.eat(b'=') {
                    p.skip_ws();
                    Some(if p.peek() == Some(b'"') {
                        p.quoted()?
                    } else {
                        p.token()?
                    })
                } else {
                    None
                };
                params.push((key, value));
            }
            out.push(ExtensionOffer { name, params });
            p.skip_ws();
            if !p.done() && !p.eat(b',') {
                return Err(MalformedExtensions);
            }
        }
    }
}

impl core::fmt::Display for ExtensionOffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.name)?;
        for (k, v) in &self.params {
            match v {
                Some(v) => write!(f, "; {k}={v}")?,
                None => write!(f, "; {k}")?,
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn token(&mut self) -> Result<String, MalformedExtensions> {
        let start = self.i;
        while self.peek().is_some_and(crate::handshake::is_token_char) {
            self.i += 1;
        }
        if start == self.i {
            return Err(MalformedExtensions);
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).to_string())
    }
    fn quoted(&mut self) -> Result<String, MalformedExtensions> {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(MalformedExtensions),
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    let escaped = self.s.get(self.i + 1).copied().ok_or(MalformedExtensions)?;
                    out.push(escaped);
                    self.i += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        // RFC 6455 §9.1: a quoted value must still be a token once unquoted.
        if out.is_empty() || !out.iter().copied().all(crate::handshake::is_token_char) {
            return Err(MalformedExtensions);
        }
        Ok(String::from_utf8_lossy(&out).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(ExtensionOffer::parse_list("").map(|v| v.len()), Ok(0));
        assert_eq!(ExtensionOffer::parse_list(" , ,").map(|v| v.len()), Ok(0));
        let list = ExtensionOffer::parse_list("foo;a=1;b, bar ; c = \"x\"").unwrap();
        assert_eq!(list[0].to_string(), "foo; a=1; b");
        assert_eq!(list[1].to_string(), "bar; c=x");
        for bad in [
            "foo;",
            "foo bar",
            ";a",
            "foo; a=\"",
            "foo; a=\"b c\"",
            "foo; a=",
            "f@o",
        ] {
            assert_eq!(
                ExtensionOffer::parse_list(bad),
                Err(MalformedExtensions),
                "{bad}"
            );
        }
    }
}
