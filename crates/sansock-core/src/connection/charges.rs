//! What a connection charges to its [`MemoryBudget`](crate::MemoryBudget), and when it gives
//! the charge back: large frames of incoming messages not complete yet, and queued output
//! beyond the budget's `charge_min`. The shared counter itself is `budget.rs`.

use super::Connection;
use super::receive::InFrame;
use crate::{CloseCode, ProtocolError, SendError};

impl Connection {
    /// A large frame of a message not all here yet is charged to the shared budget, if any.
    pub(super) fn charge_budget(&mut self, frame: &InFrame) -> Result<(), ProtocolError> {
        let Some(budget) = self.config.memory_budget.as_ref() else {
            return Ok(());
        };
        if frame.len < budget.charge_min() || frame.streams {
            return Ok(());
        }
        if budget.try_take(frame.len) {
            self.charged += frame.len;
            Ok(())
        } else {
            Err(self.fail(ProtocolError::OverBudget))
        }
    }

    /// Gives back everything charged for the incoming message.
    pub(super) fn settle_budget(&mut self) {
        if let Some(budget) = self.config.memory_budget.as_ref() {
            budget.give_back(self.charged);
        }
        self.charged = 0;
    }

    /// Charges the output for `more` bytes about to be queued, when the output would then
    /// hold at least the budget's `charge_min`. When the budget cannot take them the message
    /// is refused and the close handshake starts with 1013 (Try Again Later), as for an
    /// incoming message that does not fit.
    pub(super) fn charge_output(&mut self, more: usize) -> Result<(), SendError> {
        let Some(budget) = self.config.memory_budget.as_ref() else {
            return Ok(());
        };
        let want = self.out.len().saturating_add(more);
        if want < budget.charge_min() || want <= self.out_charged {
            return Ok(());
        }
        if budget.try_take(want - self.out_charged) {
            self.out_charged = want;
            Ok(())
        } else {
            let now = self.now;
            let _ = self.close(now, Some(CloseCode::TRY_AGAIN_LATER), "memory budget spent");
            Err(SendError::OverBudget)
        }
    }

    /// Brings the output's charge down to what it holds now (all of it once under
    /// `charge_min`): called after bytes were written and after a message was queued.
    pub(super) fn settle_output(&mut self) {
        let Some(budget) = self.config.memory_budget.as_ref() else {
            return;
        };
        let held = self.out.len();
        let keep = if held >= budget.charge_min() {
            held.min(self.out_charged)
        } else {
            0
        };
        budget.give_back(self.out_charged - keep);
        self.out_charged = keep;
    }
}
