//! The tester can fail: a naive echo server — a valid handshake, then every frame sent back
//! as it came, with no check at all — must be caught, case by case, in the groups where it
//! breaks the RFC, while passing the cases a naive echo happens to get right.
#![allow(clippy::unwrap_used)]

use sansock_conformance::runner::Verdict;
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
    const FAILED: [&str; 8] = [
        "2.4", "3.1.1", "4.1.1", "5.8", "6.4.1", "6.7.1", "7.3.1", "13.2.4",
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
    // (An echoed ping comes back to it as our pong and looks right: 2.1 cannot tell.) It claims
    // server_no_context_takeover but echoes our context-sharing compressed stream: 13.2.4's
    // second message no longer inflates on its own.
    for id in FAILED {
        let outcome = outcomes.iter().find(|o| o.id == id);
        assert_eq!(verdict(id), Verdict::Failed, "{id}: {outcome:?}");
    }
}
