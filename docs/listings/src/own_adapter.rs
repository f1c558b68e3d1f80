//! The "writing your own adapter" chapter's listing: a complete server-side adapter over a
//! blocking `TcpStream`, on the core alone — the handshake, then the four moves of the run loop.
//! (The real adapters share `sansock-driver` instead; this is what it does, in one screen.)

use sansock_core::{Accept, Event, ServerConfig, ServerHandshake, ServerStep, Timestamp};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Errors of this small adapter: I/O, or a handshake the core refused (its answer was sent).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

// ANCHOR: own_adapter
/// Accepts a WebSocket on `tcp` and echoes it until the connection ends.
///
/// # Errors
/// I/O errors and refused handshakes.
pub fn echo(mut tcp: TcpStream) -> Result<(), Error> {
    let epoch = Instant::now(); // the adapter owns the clock; the core only sees Timestamps
    let now = || Timestamp::from_duration(epoch.elapsed());
    let mut buf = vec![0u8; 16 << 10];

    // The handshake: feed bytes until the core has the whole request.
    let mut hs = ServerHandshake::new(ServerConfig::default());
    let (request, leftover) = loop {
        let n = tcp.read(&mut buf)?;
        match hs.receive(&buf[..n]) {
            Ok(ServerStep::NeedMore(next)) if n > 0 => hs = next,
            Ok(ServerStep::NeedMore(_)) => return Err("the client left".into()),
            Ok(ServerStep::Upgrade { request, consumed }) => {
                break (request, buf[consumed..n].to_vec());
            }
            Err(e) => {
                tcp.write_all(e.response())?; // the 400/426/431… the core wrote for us
                return Err(e.into());
            }
        }
    };
    let accepted = request
        .accept(now(), &Accept::new())
        .map_err(|_| "refused")?;
    tcp.write_all(&accepted.response)?;
    let mut conn = accepted.connection;
    conn.handle_bytes(now(), &leftover); // frames that came with the request

    while !conn.is_finished() {
        // Events: echo every message. (Pings are answered by the core.)
        while let Some(event) = conn.poll_event()? {
            if let Event::Message(m) = event {
                conn.send(&m)?;
            }
        }
        // Output: write everything the core has queued (a large payload is a piece of its own,
        // so go on until nothing is left; `transmit_pieces` would give them all for `writev`).
        while !conn.transmit().is_empty() {
            tcp.write_all(conn.transmit())?;
            let n = conn.transmit().len();
            conn.advance_transmit(n);
        }
        if conn.is_finished() {
            break;
        }
        // Input and time: read, but wake for the core's next deadline.
        let wait = conn
            .poll_timeout()
            .map(|t| t.as_duration().saturating_sub(epoch.elapsed()));
        tcp.set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
        match tcp.read(&mut buf) {
            Ok(0) => conn.handle_eof(now()),
            Ok(n) => conn.handle_bytes(now(), &buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                conn.handle_timeout(now());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(()) // dropping the stream ends the TCP connection: the server closes first
}
// ANCHOR_END: own_adapter

#[cfg(test)]
mod tests {
    use sansock_blocking::{CloseCode, Message};

    #[test]
    fn the_hand_written_adapter_talks_to_a_real_client() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || super::echo(listener.accept().unwrap().0));
        let (mut ws, _) = sansock_blocking::connect(&url).unwrap();
        for m in [
            Message::from("text"),
            Message::from(vec![1u8, 2, 3]),
            Message::from(vec![7u8; 100_000]),
        ] {
            ws.send(m.clone()).unwrap();
            assert_eq!(ws.recv().unwrap().unwrap(), m);
        }
        let closed = ws.close(Some(CloseCode::NORMAL), "done").unwrap();
        assert!(closed.was_clean());
        server.join().unwrap().unwrap();
    }
}
