//! The protocol chapters' listings, each a test: the worked `Sec-WebSocket-Accept`, frames and
//! their three length forms, masking, fragmentation, pings, and the closing handshake.

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use sansock_core::frame::{FrameHeader, OpCode, apply_mask, write_frame};
    use sansock_core::testing::{pair, pump};
    use sansock_core::{
        CloseCode, ConnectionConfig, Ending, Event, Initiator, Message, State, Timestamp,
    };

    #[test]
    fn worked_accept_key() {
        // ANCHOR: accept_key
        // The client's nonce from RFC 6455 §1.3, and the answer every server must compute:
        // base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let accept = sansock_core::accept_key(key.as_bytes());
        assert_eq!(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        // ANCHOR_END: accept_key
    }

    #[test]
    fn a_masked_frame_from_the_rfc() {
        // ANCHOR: parse_frame
        // RFC 6455 §5.7: a masked text frame carrying "Hello", as a client sends it.
        let wire = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let (header, header_len) = FrameHeader::parse(&wire).unwrap().unwrap();
        assert!(header.fin); // the last (and only) frame of its message
        assert_eq!(header.opcode, OpCode::Text);
        assert_eq!(header.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!((header.payload_len, header_len), (5, 6));

        let mut payload = wire[header_len..].to_vec();
        apply_mask(&mut payload, header.mask.unwrap(), 0); // unmask in place
        assert_eq!(payload, b"Hello");
        // ANCHOR_END: parse_frame
    }

    #[test]
    fn the_three_length_forms() {
        // ANCHOR: lengths
        // Payloads up to 125 bytes: the length is in the 7-bit field itself.
        let mut out = BytesMut::new();
        write_frame(&mut out, true, 0, OpCode::Binary, &[0; 125], None);
        assert_eq!(&out[..2], &[0x82, 125]);

        // 126 to 65,535 bytes: 126, then a 16-bit length.
        let mut out = BytesMut::new();
        write_frame(&mut out, true, 0, OpCode::Binary, &[0; 256], None);
        assert_eq!(&out[..4], &[0x82, 126, 0x01, 0x00]);

        // 65,536 bytes and more: 127, then a 64-bit length.
        let mut out = BytesMut::new();
        write_frame(&mut out, true, 0, OpCode::Binary, &[0; 65_536], None);
        assert_eq!(&out[..10], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
        // ANCHOR_END: lengths
    }

    #[test]
    fn masking_is_its_own_inverse() {
        // ANCHOR: masking
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let mut data = b"masking twice gives the data back".to_vec();
        apply_mask(&mut data, key, 0);
        assert_ne!(&data[..], b"masking twice gives the data back");
        apply_mask(&mut data, key, 0);
        assert_eq!(&data[..], b"masking twice gives the data back");

        // Frames arrive in pieces: the offset says where in the payload a piece starts.
        let mut whole = b"Hello".to_vec();
        apply_mask(&mut whole, key, 0);
        let mut split = b"Hello".to_vec();
        let (a, b) = split.split_at_mut(2);
        apply_mask(a, key, 0);
        apply_mask(b, key, 2);
        assert_eq!(whole, split);
        // ANCHOR_END: masking
    }

    #[test]
    fn fragments_make_one_message() {
        let now = Timestamp::ZERO;
        // ANCHOR: fragments
        // A client streams one text message in three frames; the server sees one message.
        let (mut client, mut server) = pair(ConnectionConfig::default());
        let part = |text: &'static str, is_last| sansock_core::MessagePart {
            kind: sansock_core::MessageKind::Text,
            data: text.into(),
            is_last,
        };
        client.send_part(&part("Hel", false)).unwrap();
        client.send_part(&part("lo, ", false)).unwrap();
        client.send_part(&part("wörld", true)).unwrap();
        let (events, error) = pump(now, &mut client, &mut server);
        assert!(error.is_none());
        assert_eq!(events, [Event::Message(Message::from("Hello, wörld"))]);

        // Or let the connection split every outgoing message into frames of at most 4 bytes.
        let small = ConnectionConfig::default().with_fragment_size(Some(4));
        let (mut client, mut server) = pair(small);
        client.send("Hello, wörld").unwrap();
        assert!(client.transmit().len() > 4 * 6); // four frames, each with its own header
        let (events, _) = pump(now, &mut client, &mut server);
        assert_eq!(events, [Event::Message(Message::from("Hello, wörld"))]);
        // ANCHOR_END: fragments
    }

    #[test]
    fn parts_as_they_arrive() {
        let now = Timestamp::ZERO;
        // ANCHOR: parts
        // A proxy that forwards a large upload as it arrives: parts of at least 16 KiB.
        let parts = ConnectionConfig::default().with_message_parts(Some(16 << 10));
        let (mut client, mut proxy) = pair(parts);
        client.send(&vec![7u8; 1 << 20]).unwrap();
        let wire = client.transmit().to_vec();
        // The first 64 KiB of the 1 MiB frame are here: out they go, before the rest arrives.
        proxy.handle_bytes(now, &wire[..64 << 10]);
        let Ok(Some(Event::Part(part))) = proxy.poll_event() else {
            panic!("a part")
        };
        assert!(!part.is_last && part.data.len() == (64 << 10) - 14); // less the frame header
        proxy.send_part(&part).unwrap(); // one fragment, the part not copied
        // ANCHOR_END: parts
        assert_eq!(proxy.poll_event(), Ok(None));
    }

    #[test]
    fn ping_and_pong() {
        let now = Timestamp::ZERO;
        // ANCHOR: ping
        let (mut client, mut server) = pair(ConnectionConfig::default());
        client.ping(b"are you there?").unwrap();
        let (events, _) = pump(now, &mut client, &mut server);
        // The server reports the ping and has already queued the pong (auto_pong).
        assert!(matches!(&events[..], [Event::Ping(p)] if &p[..] == b"are you there?"));
        let (events, _) = pump(now, &mut server, &mut client);
        assert!(matches!(&events[..], [Event::Pong(p)] if &p[..] == b"are you there?"));
        // ANCHOR_END: ping
    }

    #[test]
    fn the_closing_handshake() {
        let now = Timestamp::ZERO;
        // ANCHOR: close
        let (mut client, mut server) = pair(ConnectionConfig::default());
        client.close(now, Some(CloseCode::NORMAL), "bye").unwrap();
        assert_eq!(client.state(), State::ClosingLocal);

        // The server reads the close frame, echoes it, and reports the close.
        let (events, _) = pump(now, &mut client, &mut server);
        let Event::Closed(seen_by_server) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(seen_by_server.code, CloseCode::NORMAL);
        assert_eq!(seen_by_server.reason.as_str(), "bye");
        assert_eq!(seen_by_server.initiator, Initiator::Remote);

        // The echo reaches the client: a clean close on both sides. The server then ends the
        // TCP connection (it is finished once its echo is written); the client waits for that.
        let (events, _) = pump(now, &mut server, &mut client);
        let Event::Closed(seen_by_client) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(seen_by_client.ending, Ending::Clean);
        assert!(server.is_finished());
        client.handle_eof(now);
        assert!(client.is_finished());
        // ANCHOR_END: close
    }
}
