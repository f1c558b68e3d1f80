//! permessage-deflate on a client/server pair: negotiated in the handshake, RSV1 on the first
//! frame of a compressed message only, messages intact both ways, control frames never
//! compressed, per-message opt-out, bombs ended with 1009 while memory stays near the limit,
//! and the memory a compressed connection holds.
#![cfg(feature = "deflate")]
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::masked;
use sansock_core::frame::{OpCode, RSV1};
use sansock_core::testing::{drain, pair_with, pump};
use sansock_core::{
    ClientConfig, CloseCode, ConnectionConfig, DeflatePolicy, Event, Message, PerMessageDeflate,
    ServerConfig, Timestamp,
};
use std::sync::Arc;

fn configs(limit: usize) -> (ClientConfig, ServerConfig) {
    configs_with(limit, PerMessageDeflate::default())
}

/// Both ends with `deflate` and a `limit`-byte message limit.
fn configs_with(limit: usize, deflate: PerMessageDeflate) -> (ClientConfig, ServerConfig) {
    let connection = ConnectionConfig::default().with_max_message_size(limit);
    let client = ClientConfig::default()
        .with_connection(connection.clone())
        .with_extension(Arc::new(deflate.clone()));
    let server = ServerConfig::default()
        .with_connection(connection)
        .with_extension(Arc::new(deflate));
    (client, server)
}

#[test]
fn compressed_messages_flow_both_ways() {
    let now = Timestamp::ZERO;
    let (client, server) = configs(64 << 20);
    let (mut client, mut server) = pair_with(client, server);
    assert!(client.has_extension() && server.has_extension());
    let text = "compress me, compress me, compress me! ".repeat(100);
    client.send(&text).unwrap();
    let wire = client.transmit().to_vec();
    assert_eq!(wire[0] & 0x40, 0x40, "RSV1 on the compressed message");
    assert!(
        wire.len() < text.len() / 4,
        "{} bytes for {}",
        wire.len(),
        text.len()
    );
    let (events, error) = pump(now, &mut client, &mut server);
    assert!(error.is_none());
    assert_eq!(events, [Event::Message(Message::from(text.clone()))]);

    server.send(text.as_bytes()).unwrap();
    server.ping(b"never compressed").unwrap();
    assert_eq!(server.transmit()[0] & 0x40, 0x40);
    let (events, error) = pump(now, &mut server, &mut client);
    assert!(error.is_none());
    assert_eq!(
        events[0],
        Event::Message(Message::from(text.as_bytes().to_vec()))
    );
    assert!(matches!(&events[1], Event::Ping(p) if &p[..] == b"never compressed"));
    // Short messages go uncompressed (threshold), without RSV1.
    client.send("hi").unwrap();
    assert_eq!(client.transmit()[0] & 0x40, 0);
    let (events, _) = pump(now, &mut client, &mut server);
    // The client's automatic pong (uncompressed) comes first.
    assert!(matches!(&events[0], Event::Pong(p) if &p[..] == b"never compressed"));
    assert_eq!(events[1], Event::Message(Message::from("hi")));
}

#[test]
fn a_one_kib_frame_that_inflates_past_the_limit_ends_with_1009() {
    let now = Timestamp::ZERO;
    let (client, server) = configs(1 << 20);
    let (mut client, mut server) = pair_with(client, server);
    // 64 MiB of zeros deflates to about 64 KiB; the server's limit is 1 MiB.
    let bomb = vec![0u8; 64 << 20];
    client.send(&bomb).unwrap();
    let wire_len = client.transmit().len();
    assert!(wire_len < 128 << 10, "{wire_len} bytes on the wire");
    server.handle_bytes(now, client.transmit());
    let (_, error) = drain(&mut server);
    let error = error.expect("the bomb fails the connection");
    assert_eq!(error.close_code(), CloseCode::MESSAGE_TOO_BIG);
    assert!(
        server.buffer_capacity() < 3 << 20,
        "memory stays near the 1 MiB limit: {} bytes",
        server.buffer_capacity()
    );
}

#[test]
fn without_negotiation_a_compressed_frame_is_a_protocol_error() {
    let now = Timestamp::ZERO;
    let client_config =
        ClientConfig::default().with_extension(Arc::new(PerMessageDeflate::default()));
    // The server does not offer deflate: the client must not compress, and RSV1 is refused.
    let (mut client, mut server) = pair_with(client_config, ServerConfig::default());
    assert!(!client.has_extension());
    client.send(&"x".repeat(1000)).unwrap();
    assert_eq!(client.transmit()[0] & 0x40, 0);
    let (events, error) = pump(now, &mut client, &mut server);
    assert!(error.is_none() && events.len() == 1);
    // A hand-made frame with RSV1 (masked, "hi") fails the connection with 1002.
    server.handle_bytes(now, &[0xc1, 0x82, 0, 0, 0, 0, b'h', b'i']);
    let (_, error) = drain(&mut server);
    assert_eq!(error.unwrap().close_code(), CloseCode::PROTOCOL_ERROR);
}

/// A raw deflate stream of `mib` MiB of zeros, as permessage-deflate sends it (tail stripped),
/// made cheaply: one MiB compressed with a sync flush, repeated (each copy only refers back to
/// its own zeros, so the concatenation is valid).
fn zeros_bomb(mib: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut one = Vec::with_capacity(8 << 10);
    c.compress_vec(&vec![0u8; 1 << 20], &mut one, flate2::FlushCompress::Sync)
        .unwrap();
    assert!(
        one.ends_with(&[0, 0, 0xff, 0xff]) && one.len() <= 1100,
        "{}",
        one.len()
    );
    let mut bomb = one.repeat(mib);
    bomb.truncate(bomb.len() - 4);
    bomb
}

/// Feeds `input` to a deflate server with a 4 MiB message limit: it must end with 1009 while the
/// peak heap stays under the input itself, the inflated output up to the limit (and the
/// buffer's growth past it) and zlib's state — never the 1 GiB the bomb expands to.
fn assert_bomb_stopped(input: &[u8]) {
    let limit = 4 << 20;
    let (client, server) = configs(limit);
    let (_client, mut server) = pair_with(client, server);
    let mut code = None;
    let info = allocation_counter::measure(|| {
        server.handle_bytes(Timestamp::ZERO, input);
        code = drain(&mut server).1.map(|e| e.close_code());
    });
    assert_eq!(code, Some(CloseCode::MESSAGE_TOO_BIG));
    let bound = (input.len() + 2 * limit + (1 << 20)) as u64;
    let peak = info.bytes_max;
    assert!(peak < bound, "peak heap {peak} bytes, bound {bound}");
}

#[test]
fn a_one_mib_frame_that_inflates_to_one_gib_ends_with_1009_near_the_limit() {
    let bomb = zeros_bomb(1024);
    assert!(bomb.len() < 1100 << 10, "{} bytes on the wire", bomb.len());
    assert_bomb_stopped(&masked(true, RSV1, OpCode::Binary, &bomb));
}

#[test]
fn one_kib_fragments_each_inflating_to_one_mib_end_with_1009_near_the_limit() {
    let bomb = zeros_bomb(1024);
    let pieces: Vec<&[u8]> = bomb.chunks(1024).collect();
    let mut input = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let (op, rsv) = if i == 0 {
            (OpCode::Binary, RSV1)
        } else {
            (OpCode::Continuation, 0)
        };
        input.extend(masked(i + 1 == pieces.len(), rsv, op, piece));
    }
    assert_bomb_stopped(&input);
}

#[test]
fn a_message_can_skip_compression() {
    let now = Timestamp::ZERO;
    let (client, server) = configs(64 << 20);
    let (mut client, mut server) = pair_with(client, server);
    let jpeg_like: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    client
        .send_uncompressed(&Message::from(jpeg_like.clone()))
        .unwrap();
    assert_eq!(client.transmit()[0] & 0x40, 0, "no RSV1: sent as it is");
    assert!(client.transmit().len() > jpeg_like.len());
    let (events, error) = pump(now, &mut client, &mut server);
    assert!(error.is_none());
    assert_eq!(events, [Event::Message(Message::from(jpeg_like.clone()))]);
    // The next message is compressed again.
    client.send(&"again ".repeat(100)).unwrap();
    assert_eq!(client.transmit()[0] & 0x40, 0x40);
    let (events, _) = pump(now, &mut client, &mut server);
    assert_eq!(
        events,
        [Event::Message(Message::from("again ".repeat(100)))]
    );
}

/// Heap bytes a server connection holds after echoing a 16 KiB message each way (client and
/// handshake freed), with `deflate` negotiated (or none).
pub fn server_memory(deflate: Option<PerMessageDeflate>) -> i64 {
    let now = Timestamp::ZERO;
    let mut kept = None;
    let info = allocation_counter::measure(|| {
        let mut client = ClientConfig::default();
        let mut server = ServerConfig::default();
        if let Some(d) = &deflate {
            client = client.with_extension(Arc::new(PerMessageDeflate::default()));
            server = server.with_extension(Arc::new(d.clone()));
        }
        let (mut client, mut server) = pair_with(client, server);
        let text: String = (0..16 << 10)
            .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
            .collect();
        client.send(&text).unwrap();
        let (events, _) = pump(now, &mut client, &mut server);
        server
            .send(
                &events
                    .into_iter()
                    .next()
                    .map(|e| match e {
                        Event::Message(m) => m,
                        other => panic!("{other:?}"),
                    })
                    .unwrap(),
            )
            .unwrap();
        let _ = pump(now, &mut server, &mut client);
        drop(client);
        kept = Some(server);
    });
    assert!(kept.is_some());
    info.bytes_current
}

#[test]
fn context_takeover_costs_memory_and_no_context_takeover_or_a_small_window_saves_it() {
    let d = PerMessageDeflate::default;
    let nct = DeflatePolicy::AcceptNoContextTakeover;
    let rows = [
        ("no permessage-deflate", None),
        ("deflate, 15-bit window, context takeover", Some(d())),
        (
            "deflate, 12-bit window, context takeover",
            Some(d().with_max_window_bits(12)),
        ),
        (
            "deflate, 9-bit window, context takeover",
            Some(d().with_max_window_bits(9)),
        ),
        ("deflate, no context takeover", Some(d().with_policy(nct))),
    ];
    let bytes: Vec<i64> = rows.iter().map(|(_, c)| server_memory(c.clone())).collect();
    let mut table =
        String::from("| server configuration | heap held after a 16 KiB echo |\n|---|---:|\n");
    for ((name, _), b) in rows.iter().zip(&bytes) {
        table += &format!("| {name} | {:.1} KiB |\n", *b as f64 / 1024.0);
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target");
    let _ = std::fs::write(format!("{dir}/deflate-memory.md"), &table);
    let [plain, takeover, w12, w9, no_takeover] = bytes[..] else {
        unreachable!()
    };
    // zlib's compressor and decompressor stay for the next message with context takeover …
    assert!(takeover > plain + (256 << 10), "{table}");
    // … smaller windows keep a smaller compressor …
    assert!(w9 < w12 && w12 + (64 << 10) < takeover, "{table}");
    // … and without context takeover nothing of zlib is kept between messages (only the
    // compressed message's scratch buffer and the output buffer it was copied into: without
    // deflate, the echo's payload is sent from the receive buffer itself).
    assert!(no_takeover < plain + (32 << 10), "{table}");
}

#[test]
fn rsv1_on_a_continuation_or_a_control_frame_is_a_protocol_error_even_when_negotiated() {
    let now = Timestamp::ZERO;
    for bad in [
        // A compressed message's continuation must not carry RSV1 (RFC 7692 §6.1).
        [
            masked(false, RSV1, OpCode::Text, b"\xf2\x48\xcd\xc9\xc9"),
            masked(true, RSV1, OpCode::Continuation, b"\x07\x00"),
        ]
        .concat(),
        // Control frames are never compressed.
        masked(true, RSV1, OpCode::Ping, b"hi"),
        // RSV2 and RSV3 belong to no negotiated extension.
        masked(true, 0x20, OpCode::Text, b"hi"),
    ] {
        let (client, server) = configs(1 << 20);
        let (_client, mut server) = pair_with(client, server);
        server.handle_bytes(now, &bad);
        let (_, error) = drain(&mut server);
        assert_eq!(error.unwrap().close_code(), CloseCode::PROTOCOL_ERROR);
    }
    // The same first frame with a plain continuation is a valid compressed "Hello".
    let (client, server) = configs(1 << 20);
    let (_client, mut server) = pair_with(client, server);
    let good = [
        masked(false, RSV1, OpCode::Text, b"\xf2\x48\xcd\xc9\xc9"),
        masked(true, 0, OpCode::Continuation, b"\x07\x00"),
    ]
    .concat();
    server.handle_bytes(now, &good);
    let (events, error) = drain(&mut server);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events, [Event::Message(Message::from("Hello"))]);
}

/// Found by the `deflate_pair_ops` fuzz target: with a threshold of 0, the second of two empty
/// messages in a row made zlib report "no progress possible" forever and the send never returned.
#[test]
fn empty_messages_in_a_row_go_uncompressed_and_arrive() {
    let now = Timestamp::ZERO;
    let (client, server) = configs_with(64 << 20, PerMessageDeflate::default().with_threshold(0));
    let (mut client, mut server) = pair_with(client, server);
    for m in [
        Message::from(""),
        Message::from(""),
        Message::from("x"),
        Message::from(Vec::new()),
        Message::from(Vec::new()),
        Message::from("after"),
    ] {
        client.send(&m).unwrap();
        let first = client.transmit()[0];
        assert_eq!(
            first & 0x40 != 0,
            !m.as_bytes().is_empty(),
            "RSV1 only on what is compressed"
        );
        let (events, error) = pump(now, &mut client, &mut server);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(events, [Event::Message(m)]);
    }
}
