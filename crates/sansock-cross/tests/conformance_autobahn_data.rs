//! The compression groups (12 and 13) on Autobahn's own data files — its `testdata`, fetched
//! from PyPI by `scripts/autobahn-data.sh` — against a Sansock server (tokio) and a Sansock
//! client: every case OK, on each case's first 16 messages (Autobahn's full 1000 a case are
//! about 11 GB each way: minutes, not seconds; `tests/autobahn_traffic.rs` of the tester checks
//! that all 1000 are Autobahn's). (A test binary of its own: the data are chosen for the whole
//! process.)
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_conformance::corpus::{AUTOBAHN_FILES, Burst, Corpus, cap_messages, use_autobahn_data};
use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes};
use sansock_cross::{Adapter, root, serve, setup, testee};
use std::time::Duration;

fn compression() -> Vec<sansock_conformance::case::Case> {
    cases::select(cases::autobahn(), &["12.*".into(), "13.*".into()], &[])
}

fn all_ok(agent: &str, outcomes: &[Outcome]) {
    assert_eq!(outcomes.len(), 216);
    let not_ok: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict != Verdict::Ok)
        .map(|o| format!("{} {:?}: {}", o.id, o.verdict, o.observed))
        .collect();
    assert!(not_ok.is_empty(), "{agent}: {not_ok:#?}");
}

#[test]
fn autobahns_data_through_every_compression_case() {
    setup("autobahn-data.sh");
    let dir = root().join("target/autobahn-data");
    use_autobahn_data(&dir).unwrap();
    cap_messages(16);
    // The messages are Autobahn's: consecutive slices of its files, text by characters.
    let json = std::fs::read_to_string(dir.join(AUTOBAHN_FILES[0])).unwrap();
    let burst = |corpus, size| Burst {
        corpus,
        size,
        count: 2,
        fragment: 0,
    };
    let first: String = json.chars().take(16).collect();
    let second: String = json.chars().skip(16).take(16).collect();
    assert_eq!(burst(Corpus::Json, 16).message(0), first.into_bytes());
    assert_eq!(burst(Corpus::Json, 16).message(1), second.into_bytes());
    let faust = std::fs::read(dir.join(AUTOBAHN_FILES[2])).unwrap();
    assert!(
        !Corpus::German.is_text(),
        "Autobahn sends its Faust as binary"
    );
    assert_eq!(burst(Corpus::German, 64).message(0), faust[..64].to_vec());

    let base = serve(Adapter::Tokio);
    let server = modes::test_server(&format!("{base}/"), &compression(), &mut |_| {}).unwrap();
    all_ok("sansock-tokio-server", &server);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let tester = std::thread::spawn(move || {
        modes::test_client(
            &listener,
            &compression(),
            Duration::from_secs(30),
            &mut |_| {},
        )
        .unwrap()
    });
    assert_eq!(testee(Adapter::Tokio, &url, "sansock-tokio").unwrap(), 216);
    let client: Vec<Outcome> = tester.join().unwrap().into_iter().flatten().collect();
    all_ok("sansock-tokio-client", &client);
}
