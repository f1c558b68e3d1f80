//! Prepared messages: framed once and shared by every server connection without an extension,
//! encoded once and shared by every connection with permessage-deflate without the server's
//! context takeover, encoded per connection with context takeover; every client receives the
//! message intact, compressed and uncompressed members in one room.
#![cfg(feature = "deflate")]
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_core::testing::{pair, pair_with, pump};
use sansock_core::{
    ClientConfig, Connection, ConnectionConfig, Event, Message, PerMessageDeflate, PreparedMessage,
    SendError, ServerConfig, Timestamp,
};
use std::sync::Arc;

/// A pair with permessage-deflate; `no_takeover` asks for no context takeover both ways.
fn deflate_pair(no_takeover: bool) -> (Connection, Connection) {
    let deflate = PerMessageDeflate::default().with_no_context_takeover(no_takeover);
    let client = ClientConfig::default().with_extension(Arc::new(deflate.clone()));
    let server = ServerConfig::default().with_extension(Arc::new(deflate));
    let (client, server) = pair_with(client, server);
    assert!(client.has_extension() && server.has_extension());
    (client, server)
}

/// The pieces a connection would write, with where each lives in memory.
fn pieces(conn: &Connection) -> Vec<(usize, Vec<u8>)> {
    conn.transmit_pieces()
        .map(|p| (p.as_ptr() as usize, p.to_vec()))
        .collect()
}

fn received(client: &mut Connection, server: &mut Connection) -> Vec<Message> {
    let (events, error) = pump(Timestamp::ZERO, server, client);
    assert!(error.is_none(), "{error:?}");
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

#[test]
fn connections_without_an_extension_share_one_frame() {
    let prepared = PreparedMessage::new(Message::binary(vec![9u8; 100_000]));
    let mut room: Vec<_> = (0..3).map(|_| pair(ConnectionConfig::default())).collect();
    for (_, server) in &mut room {
        server.send_prepared(&prepared).unwrap();
        let pieces = pieces(server);
        assert_eq!(pieces.len(), 1, "the frame is one piece");
        assert_eq!(
            pieces[0].0,
            prepared.frame().as_ptr() as usize,
            "not copied"
        );
        assert_eq!(pieces[0].1, prepared.frame().as_ref());
    }
    for (client, server) in &mut room {
        assert_eq!(received(client, server), [prepared.message().clone()]);
        assert_eq!(server.stats().messages_out, 1);
    }
}

#[test]
fn no_context_takeover_connections_share_one_encoding() {
    // Words in a pseudo-random order: compressed well, yet to more than 8 KiB, so the shared
    // encoding is spliced into each connection's output (smaller frames are copied) and can be
    // seen to be the same bytes.
    const WORDS: [&str; 16] = [
        "the ",
        "same ",
        "words ",
        "again ",
        "and ",
        "one ",
        "encoding ",
        "for ",
        "many ",
        "connections ",
        "shared ",
        "once ",
        "frame ",
        "deflate ",
        "room ",
        "message ",
    ];
    let mut seed = 0x2545_f491_u32;
    let text: String = (0..40_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            WORDS[(seed >> 28) as usize]
        })
        .collect();
    let prepared = PreparedMessage::new(Message::text(text.as_str()));
    let mut room: Vec<_> = (0..3).map(|_| deflate_pair(true)).collect();
    let mut first: Option<(usize, Vec<u8>)> = None;
    for (_, server) in &mut room {
        server.send_prepared(&prepared).unwrap();
        let pieces = pieces(server);
        assert_eq!(pieces.len(), 1);
        let (at, bytes) = pieces[0].clone();
        assert_eq!(bytes[0] & 0x40, 0x40, "RSV1: compressed");
        assert!(bytes.len() < text.len() / 4, "compressed: {}", bytes.len());
        match &first {
            None => first = Some((at, bytes)),
            Some(shared) => assert_eq!(*shared, (at, bytes), "one encoding, shared"),
        }
    }
    // The shared encoding is what each connection would have sent by itself.
    let (_, mut alone) = deflate_pair(true);
    alone.send(&text).unwrap();
    assert_eq!(alone.transmit(), first.unwrap().1.as_slice());
    for (client, server) in &mut room {
        assert_eq!(received(client, server), [Message::text(text.as_str())]);
        assert!(server.stats().bytes_saved > 0);
    }
}

#[test]
fn context_takeover_connections_encode_for_themselves() {
    let text = "context carries over from one message to the next. ".repeat(50);
    let prepared = PreparedMessage::new(Message::text(text.as_str()));
    let (mut client, mut server) = deflate_pair(false);
    server.send_prepared(&prepared).unwrap();
    let first = server.transmit().to_vec();
    assert_eq!(
        received(&mut client, &mut server),
        [Message::text(text.as_str())]
    );
    server.send_prepared(&prepared).unwrap();
    let second = server.transmit().to_vec();
    assert!(
        second.len() < first.len(),
        "the second refers back to the first"
    );
    assert_eq!(
        received(&mut client, &mut server),
        [Message::text(text.as_str())]
    );
}

#[test]
fn a_room_of_compressed_and_uncompressed_members_all_get_the_message() {
    let text = "hello, room! ".repeat(100);
    let prepared = PreparedMessage::new(Message::text(text.as_str()));
    let mut room = vec![
        pair(ConnectionConfig::default()),
        deflate_pair(true),
        deflate_pair(false),
        pair(ConnectionConfig::default()),
        deflate_pair(true),
    ];
    for _ in 0..3 {
        for (client, server) in &mut room {
            server.send_prepared(&prepared).unwrap();
            assert_eq!(received(client, server), [Message::text(text.as_str())]);
        }
    }
}

#[test]
fn clients_mask_fragments_split_and_closed_connections_refuse() {
    let prepared = PreparedMessage::new(Message::text("from a client"));
    let (mut client, mut server) = pair(ConnectionConfig::default());
    client.send_prepared(&prepared).unwrap();
    assert_ne!(client.transmit(), prepared.frame().as_ref(), "masked");
    assert_eq!(
        received(&mut server, &mut client),
        [Message::text("from a client")]
    );

    let config = ConnectionConfig::default().with_fragment_size(Some(4));
    let (mut client, mut server) = pair(config);
    server.send_prepared(&prepared).unwrap();
    assert!(
        server.transmit().len() > prepared.frame().len(),
        "in fragments"
    );
    assert_eq!(
        received(&mut client, &mut server),
        [Message::text("from a client")]
    );

    server.close(Timestamp::ZERO, None, "").unwrap();
    assert_eq!(server.send_prepared(&prepared), Err(SendError::Closed));
}
