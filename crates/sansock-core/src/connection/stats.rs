//! Live counters of a connection and what [`Connection::stats`] makes of them: messages, frames
//! and bytes in and out, bytes saved by compression, what waits to be written, when the peer
//! was last heard, and the round-trip time of the last answered ping. The counting itself is
//! one addition where each thing happens (`receive.rs`, `send.rs`, `output.rs`).

use super::Connection;
use crate::Timestamp;
use core::time::Duration;

/// A snapshot of a connection's counters, from [`Connection::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Whole messages received (a message handed out in parts counts once, when complete).
    pub messages_in: u64,
    /// Whole messages queued for sending.
    pub messages_out: u64,
    /// Frames received, control frames included.
    pub frames_in: u64,
    /// Frames queued for sending, control frames included.
    pub frames_out: u64,
    /// Bytes received from the transport (frame headers included).
    pub bytes_in: u64,
    /// Bytes the transport has taken (frame headers included).
    pub bytes_out: u64,
    /// Bytes compression saved, both directions: what permessage-deflate messages are when
    /// inflated, less what they were on the wire (and the same for what we sent).
    pub bytes_saved: u64,
    /// Bytes queued for the transport and not yet written.
    pub queued: usize,
    /// When bytes last arrived from the peer (as the connection's clock tells it).
    pub last_received: Timestamp,
    /// The round-trip time of the last ping the peer answered (the keepalive pings measure it
    /// without the application doing anything).
    pub rtt: Option<Duration>,
}

/// The counters a connection keeps.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) messages_in: u64,
    pub(super) messages_out: u64,
    pub(super) frames_in: u64,
    pub(super) bytes_in: u64,
    pub(super) bytes_saved: u64,
    /// The last ping sent and not answered yet: when, its length and its first bytes.
    pub(super) ping: Option<(Timestamp, u8, [u8; 8])>,
    pub(super) rtt: Option<Duration>,
}

/// What identifies a ping's payload well enough to match its pong.
fn fingerprint(payload: &[u8]) -> (u8, [u8; 8]) {
    let mut first = [0u8; 8];
    let n = payload.len().min(8);
    first[..n].copy_from_slice(&payload[..n]);
    (payload.len().min(255) as u8, first)
}

impl Connection {
    /// The connection's counters now.
    ///
    /// ```
    /// # use sansock_core::*;
    /// # let (mut client, mut server) = sansock_core::testing::pair(ConnectionConfig::default());
    /// client.send("hello").unwrap();
    /// let wire = client.transmit().to_vec();
    /// client.advance_transmit(wire.len());
    /// server.handle_bytes(Timestamp::ZERO, &wire);
    /// let _ = server.poll_event();
    /// let (sent, received) = (client.stats(), server.stats());
    /// assert_eq!((sent.messages_out, received.messages_in), (1, 1));
    /// assert_eq!(sent.bytes_out, received.bytes_in);
    /// ```
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            messages_in: c.messages_in,
            messages_out: c.messages_out,
            frames_in: c.frames_in,
            frames_out: self.out.frames(),
            bytes_in: c.bytes_in,
            bytes_out: self.out.sent(),
            bytes_saved: c.bytes_saved,
            queued: self.out.len(),
            last_received: self.last_recv,
            rtt: c.rtt,
        }
    }

    /// A ping was queued at `now`: remember it to time its pong.
    pub(super) fn note_ping_sent(&mut self, payload: &[u8]) {
        let (len, first) = fingerprint(payload);
        self.counters.ping = Some((self.now, len, first));
    }

    /// A pong arrived: if it answers the last ping, that is the round-trip time.
    pub(super) fn note_pong(&mut self, payload: &[u8]) {
        if let Some((sent, len, first)) = self.counters.ping {
            if (len, first) == fingerprint(payload) {
                self.counters.rtt = Some(self.now - sent);
                self.counters.ping = None;
            }
        }
    }
}
