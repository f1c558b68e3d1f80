//! [`Shutdown`]: a graceful shutdown for every connection opened with settings that carry it.
//! When it begins, each of those connections starts its closing handshake with 1001 (going
//! away) the next time it is polled; [`Shutdown::finished`] waits until every one has ended.
//! The drive loop looks at it in `driver.rs` (`poll_input`); here is the shared state only.
//!
//! Not here: listening for signals (each runtime has its own way: the examples show tokio's
//! and a plain thread's) and stopping an accept loop (the application's, with
//! [`Shutdown::begun`]).

use atomic_waker::AtomicWaker;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// How long a blocking transport's read waits at most while a shutdown may begin: it cannot
/// be woken, so it looks this often.
pub(crate) const BLOCKING_LOOK: Duration = Duration::from_millis(100);

/// A graceful shutdown shared by the connections opened with it (clones share it): give it to
/// the settings ([`Config::shutdown`](crate::Config::shutdown)), stop accepting when it has
/// [`begun`](Self::begun), and wait until every connection has [`finished`](Self::finished).
///
/// ```
/// use sansock_driver::{ServerSettings, Shutdown};
/// let shutdown = Shutdown::new();
/// let settings = ServerSettings::new().shutdown(&shutdown); // for every accept
/// // on SIGTERM: stop accepting, then
/// shutdown.begin(); // every connection closes with 1001 "server shutting down"
/// assert!(shutdown.wait_finished(std::time::Duration::from_secs(10))); // none was open
/// # let _ = settings;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    begun: AtomicBool,
    open: AtomicUsize,
    /// Each open connection's waker (a connection waiting to read is woken when the shutdown
    /// begins), and the tasks waiting for `begun` or `finished`.
    waiting: Mutex<Waiting>,
    /// For `wait_finished`: signalled when the last connection ends.
    ended: Condvar,
}

#[derive(Debug, Default)]
struct Waiting {
    connections: Vec<Weak<AtomicWaker>>,
    tasks: Vec<Waker>,
}

impl Shared {
    fn waiting(&self) -> MutexGuard<'_, Waiting> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn wake_tasks(&self) {
        let tasks = core::mem::take(&mut self.waiting().tasks);
        tasks.into_iter().for_each(Waker::wake);
    }
}

impl Shutdown {
    /// The reason sent with the 1001 close when a shutdown begins.
    pub const REASON: &str = "server shutting down";

    /// A shutdown not begun, with no connection yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Begins the shutdown (once; later calls do nothing): every open connection opened with
    /// it starts its closing handshake with 1001 and [`REASON`](Self::REASON), and so does every
    /// connection opened with it from now on.
    pub fn begin(&self) {
        if self.shared.begun.swap(true, Ordering::SeqCst) {
            return;
        }
        let connections = core::mem::take(&mut self.shared.waiting().connections);
        for waker in connections.iter().filter_map(Weak::upgrade) {
            waker.wake();
        }
        self.shared.wake_tasks();
        let _held = self.shared.waiting(); // not between a waiter's check and its wait
        self.shared.ended.notify_all();
    }

    /// Whether the shutdown has begun.
    pub fn is_begun(&self) -> bool {
        self.shared.begun.load(Ordering::SeqCst)
    }

    /// How many connections opened with it have not ended yet.
    pub fn open(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    /// Resolves once the shutdown has begun (for an accept loop's `select!`).
    pub async fn begun(&self) {
        poll_fn(|cx| self.poll_until(cx, Self::is_begun)).await;
    }

    /// Resolves once the shutdown has begun and every connection opened with it has ended.
    pub async fn finished(&self) {
        poll_fn(|cx| self.poll_until(cx, Self::is_finished)).await;
    }

    /// Blocks the thread until [`finished`](Self::finished) or `timeout`; whether it finished.
    pub fn wait_finished(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        let mut waiting = self.shared.waiting();
        while !self.is_finished() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            waiting = match self.shared.ended.wait_timeout(waiting, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    fn is_finished(&self) -> bool {
        self.is_begun() && self.open() == 0
    }

    fn poll_until(&self, cx: &mut Context<'_>, done: fn(&Self) -> bool) -> Poll<()> {
        if done(self) {
            return Poll::Ready(());
        }
        let mut waiting = self.shared.waiting();
        if !waiting.tasks.iter().any(|w| w.will_wake(cx.waker())) {
            waiting.tasks.push(cx.waker().clone());
        }
        drop(waiting);
        if done(self) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub(crate) fn guard(&self) -> ShutdownGuard {
        let open = self.shared.open.fetch_add(1, Ordering::SeqCst) + 1;
        let waker = Arc::new(AtomicWaker::new());
        let mut waiting = self.shared.waiting();
        // The ended connections' entries go when they are as many as the open ones (amortised:
        // not a scan per connection).
        if waiting.connections.len() >= 2 * open.max(8) {
            waiting.connections.retain(|w| w.strong_count() > 0);
        }
        waiting.connections.push(Arc::downgrade(&waker));
        drop(waiting);
        ShutdownGuard {
            shutdown: self.clone(),
            waker,
        }
    }
}

/// A connection's hold on a [`Shutdown`]: counted open while it lives.
#[derive(Debug)]
pub(crate) struct ShutdownGuard {
    shutdown: Shutdown,
    waker: Arc<AtomicWaker>,
}

impl ShutdownGuard {
    /// Whether the shutdown has begun; if not, the task is woken when it does.
    #[inline]
    pub(crate) fn poll_begun(&self, cx: &mut Context<'_>) -> bool {
        if self.shutdown.is_begun() {
            return true;
        }
        self.waker.register(cx.waker());
        self.shutdown.is_begun()
    }

    /// Whether the shutdown has begun (for a blocking transport, which looks between reads).
    pub(crate) fn is_begun(&self) -> bool {
        self.shutdown.is_begun()
    }
}

impl Drop for ShutdownGuard {
    fn drop(&mut self) {
        if self.shutdown.shared.open.fetch_sub(1, Ordering::SeqCst) == 1 {
            let shared = &self.shutdown.shared;
            shared.wake_tasks();
            let _held = shared.waiting(); // not between a waiter's check and its wait
            shared.ended.notify_all();
        }
    }
}
