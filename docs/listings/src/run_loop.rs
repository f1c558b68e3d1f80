//! The sans-IO chapter's listing: the run loop, written once against the core alone. Bytes in,
//! events and bytes out; time is an argument; nothing here touches a socket or a clock.

use sansock_core::{Connection, Event, ProtocolError, Timestamp};

// ANCHOR: run_loop
/// One turn of the loop every adapter runs: feed what the transport read, handle every event,
/// and hand back the bytes to write. The application here echoes every message.
pub fn turn(
    conn: &mut Connection,
    now: Timestamp,
    read: &[u8],
    out: &mut Vec<u8>,
) -> Result<Vec<Event>, ProtocolError> {
    conn.handle_bytes(now, read); // 1. input: bytes (or handle_eof / handle_timeout)
    let mut events = Vec::new();
    while let Some(event) = conn.poll_event()? {
        // 2. events: messages, pings (already answered), pongs, the close
        if let Event::Message(m) = &event {
            conn.send(m).expect("open while it receives messages"); // 3. commands
        }
        events.push(event);
    }
    // 4. output: everything queued, piece by piece until none is left (a vectored write takes
    //    them all at once from conn.transmit_pieces()); advance by what the transport took.
    while !conn.transmit().is_empty() {
        out.extend_from_slice(conn.transmit());
        let written = conn.transmit().len();
        conn.advance_transmit(written);
    }
    // 5. then sleep until new bytes arrive or conn.poll_timeout() passes.
    Ok(events)
}
// ANCHOR_END: run_loop

#[cfg(test)]
mod tests {
    use super::turn;
    use sansock_core::testing::pair;
    use sansock_core::{ConnectionConfig, Event, Message, Timestamp};

    #[test]
    fn one_turn_echoes() {
        let (mut client, mut server) = pair(ConnectionConfig::default());
        client.send("hi").unwrap();
        let mut wire = Vec::new();
        let events = turn(&mut server, Timestamp::ZERO, client.transmit(), &mut wire).unwrap();
        assert_eq!(events, [Event::Message(Message::from("hi"))]);
        assert_eq!(wire, [0x81, 0x02, b'h', b'i']); // server frames are not masked
    }
}
