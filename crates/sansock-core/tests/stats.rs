//! `Connection::stats`: messages, frames and bytes both ways, bytes saved by compression, the
//! queue, when the peer was last heard, and the round-trip time of an answered ping.

use sansock_core::testing::{pair, pair_with, pump};
use sansock_core::{
    ClientConfig, ConnectionConfig, Event, Message, PerMessageDeflate, ServerConfig, Timestamp,
};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn counts_messages_frames_and_bytes_both_ways() {
    let (mut client, mut server) = pair(ConnectionConfig::default().with_fragment_size(Some(4)));
    client.send("hello, world").unwrap(); // 3 frames of 4 bytes
    client.send(b"").unwrap(); // 1 frame
    assert_eq!(client.stats().messages_out, 2);
    assert_eq!(client.stats().frames_out, 4);
    let queued = client.stats().queued;
    assert_eq!(queued, client.transmit_len());
    let (events, error) = pump(Timestamp::from_millis(7), &mut client, &mut server);
    assert!(error.is_none());
    assert_eq!(events.len(), 2);
    let (c, s) = (client.stats(), server.stats());
    assert_eq!((s.messages_in, s.frames_in), (2, 4));
    assert_eq!(c.bytes_out, queued as u64);
    assert_eq!(s.bytes_in, c.bytes_out);
    assert_eq!(c.queued, 0);
    assert_eq!(s.last_received, Timestamp::from_millis(7));
}

#[test]
fn the_round_trip_time_of_an_answered_ping() {
    let (mut client, mut server) = pair(ConnectionConfig::default());
    assert_eq!(client.stats().rtt, None);
    client.handle_timeout(Timestamp::from_millis(1000));
    client.ping(b"are you there").unwrap();
    let ping = client.transmit().to_vec();
    client.advance_transmit(ping.len());
    server.handle_bytes(Timestamp::from_millis(1010), &ping);
    assert!(matches!(server.poll_event(), Ok(Some(Event::Ping(_)))));
    let pong = server.transmit().to_vec();
    // The pong is back 35 ms after the ping left.
    client.handle_bytes(Timestamp::from_millis(1035), &pong);
    assert!(matches!(client.poll_event(), Ok(Some(Event::Pong(_)))));
    assert_eq!(client.stats().rtt, Some(Duration::from_millis(35)));
}

#[test]
fn a_keepalive_ping_measures_the_round_trip_by_itself() {
    let config = ConnectionConfig::default()
        .with_keepalive(Some(Duration::from_secs(1)))
        .with_idle_timeout(Some(Duration::from_secs(10)));
    let (mut client, mut server) = pair(config);
    client.handle_timeout(Timestamp::from_millis(1000)); // the keepalive ping goes out
    let ping = client.transmit().to_vec();
    client.advance_transmit(ping.len());
    server.handle_bytes(Timestamp::from_millis(1001), &ping);
    let _ = server.poll_event();
    let pong = server.transmit().to_vec();
    client.handle_bytes(Timestamp::from_millis(1012), &pong);
    let _ = client.poll_event();
    assert_eq!(client.stats().rtt, Some(Duration::from_millis(12)));
}

#[test]
fn bytes_saved_by_compression() {
    let deflate = Arc::new(PerMessageDeflate::default());
    let (mut client, mut server) = pair_with(
        ClientConfig::default().with_extension(deflate.clone()),
        ServerConfig::default().with_extension(deflate),
    );
    let text = "compressible, compressible, compressible ".repeat(100);
    client.send(&Message::text(text.clone())).unwrap();
    let saved = client.stats().bytes_saved;
    assert!(saved > text.len() as u64 / 2, "{saved}");
    let (events, _) = pump(Timestamp::ZERO, &mut client, &mut server);
    assert_eq!(events, [Event::Message(Message::text(text))]);
    assert_eq!(server.stats().bytes_saved, saved);
}
