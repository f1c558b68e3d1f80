//! [`Slot`]: one owned-buffer operation of compio's (a read, a write) that can be started
//! again and again in the same allocation, so a connection pays for its operation futures once,
//! not once per read or write. compio's operations are `async fn`s whose futures cannot be
//! named; a slot erases the type once, when the connection is made, and sets each new operation
//! in place of the last. Nothing here knows about WebSocket or about the driver.

use compio::BufResult;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

/// An operation on an owned buffer `B`, started with [`start`](Op::start) and polled to its end.
pub(crate) trait Op<B> {
    /// Starts the operation on `buf` (which it owns until it completes).
    fn start(&mut self, buf: B);
    /// Whether an operation is in flight.
    fn busy(&self) -> bool;
    /// Polls the operation in flight to its end: how much it did, and the buffer back.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<BufResult<usize, B>>;
}

/// The operation `make` returns for each buffer, kept in one pinned allocation.
struct Slot<M, F> {
    make: M,
    future: Pin<Box<Option<F>>>,
}

impl<B, M, F> Op<B> for Slot<M, F>
where
    M: FnMut(B) -> F,
    F: Future<Output = BufResult<usize, B>>,
{
    fn start(&mut self, buf: B) {
        let future = (self.make)(buf);
        self.future.set(Some(future));
    }

    fn busy(&self) -> bool {
        self.future.is_some()
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<BufResult<usize, B>> {
        let Some(future) = self.future.as_mut().as_pin_mut() else {
            return Poll::Pending; // nothing in flight: the callers start one first
        };
        let done = ready!(future.poll(cx));
        self.future.set(None);
        Poll::Ready(done)
    }
}

/// No operation: what a slot leaves behind when its operation in flight is moved out.
pub(crate) struct Idle;

impl<B> Op<B> for Idle {
    fn start(&mut self, _: B) {}

    fn busy(&self) -> bool {
        false
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<BufResult<usize, B>> {
        Poll::Pending
    }
}

/// A slot for the operations `make` starts.
pub(crate) fn slot<B, M, F>(make: M) -> Box<dyn Op<B>>
where
    B: 'static,
    M: FnMut(B) -> F + 'static,
    F: Future<Output = BufResult<usize, B>> + 'static,
{
    Box::new(Slot {
        make,
        future: Box::pin(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::task::Waker;

    #[test]
    fn a_slot_runs_one_operation_after_another_and_gives_each_buffer_back() {
        let mut op = slot(|buf: Vec<u8>| async move {
            let n = buf.len();
            BufResult(Ok(n), buf)
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert!(!op.busy());
        assert!(op.poll(&mut cx).is_pending(), "nothing started yet");
        for len in [3, 5] {
            op.start(vec![1; len]);
            assert!(op.busy());
            let Poll::Ready(BufResult(Ok(n), buf)) = op.poll(&mut cx) else {
                panic!("an operation with no wait completes at once");
            };
            assert_eq!((n, buf.len()), (len, len));
            assert!(!op.busy());
        }
    }
}
