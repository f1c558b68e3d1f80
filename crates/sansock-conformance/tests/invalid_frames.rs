//! A peer that sends an invalid frame gets the verdict Autobahn gives it, in both roles:
//! deliberately broken echo servers and clients that echo an over-long close, answer a message
//! with a reserved opcode, or mask the wrong way. The expected values follow Autobahn's
//! `WebSocketProtocol` with `failByDrop` off (see `src/receiver.rs`): the tester fails the
//! connection with 1002 while open (so it, not the peer, closed), drops it when closing, never
//! delivers a message after failing, and never reads an invalid close frame as a close (no
//! remote close code).
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_conformance::runner::{Behavior as B, Outcome};
use sansock_conformance::wire::{Frame, close_payload, decode, op};
use sansock_conformance::{cases, handshake, modes};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// What a broken peer does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Echoes close frames as they came, whatever their length (fastwebsockets 0.10 answers
    /// 7.3.6's 126-byte close this way).
    EchoCloseVerbatim,
    /// Answers each message with a frame of reserved opcode 3 instead of the echo.
    ReservedOpcode,
    /// Masks the wrong way: a server that masks, a client that does not.
    WrongMask,
}

/// Echoes messages, answers pings, and answers a close with a close of the same code — except
/// for `fault`. A server closes TCP after the close; a client waits for the server to.
fn broken_peer(mut tcp: TcpStream, mut buf: Vec<u8>, fault: Fault, is_client: bool) {
    let masked = is_client != (fault == Fault::WrongMask);
    let send = |tcp: &mut TcpStream, f: Frame| {
        let _ = tcp.write_all(&f.encode(masked.then_some([7, 7, 7, 7])));
    };
    let mut message: Option<(u8, Vec<u8>)> = None;
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        while let Some(r) = decode(&mut buf) {
            let f = r.frame;
            let ends_message = f.fin && f.opcode <= op::BINARY;
            match f.opcode {
                op::TEXT | op::BINARY => message = Some((f.opcode, f.payload)),
                op::CONT => {
                    if let Some((_, d)) = message.as_mut() {
                        d.extend_from_slice(&f.payload);
                    }
                }
                op::PING => send(&mut tcp, Frame::new(op::PONG, f.payload)),
                op::CLOSE => {
                    let reply = if fault == Fault::EchoCloseVerbatim {
                        f.clone()
                    } else {
                        let code = f.payload.get(..2).unwrap_or(&[0x03, 0xe8]);
                        Frame::new(
                            op::CLOSE,
                            close_payload(u16::from_be_bytes([code[0], code[1]]), b""),
                        )
                    };
                    send(&mut tcp, reply);
                    if !is_client {
                        return;
                    }
                }
                _ => {}
            }
            if ends_message {
                if let Some((opcode, data)) = message.take() {
                    let opcode = if fault == Fault::ReservedOpcode {
                        3
                    } else {
                        opcode
                    };
                    send(&mut tcp, Frame::new(opcode, data));
                }
            }
        }
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn cases_named(ids: &[&str]) -> Vec<sansock_conformance::case::Case> {
    ids.iter()
        .map(|id| cases::autobahn().into_iter().find(|c| c.id == *id).unwrap())
        .collect()
}

/// The tester as a client against a broken server.
fn against_server(fault: Fault, ids: &[&str]) -> Vec<Outcome> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || {
                if let Ok((_, rest)) = handshake::server(&mut tcp, |_, _| None) {
                    broken_peer(tcp, rest, fault, false);
                }
            });
        }
    });
    modes::test_server(&url, &cases_named(ids), &mut |_| {}).unwrap()
}

/// The tester as a server against a broken client.
fn against_client(fault: Fault, ids: &[&str]) -> Vec<Outcome> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = ids.len();
    let client = std::thread::spawn(move || {
        for i in 1..=count {
            let mut tcp = TcpStream::connect(addr).unwrap();
            let target = format!("/runCase?case={i}&agent=broken");
            let (leftover, _) =
                handshake::client(&mut tcp, &addr.to_string(), &target, [9; 16], None).unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            broken_peer(tcp, leftover, fault, true);
        }
    });
    let outcomes = modes::test_client(
        &listener,
        &cases_named(ids),
        Duration::from_secs(3),
        &mut |_| {},
    )
    .unwrap();
    client.join().unwrap();
    outcomes.into_iter().map(Option::unwrap).collect()
}

/// (behavior, behaviorClose, remote close code) of each outcome.
fn verdicts(outcomes: &[Outcome]) -> Vec<(B, B, Option<u16>)> {
    outcomes
        .iter()
        .map(|o| (o.behavior, o.behavior_close, o.remote_close_code))
        .collect()
}

#[test]
fn a_server_that_echoes_an_over_long_close() {
    let got = against_server(Fault::EchoCloseVerbatim, &["7.3.6", "1.1.1"]);
    assert_eq!(
        verdicts(&got),
        [
            // Our 126-byte close comes back; we are closing, so its header fails us into
            // dropping the connection before it is read: no remote code; a client that
            // dropped TCP is FAILED BY CLIENT (not WRONG CODE for the 1000 inside it).
            (B::Ok, B::FailedByClient, None),
            // A valid close echoed is a clean close.
            (B::Ok, B::Ok, Some(1000)),
        ],
        "{got:#?}"
    );
}

#[test]
fn a_server_that_answers_with_a_reserved_opcode() {
    let got = against_server(Fault::ReservedOpcode, &["1.1.1"]);
    // We fail the connection (1002: the tester closed first), the message is not delivered,
    // and the server answers our close with 1002: not the 1000 the case closes with.
    assert_eq!(
        verdicts(&got),
        [(B::Failed, B::WrongCode, Some(1002))],
        "{got:#?}"
    );
}

#[test]
fn a_server_that_masks_its_frames() {
    let got = against_server(Fault::WrongMask, &["1.1.1"]);
    // We fail it (1002); its close comes masked too, which fails us again while closing: we
    // drop the connection before reading it — unclean, no remote code.
    assert_eq!(verdicts(&got), [(B::Failed, B::Unclean, None)], "{got:#?}");
}

#[test]
fn a_client_that_does_not_mask() {
    let got = against_client(Fault::WrongMask, &["1.1.1"]);
    assert_eq!(verdicts(&got), [(B::Failed, B::Unclean, None)], "{got:#?}");
}

#[test]
fn a_client_that_echoes_an_over_long_close() {
    let got = against_client(Fault::EchoCloseVerbatim, &["7.3.6", "1.1.1"]);
    // As a server we drop the connection on the invalid close (no remote code), and a server
    // dropping TCP is as it should be: OK.
    assert_eq!(
        verdicts(&got),
        [(B::Ok, B::Ok, None), (B::Ok, B::Ok, Some(1000))],
        "{got:#?}"
    );
}

#[test]
fn a_client_that_answers_with_a_reserved_opcode() {
    let got = against_client(Fault::ReservedOpcode, &["1.1.1"]);
    assert_eq!(
        verdicts(&got),
        [(B::Failed, B::WrongCode, Some(1002))],
        "{got:#?}"
    );
}
