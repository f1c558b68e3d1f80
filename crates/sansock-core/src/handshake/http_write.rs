//! Writing HTTP/1.1 heads: the 101, error and rejection responses and the client's request.
//!
//! Header names must be tokens and values may not contain CR, LF or NUL, so nothing the
//! application passes can split a response (header injection).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// A header name or value the application supplied is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidHeader;

impl core::fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("header name is not a token, or value contains CR, LF or NUL")
    }
}

impl core::error::Error for InvalidHeader {}

/// Checks an application-supplied header field.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), InvalidHeader> {
    let name_ok = !name.is_empty() && name.bytes().all(super::is_token_char);
    let value_ok = !value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
    if name_ok && value_ok {
        Ok(())
    } else {
        Err(InvalidHeader)
    }
}

/// The standard reason phrase for the statuses a WebSocket server uses.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Builds a response head (and body) into bytes.
pub(crate) struct ResponseWriter {
    out: String,
}

impl ResponseWriter {
    pub(crate) fn new(status: u16) -> Self {
        let mut out = String::with_capacity(256);
        let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason_phrase(status));
        ResponseWriter { out }
    }

    /// Adds a header the caller has already checked (or that this crate wrote).
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        let _ = write!(self.out, "{name}: {value}\r\n");
        self
    }

    /// Ends the head; a non-101 response carries `body` with its length.
    pub(crate) fn finish(self, body: Option<&[u8]>) -> Vec<u8> {
        let mut out = self.out;
        if let Some(body) = body {
            let _ = write!(
                out,
                "Content-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if let Some(body) = body {
            bytes.extend_from_slice(body);
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_injection() {
        assert!(check_header("X-Ok", "fine value").is_ok());
        assert!(check_header("X-Bad", "a\r\nSet-Cookie: x").is_err());
        assert!(check_header("Bad Name", "v").is_err());
        assert!(check_header("", "v").is_err());
    }

    #[test]
    fn writes_status_headers_and_body() {
        let bytes = ResponseWriter::new(403)
            .header("X-A", "b")
            .finish(Some(b"no"));
        assert_eq!(
            bytes,
            b"HTTP/1.1 403 Forbidden\r\nX-A: b\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"
        );
    }
}
