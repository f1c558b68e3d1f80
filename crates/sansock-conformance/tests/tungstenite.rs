//! The cross-check with Autobahn: tokio-tungstenite 0.30 as an echo server and as a testee
//! client, written as its own Autobahn examples are (`examples/autobahn-server.rs` and
//! `autobahn-client.rs`: echo text and binary, stop at the first error), run through the
//! tester's 517 Autobahn cases; every case's verdict (behavior and behaviorClose) is compared
//! with the results tokio-tungstenite publishes from Autobahn|Testsuite
//! (`tokio-tungstenite-autobahn.json`, its `autobahn/expected-results.json`, kept as published).
//! Each difference must be listed in `tungstenite-expected.txt` with the RFC clause that shows
//! why; the test fails if the list changes. The reports go to `target/conformance/`.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use sansock_conformance::autobahn::{self, Index, IndexEntry};
use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes, report};
use std::collections::BTreeMap;
use std::time::Duration;

fn save(agent: &str, outcomes: &[Outcome]) -> BTreeMap<String, IndexEntry> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/conformance");
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(
        format!("{dir}/{agent}.md"),
        report::markdown(agent, outcomes),
    );
    let mut index = Index::new();
    autobahn::add_to_index(&mut index, agent, outcomes);
    let dir = format!("{dir}/{agent}-autobahn");
    let _ = autobahn::write(
        std::path::Path::new(&dir),
        &index,
        agent,
        outcomes,
        &cases::autobahn(),
        agent.ends_with("server"),
    );
    index.remove(agent).unwrap()
}

/// Every case whose verdict differs from the published one: `ROLE ID published/ours`.
fn differences(role: &str, ours: &BTreeMap<String, IndexEntry>) -> Vec<String> {
    let published = autobahn::read_index(include_str!("tokio-tungstenite-autobahn.json")).unwrap();
    let published = &published["Tungstenite"];
    assert_eq!(published.len(), 517);
    let mut out = Vec::new();
    for (id, theirs) in published {
        let Some(mine) = ours.get(id) else {
            out.push(format!("{role} {id} missing"));
            continue;
        };
        let pair = |e: &IndexEntry| format!("{:?}/{:?}", e.behavior, e.behavior_close);
        if (mine.behavior, mine.behavior_close) != (theirs.behavior, theirs.behavior_close) {
            out.push(format!("{role} {id} {} {}", pair(theirs), pair(mine)));
        }
    }
    out
}

/// The differences listed in the expected-results file.
fn listed() -> Vec<String> {
    include_str!("tungstenite-expected.txt")
        .lines()
        .filter_map(|l| l.split('#').next())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn tokio_tungstenite_gets_the_verdicts_autobahn_published() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    rt.spawn(common::echo_server(listener));
    let server = modes::test_server(&url, &cases::autobahn(), &mut |_| {}).unwrap();
    // It fails connections by dropping TCP without a close frame: OK by Autobahn's rules,
    // NON-STRICT by the stricter reading of RFC 6455 §7.1.7 (`--strict`).
    let reserved = server.iter().find(|o| o.id == "3.1").unwrap();
    assert_eq!(reserved.verdict, Verdict::Ok, "{reserved:?}");
    assert_eq!(reserved.strict, Verdict::NonStrict, "{reserved:?}");
    let server = save("tokio-tungstenite-server", &server);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("ws://{}", listener.local_addr().unwrap());
    let tester = std::thread::spawn(move || {
        let mut agent = None;
        let results = modes::test_client_as(
            &listener,
            &cases::autobahn(),
            Duration::from_secs(30),
            &mut |_| {},
            &mut agent,
        )
        .unwrap();
        (results, agent)
    });
    rt.block_on(common::testee(&base));
    let (client, agent) = tester.join().unwrap();
    assert_eq!(agent.as_deref(), Some("Tungstenite"));
    let client: Vec<Outcome> = client.into_iter().flatten().collect();
    assert_eq!(client.len(), 517, "every case ran");
    let client = save("tokio-tungstenite-client", &client);

    let mut found = differences("server", &server);
    found.extend(differences("client", &client));
    assert_eq!(
        found,
        listed(),
        "verdicts that differ from Autobahn's published ones"
    );
}
