//! RFC 6455 §5.7's example frames, each fed whole, one byte at a time, and with trailing bytes
//! (the start of a next frame) that must stay untouched: no extra event, no error.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use sansock_core::{ConnectionConfig, Event, Message, Utf8Bytes};

fn client() -> sansock_core::Connection {
    client_with(ConnectionConfig::default())
}

fn server() -> sansock_core::Connection {
    server_with(ConnectionConfig::default())
}

fn text(s: &'static str) -> Event {
    Event::Message(Message::Text(Utf8Bytes::from_static(s)))
}

/// Checks a vector three ways against `expected`.
fn check(make: fn() -> sansock_core::Connection, input: &[u8], expected: &[Event]) {
    let (events, error) = feed_both_ways(make, input);
    assert_eq!(error, None);
    assert_eq!(events, expected);
    // Trailing bytes: the first two bytes of another frame header (and one masked-header byte).
    for trailing in [&[0x81u8][..], &[0x82, 0xfe, 0x01][..]] {
        let mut with_tail = input.to_vec();
        with_tail.extend_from_slice(trailing);
        let (events, error) = feed_both_ways(make, &with_tail);
        assert_eq!(
            (events.as_slice(), error),
            (expected, None),
            "trailing {trailing:x?}"
        );
    }
}

#[test]
fn single_frame_unmasked_text_to_client() {
    check(
        client,
        &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
        &[text("Hello")],
    );
}

#[test]
fn single_frame_masked_text_to_server() {
    let input = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    check(server, &input, &[text("Hello")]);
}

#[test]
fn fragmented_unmasked_text_to_client() {
    let input = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
    check(client, &input, &[text("Hello")]);
}

#[test]
fn unmasked_ping_to_client_and_its_automatic_pong() {
    let input = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    check(client, &input, &[Event::Ping(Bytes::from_static(b"Hello"))]);
    let mut c = client();
    let _ = feed(&mut c, &input);
    let frames = take_frames(&mut c);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].0.opcode, sansock_core::frame::OpCode::Pong);
    assert!(frames[0].0.mask.is_some(), "a client masks its pong");
    assert_eq!(frames[0].1, b"Hello");
}

#[test]
fn masked_pong_to_server() {
    let input = [
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    check(server, &input, &[Event::Pong(Bytes::from_static(b"Hello"))]);
}

#[test]
fn binary_256_bytes_with_16_bit_length_to_client() {
    let payload: Vec<u8> = (0..=255).collect();
    let mut input = vec![0x82, 0x7e, 0x01, 0x00];
    input.extend_from_slice(&payload);
    check(
        client,
        &input,
        &[Event::Message(Message::Binary(payload.into()))],
    );
}

#[test]
fn binary_64_kib_with_64_bit_length_to_client() {
    let payload: Vec<u8> = (0..65536u32).map(|i| (i * 7) as u8).collect();
    let mut input = vec![0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0];
    input.extend_from_slice(&payload);
    let expected = [Event::Message(Message::Binary(payload.into()))];
    // Byte by byte is 65,546 feeds: fine, and it is the interesting case for partial unmasking.
    check(client, &input, &expected);
}

#[test]
fn the_same_vectors_sent_by_sansock_are_byte_identical() {
    // A server writing "Hello" produces RFC 6455's unmasked example exactly.
    let mut s = server();
    s.send("Hello").unwrap();
    assert_eq!(s.transmit(), &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    let mut s = server();
    s.send(&[0; 256]).unwrap();
    assert_eq!(&s.transmit()[..4], &[0x82, 0x7e, 0x01, 0x00]);
    let mut s = server();
    s.send(&[0; 65536]).unwrap();
    assert_eq!(&s.transmit()[..10], &[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
}
