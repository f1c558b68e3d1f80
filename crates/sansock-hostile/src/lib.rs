//! The hostile-peer suite's server settings: what `hostile-server` runs with, and so what the
//! attacks in `tests/hostile.rs` are measured against. The suite itself is that test; it
//! starts the server as a process of its own (so its memory can be read from `/proc`) and stops
//! it by its process id.

use sansock_core::{MemoryBudget, PerMessageDeflate};
use sansock_tokio::ServerSettings;
use std::time::Duration;

/// The memory budget for partial messages, shared by every connection of the server.
pub const BUDGET: usize = 64 << 20;
/// How long a handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);
/// The keepalive interval; a peer silent for [`IDLE_TIMEOUT`] is dropped.
pub const KEEPALIVE: Duration = Duration::from_secs(1);
/// See [`KEEPALIVE`].
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a send may wait for a peer that takes nothing.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(3);

/// The server's settings: the defaults, with shorter timers (so the suite runs in seconds),
/// permessage-deflate, and one [`MemoryBudget`] of [`BUDGET`] for every connection.
pub fn settings(budget: &MemoryBudget) -> ServerSettings {
    ServerSettings::new()
        .keepalive(KEEPALIVE)
        .idle_timeout(IDLE_TIMEOUT)
        .close_timeout(Duration::from_secs(2))
        .memory_budget(budget.clone())
        .deflate(PerMessageDeflate::default())
        .handshake_timeout(HANDSHAKE_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
}
