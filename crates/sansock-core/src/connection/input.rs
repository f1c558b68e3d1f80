//! [`Input`]: bytes read from the transport, as [`Connection::handle_bytes`](super::Connection::handle_bytes)
//! takes them — borrowed (copied in), a buffer the connection may keep, or its own receive
//! buffer given back.

use alloc::vec::Vec;
use bytes::BytesMut;

/// Bytes read from the transport, for [`Connection::handle_bytes`](super::Connection::handle_bytes).
#[derive(Debug)]
pub enum Input<'a> {
    /// Bytes the connection copies into its own buffer.
    Borrowed(&'a [u8]),
    /// A buffer the connection may keep: when nothing is buffered it takes it as it is (no
    /// copy: the messages in it are slices of it), otherwise it appends it. For an adapter that
    /// reads into a buffer of its own between frames and hands over what one read filled
    /// (`BytesMut::split`), then reuses the rest of the allocation (the messages handed out keep
    /// their part alive until they are dropped). Whatever is left of a frame is moved to a
    /// buffer of the connection's own before it grows or waits, so a half-received frame never
    /// holds on to the caller's buffer. Also the buffer
    /// [`take_receive_buffer`](super::Connection::take_receive_buffer) lent, given back with
    /// what was read into it (the connection knows it for its own: nothing is copied).
    Owned(BytesMut),
}

impl<'a> From<&'a [u8]> for Input<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Input::Borrowed(bytes)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Input<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Input::Borrowed(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Input<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Input::Borrowed(bytes)
    }
}

impl From<BytesMut> for Input<'_> {
    fn from(bytes: BytesMut) -> Self {
        Input::Owned(bytes)
    }
}
