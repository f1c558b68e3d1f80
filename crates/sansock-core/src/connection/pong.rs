//! Answering pings: a pong for every ping, except that once the output backs up (a peer that
//! pings without reading) at most one pong waits unwritten and a second slot holds the payload
//! of the most recent ping, which RFC 6455 §5.5.3 allows to answer alone. Reading then never
//! grows the output by more than that, whatever the peer sends. Keepalive pings and the close
//! frame are not here (`mod.rs`, `receive.rs`).

use super::Connection;
use crate::frame::OpCode;
use alloc::boxed::Box;

/// Past this much unwritten output, a ping whose predecessor's pong is still unwritten is not
/// answered at once; its payload waits in the slot (replacing an older one).
pub(super) const COALESCE_AT: usize = 16 << 10;

/// The payload of the most recent ping not yet answered (at most 125 bytes, RFC 6455 §5.5).
#[derive(Debug, Clone, Copy)]
pub(super) struct PongSlot {
    len: u8,
    payload: [u8; 125],
}

impl PongSlot {
    fn new(payload: &[u8]) -> Self {
        let mut slot = PongSlot {
            len: 0,
            payload: [0; 125],
        };
        let n = payload.len().min(slot.payload.len());
        slot.payload[..n].copy_from_slice(&payload[..n]);
        slot.len = n as u8; // n ≤ 125
        slot
    }

    fn payload(&self) -> &[u8] {
        &self.payload[..usize::from(self.len)]
    }
}

impl Connection {
    /// Answers a ping with `payload` (auto-pong on, no close queued yet).
    pub(super) fn answer_ping(&mut self, payload: &[u8]) {
        let previous_unwritten = self.out.sent() < self.pong_end;
        if previous_unwritten && self.out.len() >= COALESCE_AT {
            // Boxed: only a flooding peer makes one, and the connection stays small.
            self.pong_slot = Some(Box::new(PongSlot::new(payload)));
        } else {
            self.queue_pong(payload);
        }
    }

    fn queue_pong(&mut self, payload: &[u8]) {
        let mask = self.next_mask();
        self.out.frame(true, 0, OpCode::Pong, payload, mask);
        self.pong_end = self.out.end();
    }

    /// Output was written: once the waiting pong is out, the slot's goes in (unless a close
    /// frame went first: nothing follows it).
    #[inline]
    pub(super) fn after_written(&mut self) {
        if self.out_charged > 0 {
            self.settle_output();
        }
        if self.pong_slot.is_some() && self.out.sent() >= self.pong_end {
            if let Some(slot) = self.pong_slot.take() {
                if !self.close_queued {
                    self.queue_pong(slot.payload());
                }
            }
        }
    }
}
