//! The cross matrix: every scenario, for every client adapter against every server adapter —
//! 25 tests of 13 scenarios each, every scenario under a time limit.
#![allow(clippy::panic)]

use sansock_cross::{Adapter, SCENARIOS, run, serve};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// Runs every scenario with `client` against a fresh `server`; fails with the list of what broke.
fn check(client: Adapter, server: Adapter) {
    let base = serve(server);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for scenario in SCENARIOS {
            let _ = tx.send((scenario, run(scenario, client, &base)));
        }
    });
    let mut failures = Vec::new();
    for _ in SCENARIOS {
        match rx.recv_timeout(LIMIT) {
            Ok((_, Ok(()))) => {}
            Ok((scenario, Err(why))) => failures.push(format!("{scenario:?}: {why}")),
            Err(_) => {
                failures.push(format!("stuck for {LIMIT:?}"));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{client:?} client × {server:?} server:\n{}",
        failures.join("\n")
    );
}

macro_rules! matrix {
    ($($name:ident: client $client:ident, server $server:ident;)*) => {
        $(#[test]
        fn $name() {
            check(Adapter::$client, Adapter::$server);
        })*
    };
}

matrix! {
    tokio_client_tokio_server: client Tokio, server Tokio;
    tokio_client_async_std_server: client Tokio, server AsyncStd;
    tokio_client_smol_server: client Tokio, server Smol;
    tokio_client_blocking_server: client Tokio, server Blocking;
    async_std_client_tokio_server: client AsyncStd, server Tokio;
    async_std_client_async_std_server: client AsyncStd, server AsyncStd;
    async_std_client_smol_server: client AsyncStd, server Smol;
    async_std_client_blocking_server: client AsyncStd, server Blocking;
    smol_client_tokio_server: client Smol, server Tokio;
    smol_client_async_std_server: client Smol, server AsyncStd;
    smol_client_smol_server: client Smol, server Smol;
    smol_client_blocking_server: client Smol, server Blocking;
    blocking_client_tokio_server: client Blocking, server Tokio;
    blocking_client_async_std_server: client Blocking, server AsyncStd;
    blocking_client_smol_server: client Blocking, server Smol;
    blocking_client_blocking_server: client Blocking, server Blocking;
    tokio_client_compio_server: client Tokio, server Compio;
    async_std_client_compio_server: client AsyncStd, server Compio;
    smol_client_compio_server: client Smol, server Compio;
    blocking_client_compio_server: client Blocking, server Compio;
    compio_client_tokio_server: client Compio, server Tokio;
    compio_client_async_std_server: client Compio, server AsyncStd;
    compio_client_smol_server: client Compio, server Smol;
    compio_client_blocking_server: client Compio, server Blocking;
    compio_client_compio_server: client Compio, server Compio;
}
