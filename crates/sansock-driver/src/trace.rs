//! What the driver tells `tracing` (feature `tracing`), and the counters of `metrics.rs` beside
//! it (feature `metrics`): a span per connection (role, path,
//! subprotocol, extensions) and events for the handshake's outcome, rejections with their
//! status, the close (code, who closed, how it ended), protocol errors, timeouts and waits
//! for the transport. Nothing here is on the per-message path: without the feature every
//! function is empty and the span a zero-sized type, and with it and no subscriber each event
//! costs one check of a cached callsite.

use sansock_core::{Closed, Role};

/// The span of one connection.
#[cfg(feature = "tracing")]
pub(crate) type Span = tracing::Span;

/// The span of one connection: nothing, without the `tracing` feature.
#[cfg(not(feature = "tracing"))]
#[derive(Debug, Clone)]
pub(crate) struct Span;

/// A span that records nothing, until the handshake gives the connection its own.
pub(crate) fn none() -> Span {
    #[cfg(feature = "tracing")]
    return tracing::Span::none();
    #[cfg(not(feature = "tracing"))]
    Span
}

/// The span for a connection the handshake just opened.
#[allow(unused_variables)]
pub(crate) fn connection(
    role: Role,
    path: Option<&str>,
    protocol: Option<&str>,
    extensions: Option<&str>,
) -> Span {
    #[cfg(feature = "tracing")]
    return tracing::debug_span!("websocket", role = ?role, path, protocol, extensions);
    #[cfg(not(feature = "tracing"))]
    Span
}

/// The handshake opened the connection.
#[allow(unused_variables)]
pub(crate) fn opened(span: &Span) {
    #[cfg(feature = "tracing")]
    tracing::debug!(parent: span, "websocket open");
}

/// A server refused an upgrade request: the application rejected it, or it was not a valid
/// WebSocket handshake (`why`).
#[allow(unused_variables)]
pub(crate) fn refused(status: u16, path: Option<&str>, why: &dyn core::fmt::Display) {
    crate::metrics::refused(status);
    #[cfg(feature = "tracing")]
    tracing::info!(status, path, "upgrade refused: {why}");
}

/// A client's handshake ended without a connection (the server's status, if it answered).
#[allow(unused_variables)]
pub(crate) fn handshake_failed(error: &crate::HandshakeError) {
    #[cfg(feature = "tracing")]
    tracing::info!("websocket handshake failed: {error}");
}

/// The connection ended (cleanly or not).
#[allow(unused_variables)]
pub(crate) fn closed(span: &Span, closed: &Closed) {
    crate::metrics::closed(closed);
    #[cfg(feature = "tracing")]
    {
        let (code, initiator, reason) = (closed.code.0, closed.initiator, closed.reason.as_str());
        if closed.was_clean() {
            tracing::debug!(parent: span, code, ?initiator, reason, "websocket closed");
        } else {
            tracing::info!(parent: span, code, ?initiator, ending = ?closed.ending, "websocket ended: {}", closed.ending);
        }
    }
}

/// The peer broke the protocol; our close frame carries `code`.
#[allow(unused_variables)]
pub(crate) fn protocol_error(span: &Span, error: &sansock_core::ProtocolError) {
    if *error == sansock_core::ProtocolError::OverBudget {
        crate::metrics::budget_refused("in");
    }
    #[cfg(feature = "tracing")]
    tracing::info!(parent: span, code = error.close_code().0, "protocol error: {error}");
}

/// A send waits: `queued` bytes are at or over the write high-water mark.
#[allow(unused_variables)]
#[inline]
pub(crate) fn backpressure(span: &Span, queued: usize) {
    crate::metrics::backpressure();
    #[cfg(feature = "tracing")]
    tracing::trace!(parent: span, queued, "waiting for the transport to take queued output");
}
