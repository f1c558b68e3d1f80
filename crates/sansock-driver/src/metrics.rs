//! Server-wide metrics through the `metrics` facade (feature `metrics`): whatever recorder the
//! application installs (Prometheus, StatsD, …) sees every connection of every adapter. The
//! names, in the Prometheus style (the book's "Deploying" chapter has the table):
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `sansock_connections_open` | gauge | `role` |
//! | `sansock_handshakes_accepted_total` | counter | |
//! | `sansock_handshakes_refused_total` | counter | `status` |
//! | `sansock_messages_received_total`, `sansock_messages_sent_total` | counter | `role` |
//! | `sansock_bytes_received_total`, `sansock_bytes_sent_total` | counter | `role` |
//! | `sansock_closes_total` | counter | `code`, `initiator` (`local`, `remote`, `neither`) |
//! | `sansock_backpressure_waits_total` | counter | |
//! | `sansock_budget_refusals_total` | counter | `direction` (`in`, `out`) |
//!
//! Nothing is recorded per message: a connection's message and byte counts (the core's
//! [`Stats`](sansock_core::Stats)) are added when it goes idle (a read that waits) at most once
//! a second of its own clock, and when it ends. Without the feature every function here is
//! empty and [`Meter`] holds nothing. The events themselves come from `trace.rs`, which calls
//! these next to its `tracing` events.

use sansock_core::{Closed, Connection, Role};

/// A connection's share of the counters: what it has added so far, to add only what is new.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    #[cfg(feature = "metrics")]
    inner: Option<Inner>,
}

#[cfg(feature = "metrics")]
#[derive(Debug)]
struct Inner {
    role: &'static str,
    /// Messages in, messages out, bytes in, bytes out, as added.
    added: [u64; 4],
    /// The second of the connection's clock of the last addition.
    at: u64,
}

#[cfg(feature = "metrics")]
fn role_name(role: Role) -> &'static str {
    match role {
        Role::Server => "server",
        Role::Client => "client",
    }
}

impl Meter {
    /// A connection opened: counted open until the meter is dropped.
    #[allow(unused_variables)]
    pub(crate) fn opened(role: Role) -> Meter {
        #[cfg(feature = "metrics")]
        {
            let role = role_name(role);
            metrics::gauge!("sansock_connections_open", "role" => role).increment(1.0);
            if role == "server" {
                metrics::counter!("sansock_handshakes_accepted_total").increment(1);
            }
            Meter {
                inner: Some(Inner {
                    role,
                    added: [0; 4],
                    at: 0,
                }),
            }
        }
        #[cfg(not(feature = "metrics"))]
        Meter {}
    }

    /// Adds the connection's new message and byte counts once per second of its clock (when
    /// the whole second of its last receive differs from the last addition's; called when a
    /// read waits: the connection is idle). A field read and a compare per call: this runs
    /// once per message in a ping-pong, recorder or not.
    #[allow(unused_variables)]
    #[inline]
    pub(crate) fn idle(&mut self, conn: &Connection) {
        #[cfg(feature = "metrics")]
        if let Some(inner) = &mut self.inner {
            let second = conn.stats().last_received.as_duration().as_secs();
            if second != inner.at {
                inner.at = second;
                inner.add(conn);
            }
        }
    }

    /// Adds whatever the connection counted since the last addition.
    #[allow(unused_variables)]
    pub(crate) fn flush(&mut self, conn: &Connection) {
        #[cfg(feature = "metrics")]
        if let Some(inner) = &mut self.inner {
            inner.add(conn);
        }
    }
}

#[cfg(feature = "metrics")]
impl Inner {
    fn add(&mut self, conn: &Connection) {
        let stats = conn.stats();
        let now = [
            stats.messages_in,
            stats.messages_out,
            stats.bytes_in,
            stats.bytes_out,
        ];
        let names = [
            "sansock_messages_received_total",
            "sansock_messages_sent_total",
            "sansock_bytes_received_total",
            "sansock_bytes_sent_total",
        ];
        for ((name, now), added) in names.into_iter().zip(now).zip(&mut self.added) {
            if now > *added {
                metrics::counter!(name, "role" => self.role).increment(now - *added);
                *added = now;
            }
        }
    }
}

#[cfg(feature = "metrics")]
impl Drop for Meter {
    fn drop(&mut self) {
        if let Some(inner) = &self.inner {
            metrics::gauge!("sansock_connections_open", "role" => inner.role).decrement(1.0);
        }
    }
}

/// A server refused an upgrade request with `status`.
#[allow(unused_variables)]
pub(crate) fn refused(status: u16) {
    #[cfg(feature = "metrics")]
    metrics::counter!("sansock_handshakes_refused_total", "status" => status.to_string())
        .increment(1);
}

/// The connection ended (cleanly or not).
#[allow(unused_variables)]
pub(crate) fn closed(closed: &Closed) {
    #[cfg(feature = "metrics")]
    {
        let initiator = match closed.initiator {
            sansock_core::Initiator::Local => "local",
            sansock_core::Initiator::Remote => "remote",
            sansock_core::Initiator::Neither => "neither",
        };
        let code = closed.code.0.to_string();
        metrics::counter!("sansock_closes_total", "code" => code, "initiator" => initiator)
            .increment(1);
    }
}

/// A send waited for the transport (the write high-water mark).
#[inline]
pub(crate) fn backpressure() {
    #[cfg(feature = "metrics")]
    metrics::counter!("sansock_backpressure_waits_total").increment(1);
}

/// The memory budget refused a frame (`in`) or a send (`out`).
#[allow(unused_variables)]
pub(crate) fn budget_refused(direction: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("sansock_budget_refusals_total", "direction" => direction).increment(1);
}
