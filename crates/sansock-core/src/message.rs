//! What the application sends and receives: [`Message`] (text or binary, never a raw frame),
//! [`MessagePart`] (a piece of a message, for streaming) and [`MessageRef`] (a message
//! borrowed). The text payload type, [`Utf8Bytes`], is `utf8_bytes.rs`.

use crate::Utf8Bytes;
use bytes::Bytes;

/// A complete data message.
///
/// A received message that was one frame is a slice of the buffer it was read into (no copy),
/// so keeping it keeps that buffer alive: a server that stores small messages for long (a chat
/// history) should store copies (`Bytes::copy_from_slice`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message: always valid UTF-8.
    Text(Utf8Bytes),
    /// A binary message.
    Binary(Bytes),
}

impl Message {
    /// A text message: `Message::text("hello")`, or from a `String` or [`Utf8Bytes`] without a
    /// copy.
    ///
    /// ```
    /// # use sansock_core::Message;
    /// let m = Message::text("hello");
    /// assert!(m.is_text());
    /// assert_eq!(m.as_text(), Some("hello"));
    /// ```
    pub fn text(text: impl Into<Utf8Bytes>) -> Self {
        Message::Text(text.into())
    }

    /// A binary message: from a `Vec<u8>`, `Bytes` or `&'static [u8]` without a copy.
    ///
    /// ```
    /// # use sansock_core::Message;
    /// let m = Message::binary(vec![1, 2, 3]);
    /// assert!(m.is_binary());
    /// assert_eq!(m.as_bytes(), [1, 2, 3]);
    /// ```
    pub fn binary(data: impl Into<Bytes>) -> Self {
        Message::Binary(data.into())
    }

    /// The text, if this is a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(t) => Some(t.as_str()),
            Message::Binary(_) => None,
        }
    }

    /// Whether this is a text message.
    pub fn is_text(&self) -> bool {
        matches!(self, Message::Text(_))
    }

    /// Whether this is a binary message.
    pub fn is_binary(&self) -> bool {
        matches!(self, Message::Binary(_))
    }

    /// The payload's length in bytes.
    pub fn len(&self) -> usize {
        self.as_shared().len()
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.as_shared().is_empty()
    }

    /// The payload bytes, whatever the kind.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Message::Text(t) => t.as_bytes(),
            Message::Binary(b) => b,
        }
    }

    /// Whether this is text or binary.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Text(_) => MessageKind::Text,
            Message::Binary(_) => MessageKind::Binary,
        }
    }

    /// The payload as `Bytes`, without a copy.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Message::Text(t) => t.into_bytes(),
            Message::Binary(b) => b,
        }
    }

    /// The payload's `Bytes`, borrowed (the send path shares it instead of copying).
    pub(crate) fn as_shared(&self) -> &Bytes {
        match self {
            Message::Text(t) => t.as_shared(),
            Message::Binary(b) => b,
        }
    }
}

/// A piece of a message handed out as it arrives, when
/// [`ConnectionConfig::with_message_parts`](crate::ConnectionConfig::with_message_parts) is set: the
/// message is the concatenation of its parts, in order, up to the one that `is_last`.
///
/// A text message's parts may split a code point; every part handed out is a prefix of valid
/// UTF-8 so far, and the whole is checked when the last part arrives (an invalid byte fails the
/// connection with 1007 as soon as it is seen, so no part after it is handed out). Send parts
/// on (a proxy, an echo) with [`Connection::send_part`](crate::Connection::send_part): each
/// becomes one frame, and a large one is not copied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessagePart {
    /// Text or binary: the same for every part of one message.
    pub kind: MessageKind,
    /// The bytes of this part (a slice of the buffer they were read into).
    pub data: Bytes,
    /// Whether this part ends the message.
    pub is_last: bool,
}

/// A whole message, borrowed: from a buffer of the caller's (a small message received with
/// [`Connection::poll_event_into`](crate::Connection::poll_event_into)), from a `&str`
/// (text) or bytes (binary), or from a [`Message`]. [`Connection::send`](crate::Connection::send)
/// takes any of them; one borrowed from a `Message` is shared, not copied, when it is large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef<'a> {
    payload: RefPayload<'a>,
    /// The `Bytes` the payload is, when it is borrowed from a `Message`.
    shared: Option<&'a Bytes>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefPayload<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

impl<'a> MessageRef<'a> {
    /// A text message.
    pub fn text(text: &'a str) -> Self {
        MessageRef {
            payload: RefPayload::Text(text),
            shared: None,
        }
    }

    /// A binary message.
    pub fn binary(data: &'a [u8]) -> Self {
        MessageRef {
            payload: RefPayload::Binary(data),
            shared: None,
        }
    }

    /// Whether this is text or binary.
    pub fn kind(&self) -> MessageKind {
        match self.payload {
            RefPayload::Text(_) => MessageKind::Text,
            RefPayload::Binary(_) => MessageKind::Binary,
        }
    }

    /// The payload bytes, whatever the kind.
    pub fn as_bytes(&self) -> &'a [u8] {
        match self.payload {
            RefPayload::Text(t) => t.as_bytes(),
            RefPayload::Binary(b) => b,
        }
    }

    /// The text, if this is a text message.
    pub fn as_text(&self) -> Option<&'a str> {
        match self.payload {
            RefPayload::Text(t) => Some(t),
            RefPayload::Binary(_) => None,
        }
    }

    /// An owned copy (or, when borrowed from a `Message`, a cheap clone of it).
    pub fn to_message(&self) -> Message {
        match (self.payload, self.shared) {
            (RefPayload::Text(_), Some(b)) => Message::Text(Utf8Bytes::from_validated(b.clone())),
            (RefPayload::Binary(_), Some(b)) => Message::Binary(b.clone()),
            (RefPayload::Text(t), None) => Message::from(t),
            (RefPayload::Binary(b), None) => Message::from(b),
        }
    }

    /// The `Bytes` the payload is, if borrowed from a `Message` (the send path shares it).
    pub(crate) fn shared(&self) -> Option<&'a Bytes> {
        self.shared
    }
}

impl<'a> From<&'a Message> for MessageRef<'a> {
    fn from(message: &'a Message) -> Self {
        message.as_message_ref()
    }
}

impl<'a> From<&'a str> for MessageRef<'a> {
    fn from(text: &'a str) -> Self {
        MessageRef::text(text)
    }
}

impl<'a> From<&'a alloc::string::String> for MessageRef<'a> {
    fn from(text: &'a alloc::string::String) -> Self {
        MessageRef::text(text)
    }
}

impl<'a> From<&'a alloc::vec::Vec<u8>> for MessageRef<'a> {
    fn from(data: &'a alloc::vec::Vec<u8>) -> Self {
        MessageRef::binary(data)
    }
}

impl<'a> From<&'a [u8]> for MessageRef<'a> {
    fn from(data: &'a [u8]) -> Self {
        MessageRef::binary(data)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for MessageRef<'a> {
    fn from(data: &'a [u8; N]) -> Self {
        MessageRef::binary(data)
    }
}

impl Message {
    /// The message, borrowed.
    pub fn as_message_ref(&self) -> MessageRef<'_> {
        let payload = match self {
            Message::Text(t) => RefPayload::Text(t.as_str()),
            Message::Binary(b) => RefPayload::Binary(b),
        };
        MessageRef {
            payload,
            shared: Some(self.as_shared()),
        }
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::Text(Utf8Bytes::from(s))
    }
}

impl From<alloc::string::String> for Message {
    fn from(s: alloc::string::String) -> Self {
        Message::Text(Utf8Bytes::from(s))
    }
}

impl From<&[u8]> for Message {
    fn from(b: &[u8]) -> Self {
        Message::Binary(Bytes::copy_from_slice(b))
    }
}

impl From<alloc::vec::Vec<u8>> for Message {
    fn from(b: alloc::vec::Vec<u8>) -> Self {
        Message::Binary(Bytes::from(b))
    }
}

impl From<Bytes> for Message {
    fn from(b: Bytes) -> Self {
        Message::Binary(b)
    }
}

impl From<Utf8Bytes> for Message {
    fn from(t: Utf8Bytes) -> Self {
        Message::Text(t)
    }
}

impl<const N: usize> From<&[u8; N]> for Message {
    fn from(b: &[u8; N]) -> Self {
        Message::Binary(Bytes::copy_from_slice(b))
    }
}

impl From<MessageRef<'_>> for Message {
    fn from(m: MessageRef<'_>) -> Self {
        m.to_message()
    }
}

/// Text or binary: the kind of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Arbitrary bytes (opcode 0x2).
    Binary,
}
