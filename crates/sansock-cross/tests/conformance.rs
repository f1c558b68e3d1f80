//! The conformance suite (`sansock-conformance`, all its cases) against every Sansock server
//! and every Sansock client, against servers that receive in parts (message parts on, from one
//! byte: everything not whole in a read is echoed part by part), and against servers that echo
//! in batches (`recv_batch`; in parts too): any FAILED case fails the test. Reports are written to
//! `target/conformance/` (JSON and markdown).
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes, report};
use sansock_cross::{Adapter, serve, serve_with, testee};
use std::time::Duration;

fn check(agent: &str, outcomes: &[Outcome]) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/conformance");
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(
        format!("{dir}/{agent}.json"),
        report::json(agent, outcomes).unwrap(),
    );
    let table = report::markdown(agent, outcomes);
    let _ = std::fs::write(format!("{dir}/{agent}.md"), &table);
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Failed)
        .map(|o| {
            format!(
                "{} {}: expected {}; observed {}",
                o.id, o.title, o.expected, o.observed
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{agent}: {} FAILED\n{}",
        failed.len(),
        failed.join("\n")
    );
    // Sansock speaks permessage-deflate: every compression case must be OK, not just "declined".
    let not_ok: Vec<&str> = outcomes
        .iter()
        .filter(|o| {
            (o.id.starts_with("12.") || o.id.starts_with("13.")) && o.verdict != Verdict::Ok
        })
        .map(|o| o.id.as_str())
        .collect();
    assert!(
        not_ok.is_empty(),
        "{agent}: compression cases not OK: {not_ok:?}"
    );
    assert_eq!(outcomes.len(), cases::all().len());
}

fn server(adapter: Adapter, agent: &str) {
    let base = serve(adapter);
    run_server(&base, agent);
}

fn run_server(base: &str, agent: &str) {
    let outcomes = modes::test_server(&format!("{base}/"), &cases::all(), &mut |_| {}).unwrap();
    check(agent, &outcomes);
}

fn client(adapter: Adapter, agent: &str) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("ws://{}", listener.local_addr().unwrap());
    let all = cases::all();
    let tester = std::thread::spawn(move || {
        modes::test_client(
            &listener,
            &cases::all(),
            Duration::from_secs(30),
            &mut |_| {},
        )
        .unwrap()
    });
    assert_eq!(testee(adapter, &base, agent).unwrap(), all.len());
    let results = tester.join().unwrap();
    let outcomes: Vec<Outcome> = results
        .into_iter()
        .zip(&all)
        .map(|(r, c)| r.unwrap_or_else(|| panic!("case {} never ran", c.id)))
        .collect();
    check(agent, &outcomes);
}

#[test]
fn tokio_server() {
    server(Adapter::Tokio, "sansock-tokio-server");
}

#[test]
fn tokio_server_in_parts() {
    run_server(
        &serve_with(Adapter::Tokio, Some(1), false),
        "sansock-tokio-server-in-parts",
    );
}

#[test]
fn blocking_server_in_parts() {
    run_server(
        &serve_with(Adapter::Blocking, Some(1), false),
        "sansock-blocking-server-in-parts",
    );
}

#[test]
fn tokio_server_in_batches() {
    run_server(
        &serve_with(Adapter::Tokio, None, true),
        "sansock-tokio-server-in-batches",
    );
}

#[test]
fn smol_server_in_batches_and_parts() {
    run_server(
        &serve_with(Adapter::Smol, Some(1), true),
        "sansock-smol-server-in-batches-and-parts",
    );
}

#[test]
fn blocking_server_in_batches() {
    run_server(
        &serve_with(Adapter::Blocking, None, true),
        "sansock-blocking-server-in-batches",
    );
}

#[test]
fn async_std_server() {
    server(Adapter::AsyncStd, "sansock-async-std-server");
}

#[test]
fn smol_server() {
    server(Adapter::Smol, "sansock-smol-server");
}

#[test]
fn blocking_server() {
    server(Adapter::Blocking, "sansock-blocking-server");
}

#[test]
fn compio_server() {
    server(Adapter::Compio, "sansock-compio-server");
}

#[test]
fn tokio_client() {
    client(Adapter::Tokio, "sansock-tokio-client");
}

#[test]
fn async_std_client() {
    client(Adapter::AsyncStd, "sansock-async-std-client");
}

#[test]
fn smol_client() {
    client(Adapter::Smol, "sansock-smol-client");
}

#[test]
fn blocking_client() {
    client(Adapter::Blocking, "sansock-blocking-client");
}

#[test]
fn compio_client() {
    client(Adapter::Compio, "sansock-compio-client");
}
