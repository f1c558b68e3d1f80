//! A clean shutdown for the example servers: when the signal comes (SIGTERM or SIGINT), the
//! server stops accepting, every open WebSocket is told — a close with 1001 "going away" — and
//! the server waits until each has finished its close handshake (or its close timeout ran out,
//! [`BOUND`] at most) before it exits; a second signal exits at once. The HTTP side is axum's graceful shutdown; the WebSockets, which hyper no longer
//! tracks once upgraded, are counted here.

use std::future::Future;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// The longest the shutdown waits for the connections to end.
pub const BOUND: std::time::Duration = std::time::Duration::from_secs(15);

/// The reason sent with the 1001 close (the library's, as its own shutdown sends).
pub const REASON: &str = sansock_hyper::Shutdown::REASON;

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

    /// Waits until every [`Open`] is dropped (call once the shutdown has begun), [`BOUND`] at
    /// most.
    pub async fn finished(&self) {
        self.open.close();
        if tokio::time::timeout(BOUND, self.open.wait()).await.is_err() {
            tracing::warn!("{} connections still open after {BOUND:?}", self.open.len());
        }
    }
}

/// The first SIGTERM or SIGINT (Ctrl-C); a second one then ends the process at once (exit
/// status 128 + the signal's number, as a shell reports a process a signal ended). Never, if
/// the signals cannot be listened for.
pub async fn signals() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down (a second signal ends at once)"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down (a second signal ends at once)"),
    }
    tokio::spawn(async move {
        let status = tokio::select! {
            _ = term.recv() => 128 + 15,
            _ = int.recv() => 128 + 2,
        };
        tracing::warn!("second signal: exiting at once");
        std::process::exit(status);
    });
}
