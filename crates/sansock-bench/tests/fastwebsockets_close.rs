//! The case that set the conformance tester apart from Autobahn on a real server: 7.3.6 against
//! fastwebsockets 0.10 (the benchmark's echo, with auto-close, as its own example). It echoes
//! the tester's 126-byte close frame — invalid, a control frame over 125 bytes. Autobahn, closing
//! already, fails on that frame's header and drops the connection before reading it: behavior
//! OK, behaviorClose FAILED BY CLIENT, no remote close code. The tester must say the same (it
//! used to read the 1000 inside the frame and say WRONG CODE).
#![allow(clippy::unwrap_used)]

use sansock_conformance::runner::Behavior;
use sansock_conformance::{cases, modes};

#[test]
fn fastwebsockets_echoing_an_over_long_close_gets_autobahns_verdict() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::thread::spawn(move || sansock_bench::servers::run("fastwebsockets", port));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let wanted = cases::select(cases::autobahn(), &["7.3.6".into(), "7.3.5".into()], &[]);
    let url = format!("ws://127.0.0.1:{port}/");
    let outcomes = modes::test_server(&url, &wanted, &mut |_| {}).unwrap();
    let got: Vec<_> = outcomes
        .iter()
        .map(|o| {
            (
                o.id.as_str(),
                o.behavior,
                o.behavior_close,
                o.remote_close_code,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // 123 bytes of reason: a valid close, echoed: a clean close with 1000.
            ("7.3.5", Behavior::Ok, Behavior::Ok, Some(1000)),
            ("7.3.6", Behavior::Ok, Behavior::FailedByClient, None),
        ],
        "{outcomes:#?}"
    );
}
