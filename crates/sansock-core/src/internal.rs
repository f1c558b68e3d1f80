//! Not API: what Sansock's drive loop (`sansock-driver`) needs of the connection beyond its
//! public methods, for speed alone. Hidden from the docs, versioned with that crate, and free
//! to change in any release: applications and adapters of your own use
//! [`Connection::poll_event`], which gives the same messages.

use crate::{Connection, Message, ProtocolError};

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
