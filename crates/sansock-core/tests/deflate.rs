//! permessage-deflate on a client/server pair: negotiated in the handshake, RSV1 on the first
//! frame of a compressed message only, messages intact both ways, control frames never
//! compressed, a bomb ended with 1009 while memory stays near the limit.
#![cfg(feature = "deflate")]
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_core::testing::{drain, pair_with, pump};
use sansock_core::{
    ClientConfig, CloseCode, ConnectionConfig, Event, Message, PerMessageDeflate, ServerConfig,
    Timestamp,
};
use std::sync::Arc;

fn configs(limit: usize) -> (ClientConfig, ServerConfig) {
    let connection = ConnectionConfig::default().with_max_message_size(limit);
    let mut client = ClientConfig::default().with_connection(connection.clone());
    client
        .extensions
        .push(Arc::new(PerMessageDeflate::default()));
    let mut server = ServerConfig::default().with_connection(connection);
    server
        .extensions
        .push(Arc::new(PerMessageDeflate::default()));
    (client, server)
}

#[test]
fn compressed_messages_flow_both_ways() {
    let now = Timestamp::ZERO;
    let (client, server) = configs(64 << 20);
    let (mut client, mut server) = pair_with(client, server);
    assert!(client.has_extension() && server.has_extension());
    let text = "compress me, compress me, compress me! ".repeat(100);
    client.send_text(&text).unwrap();
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

    server.send_binary(text.as_bytes()).unwrap();
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
    client.send_text("hi").unwrap();
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
    client.send_binary(&bomb).unwrap();
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
    let mut client_config = ClientConfig::default();
    client_config
        .extensions
        .push(Arc::new(PerMessageDeflate::default()));
    // The server does not offer deflate: the client must not compress, and RSV1 is refused.
    let (mut client, mut server) = pair_with(client_config, ServerConfig::default());
    assert!(!client.has_extension());
    client.send_text(&"x".repeat(1000)).unwrap();
    assert_eq!(client.transmit()[0] & 0x40, 0);
    let (events, error) = pump(now, &mut client, &mut server);
    assert!(error.is_none() && events.len() == 1);
    // A hand-made frame with RSV1 (masked, "hi") fails the connection with 1002.
    server.handle_bytes(now, &[0xc1, 0x82, 0, 0, 0, 0, b'h', b'i']);
    let (_, error) = drain(&mut server);
    assert_eq!(error.unwrap().close_code(), CloseCode::PROTOCOL_ERROR);
}
