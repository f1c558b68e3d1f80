//! Pings from a peer that does not read: every ping is answered while the output flows, and
//! once it backs up the output stays bounded and the most recent ping is the one answered
//! (RFC 6455 §5.5.3).

mod common;

use common::{T0, feed, masked, server_with, take_frames};
use sansock_core::frame::OpCode;
use sansock_core::{ConnectionConfig, Event};

#[test]
fn ten_pings_in_one_read_get_ten_pongs() {
    let mut server = server_with(ConnectionConfig::default());
    let input: Vec<u8> = (0..10)
        .flat_map(|i| masked(true, 0, OpCode::Ping, format!("payload-{i}").as_bytes()))
        .collect();
    let (events, error) = feed(&mut server, &input);
    assert!(error.is_none());
    assert_eq!(events.len(), 10);
    let pongs: Vec<Vec<u8>> = take_frames(&mut server)
        .into_iter()
        .map(|(h, p)| {
            assert_eq!(h.opcode, OpCode::Pong);
            p
        })
        .collect();
    let expected: Vec<Vec<u8>> = (0..10)
        .map(|i| format!("payload-{i}").into_bytes())
        .collect();
    assert_eq!(pongs, expected);
}

#[test]
fn a_ping_flood_without_reading_keeps_the_output_bounded() {
    let mut server = server_with(ConnectionConfig::default());
    let mut most = 0;
    for i in 0..200_000u32 {
        let ping = masked(true, 0, OpCode::Ping, &i.to_be_bytes());
        server.handle_bytes(T0, &ping);
        while let Some(event) = server.poll_event().unwrap() {
            assert!(matches!(event, Event::Ping(_)));
        }
        most = most.max(server.transmit_len());
    }
    // 200,000 pongs of 6 bytes would be 1.2 MB; the queue stops near 16 KiB.
    assert!(most < 17 << 10, "the output grew to {most} bytes");
    // Once the peer reads, the queued pongs go out and then one answering the last ping.
    let mut frames = take_frames(&mut server);
    frames.extend(take_frames(&mut server));
    assert_eq!(server.transmit_len(), 0);
    let (last_header, last_payload) = frames.last().unwrap();
    assert_eq!(last_header.opcode, OpCode::Pong);
    assert_eq!(last_payload, &199_999u32.to_be_bytes());
    assert!(frames.len() < 3_000, "{} pongs", frames.len());
    // Every pong answers a ping, in order.
    let answered: Vec<u32> = frames
        .iter()
        .map(|(_, p)| u32::from_be_bytes([p[0], p[1], p[2], p[3]]))
        .collect();
    assert!(answered.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn no_pong_follows_the_close_frame() {
    let mut server = server_with(ConnectionConfig::default());
    for i in 0..5_000u32 {
        server.handle_bytes(T0, &masked(true, 0, OpCode::Ping, &i.to_be_bytes()));
        while server.poll_event().unwrap().is_some() {}
    }
    server.handle_bytes(T0, &masked(true, 0, OpCode::Close, &1000u16.to_be_bytes()));
    while server.poll_event().unwrap().is_some() {}
    let frames = take_frames(&mut server);
    assert_eq!(frames.last().unwrap().0.opcode, OpCode::Close);
    assert_eq!(
        frames
            .iter()
            .filter(|(h, _)| h.opcode == OpCode::Close)
            .count(),
        1
    );
}
