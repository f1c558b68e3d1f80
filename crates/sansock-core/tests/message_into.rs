//! `Connection::poll_event_into`: a small whole message is unmasked into the caller's buffer
//! and handed out borrowed from it; anything else (a larger message, a fragment, a control
//! frame, a broken frame) comes as `poll_event` reports it.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use sansock_core::frame::OpCode;
use sansock_core::{
    CloseCode, Connection, ConnectionConfig, Event, EventRef, Message, MessageRef, ProtocolError,
};

/// Drains `conn` lending small messages, as an adapter's batch does; gives the messages as
/// owned ones, with the other events, in order.
fn drain_fast(conn: &mut Connection, buf: &mut [u8]) -> (Vec<Event>, Option<ProtocolError>) {
    let mut events = Vec::new();
    loop {
        match conn.poll_event_into(buf) {
            Ok(Some(EventRef::Message(m))) => events.push(Event::Message(m.to_message())),
            Ok(Some(EventRef::Event(e))) => events.push(e),
            Ok(None) => return (events, None),
            Err(e) => return (events, Some(e)),
        }
    }
}

/// The small message `poll_event_into` lends, if the next event is one.
fn lent<'b>(conn: &mut Connection, buf: &'b mut [u8]) -> Option<MessageRef<'b>> {
    match conn.poll_event_into(buf) {
        Ok(Some(EventRef::Message(m))) => Some(m),
        _ => None,
    }
}

#[test]
fn a_small_message_is_unmasked_into_the_buffer_and_borrowed_from_it() {
    let mut server = server_with(ConnectionConfig::default());
    server.handle_bytes(T0, &masked(true, 0, OpCode::Text, "κόσμε".as_bytes()));
    let mut buf = [0u8; 64];
    let region = buf.as_ptr_range();
    let message = lent(&mut server, &mut buf).unwrap();
    assert_eq!(message.as_text(), Some("κόσμε"));
    assert!(region.contains(&message.as_bytes().as_ptr()));
    assert_eq!(server.poll_event_into(&mut buf), Ok(None));
    assert_eq!(server.poll_event(), Ok(None));
}

#[test]
fn the_same_events_in_the_same_order_as_poll_event_alone() {
    let mut input = masked(true, 0, OpCode::Binary, &[1; 10]);
    input.extend(masked(true, 0, OpCode::Binary, &[2; 100])); // larger than the buffer
    input.extend(masked(true, 0, OpCode::Ping, b"p"));
    input.extend(masked(false, 0, OpCode::Text, b"frag"));
    input.extend(masked(true, 0, OpCode::Continuation, b"ment"));
    input.extend(masked(true, 0, OpCode::Text, b"last"));
    input.extend(masked(true, 0, OpCode::Close, &1000u16.to_be_bytes()));
    let (expected, error) = feed(&mut server_with(ConnectionConfig::default()), &input);
    assert_eq!(error, None);
    assert_eq!(expected.len(), 6);
    // Whole and cut at every byte: the fast path must agree with the usual one.
    for cut in [input.len(), 1, 3, 7] {
        let mut server = server_with(ConnectionConfig::default());
        let mut got = Vec::new();
        for chunk in input.chunks(cut) {
            server.handle_bytes(T0, chunk);
            let (events, error) = drain_fast(&mut server, &mut [0u8; 64]);
            assert_eq!(error, None);
            got.extend(events);
        }
        assert_eq!(got, expected, "cut {cut}");
    }
}

#[test]
fn errors_are_the_usual_ones_with_the_usual_close_codes() {
    let cases: [(Vec<u8>, ProtocolError, CloseCode); 4] = [
        (
            masked(true, 0, OpCode::Text, &[0xed, 0xa0, 0x80]),
            ProtocolError::InvalidUtf8,
            CloseCode::INVALID_PAYLOAD,
        ),
        (
            unmasked(true, 0, OpCode::Binary, b"unmasked"),
            ProtocolError::UnmaskedFrame,
            CloseCode::PROTOCOL_ERROR,
        ),
        (
            masked(true, 0x40, OpCode::Binary, b"rsv1 without deflate"),
            ProtocolError::ReservedBits,
            CloseCode::PROTOCOL_ERROR,
        ),
        (
            masked(true, 0, OpCode::Binary, &[0; 40]),
            ProtocolError::MessageTooBig,
            CloseCode::MESSAGE_TOO_BIG,
        ),
    ];
    for (input, error, code) in cases {
        let mut server = server_with(ConnectionConfig::default().with_max_message_size(32));
        server.handle_bytes(T0, &input);
        let (events, got) = drain_fast(&mut server, &mut [0u8; 64]);
        assert_eq!((events, got), (vec![], Some(error)), "{error:?}");
        assert_eq!(queued_close_code(&mut server), Some(code), "{error:?}");
        // Once failed, nothing more comes out either way.
        assert_eq!(server.poll_event_into(&mut [0u8; 64]), Ok(None));
    }
}

#[test]
fn a_message_longer_than_the_buffer_comes_the_usual_way() {
    let mut server = server_with(ConnectionConfig::default());
    server.handle_bytes(T0, &masked(true, 0, OpCode::Binary, &[5; 65]));
    assert_eq!(
        server.poll_event_into(&mut [0u8; 64]),
        Ok(Some(EventRef::Event(Event::Message(Message::from(vec![
            5;
            65
        ])))))
    );
}

#[test]
fn needs_input_holds_exactly_while_nothing_can_come_out() {
    let mut server = server_with(ConnectionConfig::default());
    assert!(server.needs_input(), "a fresh connection waits for bytes");
    let frame = masked(true, 0, OpCode::Binary, b"ab");
    // Half a frame is buffered: the connection no longer says it needs input (the adapter
    // must look), even though nothing can come out yet.
    server.handle_bytes(T0, &frame[..3]);
    assert!(!server.needs_input());
    assert_eq!(server.poll_event().unwrap(), None);
    server.handle_bytes(T0, &frame[3..]);
    assert!(!server.needs_input());
    let mut buf = [0u8; 16];
    assert_eq!(
        lent(&mut server, &mut buf).map(|m| m.to_message()),
        Some(Message::Binary(b"ab".to_vec().into()))
    );
    assert!(server.needs_input(), "drained");
    // A close from the peer: the connection stops receiving, and the end comes from poll_event.
    server.handle_bytes(T0, &masked(true, 0, OpCode::Close, &1000u16.to_be_bytes()));
    let (events, error) = drain_fast(&mut server, &mut buf);
    assert!(error.is_none());
    assert!(
        !events.iter().any(|e| matches!(e, Event::Message(_))),
        "{events:?}"
    );
    assert!(
        !server.needs_input(),
        "no more input is wanted after the close"
    );
    // The end of the stream must reach poll_event too.
    let mut other = server_with(ConnectionConfig::default());
    other.handle_eof(T0);
    assert!(!other.needs_input());
    assert!(matches!(
        other.poll_event().unwrap(),
        Some(Event::Closed(_))
    ));
}
