//! A server's large messages go out without a copy: the transmit queue holds the message's own
//! bytes after the frame header, and everything still arrives in order, whole, however the
//! output is written (piece by piece, across pieces, with fragmentation, with control frames
//! between).
mod common;

use bytes::Bytes;
use common::{T0, feed, frames, masked, take_frames};
use sansock_core::frame::OpCode;
use sansock_core::testing::{pair, pump};
use sansock_core::{ConnectionConfig, Event, Message};

#[test]
fn a_received_message_echoed_by_a_server_is_sent_from_the_receive_buffer_itself() {
    let mut server = common::server_with(ConnectionConfig::default());
    let payload: Vec<u8> = (0..1u32 << 20).map(|i| i as u8).collect();
    let (events, error) = feed(&mut server, &masked(true, 0, OpCode::Binary, &payload));
    assert_eq!(error, None);
    let Some(Event::Message(message)) = events.into_iter().next() else {
        panic!("no message")
    };
    server.send(&message).unwrap();
    let pieces: Vec<&[u8]> = server.transmit_pieces().collect();
    assert_eq!(pieces.len(), 2, "header, then the payload");
    assert_eq!(pieces[0], &[0x82, 127, 0, 0, 0, 0, 0, 0x10, 0, 0][..]);
    assert_eq!(pieces[1].as_ptr(), message.as_bytes().as_ptr(), "copied");
    assert_eq!(
        server.transmit(),
        pieces[0],
        "transmit() is the first piece"
    );
    let sent = take_frames(&mut server);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, payload);
    assert_eq!(server.transmit_len(), 0);
}

#[test]
fn small_messages_and_clients_copy_into_one_buffer() {
    let big = Message::Binary(Bytes::from(vec![1u8; 64 << 10]));
    let (mut client, mut server) = pair(ConnectionConfig::default());
    server
        .send(&Message::Binary(Bytes::from(vec![2u8; 8191])))
        .unwrap();
    assert_eq!(server.transmit_pieces().count(), 1, "under 8 KiB: copied");
    // A client masks, so it copies whatever the size.
    client.send(&big).unwrap();
    assert_eq!(client.transmit_pieces().count(), 1);
    assert_eq!(client.transmit().len(), client.transmit_len());
}

#[test]
fn interleaved_frames_fragments_and_partial_writes_arrive_in_order() {
    let config = ConnectionConfig::default().with_fragment_size(Some(20_000));
    let (mut client, mut server) = pair(config);
    let messages: Vec<Message> = [50_000usize, 10, 9000, 0, 70_000]
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            Message::Binary((0..n).map(|j| (i * 7 + j) as u8).collect::<Vec<_>>().into())
        })
        .collect();
    for m in &messages {
        server.send(m).unwrap();
        server.ping(b"between").unwrap();
    }
    server.send("last").unwrap();
    let total = server.transmit_len();
    assert!(
        server.transmit_pieces().count() > messages.len(),
        "payloads spliced in"
    );
    // Write it the way a socket with a small send buffer takes it: 3000 bytes per vectored
    // write, whatever the pieces.
    let mut wire = Vec::new();
    while server.transmit_len() > 0 {
        let chunk: Vec<u8> = server
            .transmit_pieces()
            .flatten()
            .copied()
            .take(3000)
            .collect();
        server.advance_transmit(chunk.len());
        wire.extend_from_slice(&chunk);
    }
    assert_eq!(wire.len(), total);
    let fragments = frames(&wire)
        .iter()
        .filter(|(h, _)| h.opcode == OpCode::Continuation)
        .count();
    assert_eq!(
        fragments,
        2 + 3,
        "50 000 and 70 000 bytes in 20 000-byte fragments"
    );
    // The client receives every message whole, each ping between.
    client.handle_bytes(T0, &wire);
    let (events, error) = sansock_core::testing::drain(&mut client);
    assert_eq!(error, None);
    let received: Vec<Message> = events
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            Event::Ping(p) => {
                assert_eq!(&p[..], b"between");
                None
            }
            other => panic!("{other:?}"),
        })
        .collect();
    let mut expected = messages.clone();
    expected.push(Message::from("last"));
    assert_eq!(received, expected);
    // The pongs go back.
    let (pongs, _) = pump(T0, &mut client, &mut server);
    assert_eq!(pongs.len(), messages.len());
}

/// The fuzz harness's conversation with large messages both ways, delivered in pieces smaller
/// than a message: the harness checks every message arrives whole and in order.
#[cfg(feature = "arbitrary")]
#[test]
fn large_messages_in_the_pair_harness_arrive_whole() {
    use sansock_core::harness::{Op, pair_ops};
    let mut ops = Vec::new();
    for (i, from_client) in [false, true, false, false].into_iter().enumerate() {
        ops.push(Op::SendLarge {
            from_client,
            kib: 10 * i as u8 + 7,
            seed: i as u8,
        });
        ops.push(Op::Ping {
            from_client,
            payload: vec![i as u8; 3],
        });
    }
    for _ in 0..40 {
        ops.push(Op::Deliver {
            to_server: false,
            max: 3001,
        });
        ops.push(Op::Deliver {
            to_server: true,
            max: 5000,
        });
    }
    pair_ops(&ops);
}
