//! A prepared message sent by every server adapter to clients of every kind in one room: no
//! extension, permessage-deflate with context takeover (encoded per connection) and without
//! (the one shared encoding). Each client gets the message intact and compressed where it
//! negotiated compression.
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_core::{Event, Message};
use sansock_cross::{Adapter, Options, connect, prepared, serve};

#[test]
fn every_server_adapter_sends_one_prepared_message_to_a_mixed_room() {
    for server in Adapter::ALL {
        let url = format!("{}/prepared", serve(server));
        for client in Adapter::ALL {
            let room = [
                Options::default(),
                Options {
                    deflate: true,
                    ..Options::default()
                },
                Options {
                    deflate: true,
                    no_context_takeover: true,
                    ..Options::default()
                },
            ];
            for options in room {
                let mut ws = connect(client, &url, options).unwrap();
                assert_eq!(ws.extensions().is_some(), options.deflate);
                match ws.next_event() {
                    Some(Ok(Event::Message(m))) => assert_eq!(&m, prepared().message()),
                    other => panic!("{server:?} to {client:?} ({options:?}): {other:?}"),
                }
                // The connection goes on as usual afterwards.
                ws.send(Message::text("after")).unwrap();
                match ws.next_event() {
                    Some(Ok(Event::Message(m))) => assert_eq!(m, Message::text("after")),
                    other => panic!("{other:?}"),
                }
                ws.close(sansock_core::CloseCode::NORMAL, "").unwrap();
            }
        }
    }
}
