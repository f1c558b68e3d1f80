//! The tester can fail: a naive echo server — a valid handshake, then every frame sent back
//! as it came, with no check at all — must be caught, case by case, in the groups where it
//! breaks the RFC, while passing the cases a naive echo happens to get right. And a
//! deliberately broken server — it never answers pings, echoes text without checking UTF-8 and
//! never answers a close — gets, case by case, the behaviour and closing behaviour Autobahn's
//! rules give it.
#![allow(clippy::unwrap_used)]

use sansock_conformance::runner::{Behavior, Verdict};
use sansock_conformance::wire::{decode, op};
use sansock_conformance::{cases, handshake, modes};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// Echoes every frame unmasked, whatever it is; answers a close with a close and stops.
fn naive(mut tcp: TcpStream) {
    // It agrees to permessage-deflate as offered (without context takeover when asked) and
    // echoes compressed frames verbatim: right only while both directions share one context.
    let agree = |_: &str, offers: Option<&str>| {
        let offers = offers?;
        Some(if offers.contains("server_no_context_takeover") {
            "permessage-deflate; server_no_context_takeover".to_string()
        } else {
            "permessage-deflate".to_string()
        })
    };
    let Ok((_, mut buf)) = handshake::server(&mut tcp, agree) else {
        return;
    };
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        while let Some(r) = decode(&mut buf) {
            let _ = tcp.write_all(&r.frame.encode(None));
            if r.frame.opcode == op::CLOSE {
                return;
            }
        }
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[test]
fn a_server_that_checks_nothing_fails_where_it_should() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for tcp in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || naive(tcp));
        }
    });
    const OK: [&str; 4] = ["1.1.1", "1.1.7", "6.1.2", "12.1.4"];
    const FAILED: [&str; 9] = [
        "2.5", "3.1", "4.1.1", "5.9", "6.4.1", "6.8.1", "7.9.1", "13.2.4", "x3.1.1",
    ];
    let mut wanted: Vec<_> = cases::all()
        .into_iter()
        .filter(|c| OK.contains(&c.id.as_str()) || FAILED.contains(&c.id.as_str()))
        .collect();
    for case in &mut wanted {
        case.limit_secs = 2; // the naive server never fails a connection: do not wait long
    }
    let outcomes = modes::test_server(&url, &wanted, &mut |_| {}).unwrap();
    let verdict = |id: &str| outcomes.iter().find(|o| o.id == id).unwrap().verdict;
    // What a naive echo gets right: plain messages (it echoes text frames back whole).
    for id in OK {
        assert_eq!(verdict(id), Verdict::Ok, "{id}");
    }
    // What it gets wrong: it echoes oversized control frames, reserved bits and opcodes, lone
    // continuations, invalid UTF-8 and invalid close codes instead of failing the connection.
    // (An echoed ping is a ping from it: recorded, as Autobahn does, so 2.5 sees it.) It claims
    // server_no_context_takeover but echoes our context-sharing compressed stream: 13.2.4's
    // second message no longer inflates on its own.
    for id in FAILED {
        let outcome = outcomes.iter().find(|o| o.id == id);
        assert_eq!(verdict(id), Verdict::Failed, "{id}: {outcome:?}");
    }
}

/// Echoes text and binary messages (text unchecked), never answers a ping, never answers a
/// close (it keeps reading until the tester drops the connection).
fn broken(mut tcp: TcpStream) {
    let Ok((_, mut buf)) = handshake::server(&mut tcp, |_, _| None) else {
        return;
    };
    let mut chunk = vec![0u8; 64 << 10];
    let mut message: Option<(u8, Vec<u8>)> = None;
    loop {
        while let Some(r) = decode(&mut buf) {
            let f = r.frame;
            match f.opcode {
                op::TEXT | op::BINARY => message = Some((f.opcode, f.payload)),
                op::CONT => {
                    if let Some((_, data)) = message.as_mut() {
                        data.extend_from_slice(&f.payload);
                    }
                }
                _ => {} // pings, pongs and closes: ignored
            }
            if f.fin && f.opcode <= op::BINARY {
                if let Some((opcode, data)) = message.take() {
                    let echo = sansock_conformance::wire::Frame::new(opcode, data);
                    let _ = tcp.write_all(&echo.encode(None));
                }
            }
        }
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[test]
fn a_broken_server_gets_the_verdicts_autobahns_rules_give() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for tcp in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || broken(tcp));
        }
    });
    use Behavior::{Failed, Ok, Unclean};
    // (case, behavior, behaviorClose) as Autobahn's rules decide them:
    let expected = [
        // The echo comes; our close is never answered: the handshake is not clean.
        ("1.1.1", Ok, Unclean),
        // No pong; at the limit we close (Autobahn's closeAfter), unanswered.
        ("2.1", Failed, Unclean),
        // Nothing should come and nothing does; it never fails the connection, so at the limit
        // we do (Autobahn's killAfter is `failConnection()`, a close with 1001, as its fuzzing
        // tester runs with failByDrop off): the connection was closed by the wrong endpoint.
        ("2.5", Ok, Failed),
        // Invalid UTF-8 echoed instead of failing the connection: we fail it (1007), and again
        // at the message's end, which drops it — closed by the wrong endpoint, fatal here.
        ("6.3.1", Failed, Failed),
        // Our close (1000) never answered.
        ("7.7.1", Ok, Unclean),
        // Fragments echoed whole: right, but our close is never answered.
        ("5.3", Ok, Unclean),
    ];
    let wanted: Vec<_> = cases::autobahn()
        .into_iter()
        .filter(|c| expected.iter().any(|(id, ..)| *id == c.id))
        .collect();
    let outcomes = modes::test_server(&url, &wanted, &mut |_| {}).unwrap();
    for (id, behavior, close) in expected {
        let o = outcomes.iter().find(|o| o.id == id).unwrap();
        assert_eq!(
            (o.behavior, o.behavior_close),
            (behavior, close),
            "{id}: {o:?}"
        );
    }
    // The strict reading is the same here: every failure here is the server's silence.
    let o = outcomes.iter().find(|o| o.id == "2.5").unwrap();
    assert_eq!((o.verdict, o.strict), (Verdict::Failed, Verdict::Failed));
    assert_eq!(o.remote_close_code, None);
}
