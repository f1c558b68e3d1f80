//! Helpers shared by the integration tests: frame building and decoding, connections, feeding.
#![allow(dead_code, unreachable_pub, missing_docs)]

use bytes::BytesMut;
use sansock_core::frame::{FrameHeader, OpCode, apply_mask, write_frame};
use sansock_core::testing::{drain, pair};
use sansock_core::{CloseCode, Connection, ConnectionConfig, Event, ProtocolError, Timestamp};

pub const T0: Timestamp = Timestamp::ZERO;

/// A frame as a client sends it (masked).
pub fn masked(fin: bool, rsv: u8, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_frame(
        &mut out,
        fin,
        rsv,
        opcode,
        payload,
        Some([0x37, 0xfa, 0x21, 0x3d]),
    );
    out.to_vec()
}

/// A frame as a server sends it (unmasked).
pub fn unmasked(fin: bool, rsv: u8, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_frame(&mut out, fin, rsv, opcode, payload, None);
    out.to_vec()
}

/// Splits a byte stream into frames, unmasking payloads.
pub fn frames(mut bytes: &[u8]) -> Vec<(FrameHeader, Vec<u8>)> {
    let mut out = Vec::new();
    while let Ok(Some((h, n))) = FrameHeader::parse(bytes) {
        let len = h.payload_len as usize;
        let mut payload = bytes[n..n + len].to_vec();
        if let Some(key) = h.mask {
            apply_mask(&mut payload, key, 0);
        }
        out.push((h, payload));
        bytes = &bytes[n + len..];
    }
    assert!(bytes.is_empty(), "a partial frame left in the stream");
    out
}

/// The frames `conn` has queued, taking them out of its transmit buffer.
pub fn take_frames(conn: &mut Connection) -> Vec<(FrameHeader, Vec<u8>)> {
    let mut bytes = Vec::new();
    sansock_core::testing::write_out(conn, &mut bytes);
    frames(&bytes)
}

/// The close code of the single close frame `conn` queued last.
pub fn queued_close_code(conn: &mut Connection) -> Option<CloseCode> {
    let frames = take_frames(conn);
    let (h, p) = frames.last()?;
    (h.opcode == OpCode::Close).then(|| CloseCode(u16::from_be_bytes([p[0], p[1]])))
}

/// A server-role connection with `config`, handshake done.
pub fn server_with(config: ConnectionConfig) -> Connection {
    pair(config).1
}

/// A client-role connection with `config`, handshake done.
pub fn client_with(config: ConnectionConfig) -> Connection {
    pair(config).0
}

/// Feeds `input` whole and drains events.
pub fn feed(conn: &mut Connection, input: &[u8]) -> (Vec<Event>, Option<ProtocolError>) {
    conn.handle_bytes(T0, input);
    drain(conn)
}

/// Feeds `input` one byte at a time, draining after each.
pub fn feed_bytewise(conn: &mut Connection, input: &[u8]) -> (Vec<Event>, Option<ProtocolError>) {
    let mut events = Vec::new();
    for b in input {
        conn.handle_bytes(T0, std::slice::from_ref(b));
        let (mut e, err) = drain(conn);
        events.append(&mut e);
        if err.is_some() {
            return (events, err);
        }
    }
    (events, None)
}

/// Feeds `input` to a fresh connection (made by `make`) whole and byte by byte, asserts both
/// give the same result, and returns it.
pub fn feed_both_ways(
    make: impl Fn() -> Connection,
    input: &[u8],
) -> (Vec<Event>, Option<ProtocolError>) {
    let whole = feed(&mut make(), input);
    let bytewise = feed_bytewise(&mut make(), input);
    assert_eq!(whole, bytewise, "whole and byte-by-byte feeding disagree");
    whole
}
