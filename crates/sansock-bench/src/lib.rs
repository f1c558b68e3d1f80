//! `sansock-bench`: Sansock beside its peers, measured in one run on this machine.
//!
//! Three programs: `bench-server NAME PORT` runs one echo server ([`servers`]); `bench-load`
//! drives one with pre-masked frames over raw TCP ([`load`]) and prints what it measured as one
//! JSON line; `bench` runs every server against the load generator, each pinned to its own core,
//! and writes the tables and the plot ([`report`]). [`procfs`] reads memory and CPU time from
//! `/proc`. [`memory`] has the echo path without the kernel: each library's echo loop over an
//! in-memory transport, which the `echo_loop` criterion bench times and `bench-instructions`
//! runs for callgrind to count. Not published; nothing here is a pass/fail test.

pub mod fanout;
pub mod load;
pub mod memory;
pub mod process;
pub mod procfs;
pub mod report;
pub mod servers;

use serde::{Deserialize, Serialize};

/// One measured point: what the load generator did and what it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// Payload bytes per message.
    pub size: usize,
    /// Connections.
    pub conns: usize,
    /// Messages in flight per connection (1: ping-pong).
    pub inflight: usize,
    /// Text (else binary).
    pub text: bool,
}

impl Point {
    /// A short label, e.g. `20 B × 100 conns × 16 in flight, binary`.
    pub fn label(&self) -> String {
        let size = match self.size {
            s if s >= 1 << 20 => format!("{} MiB", s >> 20),
            s if s >= 1 << 10 => format!("{} KiB", s >> 10),
            s => format!("{s} B"),
        };
        format!(
            "{size} × {} conn{} × {} in flight, {}",
            self.conns,
            if self.conns == 1 { "" } else { "s" },
            self.inflight,
            if self.text { "text" } else { "binary" }
        )
    }
}

/// What one load run measured.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Measured {
    /// Echoed messages per second.
    pub msgs_per_sec: f64,
    /// Payload bytes per second, one way.
    pub bytes_per_sec: f64,
    /// The load generator's CPU use (1.0: one core busy), to tell whether it was the bottleneck.
    pub load_cpu: f64,
    /// The server's CPU use over the same window (1.0: its core busy); what a message costs the
    /// server is `server_cpu / msgs_per_sec` (0 when not measured).
    #[serde(default)]
    pub server_cpu: f64,
    /// Connections that failed to open or broke during the run.
    pub errors: usize,
}
