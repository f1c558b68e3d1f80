//! `axum_echo` — Sansock inside axum — against the conformance tester (every case, compression
//! included: no FAILED, no NON-STRICT, every compression case OK) and against real peers: Node's
//! `ws` and Python's `websockets` as clients, compressed and not (`tests/interop/client.*` with
//! `--echo-only`; `scripts/interop-setup.sh` installs them first).
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_conformance::runner::Verdict;
use sansock_conformance::{cases, modes, report};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Starts `axum_echo`'s router on a port of its own, on a runtime of its own; gives its URL.
fn start() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = sansock_examples::axum_echo::router();
            axum::serve(sansock_examples::nodelay(listener), app)
                .await
                .unwrap();
        });
    });
    url
}

#[test]
fn every_conformance_case_passes_strictly_on_the_axum_path() {
    let base = start();
    let outcomes = modes::test_server(&format!("{base}/"), &cases::all(), &mut |_| {}).unwrap();
    let dir = root().join("target/conformance");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join("axum_echo.md"),
        report::markdown("axum_echo", &outcomes),
    );
    assert_eq!(outcomes.len(), cases::all().len());
    let not_ok: Vec<String> = outcomes
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Failed | Verdict::NonStrict))
        .map(|o| {
            format!(
                "{} {:?} {}: expected {}; observed {}",
                o.id, o.verdict, o.title, o.expected, o.observed
            )
        })
        .collect();
    assert!(
        not_ok.is_empty(),
        "{} cases not OK:\n{}",
        not_ok.len(),
        not_ok.join("\n")
    );
    let compression: Vec<&str> = outcomes
        .iter()
        .filter(|o| {
            (o.id.starts_with("12.") || o.id.starts_with("13.")) && o.verdict != Verdict::Ok
        })
        .map(|o| o.id.as_str())
        .collect();
    assert!(
        compression.is_empty(),
        "compression cases not OK: {compression:?}"
    );
}

/// Runs a peer's client script against the axum echo, in its echo-only mode.
fn peer_client(script: &str) {
    let status = Command::new(root().join("scripts/interop-setup.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "scripts/interop-setup.sh failed");
    let path = root().join("tests/interop").join(script);
    let mut cmd = if script.ends_with(".py") {
        Command::new(root().join("target/interop-venv/bin/python"))
    } else {
        Command::new("node")
    };
    let base = start();
    let out = cmd
        .arg(path)
        .arg(&base)
        .arg("--echo-only")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} against axum_echo:\n{text}");
    // Compressed and not: both deflate checks ran.
    assert!(text.contains("ok permessage-deflate agreed"), "{text}");
    assert!(
        text.contains("ok no permessage-deflate when not offered"),
        "{text}"
    );
}

#[test]
fn node_ws_clients_against_axum_echo() {
    peer_client("client.mjs");
}

#[test]
fn python_websockets_clients_against_axum_echo() {
    peer_client("client.py");
}
