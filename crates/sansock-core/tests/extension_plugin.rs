//! The RSV1 extension point, exercised with a toy extension ("x-reverse": reverses each
//! message's bytes and marks it with RSV1): negotiated by both handshakes, applied on send,
//! undone on receive (also across fragments), bounded by the message limit, and absent when not
//! negotiated (RSV1 is then a protocol error).
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use bytes::BytesMut;
use common::*;
use sansock_core::frame::{OpCode, RSV1};
use sansock_core::testing::{pair_with, pump};
use sansock_core::{
    ClientConfig, ClientExtension, CloseCode, ConnectionConfig, Event, Extension, ExtensionError,
    ExtensionOffer, Message, MessageKind, ProtocolError, ServerConfig, ServerExtension,
};
use std::sync::Arc;

struct Reverse {
    /// Bytes of the message being received, reversed once it is complete.
    pending: Vec<u8>,
}

impl Extension for Reverse {
    fn rsv_bits(&self) -> u8 {
        RSV1
    }
    fn encode(
        &mut self,
        _: MessageKind,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError> {
        out.extend(payload.iter().rev());
        Ok(Some(RSV1))
    }
    fn decode(
        &mut self,
        _: u8,
        payload: &[u8],
        fin: bool,
        out: &mut BytesMut,
        max: usize,
    ) -> Result<(), ExtensionError> {
        self.pending.extend_from_slice(payload);
        if self.pending.len() > max {
            return Err(ExtensionError {
                code: CloseCode::MESSAGE_TOO_BIG,
                reason: "too big",
            });
        }
        if fin {
            out.extend(self.pending.drain(..).rev());
        }
        Ok(())
    }
}

/// Refuses everything: corrupt input on receive (1007), failure on send.
struct Broken;

impl Extension for Broken {
    fn rsv_bits(&self) -> u8 {
        RSV1
    }
    fn encode(
        &mut self,
        _: MessageKind,
        _: &[u8],
        _: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError> {
        Err(ExtensionError {
            code: CloseCode::INTERNAL_ERROR,
            reason: "cannot encode",
        })
    }
    fn decode(
        &mut self,
        _: u8,
        _: &[u8],
        _: bool,
        _: &mut BytesMut,
        _: usize,
    ) -> Result<(), ExtensionError> {
        Err(ExtensionError {
            code: CloseCode::INVALID_PAYLOAD,
            reason: "corrupt",
        })
    }
}

struct ReverseFactory;

impl ServerExtension for ReverseFactory {
    fn name(&self) -> &str {
        "x-reverse"
    }
    fn negotiate(&self, offers: &[&ExtensionOffer]) -> Option<(String, Box<dyn Extension>)> {
        offers.first().map(|_| {
            (
                "x-reverse".to_string(),
                Box::new(Reverse {
                    pending: Vec::new(),
                }) as Box<dyn Extension>,
            )
        })
    }
}

impl ClientExtension for ReverseFactory {
    fn name(&self) -> &str {
        "x-reverse"
    }
    fn offer(&self) -> String {
        "x-reverse; quick".to_string()
    }
    fn accept(&self, response: &ExtensionOffer) -> Result<Box<dyn Extension>, &'static str> {
        if response.params.is_empty() {
            Ok(Box::new(Reverse {
                pending: Vec::new(),
            }))
        } else {
            Err("no parameters expected")
        }
    }
}

fn negotiated(config: ConnectionConfig) -> (sansock_core::Connection, sansock_core::Connection) {
    pair_with(
        ClientConfig::default()
            .with_connection(config.clone())
            .with_extension(Arc::new(ReverseFactory)),
        ServerConfig::default()
            .with_connection(config)
            .with_extension(Arc::new(ReverseFactory)),
    )
}

#[test]
fn negotiated_extension_transforms_both_ways() {
    let (mut client, mut server) =
        negotiated(ConnectionConfig::default().with_fragment_size(Some(3)));
    assert!(client.has_extension() && server.has_extension());
    client.send("hello, world").unwrap();
    let wire = frames(client.transmit());
    assert_eq!(wire[0].0.rsv, RSV1, "first frame marked");
    assert!(
        wire[1..].iter().all(|(h, _)| h.rsv == 0),
        "continuations unmarked"
    );
    assert_eq!(wire[0].1, b"dlr", "the payload on the wire is transformed");
    let (events, err) = pump(T0, &mut client, &mut server);
    assert_eq!(err, None);
    assert_eq!(events, [Event::Message(Message::from("hello, world"))]);
    server.send(&[1, 2, 3]).unwrap();
    let (events, _) = pump(T0, &mut server, &mut client);
    assert_eq!(events, [Event::Message(Message::from(vec![1u8, 2, 3]))]);
}

#[test]
fn decoded_text_is_still_validated() {
    let (_, mut server) = negotiated(ConnectionConfig::default());
    let (_, err) = feed(
        &mut server,
        &masked(true, RSV1, OpCode::Text, &[0xff, b'a']),
    );
    assert_eq!(err, Some(ProtocolError::InvalidUtf8));
}

#[test]
fn decoded_size_is_bounded_by_the_message_limit() {
    let (_, mut server) = negotiated(ConnectionConfig::default().with_max_message_size(4));
    let (_, err) = feed(&mut server, &masked(true, RSV1, OpCode::Binary, b"12345"));
    assert_eq!(err, Some(ProtocolError::MessageTooBig));
    assert_eq!(
        queued_close_code(&mut server),
        Some(CloseCode::MESSAGE_TOO_BIG)
    );
}

#[test]
fn rsv1_on_a_continuation_or_control_frame_is_still_1002() {
    let (_, mut server) = negotiated(ConnectionConfig::default());
    let mut input = masked(false, RSV1, OpCode::Text, b"a");
    input.extend(masked(true, RSV1, OpCode::Continuation, b"b"));
    assert_eq!(
        feed(&mut server, &input).1,
        Some(ProtocolError::ReservedBits)
    );
    let (_, mut server) = negotiated(ConnectionConfig::default());
    assert_eq!(
        feed(&mut server, &masked(true, RSV1, OpCode::Ping, b"")).1,
        Some(ProtocolError::ReservedBits)
    );
}

#[test]
fn without_negotiation_rsv1_is_1002() {
    // The server supports it, the client did not offer it: nothing is negotiated.
    let (client, mut server) = pair_with(
        ClientConfig::default(),
        ServerConfig::default().with_extension(Arc::new(ReverseFactory)),
    );
    assert!(!client.has_extension() && !server.has_extension());
    assert_eq!(
        feed(&mut server, &masked(true, RSV1, OpCode::Text, b"a")).1,
        Some(ProtocolError::ReservedBits)
    );
}

#[test]
fn extension_errors_on_receive_close_with_their_code_and_on_send_change_nothing() {
    let now = T0;
    let mut server =
        sansock_core::Connection::server(ConnectionConfig::default(), now, Some(Box::new(Broken)));
    assert_eq!(
        server.send("x"),
        Err(sansock_core::SendError::Extension("cannot encode"))
    );
    assert!(server.transmit().is_empty());
    let (_, err) = feed(&mut server, &masked(true, RSV1, OpCode::Binary, b"zz"));
    assert_eq!(
        err,
        Some(ProtocolError::Extension {
            code: CloseCode::INVALID_PAYLOAD,
            reason: "corrupt"
        })
    );
    assert_eq!(
        queued_close_code(&mut server),
        Some(CloseCode::INVALID_PAYLOAD)
    );
}

#[test]
fn client_refuses_parameters_its_extension_does_not_accept() {
    use sansock_core::testing::TestEntropy;
    use sansock_core::{ClientHandshake, ClientHandshakeError, ClientRequest, accept_key};
    let config = ClientConfig::default().with_extension(Arc::new(ReverseFactory));
    let (hs, request) = ClientHandshake::new(
        &ClientRequest::new("h", "/"),
        config,
        Box::new(TestEntropy::new(9)),
    )
    .unwrap();
    let request = String::from_utf8(request).unwrap();
    assert!(request.contains("\r\nSec-WebSocket-Extensions: x-reverse; quick\r\n"));
    let key = request
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap();
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: x-reverse; fast=1\r\n\r\n",
        accept_key(key.as_bytes())
    );
    assert!(matches!(
        hs.receive(T0, response.as_bytes()),
        Err(ClientHandshakeError::ExtensionRefused(
            "no parameters expected"
        ))
    ));
}
