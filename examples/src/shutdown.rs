//! A clean shutdown for the example servers: when the signal comes (Ctrl-C), the server stops
//! accepting, every open WebSocket is told — a close with 1001 "going away" — and the server
//! waits until each has finished its close handshake (or its close timeout ran out) before it
//! exits. The HTTP side is axum's graceful shutdown; the WebSockets, which hyper no longer
//! tracks once upgraded, are counted here.

use std::future::Future;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// The reason sent with the 1001 close.
pub const REASON: &str = "server shutting down";

/// Who is still open, and whether the shutdown has begun. Clones share both.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    begun: CancellationToken,
    open: TaskTracker,
}

/// Keeps the shutdown waiting while it lives: one per WebSocket, taken when it is accepted.
#[derive(Debug)]
pub struct Open(#[allow(dead_code)] TaskTrackerToken);

impl Shutdown {
    /// Nothing open, not begun.
    pub fn new() -> Self {
        Shutdown::default()
    }

    /// Counts one more open WebSocket until the returned [`Open`] is dropped.
    pub fn open(&self) -> Open {
        Open(self.open.token())
    }

    /// Resolves once the shutdown has begun (cancel-safe; for `select!`).
    pub fn begun(&self) -> impl Future<Output = ()> + Send + 'static {
        self.begun.clone().cancelled_owned()
    }

    /// Whether the shutdown has begun.
    pub fn has_begun(&self) -> bool {
        self.begun.is_cancelled()
    }

    /// Waits for `signal`, then begins the shutdown: what axum's `with_graceful_shutdown` takes.
    pub fn on(
        &self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> impl Future<Output = ()> + Send + 'static {
        let this = self.clone();
        async move {
            signal.await;
            tracing::info!("shutting down: closing every WebSocket with 1001");
            this.begun.cancel();
        }
    }

    /// Waits until every [`Open`] is dropped (call once the shutdown has begun).
    pub async fn finished(&self) {
        self.open.close();
        self.open.wait().await;
    }
}

/// Ctrl-C (SIGINT), or never if it cannot be listened for.
pub async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
