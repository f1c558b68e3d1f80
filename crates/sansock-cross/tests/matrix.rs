//! The cross matrix: every scenario, for every client adapter against every server adapter
//! (4 × 4 combinations), each combination on its own thread under a time limit.
#![allow(clippy::panic)]

use sansock_cross::{Adapter, SCENARIOS, run, serve};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn every_client_adapter_against_every_server_adapter() {
    let servers: Vec<(Adapter, String)> = Adapter::ALL.iter().map(|&a| (a, serve(a))).collect();
    let mut failures = Vec::new();
    let mut passed = 0;
    for (server, base) in &servers {
        for client in Adapter::ALL {
            let (tx, rx) = mpsc::channel();
            let base = base.clone();
            std::thread::spawn(move || {
                for scenario in SCENARIOS {
                    let _ = tx.send((scenario, run(scenario, client, &base)));
                }
            });
            for _ in SCENARIOS {
                match rx.recv_timeout(LIMIT) {
                    Ok((_, Ok(()))) => passed += 1,
                    Ok((scenario, Err(why))) => {
                        failures.push(format!(
                            "{client:?} client × {server:?} server, {scenario:?}: {why}"
                        ));
                    }
                    Err(_) => {
                        failures.push(format!(
                            "{client:?} client × {server:?} server: stuck for {LIMIT:?}"
                        ));
                        break;
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed, failed:\n{}",
        passed,
        failures.join("\n")
    );
    assert_eq!(passed, 16 * SCENARIOS.len());
}
