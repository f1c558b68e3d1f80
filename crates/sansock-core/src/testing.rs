//! Helpers for tests, examples and fuzz harnesses: a deterministic [`Entropy`], a handshaken
//! client/server [`pair`], and [`pump`], which moves bytes between the two.
//!
//! Nothing here is for production: the entropy is predictable by design.

use crate::{
    Accept, ClientConfig, ClientHandshake, ClientRequest, ClientStep, Connection, ConnectionConfig,
    Entropy, Event, ProtocolError, ServerConfig, ServerHandshake, ServerStep, Timestamp,
};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Predictable "randomness" for reproducible tests: a xorshift sequence from a seed.
#[derive(Debug, Clone)]
pub struct TestEntropy(u64);

impl TestEntropy {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> Self {
        TestEntropy(seed | 1)
    }
}

impl Entropy for TestEntropy {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = self.0 as u8;
        }
    }
}

/// A client and a server connection that completed the opening handshake in memory at time
/// zero, both with `config`.
///
/// # Panics
/// Never for a valid `config`: the handshake between two Sansock ends cannot fail.
pub fn pair(config: ConnectionConfig) -> (Connection, Connection) {
    pair_with(
        ClientConfig::default().with_connection(config.clone()),
        ServerConfig::default().with_connection(config),
    )
}

/// Like [`pair`], with full handshake configurations (e.g. to negotiate an extension).
///
/// # Panics
/// If the handshake fails, which a test should hear about.
#[allow(clippy::panic, clippy::unwrap_used)]
pub fn pair_with(client: ClientConfig, server: ServerConfig) -> (Connection, Connection) {
    pair_seeded(7, client, server)
}

/// Like [`pair_with`], the client's masking keys drawn from [`TestEntropy::new`]`(seed)`.
///
/// # Panics
/// If the handshake fails, which a test should hear about.
#[allow(clippy::panic, clippy::unwrap_used)]
pub fn pair_seeded(
    seed: u64,
    client: ClientConfig,
    server: ServerConfig,
) -> (Connection, Connection) {
    let now = Timestamp::ZERO;
    let request = ClientRequest::new("localhost", "/");
    let (hs, bytes) =
        ClientHandshake::new(&request, client, Box::new(TestEntropy::new(seed))).unwrap();
    let ServerStep::Upgrade { request, .. } = ServerHandshake::new(server).receive(&bytes).unwrap()
    else {
        panic!("whole request given")
    };
    let accepted = request.accept(now, &Accept::new()).unwrap();
    let ClientStep::Done { connection, .. } = hs.receive(now, &accepted.response).unwrap() else {
        panic!("whole response given")
    };
    (connection, accepted.connection)
}

/// Moves everything `from` has to transmit into `to` at `now`, then drains `to`'s events.
///
/// Returns the events, and the protocol error if `to` reported one.
pub fn pump(
    now: Timestamp,
    from: &mut Connection,
    to: &mut Connection,
) -> (Vec<Event>, Option<ProtocolError>) {
    let mut wire = Vec::new();
    write_out(from, &mut wire);
    to.handle_bytes(now, &wire);
    drain(to)
}

/// Appends everything `conn` has queued to `wire` and marks it written: the output loop
/// (`transmit`, `advance_transmit`) with a `Vec` for the transport.
pub fn write_out(conn: &mut Connection, wire: &mut Vec<u8>) {
    loop {
        let piece = conn.transmit();
        if piece.is_empty() {
            return;
        }
        wire.extend_from_slice(piece);
        let n = piece.len();
        conn.advance_transmit(n);
    }
}

/// Drains `conn`'s events until none is left or it reports a protocol error.
pub fn drain(conn: &mut Connection) -> (Vec<Event>, Option<ProtocolError>) {
    let mut events = Vec::new();
    loop {
        match conn.poll_event() {
            Ok(Some(e)) => events.push(e),
            Ok(None) => return (events, None),
            Err(e) => return (events, Some(e)),
        }
    }
}
