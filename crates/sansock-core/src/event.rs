//! What an open connection reports to the application: [`Event`] and the final [`Closed`].

use crate::{CloseCode, Message, MessagePart, MessageRef, Utf8Bytes};
use bytes::Bytes;

/// What [`Connection::poll_event_into`](crate::Connection::poll_event_into) gives: a small
/// whole message borrowed from the caller's buffer, or any other event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRef<'b> {
    /// A whole message, unmasked into the caller's buffer.
    Message(MessageRef<'b>),
    /// Anything else, as [`Connection::poll_event`](crate::Connection::poll_event) gives it.
    Event(Event),
}

/// Something that happened on the connection, from [`Connection::poll_event`](crate::Connection::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete text or binary message.
    Message(Message),
    /// A piece of a message still arriving; only when
    /// [`ConnectionConfig::with_message_parts`](crate::ConnectionConfig::with_message_parts) is set.
    Part(MessagePart),
    /// A ping arrived (answered automatically unless `auto_pong` is off).
    Ping(Bytes),
    /// A pong arrived (solicited or not).
    Pong(Bytes),
    /// The connection is over (the last event). A normal close is this event, never an error.
    Closed(Closed),
}

/// How the connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The peer's close code; 1005 if its close frame had none; 1006 if no close frame came.
    pub code: CloseCode,
    /// The peer's close reason (empty if none).
    pub reason: Utf8Bytes,
    /// Who sent the first close frame.
    pub initiator: Initiator,
    /// Whether the closing handshake completed, or why not.
    pub ending: Ending,
}

impl Closed {
    /// Whether both close frames were exchanged (the browser's `wasClean`).
    pub fn was_clean(&self) -> bool {
        self.ending == Ending::Clean
    }
}

/// Who started the closing handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    /// This endpoint called `close` first.
    Local,
    /// The peer sent the first close frame.
    Remote,
    /// Neither: the connection ended without a closing handshake.
    Neither,
}

/// Whether the closing handshake completed, or why it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Both close frames were exchanged.
    Clean,
    /// The transport ended (EOF) before the peer's close frame.
    PeerDisconnected,
    /// We sent a close frame and the peer did not answer within `close_timeout`.
    CloseTimedOut,
    /// Nothing was received for `idle_timeout`: the peer is presumed dead.
    IdleTimedOut,
    /// The peer broke the protocol: we sent a close frame with the code for it (in
    /// [`Closed::code`]) and ended the connection.
    ProtocolError,
    /// The transport took none of our output for the adapter's write timeout (a peer that
    /// stopped reading); set by adapters, never by the core.
    WriteTimedOut,
}

impl core::fmt::Display for Ending {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Ending::Clean => "closed cleanly (both close frames exchanged)",
            Ending::PeerDisconnected => "the peer disconnected without a close frame",
            Ending::CloseTimedOut => "the peer did not answer our close frame within the close timeout",
            Ending::IdleTimedOut => {
                "nothing arrived for the idle timeout (keepalive pings unanswered): the peer is presumed dead"
            }
            Ending::ProtocolError => "the peer broke the protocol, and we closed the connection",
            Ending::WriteTimedOut => {
                "the peer took none of our output for the write timeout (it stopped reading)"
            }
        })
    }
}

impl core::fmt::Display for Closed {
    /// For example `the peer disconnected without a close frame (code 1006)`, or
    /// `closed cleanly (both close frames exchanged) (code 1000 "bye", started by the peer)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (code {}", self.ending, self.code)?;
        if !self.reason.is_empty() {
            write!(f, " {:?}", self.reason.as_str())?;
        }
        match self.initiator {
            Initiator::Local => f.write_str(", started by us)"),
            Initiator::Remote => f.write_str(", started by the peer)"),
            Initiator::Neither => f.write_str(")"),
        }
    }
}
