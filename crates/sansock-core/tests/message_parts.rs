//! `ConnectionConfig::message_parts`: what is buffered of an unfinished frame comes out as
//! `Event::Part` once there is enough of it, messages that arrive whole still come whole,
//! fragmented messages come frame by frame, text is checked as it streams, the limits hold
//! across parts, and `send_part` sends a part on as one fragment without copying it.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use sansock_core::frame::OpCode;
use sansock_core::testing::{drain, pair, pair_with};
use sansock_core::{
    ClientConfig, CloseCode, Connection, ConnectionConfig, Event, Message, MessageKind,
    MessagePart, PerMessageDeflate, ProtocolError, ServerConfig,
};
use std::sync::Arc;

fn parts_config(min: usize) -> ConnectionConfig {
    ConnectionConfig::default().with_message_parts(Some(min))
}

/// Feeds `input` in chunks of the given sizes (cycled), draining after each.
fn feed_in_chunks(
    conn: &mut Connection,
    input: &[u8],
    sizes: &[usize],
) -> (Vec<Event>, Option<ProtocolError>) {
    let mut events = Vec::new();
    let mut rest = input;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*size).min(rest.len()));
        rest = tail;
        conn.handle_bytes(T0, chunk);
        let (more, error) = drain(conn);
        events.extend(more);
        if error.is_some() {
            return (events, error);
        }
    }
    (events, None)
}

fn parts_of(events: &[Event]) -> Vec<&MessagePart> {
    events
        .iter()
        .map(|e| match e {
            Event::Part(p) => p,
            other => panic!("expected only parts, got {other:?}"),
        })
        .collect()
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_large_frame_comes_out_in_parts_as_it_arrives() {
    let mut server = server_with(parts_config(1000));
    let data = payload(100_000);
    // Odd chunk sizes: parts start at every phase of the masking key.
    let (events, error) = feed_in_chunks(
        &mut server,
        &masked(true, 0, OpCode::Binary, &data),
        &[1001, 3, 4099, 777],
    );
    assert_eq!(error, None);
    let parts = parts_of(&events);
    assert!(parts.len() > 20, "{} parts", parts.len());
    let (last, rest) = parts.split_last().unwrap();
    assert!(last.is_last && rest.iter().all(|p| !p.is_last));
    assert!(
        rest.iter().all(|p| p.data.len() >= 1000),
        "a part under the minimum"
    );
    assert!(parts.iter().all(|p| p.kind == MessageKind::Binary));
    let joined: Vec<u8> = parts.iter().flat_map(|p| p.data.iter().copied()).collect();
    assert_eq!(joined, data);
    // Between frames the connection is idle again: the next message starts clean.
    let (events, _) = feed(&mut server, &masked(true, 0, OpCode::Text, b"next"));
    assert_eq!(events, vec![Event::Message(Message::from("next"))]);
}

#[test]
fn a_frame_all_buffered_comes_whole_and_a_short_one_always_does() {
    let mut server = server_with(parts_config(1000));
    let big = payload(50_000);
    let (events, _) = feed(&mut server, &masked(true, 0, OpCode::Binary, &big));
    assert_eq!(events, vec![Event::Message(Message::from(big))]);
    // Shorter than the minimum: whole even when it trickles in byte by byte.
    let short = payload(999);
    let (events, error) = feed_bytewise(&mut server, &masked(true, 0, OpCode::Binary, &short));
    assert_eq!(error, None);
    assert_eq!(events, vec![Event::Message(Message::from(short))]);
}

#[test]
fn a_fragmented_message_comes_frame_by_frame_without_empty_parts() {
    let mut server = server_with(parts_config(1 << 20));
    let mut input = masked(false, 0, OpCode::Text, &"κό".as_bytes()[..3]);
    input.extend(masked(false, 0, OpCode::Continuation, b""));
    input.extend(masked(true, 0, OpCode::Ping, b"between"));
    input.extend(masked(true, 0, OpCode::Continuation, &"κό".as_bytes()[3..]));
    let (events, error) = feed(&mut server, &input);
    assert_eq!(error, None);
    let text = |data: &[u8], is_last| {
        Event::Part(MessagePart {
            kind: MessageKind::Text,
            data: data.to_vec().into(),
            is_last,
        })
    };
    assert_eq!(
        events,
        vec![
            text(&"κό".as_bytes()[..3], false), // a part may end inside a code point
            Event::Ping(b"between"[..].into()),
            text(&"κό".as_bytes()[3..], true),
        ]
    );
}

#[test]
fn invalid_text_fails_at_once_and_no_part_follows_it() {
    let mut server = server_with(parts_config(4));
    let mut data = "valid so far ".repeat(10).into_bytes();
    data.extend([0xed, 0xa0, 0x80]); // a surrogate
    data.extend(b" and more");
    let frame = masked(true, 0, OpCode::Text, &data);
    let (events, error) = feed_in_chunks(&mut server, &frame, &[60, 200]);
    assert_eq!(error, Some(ProtocolError::InvalidUtf8));
    let parts = parts_of(&events);
    assert_eq!(parts.len(), 1);
    assert!(data.starts_with(&parts[0].data) && !parts[0].is_last);
    assert_eq!(
        queued_close_code(&mut server),
        Some(CloseCode::INVALID_PAYLOAD)
    );
    // A text frame ending inside a code point fails at its end, not with a last part.
    let mut server = server_with(parts_config(4));
    let frame = masked(true, 0, OpCode::Text, &"κό".as_bytes()[..3]);
    let (events, error) = feed_bytewise(&mut server, &frame);
    assert_eq!(error, Some(ProtocolError::InvalidUtf8));
    assert!(parts_of(&events).iter().all(|p| !p.is_last));
}

#[test]
fn the_message_limit_holds_across_parts() {
    let mut server = server_with(parts_config(100).with_max_message_size(10_000));
    let mut input = masked(false, 0, OpCode::Binary, &payload(6_000));
    input.extend(masked(true, 0, OpCode::Continuation, &payload(6_000)));
    let (events, error) = feed(&mut server, &input);
    assert_eq!(error, Some(ProtocolError::MessageTooBig));
    assert_eq!(parts_of(&events).len(), 1); // the first frame went out; the second is refused
    assert_eq!(
        queued_close_code(&mut server),
        Some(CloseCode::MESSAGE_TOO_BIG)
    );
}

#[test]
fn the_receive_buffer_holds_one_read_window_while_a_frame_streams() {
    let mut server = server_with(parts_config(1));
    let frame = masked(true, 0, OpCode::Binary, &payload(8 << 20));
    let mut rest = &frame[..];
    let mut received = 0;
    let mut largest = 0;
    while !rest.is_empty() {
        // Read as a socket would: as much as the offered buffer takes.
        let mut buffer = server.take_receive_buffer();
        let room = (buffer.capacity() - buffer.len()).min(rest.len());
        buffer.extend_from_slice(&rest[..room]);
        rest = &rest[room..];
        server.handle_bytes(T0, buffer);
        largest = largest.max(server.buffer_capacity());
        let (events, error) = drain(&mut server);
        assert_eq!(error, None);
        received += parts_of(&events)
            .iter()
            .map(|p| p.data.len())
            .sum::<usize>();
    }
    assert_eq!(received, 8 << 20);
    // About what one read can bring (a window of at most 1 MiB, which the buffer may round
    // up when it grows), not the frame: 8 MiB.
    assert!(
        largest <= 2 << 20,
        "{largest} bytes buffered for an 8 MiB frame"
    );
}

#[test]
fn a_compressed_message_comes_whole() {
    let deflate = Arc::new(PerMessageDeflate::default());
    let (mut client, mut server) = pair_with(
        ClientConfig::default()
            .with_connection(parts_config(16))
            .with_extension(deflate.clone()),
        ServerConfig::default()
            .with_connection(parts_config(16))
            .with_extension(deflate),
    );
    let text = "squeeze ".repeat(10_000);
    client.send(&text).unwrap();
    let binary: Vec<u8> = text.bytes().rev().collect();
    client.send(&binary).unwrap();
    let mut wire = Vec::new();
    sansock_core::testing::write_out(&mut client, &mut wire);
    let (events, error) = feed_in_chunks(&mut server, &wire, &[50]);
    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            Event::Message(Message::from(text)),
            Event::Message(Message::from(binary))
        ]
    );
}

#[test]
fn parts_sent_on_make_the_same_message_and_a_large_one_is_not_copied() {
    let (mut client, mut server) = pair(parts_config(16 << 10));
    let data = payload(300_000);
    client.send(&data).unwrap();
    let mut wire = Vec::new();
    sansock_core::testing::write_out(&mut client, &mut wire);
    let mut echoed = Vec::new();
    for chunk in wire.chunks(64 << 10) {
        server.handle_bytes(T0, chunk);
        let (events, error) = drain(&mut server);
        assert_eq!(error, None);
        for part in parts_of(&events) {
            server.send_part(part).unwrap();
            // The queued fragment's payload is the part itself, not a copy of it.
            let pieces: Vec<&[u8]> = server.transmit_pieces().collect();
            assert!(pieces.iter().any(|p| p.as_ptr() == part.data.as_ptr()));
        }
        sansock_core::testing::write_out(&mut server, &mut echoed);
    }
    let frames = frames(&echoed);
    assert!(frames.len() >= 4, "{} fragments", frames.len());
    assert_eq!(frames[0].0.opcode, OpCode::Binary);
    assert!(
        frames[1..]
            .iter()
            .all(|(h, _)| h.opcode == OpCode::Continuation)
    );
    assert!(frames.last().unwrap().0.fin);
    // The client (parts on too) takes the fragments in as parts of one message.
    client.handle_bytes(T0, &echoed);
    let (events, error) = drain(&mut client);
    assert_eq!(error, None);
    let parts = parts_of(&events);
    assert!(parts.last().unwrap().is_last);
    let joined: Vec<u8> = parts.iter().flat_map(|p| p.data.iter().copied()).collect();
    assert_eq!(joined, data);
}

#[test]
fn a_part_of_the_other_kind_cannot_interrupt_a_message() {
    let (_client, mut server) = pair(parts_config(16));
    let part = |kind, is_last| MessagePart {
        kind,
        data: b"x"[..].into(),
        is_last,
    };
    server.send_part(&part(MessageKind::Text, false)).unwrap();
    assert_eq!(
        server.send_part(&part(MessageKind::Binary, true)),
        Err(sansock_core::SendError::FragmentKindMismatch)
    );
    server.send_part(&part(MessageKind::Text, true)).unwrap();
}

#[test]
fn parts_of_zero_still_report_the_end_of_the_stream_mid_frame() {
    // The setter takes zero as one byte (the field is private, so no part can be empty).
    let config = ConnectionConfig::default().with_message_parts(Some(0));
    let mut server = common::server_with(config);
    let frame = common::masked(true, 0, OpCode::Binary, &[9u8; 100]);
    server.handle_bytes(common::T0, &frame[..6]); // the header, no payload yet
    while let Ok(Some(_)) = server.poll_event() {}
    server.handle_eof(common::T0);
    // It used to hand out an empty part that is not handed out, and so nothing, forever.
    let mut ending = None;
    for _ in 0..10 {
        match server.poll_event() {
            Ok(Some(Event::Closed(c))) => {
                ending = Some(c);
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    let closed = ending.expect("the end of the stream was not reported");
    assert_eq!(closed.code, sansock_core::CloseCode::ABNORMAL);
}
