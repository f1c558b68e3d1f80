//! Interop with real peers, both ways: Node's `ws` and Python's `websockets` as clients of every
//! Sansock server (`tests/interop/client.{mjs,py}`: text, binary, 16 MiB, pings both ways, close
//! codes both ways, subprotocols), and as scripted servers (`tests/interop/server.{mjs,py}`) for
//! every Sansock client running the cross matrix's 13 scenarios. `scripts/interop-setup.sh`
//! installs the peers first (idempotent).
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_cross::peers::{PeerServer, peer};
use sansock_cross::{Adapter, SCENARIOS, run, serve, setup};

/// A peer's client checks against every Sansock server.
fn clients_against_our_servers(script: &str) {
    setup("interop-setup.sh");
    let mut failures = Vec::new();
    for adapter in Adapter::ALL {
        let base = serve(adapter);
        let out = peer(script).arg(&base).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            failures.push(format!("{script} against the {adapter:?} server:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every Sansock client runs the scenarios against a peer's server.
fn our_clients_against(script: &str) {
    let server = PeerServer::start(script);
    let base = server.base.clone();
    let mut failures = Vec::new();
    for client in Adapter::ALL {
        for scenario in SCENARIOS {
            if let Err(why) = run(scenario, client, &base) {
                failures.push(format!("{client:?} client × {script}, {scenario:?}: {why}"));
            }
        }
    }
    drop(server);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn node_ws_clients_against_every_sansock_server() {
    clients_against_our_servers("client.mjs");
}

#[test]
fn python_websockets_clients_against_every_sansock_server() {
    clients_against_our_servers("client.py");
}

#[test]
fn every_sansock_client_against_a_node_ws_server() {
    our_clients_against("server.mjs");
}

#[test]
fn every_sansock_client_against_a_python_websockets_server() {
    our_clients_against("server.py");
}
