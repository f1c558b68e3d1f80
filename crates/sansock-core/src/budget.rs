//! [`MemoryBudget`]: one cap on the bytes that partial incoming messages and queued output
//! hold across every connection given the budget — across tasks and threads — so that many
//! peers each sending part of a large message and stalling, or each not reading what is sent
//! to them, cannot exhaust a server's memory, however many there are. What a connection charges and when lives in `connection/charges.rs`; this is the
//! shared counter.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

/// A byte budget shared by the connections it is given to (clones share it).
///
/// A frame of a message that is not all here yet, of at least
/// [`charge_min`](Self::charge_min) bytes (64 KiB unless set), is charged in full when its
/// header arrives and given back when its message is complete (or the connection ends). A
/// frame the budget cannot take fails its connection with 1013 (Try Again Later): the other
/// connections go on.
///
/// Queued output is charged too, once a connection's queue would hold at least `charge_min`
/// bytes (a message is charged at its length before compression), and given back as it is
/// written. A send the budget cannot take is refused with
/// [`SendError::OverBudget`](crate::SendError::OverBudget) and its connection closes with 1013
/// too (the message is not queued; the close frame is).
///
/// Small messages and short queues are never charged, so a full budget never stops
/// ordinary traffic.
///
/// ```
/// use sansock_core::{ConnectionConfig, MemoryBudget};
/// let budget = MemoryBudget::new(64 << 20);
/// let config = ConnectionConfig::default().with_memory_budget(Some(budget.clone()));
/// assert_eq!(budget.used(), 0);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    limit: usize,
    charge_min: usize,
    used: AtomicUsize,
}

impl MemoryBudget {
    /// A budget of `limit` bytes; frames under 64 KiB are not charged (they are read whole in
    /// a few reads).
    pub fn new(limit: usize) -> Self {
        Self::with_charge_min(limit, 64 << 10)
    }

    /// A budget of `limit` bytes charged for frames of at least `charge_min` bytes.
    pub fn with_charge_min(limit: usize, charge_min: usize) -> Self {
        MemoryBudget {
            shared: Arc::new(Shared {
                limit,
                charge_min,
                used: AtomicUsize::new(0),
            }),
        }
    }

    /// The smallest frame charged.
    pub fn charge_min(&self) -> usize {
        self.shared.charge_min
    }

    /// The cap.
    pub fn limit(&self) -> usize {
        self.shared.limit
    }

    /// The bytes charged now, by every connection sharing the budget.
    pub fn used(&self) -> usize {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// Charges `n` bytes if they fit.
    pub(crate) fn try_take(&self, n: usize) -> bool {
        let limit = self.shared.limit;
        self.shared
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= limit)
            })
            .is_ok()
    }

    /// Gives back `n` bytes charged before.
    pub(crate) fn give_back(&self, n: usize) {
        self.shared.used.fetch_sub(n, Ordering::AcqRel);
    }
}

/// Budgets are equal when they are the same budget.
impl PartialEq for MemoryBudget {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Eq for MemoryBudget {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_what_fits_and_gives_it_back() {
        let budget = MemoryBudget::new(100);
        let other = budget.clone();
        assert!(budget.try_take(60));
        assert!(!other.try_take(41));
        assert!(other.try_take(40));
        assert_eq!(budget.used(), 100);
        budget.give_back(60);
        assert_eq!(other.used(), 40);
        assert!(!budget.try_take(usize::MAX));
        assert_eq!(budget, other);
        assert_ne!(budget, MemoryBudget::new(100));
    }
}
