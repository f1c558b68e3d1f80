//! Property tests: arbitrary message sequences survive encode → decode with any fragment size
//! and masking keys; any split of the input yields the same events; and a client/server pair
//! exchanging arbitrary messages and pings ends with a clean close started by either side.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::T0;
use proptest::prelude::*;
use sansock_core::MessagePart;
use sansock_core::testing::{drain, pump};
use sansock_core::{
    ClientConfig, CloseCode, Connection, ConnectionConfig, Ending, Event, Message, MessageKind,
    ServerConfig, Timestamp,
};

/// A pair whose client draws masks from `seed`, both with `config`.
fn seeded_pair(seed: u64, config: ConnectionConfig) -> (Connection, Connection) {
    sansock_core::testing::pair_seeded(
        seed,
        ClientConfig::default().with_connection(config.clone()),
        ServerConfig::default().with_connection(config),
    )
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        ".{0,300}".prop_map(Message::from),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Message::from),
    ]
}

/// A message sent whole or as caller-made fragments of the given sizes.
fn outgoing() -> impl Strategy<Value = (Message, Option<Vec<usize>>)> {
    (
        message(),
        proptest::option::of(proptest::collection::vec(0usize..50, 0..6)),
    )
}

fn send(conn: &mut Connection, message: &Message, pieces: &Option<Vec<usize>>) {
    let Some(sizes) = pieces else {
        conn.send(message).unwrap();
        return;
    };
    let bytes = message.as_bytes();
    let mut at = 0;
    for size in sizes {
        let end = (at + size).min(bytes.len());
        conn.send_part(&MessagePart {
            kind: message.kind(),
            data: bytes::Bytes::copy_from_slice(&bytes[at..end]),
            is_last: false,
        })
        .unwrap();
        at = end;
    }
    conn.send_part(&MessagePart {
        kind: message.kind(),
        data: bytes::Bytes::copy_from_slice(&bytes[at..]),
        is_last: true,
    })
    .unwrap();
}

fn messages(events: &[Event]) -> Vec<Message> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trip_both_directions(
        seed in any::<u64>(),
        fragment_size in proptest::option::of(1usize..64),
        batch in proptest::collection::vec(outgoing(), 0..12),
    ) {
        let config = ConnectionConfig::default().with_fragment_size(fragment_size);
        let (mut client, mut server) = seeded_pair(seed, config);
        for (m, pieces) in &batch {
            send(&mut client, m, pieces);
            send(&mut server, m, pieces);
        }
        let sent: Vec<Message> = batch.iter().map(|(m, _)| m.clone()).collect();
        let (to_server, err) = pump(T0, &mut client, &mut server);
        prop_assert_eq!(err, None);
        prop_assert_eq!(messages(&to_server), sent.clone());
        let (to_client, err) = pump(T0, &mut server, &mut client);
        prop_assert_eq!(err, None);
        prop_assert_eq!(messages(&to_client), sent);
    }

    #[test]
    fn any_split_of_the_input_yields_the_same_events(
        seed in any::<u64>(),
        batch in proptest::collection::vec(outgoing(), 1..8),
        pings in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..125), 0..3),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let (mut client, _) = seeded_pair(seed, ConnectionConfig::default());
        for (i, (m, pieces)) in batch.iter().enumerate() {
            send(&mut client, m, pieces);
            if let Some(p) = pings.get(i) {
                client.ping(p).unwrap();
            }
        }
        client.close(T0, Some(CloseCode::NORMAL), "end").unwrap();
        let wire = client.transmit().to_vec();

        let mut whole = seeded_pair(seed, ConnectionConfig::default()).1;
        whole.handle_bytes(T0, &wire);
        let expected = drain(&mut whole);
        prop_assert_eq!(&expected.1, &None);

        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
        points.sort_unstable();
        let mut split = seeded_pair(seed, ConnectionConfig::default()).1;
        let mut events = Vec::new();
        let mut start = 0;
        for p in points.into_iter().chain([wire.len()]) {
            split.handle_bytes(T0, &wire[start..p]);
            let (mut e, err) = drain(&mut split);
            prop_assert_eq!(err, None);
            events.append(&mut e);
            start = p;
        }
        prop_assert_eq!(events, expected.0);
        prop_assert_eq!(split.transmit(), whole.transmit(), "same pongs and close echo");
    }

    #[test]
    fn pair_exchanges_then_closes_cleanly_from_either_side(
        seed in any::<u64>(),
        ops in proptest::collection::vec((any::<bool>(), message(), any::<bool>()), 0..20),
        client_closes in any::<bool>(),
        step_ms in 1u64..5_000,
    ) {
        let config = ConnectionConfig::default()
            .with_keepalive(Some(core::time::Duration::from_secs(20))).with_idle_timeout(Some(core::time::Duration::from_secs(60)));
        let (mut client, mut server) = seeded_pair(seed, config);
        let mut clock = 0u64;
        let (mut got_by_server, mut got_by_client) = (Vec::new(), Vec::new());
        let (mut sent_by_client, mut sent_by_server) = (Vec::new(), Vec::new());
        for (from_client, m, ping) in &ops {
            clock += step_ms;
            let now = Timestamp::from_millis(clock);
            let (a, sent) = if *from_client { (&mut client, &mut sent_by_client) } else { (&mut server, &mut sent_by_server) };
            a.send(m).unwrap();
            sent.push(m.clone());
            if *ping {
                a.ping(b"?").unwrap();
            }
            for conn in [&mut client, &mut server] {
                if conn.poll_timeout().is_some_and(|t| t <= now) {
                    conn.handle_timeout(now);
                }
            }
            let (e, err) = pump(now, &mut client, &mut server);
            prop_assert_eq!(err, None);
            got_by_server.extend(messages(&e));
            let (e, err) = pump(now, &mut server, &mut client);
            prop_assert_eq!(err, None);
            got_by_client.extend(messages(&e));
        }
        let now = Timestamp::from_millis(clock + 1);
        let (first, second) = if client_closes { (&mut client, &mut server) } else { (&mut server, &mut client) };
        first.close(now, Some(CloseCode::NORMAL), "bye").unwrap();
        let (e, err) = pump(now, first, second);
        prop_assert_eq!(err, None);
        prop_assert!(matches!(e.last(), Some(Event::Closed(c)) if c.ending == Ending::Clean && c.code == CloseCode::NORMAL));
        let (e, err) = pump(now, second, first);
        prop_assert_eq!(err, None);
        prop_assert!(matches!(e.last(), Some(Event::Closed(c)) if c.ending == Ending::Clean));
        prop_assert!(server.is_finished());
        client.handle_eof(now);
        prop_assert!(client.is_finished());
        prop_assert_eq!(got_by_server, sent_by_client);
        prop_assert_eq!(got_by_client, sent_by_server);
    }
}

#[test]
fn kinds_round_trip_exactly() {
    // A fixed case beside the properties: an empty text and an empty binary keep their kinds.
    let (mut client, mut server) = seeded_pair(1, ConnectionConfig::default());
    client.send("").unwrap();
    client.send(b"").unwrap();
    let (events, _) = pump(T0, &mut client, &mut server);
    let kinds: Vec<MessageKind> = messages(&events).iter().map(Message::kind).collect();
    assert_eq!(kinds, [MessageKind::Text, MessageKind::Binary]);
}
