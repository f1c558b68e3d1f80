//! The cross matrix: one scenario list, run by every Sansock client adapter against every
//! Sansock server adapter (tokio, futures on async-std, futures on smol, blocking, compio on
//! io_uring).
//!
//! [`Adapter`] names the five; [`serve`] starts a scripted server on one of them; [`connect`]
//! opens a client [`Session`] on one of them; [`SCENARIOS`] and [`run`] are the list and what
//! each one checks. The servers' script is chosen by the request path (see `server`);
//! [`testee`] runs an adapter's client through the conformance tester's testee protocol;
//! [`peers`] starts the real peers of the interop tests. Used by the tests of this crate; not
//! published.

mod client;
pub mod peers;
mod scenario;
mod server;
mod testee;

pub use client::{Exec, Options, Session, connect};
pub use scenario::{SCENARIOS, Scenario, run};
pub use server::{prepared, serve, serve_until, serve_with};
pub use testee::testee;

/// The workspace's root directory.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the installer `scripts/<script>` (idempotent: it installs the real peers or servers a
/// test needs when they are missing) once per test process.
///
/// # Panics
/// If the script fails: the tests that need it cannot run.
pub fn setup(script: &str) {
    static DONE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut done = DONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if done.iter().any(|s| s == script) {
        return;
    }
    let status = std::process::Command::new(root().join("scripts").join(script))
        .status()
        .expect("the setup script runs");
    assert!(status.success(), "scripts/{script} failed");
    done.push(script.to_string());
}

/// A Sansock adapter, in the role of client or server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// `sansock-tokio`.
    Tokio,
    /// `sansock-futures` on async-std.
    AsyncStd,
    /// `sansock-futures` on smol.
    Smol,
    /// `sansock-blocking`, a thread per connection.
    Blocking,
    /// `sansock-compio`, on io_uring.
    Compio,
}

impl Adapter {
    /// Every adapter.
    pub const ALL: [Adapter; 5] = [
        Adapter::Tokio,
        Adapter::AsyncStd,
        Adapter::Smol,
        Adapter::Blocking,
        Adapter::Compio,
    ];
}

/// The subprotocols the servers know, best first.
pub const PROTOCOLS: [&str; 2] = ["sansock.v2", "sansock.v1"];

/// The close timeout of every client and server: far longer than a clean close takes, so a
/// close that waits for it is caught (see `scenario`).
pub const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Outgoing fragment size of the servers (so big echoes arrive fragmented) and of clients in
/// the fragmented scenario.
pub const FRAGMENT: usize = 64 << 10;
