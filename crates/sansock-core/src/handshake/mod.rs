//! The opening handshake (RFC 6455 §4), both roles, as typestates over byte buffers.
//!
//! Server: [`ServerHandshake`] reads the request → [`UpgradeRequest`] lets the application look
//! and decide → [`UpgradeRequest::accept`] writes the 101 and yields the [`Connection`](crate::Connection),
//! or [`UpgradeRequest::reject`] writes a refusal. Client: [`ClientHandshake::new`] writes the
//! request → [`ClientHandshake::receive`] checks the response and yields the connection.
//! Either way the bytes after the head are the connection's: `consumed` says where they start.

mod accept_key;
mod client;
mod config;
pub(crate) mod head;
#[cfg(feature = "http")]
mod http_types;
mod http_write;
mod server;

pub use accept_key::accept_key;
pub use client::{ClientHandshake, ClientHandshakeError, ClientRequest, ClientStep, Response};
pub use config::{ClientConfig, HandshakeConfig, ServerConfig};
pub use head::Head;
pub use http_write::InvalidHeader;
pub use server::{
    Accept, AcceptError, Accepted, Carrier, Reject, RejectedAccept, ServerHandshake,
    ServerHandshakeError, ServerHandshakeErrorKind, ServerStep, UpgradeRequest,
};

/// Whether `b` may appear in an HTTP token (RFC 9110 §5.6.2).
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The comma-separated elements of header values, trimmed, empty ones skipped.
pub(crate) fn list_items<'a>(
    values: impl Iterator<Item = &'a [u8]>,
) -> impl Iterator<Item = &'a [u8]> {
    values
        .flat_map(|v| v.split(|&b| b == b','))
        .map(|item| item.trim_ascii())
        .filter(|item| !item.is_empty())
}

/// Whether any of the comma-separated values equals `token` (ASCII case-insensitive).
pub(crate) fn list_contains<'a>(values: impl Iterator<Item = &'a [u8]>, token: &str) -> bool {
    list_items(values).any(|item| item.eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether every item is a token.
pub(crate) fn all_tokens<'a>(mut items: impl Iterator<Item = &'a [u8]>) -> bool {
    items.all(|item| item.iter().copied().all(is_token_char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lists() {
        let values: [&[u8]; 2] = [b"keep-alive, Upgrade", b" ,close"];
        assert!(list_contains(values.iter().copied(), "upgrade"));
        assert!(list_contains(values.iter().copied(), "close"));
        assert!(!list_contains(values.iter().copied(), "keep"));
        assert_eq!(list_items(values.iter().copied()).count(), 3);
        assert!(!all_tokens([b"a b".as_slice()].into_iter()));
    }
}
