//! Fuzz harnesses: the checks each `fuzz/` target runs, kept here so the targets are one line
//! each and a stable `cargo test` can replay the checked-in corpora through the same code.
//!
//! Every harness asserts the core's promise for hostile input: arbitrary bytes give events or
//! exactly one protocol error whose close frame (with the right code) is queued; never a panic;
//! never buffers beyond the configured limits. A failed assertion is a bug (the fuzzer reports it
//! as a crash). The `arbitrary` feature adds the structured harnesses (`pair_ops`,
//! `round_trip`).

#[cfg(feature = "http")]
mod http;
use crate::frame::{FrameHeader, MAX_HEADER_LEN, OpCode, apply_mask};
use crate::testing::TestEntropy;
use crate::{
    Accept, ClientConfig, ClientHandshake, ClientRequest, ClientStep, CloseCode, Connection,
    ConnectionConfig, Event, HandshakeLimits, Reject, Role, ServerConfig, ServerHandshake,
    ServerStep, Timestamp,
};
use alloc::boxed::Box;
#[cfg(feature = "http")]
pub use http::http_request;

/// Small limits, so a fuzzer explores them and memory stays bounded.
pub const FUZZ_MAX_FRAME: usize = 64 << 10;
/// See [`FUZZ_MAX_FRAME`].
pub const FUZZ_MAX_MESSAGE: usize = 256 << 10;

fn fuzz_config() -> ConnectionConfig {
    ConnectionConfig::default()
        .with_max_frame_size(FUZZ_MAX_FRAME)
        .with_max_message_size(FUZZ_MAX_MESSAGE)
}

/// Message parts on for one run in four, with a minimum part size from 1 byte up, driven by
/// `seed`: the streaming receive path gets the same hostile input as the whole-message one.
fn parts_for(seed: u64) -> Option<usize> {
    (seed % 4 == 3).then(|| (seed / 4 % 4096) as usize + 1)
}

/// Splits `data` into chunks whose sizes are driven by `seed` (1 to 256 bytes, or all at once).
fn chunks(data: &[u8], seed: u8) -> impl Iterator<Item = &[u8]> {
    let mut state = u32::from(seed) | 1;
    let mut rest = data;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = if seed == 0 {
            rest.len()
        } else {
            (state >> 16) as usize % 256 + 1
        };
        let (head, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        Some(head)
    })
}

/// Frame header parsing: never panics, never reads past the header it reports, and a parsed
/// header written back parses to itself. Masking twice restores the input.
pub fn frame_header(data: &[u8]) {
    if let Ok(Some((header, len))) = FrameHeader::parse(data) {
        assert!(len <= MAX_HEADER_LEN && len <= data.len());
        let mut out = [0u8; MAX_HEADER_LEN];
        let written = header.write(&mut out);
        assert_eq!(
            FrameHeader::parse(&out[..written]),
            Ok(Some((header, written)))
        );
        assert_eq!(written, len, "a minimal header is written as parsed");
        let mut payload = data[len..].to_vec();
        let key = header.mask.unwrap_or([1, 2, 3, 4]);
        apply_mask(&mut payload, key, len);
        apply_mask(&mut payload, key, len);
        assert_eq!(payload, &data[len..]);
    }
}

/// The server handshake on arbitrary request bytes, chunked by the first byte. A failure carries
/// a well-formed response with its status; a success can be accepted and rejected.
pub fn server_handshake(data: &[u8]) {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let limits = HandshakeLimits::default()
        .with_max_head_bytes(4096)
        .with_max_headers(16);
    let mut hs = ServerHandshake::new(ServerConfig::default().with_limits(limits));
    for chunk in chunks(input, seed) {
        match hs.receive(chunk) {
            Ok(ServerStep::NeedMore(next)) => hs = next,
            Ok(ServerStep::Upgrade { request, consumed }) => {
                assert!(consumed <= chunk.len());
                assert!(request.head().as_bytes().len() <= 4096);
                let protocol = request.protocols().next().map(alloc::string::String::from);
                let rejected = Reject::new(403);
                let accept = match protocol {
                    Some(p) => Accept::new().with_protocol(p),
                    None => Accept::new(),
                };
                let accepted = match request.accept(Timestamp::ZERO, &accept) {
                    Ok(a) => a,
                    Err(refused) => {
                        let bytes = refused.request.reject(&rejected);
                        assert!(bytes.starts_with(b"HTTP/1.1 403 "));
                        return;
                    }
                };
                assert!(
                    accepted
                        .response
                        .starts_with(b"HTTP/1.1 101 Switching Protocols\r\n")
                );
                return;
            }
            Err(e) => {
                let status = alloc::format!("HTTP/1.1 {} ", e.status());
                assert!(e.response().starts_with(status.as_bytes()));
                assert!(matches!(e.status(), 400 | 405 | 426 | 431 | 505));
                return;
            }
        }
    }
}

/// The client handshake on arbitrary response bytes (the request's key comes from a fixed
/// seed, so a fuzzer can learn the matching accept value from the dictionary or the corpus).
pub fn client_handshake(data: &[u8]) {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let request = ClientRequest::new("localhost", "/").with_protocol("chat");
    let limits = HandshakeLimits::default()
        .with_max_head_bytes(4096)
        .with_max_body_bytes(1024);
    let config = ClientConfig::default()
        .with_limits(limits)
        .with_connection(fuzz_config());
    let Ok((mut hs, _)) = ClientHandshake::new(&request, config, Box::new(TestEntropy::new(1)))
    else {
        unreachable_harness("a fixed valid request")
    };
    for chunk in chunks(input, seed) {
        match hs.receive(Timestamp::ZERO, chunk) {
            Ok(ClientStep::NeedMore(next)) => hs = next,
            Ok(ClientStep::Done {
                mut connection,
                consumed,
                ..
            }) => {
                assert!(consumed <= chunk.len());
                connection.handle_bytes(Timestamp::ZERO, &chunk[consumed..]);
                check_drain(&mut connection, &mut 0, false);
                return;
            }
            Err(e) => {
                if let crate::ClientHandshakeError::Rejected { body, .. } = e {
                    assert!(body.len() <= 1024);
                }
                return;
            }
        }
    }
}

/// An open connection in `role` fed arbitrary bytes in arbitrary chunks (the first byte drives
/// the chunking), then EOF. Checks the one-error rule, the queued close code, the limits.
pub fn connection(role: Role, data: &[u8]) {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    feed(role, seed, input, None);
}

/// permessage-deflate parameters chosen by a fuzzer's byte: bit 0 no context takeover, bits
/// 1–3 the window (8–15 bits), bit 4 whether the client may be limited.
#[cfg(feature = "deflate")]
pub fn deflate_params(byte: u8) -> (crate::PerMessageDeflate, alloc::string::String) {
    let bits = 8 + (byte >> 1) % 8;
    let mut offer = alloc::format!("permessage-deflate; server_max_window_bits={bits}");
    if byte & 1 != 0 {
        offer.push_str("; server_no_context_takeover; client_no_context_takeover");
    }
    if byte & 16 != 0 {
        offer.push_str("; client_max_window_bits");
    }
    let config = crate::PerMessageDeflate::default()
        .with_threshold(0)
        .with_max_window_bits(bits)
        .with_no_context_takeover(byte & 1 != 0);
    (config, offer)
}

/// A server connection with permessage-deflate agreed (parameters from the second byte) fed
/// arbitrary bytes, as [`connection`]: inflation of hostile data (corrupt streams, bombs, RSV1
/// where it may not be) gives events or one protocol error, within the limits.
#[cfg(feature = "deflate")]
pub fn deflate_connection(data: &[u8]) {
    use crate::extension::{ExtensionOffer, ServerExtension};
    let [seed, params, input @ ..] = data else {
        return;
    };
    let (config, offer) = deflate_params(*params);
    let offers = ExtensionOffer::parse_list(&offer)
        .unwrap_or_else(|_| unreachable_harness("a well-formed offer"));
    let extension = config.negotiate(&offers.iter().collect::<alloc::vec::Vec<_>>());
    let Some((_, extension)) = extension else {
        unreachable_harness("the server accepts its own kind of offer")
    };
    feed(Role::Server, *seed, input, Some(extension));
}

fn feed(
    role: Role,
    seed: u8,
    input: &[u8],
    extension: Option<Box<dyn crate::extension::Extension>>,
) {
    let entropy: Box<dyn crate::Entropy> = Box::new(TestEntropy::new(u64::from(seed)));
    // One run in two shares a small budget with a stand-in for other connections that holds
    // some of it: large frames are charged, refused (1013) when it is spent, and given back.
    let budget = (seed & 8 != 0).then(|| {
        let budget = crate::MemoryBudget::with_charge_min(96 << 10, 1 << 10);
        let _ = budget.try_take(usize::from(seed) << 8);
        budget
    });
    let held = budget.as_ref().map_or(0, crate::MemoryBudget::used);
    let mut conn = Connection::open(
        role,
        fuzz_config()
            .with_message_parts(parts_for(u64::from(seed)))
            .with_memory_budget(budget.clone()),
        Timestamp::ZERO,
        Some(entropy),
        extension,
    );
    let mut errors = 0;
    let mut now = 0;
    for chunk in chunks(input, seed) {
        now += 1;
        give(&mut conn, Timestamp::from_millis(now), chunk, now);
        check_drain(&mut conn, &mut errors, seed & 4 != 0);
        // Bounded by the limits: a frame, a message, and what was written in reply (pongs are
        // at most as large as the pings that caused them).
        let bound = 2 * (FUZZ_MAX_FRAME + FUZZ_MAX_MESSAGE) + 2 * input.len() + (256 << 10);
        assert!(
            conn.buffer_capacity() <= bound,
            "{} > {bound}",
            conn.buffer_capacity()
        );
    }
    conn.handle_eof(Timestamp::from_millis(now + 1));
    let mut closed = 0;
    loop {
        match conn.poll_event() {
            Ok(Some(Event::Closed(_))) => closed += 1,
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => errors += 1,
        }
    }
    assert!(errors <= 1, "more than one protocol error");
    assert!(closed <= 1, "more than one Closed event");
    assert!(conn.is_finished(), "EOF ends every connection");
    if let Some(budget) = budget {
        assert!(budget.used() <= budget.limit(), "over the budget");
        drop(conn);
        assert_eq!(budget.used(), held, "a charge was not given back");
    }
}

/// Hands `bytes` to `conn` by one of its three input calls, chosen by `pick`: copied
/// (`handle_bytes`), handed over whole (`handle_bytes` with a `BytesMut`), or read into its own buffer
/// (`take_receive_buffer`, then `handle_bytes` with it). They must all behave the same.
fn give(conn: &mut Connection, now: Timestamp, bytes: &[u8], pick: u64) {
    match pick % 3 {
        0 => conn.handle_bytes(now, bytes),
        1 => conn.handle_bytes(now, bytes::BytesMut::from(bytes)),
        _ => {
            let mut buf = conn.take_receive_buffer();
            buf.extend_from_slice(bytes);
            conn.handle_bytes(now, buf);
        }
    }
}

/// Drains events (with `fast`, small messages lent by `poll_event_into`, as a batch
/// receive does); on a protocol error, checks that exactly the right close frame is queued.
fn check_drain(conn: &mut Connection, errors: &mut u32, fast: bool) {
    let mut small = [0u8; 64];
    loop {
        // A driver skips both polls when the connection says it needs input: they must then
        // have nothing to give.
        let idle = conn.needs_input();
        let next = if fast {
            match conn.poll_event_into(&mut small) {
                Ok(Some(crate::EventRef::Message(m))) => {
                    assert!(!idle, "needs_input, yet a message was buffered");
                    assert!(m.as_bytes().len() <= small.len());
                    continue;
                }
                Ok(Some(crate::EventRef::Event(e))) => Ok(Some(e)),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        } else {
            conn.poll_event()
        };
        assert!(
            !idle || matches!(next, Ok(None)),
            "needs_input, yet {next:?}"
        );
        match next {
            Ok(Some(Event::Message(m))) => assert!(m.as_bytes().len() <= FUZZ_MAX_MESSAGE),
            Ok(Some(Event::Part(p))) => assert!(p.data.len() <= FUZZ_MAX_FRAME),
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => {
                *errors += 1;
                assert_eq!(*errors, 1, "a second protocol error");
                let mut wire = alloc::vec::Vec::new();
                crate::testing::write_out(conn, &mut wire);
                let code = last_close_code(&wire);
                assert!(code.is_some(), "no close frame queued for {e:?}");
                // Our own close may have gone out before (then the error's frame is not queued).
                if let Some(code) = code {
                    assert_eq!(code, e.close_code(), "{e:?}");
                }
            }
        }
    }
}

/// The code of the last frame in `bytes` if it is a close frame.
fn last_close_code(mut bytes: &[u8]) -> Option<CloseCode> {
    let mut last = None;
    while let Ok(Some((h, n))) = FrameHeader::parse(bytes) {
        let len = h.payload_len as usize;
        let mut payload = bytes.get(n..n + len)?.to_vec();
        if let Some(key) = h.mask {
            apply_mask(&mut payload, key, 0);
        }
        last = (h.opcode == OpCode::Close && payload.len() >= 2)
            .then(|| CloseCode(u16::from_be_bytes([payload[0], payload[1]])));
        bytes = &bytes[n + len..];
    }
    last
}

#[cold]
fn unreachable_harness(what: &str) -> ! {
    panic!("harness invariant: {what}")
}

#[cfg(all(feature = "arbitrary", feature = "deflate"))]
pub use structured::deflate_pair_ops;
#[cfg(feature = "arbitrary")]
pub use structured::{Op, Outgoing, pair_ops, round_trip};

#[cfg(feature = "arbitrary")]
mod structured {
    use super::*;
    use crate::Message;
    use crate::testing::pair_seeded;
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;
    use core::time::Duration;

    /// A message to send: text (lossily made UTF-8) or binary, whole or in caller-made pieces.
    #[derive(Debug, Clone, arbitrary::Arbitrary)]
    pub struct Outgoing {
        /// Text or binary.
        pub text: bool,
        /// The payload.
        pub payload: Vec<u8>,
        /// Send as fragments of these sizes (then the rest as the final one).
        pub pieces: Option<Vec<u8>>,
    }

    impl Outgoing {
        fn message(&self) -> Message {
            if self.text {
                Message::from(alloc::string::String::from_utf8_lossy(&self.payload).into_owned())
            } else {
                Message::from(self.payload.clone())
            }
        }

        /// Sends it; returns the message if the connection accepted it.
        fn send(&self, conn: &mut Connection) -> Option<Message> {
            match self.send_tracked(conn) {
                Sent::Whole(m) => Some(m),
                Sent::Refused | Sent::Cut(_) => None,
            }
        }

        /// Sends, saying whether a message sent in fragments was cut short after some of them
        /// (only a spent memory budget does that: its connection is closing with 1013).
        fn send_tracked(&self, conn: &mut Connection) -> Sent {
            let message = self.message();
            let Some(sizes) = &self.pieces else {
                return match conn.send(&message) {
                    Ok(()) => Sent::Whole(message),
                    Err(_) => Sent::Refused,
                };
            };
            let bytes = message.as_bytes();
            let mut at = 0;
            let mut pieces = sizes
                .iter()
                .map(|&size| {
                    let end = (at + usize::from(size)).min(bytes.len());
                    let piece = at..end;
                    at = end;
                    (piece, false)
                })
                .collect::<Vec<_>>();
            pieces.push((at..bytes.len(), true));
            for (i, (piece, last)) in pieces.into_iter().enumerate() {
                // Text pieces may split a code point; only the whole must be UTF-8.
                match conn.send_part(&crate::MessagePart {
                    kind: message.kind(),
                    data: bytes::Bytes::copy_from_slice(&bytes[piece]),
                    is_last: last,
                }) {
                    Ok(()) => {}
                    Err(crate::SendError::OverBudget) if i > 0 => return Sent::Cut(message),
                    Err(_) => return Sent::Refused,
                }
            }
            Sent::Whole(message)
        }
    }

    /// What became of a message sent.
    enum Sent {
        Whole(Message),
        /// Nothing of it was queued.
        Refused,
        /// Its first fragments were queued, and the budget refused the rest.
        Cut(Message),
    }

    /// One step of a client/server conversation.
    #[derive(Debug, Clone, arbitrary::Arbitrary)]
    pub enum Op {
        /// One side sends a message.
        Send {
            /// Which side.
            from_client: bool,
            /// What.
            message: Outgoing,
        },
        /// One side pings.
        Ping {
            /// Which side.
            from_client: bool,
            /// The payload (cut to 125 bytes).
            payload: Vec<u8>,
        },
        /// Up to `max` bytes travel from one side to the other.
        Deliver {
            /// Direction.
            to_server: bool,
            /// How many bytes at most.
            max: u16,
        },
        /// Time passes; both sides handle their deadlines.
        Advance {
            /// Milliseconds.
            ms: u16,
        },
        /// One side starts closing.
        Close {
            /// Which side.
            from_client: bool,
            /// The code (mapped into the valid ranges).
            code: u16,
        },
        /// One side sends a binary message of 8 to 24 KiB that the input need not spell out
        /// (a server's is spliced into its output without a copy from 8 KiB on); at most
        /// four per run, so that a run stays fast.
        SendLarge {
            /// Which side.
            from_client: bool,
            /// The size: `(kib % 16 + 8)` KiB plus `seed` bytes.
            kib: u8,
            /// Varies the size and the contents.
            seed: u8,
        },
    }

    struct Side {
        conn: Connection,
        /// Messages accepted for sending, not yet received by the other side.
        in_flight: VecDeque<Message>,
        /// The parts received so far of the message arriving in parts.
        parts: Vec<u8>,
        closed: bool,
        /// This side refused an incoming message because the shared budget was spent (the
        /// one protocol error allowed between two Sansock ends): what was in flight to it is
        /// lost by design, and the close is not clean.
        refused: bool,
    }

    /// Runs `ops` on a client/server pair, then delivers everything both ways and closes.
    /// Whatever one side accepted for sending, the other receives intact and in order; nobody
    /// reports a protocol error; both end cleanly.
    pub fn pair_ops(ops: &[Op]) {
        pair_ops_with(ClientConfig::default(), ServerConfig::default(), ops);
    }

    /// [`pair_ops`] with permessage-deflate agreed, with the parameters [`deflate_params`]
    /// makes of `params` on both ends: compression must never change or lose a message.
    #[cfg(feature = "deflate")]
    pub fn deflate_pair_ops(params: u8, ops: &[Op]) {
        use alloc::sync::Arc;
        let (config, _) = deflate_params(params);
        let server = config.clone().with_policy(if params & 32 != 0 {
            crate::DeflatePolicy::AcceptNoContextTakeover
        } else {
            crate::DeflatePolicy::Accept
        });
        pair_ops_with(
            ClientConfig::default().with_extension(Arc::new(config)),
            ServerConfig::default().with_extension(Arc::new(server)),
            ops,
        );
    }

    fn pair_ops_with(client: ClientConfig, server: ServerConfig, ops: &[Op]) {
        // One run in two, both ends share a small budget: large sends and frames are charged,
        // a send it cannot take is refused (and closes with 1013), and every charge is given
        // back.
        let budget =
            (ops.len() % 2 == 1).then(|| crate::MemoryBudget::with_charge_min(48 << 10, 1 << 10));
        let config = ConnectionConfig::default()
            .with_max_frame_size(FUZZ_MAX_MESSAGE)
            .with_max_message_size(FUZZ_MAX_MESSAGE)
            .with_close_timeout(Duration::from_secs(1 << 30))
            .with_keepalive(Some(Duration::from_secs(5)))
            .with_idle_timeout(None)
            .with_message_parts(parts_for(ops.len() as u64))
            .with_memory_budget(budget.clone());
        let (c, s) = pair_seeded(
            ops.len() as u64,
            client.with_connection(config.clone()),
            server.with_connection(config),
        );
        if c.has_extension() != s.has_extension() {
            unreachable_harness("both ends agree on the extension");
        }
        let mut sides = [
            Side {
                conn: c,
                in_flight: VecDeque::new(),
                parts: Vec::new(),
                closed: false,
                refused: false,
            },
            Side {
                conn: s,
                in_flight: VecDeque::new(),
                parts: Vec::new(),
                closed: false,
                refused: false,
            },
        ];
        let mut now = 0u64;
        let mut large = 0;
        for op in ops {
            match op {
                Op::Send {
                    from_client,
                    message,
                } => {
                    let side = &mut sides[usize::from(!from_client)];
                    match message.send_tracked(&mut side.conn) {
                        Sent::Whole(m) => side.in_flight.push_back(m),
                        Sent::Refused => {}
                        Sent::Cut(m) => {
                            // Its parts may arrive; the message never completes.
                            side.in_flight.push_back(m);
                            side.refused = true;
                        }
                    }
                }
                Op::SendLarge {
                    from_client,
                    kib,
                    seed,
                } => {
                    let side = &mut sides[usize::from(!from_client)];
                    large += 1;
                    if large <= 4 {
                        let len = (usize::from(*kib) % 16 + 8) * 1024 + usize::from(*seed);
                        let payload: Vec<u8> = (0..len)
                            .map(|i| (i * 31 + usize::from(*seed)) as u8)
                            .collect();
                        let message = Message::from(payload);
                        if side.conn.send(&message).is_ok() {
                            side.in_flight.push_back(message);
                        }
                    }
                }
                Op::Ping {
                    from_client,
                    payload,
                } => {
                    let conn = &mut sides[usize::from(!from_client)].conn;
                    let _ = conn.ping(&payload[..payload.len().min(125)]);
                }
                Op::Deliver { to_server, max } => {
                    deliver(&mut sides, usize::from(*to_server), usize::from(*max), now);
                }
                Op::Advance { ms } => {
                    now += u64::from(*ms);
                    for side in &mut sides {
                        if side
                            .conn
                            .poll_timeout()
                            .is_some_and(|t| t <= Timestamp::from_millis(now))
                        {
                            side.conn.handle_timeout(Timestamp::from_millis(now));
                        }
                    }
                }
                Op::Close { from_client, code } => {
                    let code = CloseCode(3000 + code % 2000);
                    let _ = sides[usize::from(!from_client)].conn.close(
                        Timestamp::from_millis(now),
                        Some(code),
                        "",
                    );
                }
            }
        }
        let _ = sides[0]
            .conn
            .close(Timestamp::from_millis(now), Some(CloseCode::NORMAL), "");
        for _ in 0..4 {
            deliver(&mut sides, 1, usize::MAX, now);
            deliver(&mut sides, 0, usize::MAX, now);
        }
        if !sides.iter().any(|s| s.refused) {
            for side in &sides {
                assert!(
                    side.in_flight.is_empty(),
                    "accepted messages were not delivered"
                );
                assert!(side.closed, "no clean close");
            }
            assert!(sides[1].conn.is_finished());
        }
        if let Some(budget) = budget {
            assert!(budget.used() <= budget.limit(), "over the budget");
            drop(sides);
            assert_eq!(budget.used(), 0, "a charge was not given back");
        }
    }

    /// Moves up to `max` bytes from the other side to `sides[to]` and checks what arrives.
    fn deliver(sides: &mut [Side; 2], to: usize, max: usize, now: u64) {
        let from = 1 - to;
        let now = Timestamp::from_millis(now);
        // As a vectored write would take them: across the output's pieces.
        let conn = &mut sides[from].conn;
        let n = conn.transmit_len().min(max);
        let bytes: Vec<u8> = conn.transmit_pieces().flatten().copied().take(n).collect();
        conn.advance_transmit(n);
        give(&mut sides[to].conn, now, &bytes, n as u64);
        let mut small = [0u8; 64];
        loop {
            // Every other delivery takes small messages the fast way first.
            let next = if n % 2 == 1 {
                match sides[to].conn.poll_event_into(&mut small) {
                    Ok(Some(crate::EventRef::Message(m))) => {
                        Ok(Some(Event::Message(m.to_message())))
                    }
                    Ok(Some(crate::EventRef::Event(e))) => Ok(Some(e)),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }
            } else {
                sides[to].conn.poll_event()
            };
            match next {
                Ok(Some(Event::Message(m))) => {
                    assert!(sides[to].parts.is_empty(), "a message inside another");
                    let expected = sides[from].in_flight.pop_front();
                    assert_eq!(Some(m), expected, "message changed, reordered or invented");
                }
                Ok(Some(Event::Part(p))) => {
                    let parts = &mut sides[to].parts;
                    parts.extend_from_slice(&p.data);
                    let expected = sides[from].in_flight.front();
                    assert!(
                        expected.is_some_and(|e| e.kind() == p.kind
                            && e.as_bytes().starts_with(parts)
                            // (a message may end with an empty part)
                            && (!p.is_last || e.as_bytes().len() == parts.len())),
                        "part changed, reordered or invented"
                    );
                    if p.is_last {
                        parts.clear();
                        sides[from].in_flight.pop_front();
                    }
                }
                Ok(Some(Event::Closed(c))) => {
                    let refused = sides.iter().any(|s| s.refused);
                    assert!(c.was_clean() || refused, "{c:?}");
                    sides[to].closed = true;
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(crate::ProtocolError::OverBudget)
                    if sides[to].conn.config().memory_budget.is_some() =>
                {
                    sides[to].refused = true;
                }
                Err(e) => panic!("a protocol error between two Sansock ends: {e:?}"),
            }
        }
    }

    /// Arbitrary messages encoded by one end (with an arbitrary fragment size and masking keys
    /// from `seed`) decode to the same messages at the other, both directions.
    pub fn round_trip(seed: u64, fragment_size: Option<u16>, messages: &[Outgoing]) {
        let config = ConnectionConfig::default()
            .with_fragment_size(fragment_size.map(usize::from))
            .with_max_message_size(FUZZ_MAX_MESSAGE);
        let (mut client, mut server) = pair_seeded(
            seed,
            ClientConfig::default().with_connection(config.clone()),
            ServerConfig::default().with_connection(config),
        );
        exchange(&mut client, &mut server, messages);
        exchange(&mut server, &mut client, messages);
    }

    /// `a` sends `messages`; `b` must receive exactly what `a` accepted.
    fn exchange(a: &mut Connection, b: &mut Connection, messages: &[Outgoing]) {
        let mut sent = Vec::new();
        for m in messages
            .iter()
            .filter(|m| m.payload.len() <= FUZZ_MAX_MESSAGE / 2)
        {
            sent.extend(m.send(a));
        }
        let mut wire = Vec::new();
        crate::testing::write_out(a, &mut wire);
        b.handle_bytes(Timestamp::ZERO, &wire);
        let mut received = Vec::new();
        while let Some(event) = b.poll_event().unwrap_or_else(|e| panic!("{e:?}")) {
            if let Event::Message(m) = event {
                received.push(m);
            }
        }
        assert_eq!(received, sent);
    }
}

/// A proxy handshake on arbitrary answer bytes, arbitrarily chunked: an HTTP `CONNECT`
/// (`socks` false) or SOCKS5 / SOCKS4a (chosen by the first byte, as are credentials and the
/// chunking). Every request is written before the next answer is fed, as a client would. The
/// handshake ends in a tunnel or one error, never buffers past the head limit, and takes
/// nothing after an error.
pub fn proxy_answer(socks: bool, data: &[u8]) {
    use crate::proxy::{Credentials, ProxyHandshake, ProxyProtocol, ProxyTarget};
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let protocol = match (socks, seed & 1) {
        (false, _) => ProxyProtocol::HttpConnect,
        (true, 0) => ProxyProtocol::Socks5,
        (true, _) => ProxyProtocol::Socks4a,
    };
    let credentials = Credentials::new(
        "user",
        if protocol == ProxyProtocol::Socks4a {
            ""
        } else {
            "pass"
        },
    );
    let credentials = (seed & 2 != 0).then_some(&credentials);
    let host = if seed & 4 != 0 {
        "192.0.2.1"
    } else {
        "example.com"
    };
    let limits = HandshakeLimits::default()
        .with_max_head_bytes(1024)
        .with_max_headers(8);
    let Ok(mut proxy) =
        ProxyHandshake::new(protocol, &ProxyTarget::new(host, 443), credentials, limits)
    else {
        unreachable_harness("a valid target and credentials")
    };
    for chunk in chunks(input, seed >> 3) {
        let n = proxy.transmit().len();
        proxy.advance_transmit(n);
        match proxy.receive(chunk) {
            Ok(()) if !proxy.is_connected() => {}
            Ok(()) => {
                assert!(proxy.receive(b"x").is_err(), "bytes past the answer");
                return;
            }
            Err(_) => {
                assert!(proxy.receive(b"x").is_err(), "input taken after an error");
                return;
            }
        }
    }
}
