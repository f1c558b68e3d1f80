//! Control frames and the closing handshake between a Sansock client and server in memory, with
//! a manual clock: pongs, the close echo, who ends the transport, and every deadline.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::*;
use core::time::Duration;
use sansock_core::frame::OpCode;
use sansock_core::testing::{drain, pair, pump};
use sansock_core::{
    CloseCode, Closed, Connection, ConnectionConfig, Ending, Event, Initiator, Role, State,
    Timestamp, Utf8Bytes,
};

fn at(ms: u64) -> Timestamp {
    Timestamp::from_millis(ms)
}

fn closed(events: &[Event]) -> &Closed {
    match events.last() {
        Some(Event::Closed(c)) => c,
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[test]
fn ping_is_answered_and_reported_and_unsolicited_pongs_are_tolerated() {
    let (mut client, mut server) = pair(ConnectionConfig::default());
    client.ping(b"p1").unwrap();
    client.pong(b"heartbeat").unwrap();
    let (events, err) = pump(T0, &mut client, &mut server);
    assert_eq!(err, None);
    assert_eq!(
        events,
        [
            Event::Ping(Bytes::from_static(b"p1")),
            Event::Pong(Bytes::from_static(b"heartbeat"))
        ]
    );
    let (events, _) = pump(T0, &mut server, &mut client);
    assert_eq!(events, [Event::Pong(Bytes::from_static(b"p1"))]);
}

#[test]
fn auto_pong_can_be_switched_off_and_the_ping_is_still_seen() {
    let (mut client, mut server) = pair(ConnectionConfig::default().with_auto_pong(false));
    client.ping(b"p").unwrap();
    let (events, _) = pump(T0, &mut client, &mut server);
    assert_eq!(events, [Event::Ping(Bytes::from_static(b"p"))]);
    assert!(server.transmit().is_empty());
}

#[test]
fn control_frames_between_fragments_are_delivered_in_order() {
    let mut server = server_with(ConnectionConfig::default());
    let mut input = masked(false, 0, OpCode::Text, b"Hel");
    input.extend(masked(true, 0, OpCode::Ping, b"x"));
    input.extend(masked(false, 0, OpCode::Continuation, b""));
    input.extend(masked(true, 0, OpCode::Pong, b"y"));
    input.extend(masked(true, 0, OpCode::Continuation, b"lo"));
    let (events, err) = feed_both_ways(|| server_with(ConnectionConfig::default()), &input);
    assert_eq!(err, None);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0], Event::Ping(Bytes::from_static(b"x")));
    assert_eq!(
        events[2],
        Event::Message(sansock_core::Message::Text(Utf8Bytes::from_static("Hello")))
    );
    let _ = feed(&mut server, &input);
}

/// Runs a clean close started by `initiator_is_client`, checking every state on the way.
fn clean_close(initiator_is_client: bool) {
    let (mut client, mut server) = pair(ConnectionConfig::default());
    let (a, b) = if initiator_is_client {
        (&mut client, &mut server)
    } else {
        (&mut server, &mut client)
    };
    a.send("last words").unwrap();
    a.close(T0, Some(CloseCode(4000)), "done").unwrap();
    assert_eq!(a.state(), State::ClosingLocal);
    let (events, err) = pump(at(1), a, b);
    assert_eq!(err, None);
    assert_eq!(events.len(), 2, "the message before the close is delivered");
    let c = closed(&events);
    assert_eq!(
        (c.code, c.reason.as_str(), c.initiator, c.ending),
        (CloseCode(4000), "done", Initiator::Remote, Ending::Clean)
    );
    assert!(c.was_clean());
    // The echo is queued: the remote side is closing until it is written.
    assert_eq!(b.state(), State::ClosingRemote);
    assert_eq!(b.send("too late"), Err(sansock_core::SendError::Closed));
    let echo = b.transmit().to_vec();
    let frames = common::frames(&echo);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        (frames[0].0.opcode, frames[0].1.as_slice()),
        (OpCode::Close, &[0x0f, 0xa0][..])
    );
    let (events, err) = pump(at(2), b, a);
    assert_eq!(err, None);
    let c = closed(&events);
    assert_eq!(
        (c.code, c.initiator, c.ending),
        (CloseCode(4000), Initiator::Local, Ending::Clean)
    );
    assert_eq!(a.state(), State::Closed);
    assert_eq!(b.state(), State::Closed);
    // The server ends the transport first; the client waits for it.
    assert!(server.is_finished());
    assert!(!client.is_finished());
    client.handle_eof(at(3));
    assert_eq!(drain(&mut client), (vec![], None), "no second Closed event");
    assert!(client.is_finished());
}

#[test]
fn clean_close_started_by_the_client() {
    clean_close(true);
}

#[test]
fn clean_close_started_by_the_server() {
    clean_close(false);
}

#[test]
fn close_without_code_is_echoed_without_code_and_reported_as_1005() {
    let mut server = server_with(ConnectionConfig::default());
    let (events, _) = feed(&mut server, &masked(true, 0, OpCode::Close, b""));
    assert_eq!(closed(&events).code, CloseCode::NO_STATUS);
    let frames = take_frames(&mut server);
    assert_eq!((frames[0].0.opcode, frames[0].1.len()), (OpCode::Close, 0));
}

#[test]
fn data_after_close_is_ignored() {
    let mut server = server_with(ConnectionConfig::default());
    let mut input = masked(true, 0, OpCode::Close, &1000u16.to_be_bytes());
    input.extend(masked(true, 0, OpCode::Text, b"ignored"));
    input.extend(masked(true, 0, OpCode::Close, &1000u16.to_be_bytes()));
    let (events, err) = feed(&mut server, &input);
    assert_eq!((events.len(), err), (1, None));
    assert_eq!(take_frames(&mut server).len(), 1, "one echo, nothing else");
}

#[test]
fn client_gives_up_waiting_for_the_servers_eof_after_the_close_timeout() {
    let config = ConnectionConfig::default().with_close_timeout(Duration::from_secs(2));
    let (mut client, mut server) = pair(config);
    server.close(at(0), Some(CloseCode::NORMAL), "").unwrap();
    let _ = pump(at(100), &mut server, &mut client);
    let _ = pump(at(100), &mut client, &mut server);
    assert!(server.is_finished());
    assert_eq!(client.state(), State::Closed);
    assert_eq!(client.poll_timeout(), Some(at(2100)));
    client.handle_timeout(at(2099));
    assert!(!client.is_finished());
    client.handle_timeout(at(2100));
    assert!(client.is_finished());
}

#[test]
fn close_timeout_ends_a_connection_whose_peer_never_answers() {
    let config = ConnectionConfig::default().with_close_timeout(Duration::from_secs(5));
    let mut server = server_with(config);
    server
        .close(at(1000), Some(CloseCode::GOING_AWAY), "")
        .unwrap();
    let _ = take_frames(&mut server);
    assert_eq!(server.poll_timeout(), Some(at(6000)));
    server.handle_timeout(at(5999));
    assert_eq!(drain(&mut server), (vec![], None));
    server.handle_timeout(at(6000));
    let (events, _) = drain(&mut server);
    let c = closed(&events);
    assert_eq!(
        (c.code, c.initiator, c.ending),
        (CloseCode::ABNORMAL, Initiator::Local, Ending::CloseTimedOut)
    );
    assert!(server.is_finished());
    assert_eq!(server.poll_timeout(), None);
}

#[test]
fn eof_without_close_is_1006_after_buffered_events() {
    let mut server = server_with(ConnectionConfig::default());
    server.handle_bytes(T0, &masked(true, 0, OpCode::Binary, b"x"));
    server.handle_bytes(T0, &masked(true, 0, OpCode::Binary, b"yy")[..3]); // a partial frame
    server.handle_eof(at(5));
    let (events, err) = drain(&mut server);
    assert_eq!(err, None);
    assert_eq!(events.len(), 2);
    let c = closed(&events);
    assert_eq!(
        (c.code, c.initiator, c.ending),
        (
            CloseCode::ABNORMAL,
            Initiator::Neither,
            Ending::PeerDisconnected
        )
    );
    assert!(server.is_finished());
}

#[test]
fn eof_right_after_a_close_frame_is_a_clean_close() {
    let mut client = client_with(ConnectionConfig::default());
    client.handle_bytes(
        T0,
        &unmasked(true, 0, OpCode::Close, &1000u16.to_be_bytes()),
    );
    client.handle_eof(T0);
    let (events, _) = drain(&mut client);
    assert!(closed(&events).was_clean());
    assert!(client.is_finished());
}

#[test]
fn keepalive_pings_a_quiet_peer_and_idle_timeout_ends_a_dead_one() {
    let config = ConnectionConfig::default()
        .with_keepalive(Some(Duration::from_secs(10)))
        .with_idle_timeout(Some(Duration::from_secs(30)));
    let (mut client, mut server) = pair(config);
    // Traffic at t=5s pushes both deadlines.
    client.send("hi").unwrap();
    let _ = pump(at(5_000), &mut client, &mut server);
    assert_eq!(server.poll_timeout(), Some(at(15_000)));
    server.handle_timeout(at(15_000));
    let frames = take_frames(&mut server);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].0.opcode, OpCode::Ping);
    // One ping per quiet spell; next deadline is the idle one.
    assert_eq!(server.poll_timeout(), Some(at(35_000)));
    server.handle_timeout(at(20_000));
    assert!(server.transmit().is_empty());
    // A live peer answers and resets the clock.
    server.handle_bytes(at(20_000), &masked(true, 0, OpCode::Pong, b""));
    assert_eq!(drain(&mut server).0, [Event::Pong(Bytes::new())]);
    assert_eq!(server.poll_timeout(), Some(at(30_000)));
    // A dead one does not: at t=50s the connection ends.
    server.handle_timeout(at(30_000));
    let _ = take_frames(&mut server);
    server.handle_timeout(at(50_000));
    let (events, _) = drain(&mut server);
    let c = closed(&events);
    assert_eq!(
        (c.code, c.ending),
        (CloseCode::ABNORMAL, Ending::IdleTimedOut)
    );
    assert!(server.is_finished());
}

#[test]
fn keepalive_is_on_by_default_and_no_deadline_without_it() {
    let (client, server): (Connection, Connection) = pair(ConnectionConfig::default());
    let ping_at = Some(T0 + Duration::from_secs(20));
    assert_eq!(
        (client.poll_timeout(), server.poll_timeout()),
        (ping_at, ping_at)
    );
    let quiet = ConnectionConfig::default()
        .with_keepalive(None)
        .with_idle_timeout(None);
    let (client, server): (Connection, Connection) = pair(quiet);
    assert_eq!((client.poll_timeout(), server.poll_timeout()), (None, None));
    assert_eq!((client.role(), server.role()), (Role::Client, Role::Server));
}

#[test]
fn every_client_frame_gets_a_fresh_masking_key() {
    let (mut client, _) = pair(ConnectionConfig::default());
    for _ in 0..50 {
        client.send(b"same payload").unwrap();
    }
    client.ping(b"").unwrap();
    let keys: std::collections::HashSet<[u8; 4]> = take_frames(&mut client)
        .iter()
        .map(|(h, _)| h.mask.expect("masked"))
        .collect();
    assert_eq!(keys.len(), 51);
}

#[test]
fn outgoing_messages_are_fragmented_at_the_configured_size() {
    let (mut client, mut server) = pair(ConnectionConfig::default().with_fragment_size(Some(4)));
    server.send("0123456789").unwrap();
    let wire = server.transmit().to_vec();
    let shape: Vec<_> = common::frames(&wire)
        .iter()
        .map(|(h, p)| (h.opcode, h.fin, p.len()))
        .collect();
    assert_eq!(
        shape,
        [
            (OpCode::Text, false, 4),
            (OpCode::Continuation, false, 4),
            (OpCode::Continuation, true, 2)
        ]
    );
    let (events, _) = pump(T0, &mut server, &mut client);
    assert_eq!(
        events,
        [Event::Message(sansock_core::Message::from("0123456789"))]
    );
}

#[test]
fn reading_into_the_receive_buffer_is_the_same_as_handle_bytes() {
    let mut server = server_with(ConnectionConfig::default());
    let big = masked(true, 0, OpCode::Binary, &[5u8; 100_000]);
    let mut fed = 0;
    while fed < big.len() {
        let mut buf = server.take_receive_buffer();
        let room = (buf.capacity() - buf.len()).min(big.len() - fed);
        assert!(room >= 4096, "the buffer offers room to read into");
        buf.extend_from_slice(&big[fed..fed + room]);
        fed += room;
        server.handle_bytes(at(fed as u64), buf);
        let (events, err) = drain(&mut server);
        assert_eq!(err, None);
        if fed < big.len() {
            assert!(events.is_empty());
        } else {
            assert_eq!(
                events,
                [Event::Message(sansock_core::Message::from(vec![
                    5u8;
                    100_000
                ]))]
            );
        }
    }
}
