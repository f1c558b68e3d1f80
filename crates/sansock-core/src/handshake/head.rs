//! Reading an HTTP/1.1 head (request or response) that arrives in pieces, in linear time.
//!
//! [`HeadReader`] copies bytes until the blank line that ends the head, scanning each byte once
//! however the input is chunked (no re-parsing of a growing buffer: CVE-2023-43669), and stops
//! at the byte limit. [`Head`] is the parsed result: the head's bytes plus the offsets of each
//! part, so lookups borrow instead of allocating a string per header.

use crate::config::HandshakeLimits;
use alloc::vec;
use alloc::vec::Vec;
use core::ops::Range;

/// Accumulates a head until its end.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeadReader {
    buf: Vec<u8>,
}

/// Progress of a [`HeadReader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadProgress {
    /// All input was taken; the head is not complete yet.
    Partial,
    /// The head is complete; `consumed` bytes of the last input belonged to it.
    Complete { consumed: usize },
    /// The head exceeds the byte limit.
    TooLarge,
}

impl HeadReader {
    /// Takes bytes up to the end of the head.
    pub(crate) fn push(&mut self, input: &[u8], max_bytes: usize) -> HeadProgress {
        let old = self.buf.len();
        let room = max_bytes.saturating_sub(old);
        let take = input.len().min(room);
        // Lines may end in CRLF or a bare LF; the head ends at an empty line. Scan only the new
        // bytes, looking back at most two bytes across the previous chunk's end.
        for (i, &b) in input[..take].iter().enumerate() {
            if b != b'\n' {
                continue;
            }
            let at = old + i;
            let prev = |back: usize| -> Option<u8> {
                at.checked_sub(back).map(|j| {
                    if j >= old {
                        input[j - old]
                    } else {
                        self.buf[j]
                    }
                })
            };
            let ends = prev(1) == Some(b'\n') || (prev(1) == Some(b'\r') && prev(2) == Some(b'\n'));
            if ends {
                self.buf.extend_from_slice(&input[..=i]);
                return HeadProgress::Complete { consumed: i + 1 };
            }
        }
        self.buf.extend_from_slice(&input[..take]);
        if take < input.len() || self.buf.len() >= max_bytes {
            HeadProgress::TooLarge
        } else {
            HeadProgress::Partial
        }
    }

    /// The bytes read so far.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// The start line of a head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StartLine {
    Request {
        method: Range<usize>,
        target: Range<usize>,
    },
    Response {
        status: u16,
        reason: Range<usize>,
    },
}

/// Why a complete head could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// More header fields than allowed.
    TooManyHeaders,
    /// More bytes than allowed.
    TooLarge,
    /// Not valid HTTP/1.x.
    Malformed,
}

/// A parsed HTTP/1.x head: its bytes and where each part lies in them.
#[derive(Clone, PartialEq, Eq)]
pub struct Head {
    bytes: Vec<u8>,
    pub(crate) start: StartLine,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub(crate) minor_version: u8,
    headers: Vec<(Range<usize>, Range<usize>)>,
}

impl Head {
    /// Parses a complete head (as returned by [`HeadReader`]).
    pub(crate) fn parse(
        bytes: Vec<u8>,
        limits: &HandshakeLimits,
        request: bool,
    ) -> Result<Head, HeadError> {
        let mut slots = vec![httparse::EMPTY_HEADER; limits.max_headers];
        let base = bytes.as_ptr() as usize;
        // Where a slice httparse returned lies in `bytes`. An empty one may not point into them
        // at all (httparse gives `""` for a missing reason phrase): it is the empty range.
        let at = |s: &[u8]| match (s.as_ptr() as usize).checked_sub(base) {
            Some(from) if from + s.len() <= bytes.len() => from..from + s.len(),
            _ => 0..0,
        };
        let map_err = |e| match e {
            httparse::Error::TooManyHeaders => HeadError::TooManyHeaders,
            _ => HeadError::Malformed,
        };
        let (start, version, parsed) = if request {
            let mut req = httparse::Request::new(&mut slots);
            match req.parse(&bytes).map_err(map_err)? {
                httparse::Status::Complete(_) => {}
                httparse::Status::Partial => return Err(HeadError::Malformed),
            }
            let (Some(method), Some(path), Some(version)) = (req.method, req.path, req.version)
            else {
                return Err(HeadError::Malformed);
            };
            let start = StartLine::Request {
                method: at(method.as_bytes()),
                target: at(path.as_bytes()),
            };
            (start, version, req.headers.len())
        } else {
            let mut res = httparse::Response::new(&mut slots);
            match res.parse(&bytes).map_err(map_err)? {
                httparse::Status::Complete(_) => {}
                httparse::Status::Partial => return Err(HeadError::Malformed),
            }
            let (Some(status), Some(version)) = (res.code, res.version) else {
                return Err(HeadError::Malformed);
            };
            let reason = res.reason.map_or(0..0, |r| at(r.as_bytes()));
            (
                StartLine::Response { status, reason },
                version,
                res.headers.len(),
            )
        };
        let headers = slots[..parsed]
            .iter()
            .map(|h| (at(h.name.as_bytes()), at(h.value)))
            .collect();
        Ok(Head {
            start,
            minor_version: version,
            headers,
            bytes,
        })
    }

    /// A request head from fields another HTTP parser already read (an HTTP server's request),
    /// laid out as the HTTP/1.1 text it stands for, so every lookup works as on a parsed one.
    /// Gives `None` past `limits` (the head's bytes or its number of fields).
    #[cfg(feature = "http")]
    pub(crate) fn from_fields<'a>(
        method: &str,
        target: &str,
        version: &str,
        fields: impl Iterator<Item = (&'a str, &'a [u8])>,
        limits: &HandshakeLimits,
    ) -> Result<Head, HeadError> {
        let mut bytes = Vec::with_capacity(256);
        let put = |bytes: &mut Vec<u8>, part: &[u8]| {
            let from = bytes.len();
            bytes.extend_from_slice(part);
            from..bytes.len()
        };
        let method = put(&mut bytes, method.as_bytes());
        bytes.push(b' ');
        let target = put(&mut bytes, target.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(version.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        // HTTP/2 and later count as at least HTTP/1.1.
        let minor_version = u8::from(version != "HTTP/1.0");
        let mut headers = Vec::new();
        for (name, value) in fields {
            if headers.len() == limits.max_headers {
                return Err(HeadError::TooManyHeaders);
            }
            let name = put(&mut bytes, name.as_bytes());
            bytes.extend_from_slice(b": ");
            let value = put(&mut bytes, value);
            bytes.extend_from_slice(b"\r\n");
            headers.push((name, value));
            if bytes.len() > limits.max_head_bytes {
                return Err(HeadError::TooLarge);
            }
        }
        bytes.extend_from_slice(b"\r\n");
        Ok(Head {
            bytes,
            start: StartLine::Request { method, target },
            minor_version,
            headers,
        })
    }

    /// A response head from fields another HTTP parser already read (an HTTP/2 response), laid
    /// out as the HTTP/1.1 text it stands for. Gives an error past `limits`.
    #[cfg(feature = "http")]
    pub(crate) fn from_response_fields<'a>(
        status: u16,
        fields: impl Iterator<Item = (&'a str, &'a [u8])>,
        limits: &HandshakeLimits,
    ) -> Result<Head, HeadError> {
        let line = alloc::format!("{status:03}");
        let mut head = Head::from_fields("HTTP/2", &line, "", fields, limits)?;
        head.start = StartLine::Response {
            status,
            reason: 0..0,
        };
        Ok(head)
    }

    /// Whether this head fits `limits` (its bytes and its number of fields).
    pub(crate) fn fits(&self, limits: &HandshakeLimits) -> Result<(), HeadError> {
        if self.headers.len() > limits.max_headers {
            Err(HeadError::TooManyHeaders)
        } else if self.bytes.len() > limits.max_head_bytes {
            Err(HeadError::TooLarge)
        } else {
            Ok(())
        }
    }

    fn text(&self, r: &Range<usize>) -> &str {
        core::str::from_utf8(&self.bytes[r.clone()]).unwrap_or("")
    }

    /// Every header field in order, as (name, raw value).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (self.text(n), &self.bytes[v.clone()]))
    }

    /// The values of every field named `name` (case-insensitive), in order.
    pub fn header_all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        self.headers()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of the first field named `name` (case-insensitive).
    pub fn header<'a>(&'a self, name: &str) -> Option<&'a [u8]> {
        self.header_all(name).next()
    }

    /// The first field named `name` as text, if it is UTF-8.
    pub fn header_str<'a>(&'a self, name: &str) -> Option<&'a str> {
        self.header(name).and_then(|v| core::str::from_utf8(v).ok())
    }

    /// How many fields are named `name`.
    pub(crate) fn count(&self, name: &str) -> usize {
        self.header_all(name).count()
    }

    pub(crate) fn range_str(&self, r: &Range<usize>) -> &str {
        self.text(r)
    }

    /// A request's method (`GET`); empty for a response.
    pub fn method(&self) -> &str {
        match &self.start {
            StartLine::Request { method, .. } => self.text(method),
            StartLine::Response { .. } => "",
        }
    }

    /// A request's target: path and query, as sent (e.g. `/chat?room=1`); empty for a response.
    pub fn target(&self) -> &str {
        match &self.start {
            StartLine::Request { target, .. } => self.text(target),
            StartLine::Response { .. } => "",
        }
    }

    /// A request's path, without the query.
    pub fn path(&self) -> &str {
        let t = self.target();
        t.split_once('?').map_or(t, |(p, _)| p)
    }

    /// A request's query (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target().split_once('?').map(|(_, q)| q)
    }

    /// A response's status code; 0 for a request.
    pub fn status(&self) -> u16 {
        match &self.start {
            StartLine::Response { status, .. } => *status,
            StartLine::Request { .. } => 0,
        }
    }

    /// A response's reason phrase (`Connection established`), as sent; empty for a request.
    pub fn reason(&self) -> &str {
        match &self.start {
            StartLine::Response { reason, .. } => self.text(reason),
            StartLine::Request { .. } => "",
        }
    }

    /// The head exactly as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl core::fmt::Debug for Head {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Head")
            .field("start", &self.start)
            .field("headers", &self.headers().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_across_every_split() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nXYZ";
        for cut in 0..head.len() {
            let mut r = HeadReader::default();
            let first = r.push(&head[..cut], 1024);
            let (progress, offset) = match first {
                HeadProgress::Complete { .. } => (first, 0),
                _ => (r.push(&head[cut..], 1024), cut),
            };
            assert_eq!(
                progress,
                HeadProgress::Complete {
                    consumed: head.len() - 3 - offset
                }
            );
            assert_eq!(r.into_bytes(), &head[..head.len() - 3]);
        }
    }

    #[test]
    fn bare_lf_heads_end_too_and_limit_is_enforced() {
        let mut r = HeadReader::default();
        assert_eq!(
            r.push(b"GET / HTTP/1.1\nHost: a\n\nrest", 1024),
            HeadProgress::Complete { consumed: 24 }
        );
        let mut r = HeadReader::default();
        assert_eq!(r.push(&[b'a'; 100], 64), HeadProgress::TooLarge);
    }
}
