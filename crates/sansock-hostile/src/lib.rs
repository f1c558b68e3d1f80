//! The hostile-peer suite's server settings: what `hostile-server` runs with, and so what the
//! attacks in `tests/hostile.rs` are measured against. The suite itself is that test; it
//! starts the server as a process of its own (so its memory can be read from `/proc`) and stops
//! it by its process id.

use sansock_core::{ConnectionConfig, MemoryBudget, PerMessageDeflate, ServerConfig};
use sansock_tokio::ServerSettings;
use std::sync::Arc;
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
    let connection = ConnectionConfig::default()
        .with_keepalive(Some(KEEPALIVE), Some(IDLE_TIMEOUT))
        .with_close_timeout(Duration::from_secs(2))
        .with_memory_budget(Some(budget.clone()));
    let handshake = ServerConfig::default()
        .with_connection(connection)
        .with_extension(Arc::new(PerMessageDeflate::default()));
    ServerSettings::default()
        .with_handshake(handshake)
        .with_handshake_timeout(HANDSHAKE_TIMEOUT)
        .with_write_timeout(Some(WRITE_TIMEOUT))
}
