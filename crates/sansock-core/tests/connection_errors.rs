//! Every way a peer can break RFC 6455 §5 on an open connection: each gives exactly one
//! `ProtocolError` whose close frame, with the right code, is already queued; nothing after it.
//! Then local misuse: a `SendError` that leaves the connection unchanged.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use sansock_core::MessagePart;
use sansock_core::frame::{OpCode, RSV1, RSV2, RSV3};
use sansock_core::{
    CloseCode, Connection, ConnectionConfig, MessageKind, ProtocolError as P, SendError, State,
};

fn server() -> Connection {
    server_with(ConnectionConfig::default())
}

/// Feeds `input` to a fresh connection (whole and byte by byte) and checks the error, its code,
/// the queued close frame, and that the connection then stays quiet.
fn expect_failure(make: impl Fn() -> Connection, input: &[u8], error: P, code: CloseCode) {
    let (_, got) = feed_both_ways(&make, input);
    assert_eq!(got, Some(error));
    assert_eq!(error.close_code(), code);
    let mut conn = make();
    let (_, got) = feed(&mut conn, input);
    assert_eq!(got, Some(error));
    assert_eq!(queued_close_code(&mut conn), Some(code));
    // Exactly one error: more input is ignored, no second error, nothing more queued.
    let (events, again) = feed(&mut conn, &masked(true, 0, OpCode::Text, b"more"));
    assert_eq!((events.len(), again), (0, None));
    assert!(conn.transmit().is_empty());
    assert_eq!(conn.send("late"), Err(SendError::Closed));
    assert_eq!(conn.state(), State::Closed, "failed and flushed");
    assert!(
        conn.is_finished(),
        "after a protocol error the transport is closed at once"
    );
}

#[test]
fn unmasked_frame_to_server_is_1002() {
    expect_failure(
        server,
        &unmasked(true, 0, OpCode::Text, b"hi"),
        P::UnmaskedFrame,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn masked_frame_to_client_is_1002() {
    let client = || client_with(ConnectionConfig::default());
    expect_failure(
        client,
        &masked(true, 0, OpCode::Text, b"hi"),
        P::MaskedFrame,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn rsv_bits_without_extension_are_1002() {
    for rsv in [RSV1, RSV2, RSV3, RSV1 | RSV3] {
        expect_failure(
            server,
            &masked(true, rsv, OpCode::Binary, b"x"),
            P::ReservedBits,
            CloseCode::PROTOCOL_ERROR,
        );
        expect_failure(
            server,
            &masked(true, rsv, OpCode::Ping, b""),
            P::ReservedBits,
            CloseCode::PROTOCOL_ERROR,
        );
    }
}

#[test]
fn reserved_opcodes_data_and_control_are_1002() {
    for op in [3u8, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf] {
        let input = masked(true, 0, OpCode::Reserved(op), b"");
        expect_failure(
            server,
            &input,
            P::ReservedOpcode(op),
            CloseCode::PROTOCOL_ERROR,
        );
    }
}

#[test]
fn control_frame_over_125_bytes_is_1002() {
    for op in [OpCode::Ping, OpCode::Pong, OpCode::Close] {
        expect_failure(
            server,
            &masked(true, 0, op, &[b'a'; 126]),
            P::ControlFrameTooLong,
            CloseCode::PROTOCOL_ERROR,
        );
    }
}

#[test]
fn fragmented_control_frame_is_1002() {
    expect_failure(
        server,
        &masked(false, 0, OpCode::Ping, b"x"),
        P::FragmentedControlFrame,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn continuation_without_start_is_1002() {
    expect_failure(
        server,
        &masked(true, 0, OpCode::Continuation, b"x"),
        P::UnexpectedContinuation,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn new_data_frame_inside_a_fragmented_message_is_1002() {
    let mut input = masked(false, 0, OpCode::Text, b"a");
    input.extend(masked(true, 0, OpCode::Binary, b"b"));
    expect_failure(
        server,
        &input,
        P::ExpectedContinuation,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn length_with_top_bit_set_is_1002() {
    let input = [0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4];
    expect_failure(
        server,
        &input,
        P::LengthTopBitSet,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn frame_over_the_limit_is_1009_before_its_payload_arrives() {
    let small = || server_with(ConnectionConfig::default().with_max_frame_size(100));
    let frame = masked(true, 0, OpCode::Binary, &[0; 101]);
    // Only the header is needed to decide.
    expect_failure(
        small,
        &frame[..8],
        P::FrameTooBig,
        CloseCode::MESSAGE_TOO_BIG,
    );
}

#[test]
fn message_over_the_limit_is_1009_at_the_fragment_that_crosses_it() {
    let small = || server_with(ConnectionConfig::default().with_max_message_size(100));
    let mut input = masked(false, 0, OpCode::Binary, &[0; 60]);
    input.extend(masked(true, 0, OpCode::Continuation, &[0; 41]));
    expect_failure(small, &input, P::MessageTooBig, CloseCode::MESSAGE_TOO_BIG);
}

#[test]
fn invalid_utf8_is_1007_as_soon_as_the_bad_byte_arrives() {
    let mut payload = "κόσμε".as_bytes().to_vec();
    payload.extend_from_slice(&[0xed, 0xa0, 0x80]); // a surrogate
    payload.extend_from_slice(&[b'a'; 1000]);
    let frame = masked(true, 0, OpCode::Text, &payload);
    // The frame is far from complete (the header is 8 bytes, "κόσμε" 11): fail fast.
    let cut = 8 + 11 + 2;
    expect_failure(
        server,
        &frame[..cut],
        P::InvalidUtf8,
        CloseCode::INVALID_PAYLOAD,
    );
    // Across fragments too, in the second fragment.
    let mut input = masked(false, 0, OpCode::Text, &"κό".as_bytes()[..3]);
    input.extend(masked(true, 0, OpCode::Continuation, &[0xff]));
    expect_failure(server, &input, P::InvalidUtf8, CloseCode::INVALID_PAYLOAD);
    // A text message that ends inside a code point.
    let input = masked(true, 0, OpCode::Text, &"κ".as_bytes()[..1]);
    expect_failure(server, &input, P::InvalidUtf8, CloseCode::INVALID_PAYLOAD);
}

#[test]
fn close_with_one_byte_payload_is_1002() {
    expect_failure(
        server,
        &masked(true, 0, OpCode::Close, &[3]),
        P::CloseWithOneByte,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn close_with_invalid_codes_is_1002() {
    for code in [
        0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] {
        let input = masked(true, 0, OpCode::Close, &code.to_be_bytes());
        expect_failure(
            server,
            &input,
            P::InvalidCloseCode,
            CloseCode::PROTOCOL_ERROR,
        );
    }
}

#[test]
fn close_with_invalid_utf8_reason_is_1007() {
    let input = masked(true, 0, OpCode::Close, &[0x03, 0xe8, 0xce, 0xba, 0xff]);
    expect_failure(server, &input, P::InvalidUtf8, CloseCode::INVALID_PAYLOAD);
}

#[test]
fn non_minimal_length_is_1002() {
    let input = [0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0, 0];
    expect_failure(
        server,
        &input,
        P::NonMinimalLength,
        CloseCode::PROTOCOL_ERROR,
    );
}

#[test]
fn events_before_the_error_are_still_delivered() {
    let mut input = masked(true, 0, OpCode::Text, b"first");
    input.extend(masked(true, 0, OpCode::Reserved(3), b""));
    let (events, error) = feed(&mut server(), &input);
    assert_eq!(events.len(), 1);
    assert_eq!(error, Some(P::ReservedOpcode(3)));
}

// ---- local misuse: an error, and nothing changes ----

fn unchanged(conn: &mut Connection, result: Result<(), SendError>, expected: SendError) {
    assert_eq!(result, Err(expected));
    assert!(conn.transmit().is_empty(), "{expected:?} queued something");
}

#[test]
fn control_payload_over_125_bytes_is_refused() {
    let mut c = server();
    let r = c.ping(&[0; 126]);
    unchanged(&mut c, r, SendError::ControlPayloadTooLong);
    let r = c.pong(&[0; 126]);
    unchanged(&mut c, r, SendError::ControlPayloadTooLong);
    let r = c.close(T0, Some(CloseCode::NORMAL), &"r".repeat(124));
    unchanged(&mut c, r, SendError::ControlPayloadTooLong);
    assert_eq!(c.state(), State::Open);
    assert!(c.ping(&[0; 125]).is_ok());
}

#[test]
fn invalid_close_codes_are_refused() {
    let mut c = server();
    for code in [999u16, 1005, 1006, 1015, 5000] {
        let r = c.close(T0, Some(CloseCode(code)), "");
        unchanged(&mut c, r, SendError::InvalidCloseCode);
    }
    let r = c.close(T0, None, "a reason needs a code");
    unchanged(&mut c, r, SendError::InvalidCloseCode);
    assert_eq!(c.state(), State::Open);
}

#[test]
fn nothing_is_sent_after_close() {
    let mut c = server();
    c.close(T0, Some(CloseCode::GOING_AWAY), "bye").unwrap();
    let frames = take_frames(&mut c);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].1, b"\x03\xe9bye");
    assert_eq!(c.state(), State::ClosingLocal);
    for r in [
        c.send("x"),
        c.send(b"x"),
        c.ping(b""),
        c.pong(b""),
        c.send_part(&MessagePart {
            kind: MessageKind::Binary,
            data: bytes::Bytes::copy_from_slice(b"x"),
            is_last: true,
        }),
        c.close(T0, None, ""),
    ] {
        unchanged(&mut c, r, SendError::Closed);
    }
}

#[test]
fn fragment_misuse_is_refused() {
    let mut c = server();
    c.send_part(&MessagePart {
        kind: MessageKind::Text,
        data: bytes::Bytes::copy_from_slice(b"a"),
        is_last: false,
    })
    .unwrap();
    let _ = take_frames(&mut c);
    let r = c.send_part(&MessagePart {
        kind: MessageKind::Binary,
        data: bytes::Bytes::copy_from_slice(b"b"),
        is_last: true,
    });
    unchanged(&mut c, r, SendError::FragmentKindMismatch);
    let r = c.send("whole");
    unchanged(&mut c, r, SendError::FragmentedMessageInProgress);
    let r = c.send_part(&MessagePart {
        kind: MessageKind::Text,
        data: bytes::Bytes::copy_from_slice(&[0xff]),
        is_last: true,
    });
    unchanged(&mut c, r, SendError::InvalidUtf8);
    let r = c.send_part(&MessagePart {
        kind: MessageKind::Text,
        data: bytes::Bytes::copy_from_slice(&"κ".as_bytes()[..1]),
        is_last: true,
    });
    unchanged(&mut c, r, SendError::InvalidUtf8);
    // A ping may go between fragments; the message then finishes normally.
    c.ping(b"p").unwrap();
    c.send_part(&MessagePart {
        kind: MessageKind::Text,
        data: bytes::Bytes::copy_from_slice(b"b"),
        is_last: true,
    })
    .unwrap();
    let ops: Vec<_> = take_frames(&mut c)
        .iter()
        .map(|(h, _)| (h.opcode, h.fin))
        .collect();
    assert_eq!(ops, [(OpCode::Ping, true), (OpCode::Continuation, true)]);
    c.send("whole").unwrap();
}

/// A message in `frames` frames: text with a byte each, then empty continuations up to FIN.
fn fragmented_message(frames: usize) -> Vec<u8> {
    let mut input = masked(false, 0, OpCode::Text, b"a");
    for i in 1..frames {
        input.extend(masked(i + 1 == frames, 0, OpCode::Continuation, b""));
    }
    input
}

#[test]
fn more_fragments_than_the_limit_is_1008() {
    let limited = || server_with(ConnectionConfig::default().with_max_fragments(Some(4)));
    expect_failure(
        limited,
        &fragmented_message(5),
        P::TooManyFragments,
        CloseCode::POLICY_VIOLATION,
    );
    // At the limit, and (the count starting again) message after message: fine.
    let mut conn = limited();
    let input = [fragmented_message(4), fragmented_message(4)].concat();
    let (events, error) = feed(&mut conn, &input);
    assert_eq!(error, None);
    assert_eq!(events.len(), 2);
    // No limit by default.
    let (events, error) = feed(&mut server(), &fragmented_message(70_000));
    assert_eq!((events.len(), error), (1, None));
}
