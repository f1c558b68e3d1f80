//! Not API: what Sansock's drive loop (`sansock-driver`) needs of the connection beyond its
//! public methods, for speed alone. Hidden from the docs, versioned with that crate, and free
//! to change in any release: applications and adapters of your own use
//! [`Connection::poll_event`], which gives the same messages. The streaming UTF-8 validator is
//! here too, for the benchmark that times it alone.

use crate::{Connection, Message, ProtocolError};

pub use crate::utf8::Utf8Validator;

/// [`Connection::poll_event`]'s first step alone: the next event if it is a whole message of
/// one frame, all buffered, without the `Event` around it (about 8% fewer instructions per
/// message in a pipelined receive loop); `Ok(None)` for anything else, which `poll_event` then
/// gives.
///
/// # Errors
/// As [`Connection::poll_event`].
#[inline]
pub fn poll_whole_message(conn: &mut Connection) -> Result<Option<Message>, ProtocolError> {
    conn.poll_whole_message()
}

/// How long the connection waits for the peer's close frame: the driver bounds its transport
/// shutdown by it too.
pub fn close_timeout(conn: &Connection) -> core::time::Duration {
    conn.config().close_timeout
}
