//! `Connection::handle_bytes` with a `BytesMut`: a buffer handed over whole is parsed where it is (messages are
//! slices of it, no copy), a frame left half received is moved to a buffer of the connection's
//! own before it grows or waits, and bytes handed over behind buffered input are appended.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use bytes::BytesMut;
use common::*;
use sansock_core::frame::OpCode;
use sansock_core::{ConnectionConfig, Event, Message};

fn next_message(conn: &mut sansock_core::Connection) -> Message {
    match conn.poll_event() {
        Ok(Some(Event::Message(m))) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn messages_of_a_handed_over_buffer_are_slices_of_it() {
    let mut server = server_with(ConnectionConfig::default());
    let mut input = masked(true, 0, OpCode::Binary, &[1; 16 << 10]);
    input.extend(masked(true, 0, OpCode::Text, b"and a short one"));
    let buffer = BytesMut::from(&input[..]);
    let region = buffer.as_ptr_range();
    server.handle_bytes(T0, buffer);

    let large = next_message(&mut server);
    assert_eq!(large.as_bytes(), &[1; 16 << 10][..]);
    assert!(
        region.contains(&large.as_bytes().as_ptr()),
        "the payload was copied"
    );
    let small = next_message(&mut server);
    assert_eq!(small, Message::from("and a short one"));
    assert!(region.contains(&small.as_bytes().as_ptr()));
    assert_eq!(server.poll_event(), Ok(None));
    // All consumed: the connection no longer holds the caller's buffer.
    assert_eq!(server.buffer_capacity(), 0);
}

#[test]
fn a_half_received_frame_moves_to_a_buffer_of_its_own() {
    let mut server = server_with(ConnectionConfig::default());
    let frame = masked(true, 0, OpCode::Binary, &[9; 40 << 10]);
    let (head, tail) = frame.split_at(10 << 10);
    // The caller's read buffer: the first read filled the front of a larger allocation.
    let mut read_buffer = BytesMut::with_capacity(64 << 10);
    read_buffer.extend_from_slice(head);
    let handed = read_buffer.split();
    let original = handed.as_ptr();
    server.handle_bytes(T0, handed);
    assert_eq!(server.poll_event(), Ok(None)); // the frame is not complete yet

    // The next read goes into the connection's own buffer, not the caller's allocation.
    let mut own = server.take_receive_buffer();
    assert_ne!(own.as_ptr(), original, "still in the caller's buffer");
    assert_eq!(own.len(), head.len() - 8); // all but the parsed header (2 + 2 + 4 mask bytes)
    // With as large a window as the caller's read had, not just the rest of this frame: frames
    // arriving back to back keep coming in large reads.
    assert!(own.capacity() >= 64 << 10, "capacity {}", own.capacity());
    own.extend_from_slice(tail);
    server.handle_bytes(T0, own);
    let message = next_message(&mut server);
    assert_eq!(message.as_bytes(), &[9; 40 << 10][..]);

    // The caller's allocation is its own again: reserving reclaims it in place.
    drop(message);
    read_buffer.reserve(64 << 10);
    assert_eq!(read_buffer.as_ptr(), original);
}

#[test]
fn a_connection_about_to_wait_lets_the_callers_buffer_go() {
    let mut server = server_with(ConnectionConfig::default());
    let frame = masked(true, 0, OpCode::Text, "ünïcode".repeat(2000).as_bytes());
    let mut read_buffer = BytesMut::with_capacity(64 << 10);
    read_buffer.extend_from_slice(&frame[..9000]);
    let handed = read_buffer.split();
    let handed_region = handed.as_ptr_range();
    server.handle_bytes(T0, handed);
    assert_eq!(server.poll_event(), Ok(None));
    server.release_buffers();
    // The half-received frame now lives elsewhere: the caller's allocation is free again.
    read_buffer.reserve(64 << 10);
    assert_eq!(read_buffer.as_ptr(), handed_region.start);
    server.handle_bytes(T0, &frame[9000..]);
    let message = next_message(&mut server);
    assert_eq!(message.as_bytes(), "ünïcode".repeat(2000).as_bytes());
    assert!(!handed_region.contains(&message.as_bytes().as_ptr()));
}

#[test]
fn bytes_handed_over_behind_buffered_input_are_appended() {
    let mut server = server_with(ConnectionConfig::default());
    let mut input = masked(true, 0, OpCode::Binary, b"first");
    input.extend(masked(true, 0, OpCode::Binary, &[5; 12 << 10]));
    let (a, b) = input.split_at(30);
    server.handle_bytes(T0, a);
    server.handle_bytes(T0, BytesMut::from(b));
    assert_eq!(next_message(&mut server).as_bytes(), b"first");
    assert_eq!(next_message(&mut server).as_bytes(), &[5; 12 << 10][..]);
    assert_eq!(server.poll_event(), Ok(None));
}

#[test]
fn protocol_errors_in_a_handed_over_buffer_are_reported_as_usual() {
    let mut server = server_with(ConnectionConfig::default());
    // An unmasked frame from a client: 1002.
    server.handle_bytes(
        T0,
        BytesMut::from(&unmasked(true, 0, OpCode::Binary, b"x")[..]),
    );
    assert!(server.poll_event().is_err());
    assert_eq!(
        queued_close_code(&mut server),
        Some(sansock_core::CloseCode::PROTOCOL_ERROR)
    );
}
