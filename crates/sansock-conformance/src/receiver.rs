//! The tester's side of the connection as Autobahn's keeps it: what it does with each frame
//! the peer sends, which events it records, who closed, with which code — so that a peer that
//! breaks the protocol gets the verdict Autobahn would give it. A pure state machine: bytes in,
//! frames to send and "drop the connection" out; the runner does the I/O and the clock.
//!
//! Autobahn's rules, from `autobahn.websocket.protocol.WebSocketProtocol` (0.10.9) with
//! `failByDrop = False`, which its fuzzing tester sets "for spec conformance"
//! (`FuzzingServerFactory.__init__`, `FuzzingClientFactory.__init__`):
//!
//! - The checks on a frame's header (`processDataHybi`), in its order: RSV bits without an
//!   extension; a client's frame unmasked, a server's masked; a control frame fragmented,
//!   longer than 125 bytes, with a reserved opcode, a close of 1 byte, or compressed; a data
//!   frame with a reserved opcode, a continuation with nothing to continue, a new message
//!   inside a fragmented one, a compressed continuation; a length not in its shortest form.
//! - Each failed check calls `protocolViolation`, and so `failConnection(1002)`: while open,
//!   a close frame goes out (the tester closed first) and — surprisingly — the frame is still
//!   processed (`protocolViolation` returns False, "we need to skip the invalid frame to
//!   continue to later receive the closing handshake reply"); once closing, the connection is
//!   dropped and nothing more is read (`consumeData` stops at `STATE_CLOSED`). So a second
//!   failed check on the same frame drops the connection.
//! - After failing the connection, messages are no longer delivered (`onMessageEnd` checks
//!   `failedByMe`) but pongs still are; pings are answered while open and never recorded (the
//!   fuzzing protocol has no `onPing`).
//! - Invalid UTF-8 in a text message (checked as it arrives), or in a close reason, fails the
//!   connection with 1007 (`invalidPayload`).
//! - A close frame: its code is recorded as the remote close code even when invalid
//!   (`onCloseFrame` sets `remoteCloseCode` first); a code Autobahn does not allow (below 1000,
//!   1004–1006, 1012–2999, 5000 and up: its `CLOSE_STATUS_CODES_ALLOWED` stops at 1011) fails
//!   the connection. Open, it answers with 1000 and no reason (`echoCloseCodeReason` is off);
//!   closing, the handshake is complete. A server then drops TCP at once. (The tester's own
//!   cases, `x…`, take the codes IANA has registered since — 1012 to 1014 — as valid:
//!   [`Receiver::with_registered_codes`].)
//! - An invalid close frame (more than 125 bytes, or 1 byte) is never read as a close: the
//!   header check fails it first, and once closing nothing more is read — no remote close code.

use crate::case::Obs;
use crate::deflate::Inflater;
use crate::runner::Role;
use crate::wire::{Frame, Header, close_payload, header_at, op, payload_of};

/// Where the close handshake stands (Autobahn's `STATE_OPEN`, `STATE_CLOSING`, `STATE_CLOSED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Open.
    Open,
    /// A close frame went out or came in.
    Closing,
    /// The connection is to be (or was) dropped: nothing more is read.
    Closed,
}

/// The largest message the tester inflates.
const INFLATE_LIMIT: usize = 64 << 20;

/// The message being received.
#[derive(Debug)]
struct Message {
    opcode: u8,
    data: Vec<u8>,
    compressed: bool,
    /// How much of a plain text message is known to be valid UTF-8.
    valid: usize,
    /// Invalid UTF-8 was found (Autobahn's validator stays rejected).
    rejected: bool,
}

/// The tester's end of a connection (see the module's doc).
#[derive(Debug)]
pub struct Receiver {
    role: Role,
    inflater: Option<Inflater>,
    /// Where the close handshake stands.
    pub state: State,
    /// Messages and pongs, as Autobahn's `Case.received` records them.
    pub received: Vec<Obs>,
    /// The tester sent its close first (Autobahn's `closedByMe`).
    pub closed_by_me: bool,
    /// The tester failed the connection (Autobahn's `failedByMe`).
    pub failed_by_me: bool,
    /// The tester dropped TCP (Autobahn's `droppedByMe`).
    pub dropped_by_me: bool,
    /// Close frames went both ways (Autobahn's `wasClean`).
    pub was_clean: bool,
    /// The code of the peer's close frame, as Autobahn records it.
    pub remote_close_code: Option<u16>,
    /// A close frame from the peer was read.
    pub remote_closed: bool,
    /// Why the tester failed the connection, first reason.
    pub violation: Option<String>,
    header: Option<Header>,
    message: Option<Message>,
    out: Vec<Frame>,
    /// 1012–1014 are valid close codes (IANA's registry), not only Autobahn's list.
    registered_codes: bool,
}

impl Receiver {
    /// A connection in which the tester plays `role`, with permessage-deflate if `inflater`.
    pub fn new(role: Role, inflater: Option<Inflater>) -> Self {
        Receiver {
            role,
            inflater,
            state: State::Open,
            received: Vec::new(),
            closed_by_me: false,
            failed_by_me: false,
            dropped_by_me: false,
            was_clean: false,
            remote_close_code: None,
            remote_closed: false,
            violation: None,
            header: None,
            message: None,
            out: Vec::new(),
            registered_codes: false,
        }
    }

    /// Takes every close code IANA has registered for use on the wire as valid — 1012
    /// (Service Restart), 1013 (Try Again Later) and 1014 (Bad Gateway) too, which Autobahn
    /// 0.10.9's list predates.
    #[must_use]
    pub fn with_registered_codes(mut self) -> Self {
        self.registered_codes = true;
        self
    }

    /// Frames to send now (pongs, closes), oldest first.
    pub fn take_output(&mut self) -> Vec<Frame> {
        std::mem::take(&mut self.out)
    }

    /// The tester sends a close (with `code`, or none): the case's own, or at its time limit
    /// (Autobahn's `sendClose`; ignored unless open).
    pub fn close(&mut self, code: Option<u16>, reason: &[u8]) {
        if self.state == State::Open {
            let payload = code.map(|c| close_payload(c, reason)).unwrap_or_default();
            self.out.push(Frame::new(op::CLOSE, payload));
            self.state = State::Closing;
            self.closed_by_me = true;
        }
    }

    /// The tester notes that it wrote a close frame itself, as a step of the case (Autobahn's
    /// `sendCloseFrame` from a case).
    pub fn sent_close(&mut self) {
        if self.state == State::Open {
            self.state = State::Closing;
            self.closed_by_me = true;
        }
    }

    /// Autobahn's `failConnection`: open, send a close with `code`; closing, drop.
    pub fn fail(&mut self, code: u16, reason: &str) {
        self.failed_by_me = true;
        self.violation.get_or_insert_with(|| reason.to_string());
        match self.state {
            State::Open => {
                let mut r = reason.as_bytes();
                r = &r[..r.len().min(123)];
                self.close(Some(code), r);
            }
            State::Closing => self.drop_connection(),
            State::Closed => {}
        }
    }

    /// The tester drops TCP (Autobahn's `dropConnection`).
    pub fn drop_connection(&mut self) {
        if self.state != State::Closed {
            self.dropped_by_me = true;
            self.state = State::Closed;
        }
    }

    /// The peer closed TCP.
    pub fn peer_dropped(&mut self) {
        self.state = State::Closed;
    }

    /// Processes what `buf` holds, frame by frame, header before payload; leaves a partial
    /// frame in `buf`. Stops once the connection is to be dropped.
    pub fn receive(&mut self, buf: &mut Vec<u8>) {
        let mut used = 0;
        while self.state != State::Closed {
            let rest = &buf[used..];
            let header = match self.header {
                Some(h) => h,
                None => match header_at(rest) {
                    Some(h) => {
                        self.check(&h);
                        self.header = Some(h);
                        h
                    }
                    None => break,
                },
            };
            if self.state == State::Closed || rest.len() < header.size + header.len {
                break;
            }
            let payload = payload_of(&header, rest);
            used += header.size + header.len;
            self.header = None;
            self.frame(header, payload);
        }
        buf.drain(..used);
    }

    fn violation(&mut self, why: String) {
        self.fail(1002, &why);
    }

    /// `processDataHybi`'s checks on a header, in its order.
    fn check(&mut self, h: &Header) {
        let compress = self.inflater.is_some();
        if h.rsv != 0 && !(compress && h.rsv == 4) {
            self.violation(format!("RSV = {} and no extension negotiated", h.rsv));
        }
        if self.role == Role::Server && h.mask.is_none() {
            self.violation("unmasked client-to-server frame".into());
        }
        if self.role == Role::Client && h.mask.is_some() {
            self.violation("masked server-to-client frame".into());
        }
        let inside = self.message.is_some();
        if h.opcode > 7 {
            if !h.fin {
                self.violation("fragmented control frame".into());
            }
            if h.len > 125 {
                self.violation("control frame with payload length > 125 octets".into());
            }
            if !matches!(h.opcode, op::CLOSE | op::PING | op::PONG) {
                self.violation(format!("control frame using reserved opcode {}", h.opcode));
            }
            if h.opcode == op::CLOSE && h.len == 1 {
                self.violation("received close control frame with payload len 1".into());
            }
            if compress && h.rsv == 4 {
                self.violation("received compressed control frame".into());
            }
        } else {
            if !matches!(h.opcode, op::CONT | op::TEXT | op::BINARY) {
                self.violation(format!("data frame using reserved opcode {}", h.opcode));
            }
            if !inside && h.opcode == op::CONT {
                self.violation(
                    "received continuation data frame outside fragmented message".into(),
                );
            }
            if inside && h.opcode != op::CONT {
                self.violation(
                    "received non-continuation data frame while inside fragmented message".into(),
                );
            }
            if compress && h.rsv == 4 && inside {
                self.violation("received continuation data frame with compress bit set".into());
            }
        }
        if h.length_not_minimal() {
            self.violation("invalid data frame length (not using minimal length encoding)".into());
        }
    }

    /// A whole frame whose header passed (or was let through) the checks.
    fn frame(&mut self, h: Header, payload: Vec<u8>) {
        if h.opcode > 7 {
            match h.opcode {
                op::CLOSE => self.close_frame(&payload),
                op::PING if self.state == State::Open => {
                    self.out.push(Frame::new(op::PONG, payload));
                }
                op::PONG => self.received.push(Obs::Pong(payload)),
                _ => {}
            }
            return;
        }
        let compress = self.inflater.is_some();
        let message = self.message.get_or_insert_with(|| Message {
            opcode: h.opcode,
            data: Vec::new(),
            compressed: compress && h.rsv == 4,
            valid: 0,
            rejected: false,
        });
        message.data.extend_from_slice(&payload);
        // Autobahn validates each piece of a text message as it comes (`onFrameData`), and at
        // its end asks whether it ended on a code point (`onFrameEnd`): after invalid bytes,
        // the validator stays rejected, so both fail — the second one while closing, which
        // drops the connection.
        let mut invalid = Vec::new();
        if message.opcode == op::TEXT && !message.compressed {
            if message.rejected {
                if !payload.is_empty() {
                    invalid.push("invalid UTF-8 in a text message".to_string());
                }
            } else {
                match std::str::from_utf8(&message.data[message.valid..]) {
                    Ok(_) => message.valid = message.data.len(),
                    Err(e) if e.error_len().is_none() => message.valid += e.valid_up_to(),
                    Err(e) => {
                        message.rejected = true;
                        invalid.push(format!(
                            "invalid UTF-8 in a text message at octet {}",
                            message.valid + e.valid_up_to()
                        ));
                    }
                }
            }
            if h.fin && (message.rejected || message.valid != message.data.len()) {
                invalid.push("text message ended within a code point".into());
            }
        }
        for why in invalid {
            self.fail(1007, &why);
        }
        if !h.fin || self.state == State::Closed {
            return;
        }
        let Some(message) = self.message.take() else {
            return;
        };
        let data = if message.compressed {
            match self
                .inflater
                .as_mut()
                .map(|i| i.inflate(&message.data, INFLATE_LIMIT))
            {
                Some(Ok(d)) => d,
                Some(Err(why)) => {
                    // zlib raises in Autobahn, and Twisted loses the connection.
                    self.violation.get_or_insert(why);
                    self.state = State::Closed;
                    return;
                }
                None => message.data,
            }
        } else {
            message.data
        };
        if message.compressed && message.opcode == op::TEXT && std::str::from_utf8(&data).is_err() {
            self.fail(1007, "invalid UTF-8 in a compressed text message");
        }
        if !self.failed_by_me {
            self.received.push(if message.opcode == op::TEXT {
                Obs::Text(data)
            } else {
                Obs::Binary(data)
            });
        }
    }

    /// `onCloseFrame`.
    fn close_frame(&mut self, payload: &[u8]) {
        self.remote_closed = true;
        let code = (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
        self.remote_close_code = code;
        let registered = self.registered_codes;
        if let Some(c) = code.filter(|&c| !(allowed(c) || registered && (1012..=1014).contains(&c)))
        {
            self.violation(format!("invalid close code {c}"));
        }
        if payload.len() > 2 && std::str::from_utf8(&payload[2..]).is_err() {
            self.fail(1007, "invalid close reason (non-UTF-8 payload)");
            // Autobahn then decodes the reason anyway, raises, and Twisted loses the
            // connection.
            self.state = State::Closed;
            return;
        }
        match self.state {
            State::Closing => {
                self.was_clean = true;
                if self.role == Role::Server {
                    self.drop_connection();
                }
            }
            State::Open => {
                self.was_clean = true;
                self.out
                    .push(Frame::new(op::CLOSE, close_payload(1000, b"")));
                self.state = State::Closing;
                if self.role == Role::Server {
                    self.drop_connection();
                }
            }
            State::Closed => self.was_clean = false,
        }
    }
}

/// Close codes Autobahn accepts from a peer (`CLOSE_STATUS_CODES_ALLOWED`, 3000–4999).
fn allowed(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_frame(f: Frame) -> Vec<u8> {
        f.encode(None)
    }

    #[test]
    fn an_over_long_close_echoed_to_our_close_is_never_read_as_a_close() {
        // 7.3.6 against a server that echoes the 126-byte close: we sent ours (closing), the
        // header fails, we drop — and no remote close code is recorded.
        let mut r = Receiver::new(Role::Client, None);
        r.sent_close();
        let mut payload = close_payload(1000, &[b'*'; 124]);
        let mut buf = server_frame(Frame::new(op::CLOSE, payload.clone()));
        r.receive(&mut buf);
        assert_eq!(r.state, State::Closed);
        assert!(r.dropped_by_me && r.closed_by_me && !r.remote_closed);
        assert_eq!(r.remote_close_code, None);
        // Open, the same frame makes us close with 1002, and is then read: a close, 1000.
        let mut r = Receiver::new(Role::Client, None);
        payload.truncate(126);
        let mut buf = server_frame(Frame::new(op::CLOSE, payload));
        r.receive(&mut buf);
        let out = r.take_output();
        assert_eq!(out[0].payload[..2], 1002u16.to_be_bytes());
        assert!(r.closed_by_me && r.was_clean && !r.dropped_by_me);
        assert_eq!(r.remote_close_code, Some(1000));
    }

    #[test]
    fn checks_in_autobahns_order_and_a_second_failure_drops() {
        // A masked server frame with a reserved opcode: close (1002), then drop.
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = Frame::new(3, b"x".to_vec()).encode(Some([1, 2, 3, 4]));
        r.receive(&mut buf);
        assert_eq!(r.state, State::Closed);
        assert!(r.closed_by_me && r.dropped_by_me);
        assert_eq!(
            r.violation.as_deref(),
            Some("masked server-to-client frame")
        );
        assert_eq!(r.take_output().len(), 1);
        // An unmasked client frame to the tester as a server: close with 1002, the frame is
        // processed, but after failing, no message is delivered.
        let mut r = Receiver::new(Role::Server, None);
        let mut buf = Frame::new(op::TEXT, b"hi".to_vec()).encode(None);
        r.receive(&mut buf);
        assert!(r.received.is_empty() && r.closed_by_me && r.state == State::Closing);
    }

    #[test]
    fn a_length_in_more_bytes_than_needed_fails() {
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = vec![0x81, 126, 0, 5];
        buf.extend_from_slice(b"hello");
        r.receive(&mut buf);
        assert_eq!(
            r.violation.as_deref(),
            Some("invalid data frame length (not using minimal length encoding)")
        );
        assert!(r.closed_by_me && r.received.is_empty());
    }

    #[test]
    fn pongs_are_recorded_pings_answered_and_messages_whole_or_split() {
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = [
            server_frame(Frame::new(op::PING, b"p".to_vec())),
            server_frame(Frame::new(op::PONG, b"q".to_vec())),
            server_frame(Frame::new(op::TEXT, "κό".as_bytes().to_vec()).fin(false)),
            server_frame(Frame::new(op::CONT, "σμε".as_bytes().to_vec())),
        ]
        .concat();
        let whole = buf.clone();
        r.receive(&mut buf);
        assert!(buf.is_empty());
        assert_eq!(
            r.received,
            [
                Obs::Pong(b"q".to_vec()),
                Obs::Text("κόσμε".as_bytes().to_vec())
            ]
        );
        assert_eq!(r.take_output(), [Frame::new(op::PONG, b"p".to_vec())]);
        // Byte by byte: the same.
        let mut r2 = Receiver::new(Role::Client, None);
        let mut buf = Vec::new();
        for b in whole {
            buf.push(b);
            r2.receive(&mut buf);
        }
        assert_eq!(r2.received, r.received);
    }

    #[test]
    fn a_peer_close_is_answered_with_1000_and_bad_codes_fail() {
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = server_frame(Frame::new(op::CLOSE, close_payload(1001, b"bye")));
        r.receive(&mut buf);
        assert_eq!(
            r.take_output(),
            [Frame::new(op::CLOSE, close_payload(1000, b""))]
        );
        assert!(!r.closed_by_me && r.was_clean && r.remote_close_code == Some(1001));
        // 1012 is not among the codes Autobahn 0.10.9 allows: it fails the connection.
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = server_frame(Frame::new(op::CLOSE, close_payload(1012, b"")));
        r.receive(&mut buf);
        assert!(r.closed_by_me && r.remote_close_code == Some(1012));
        assert_eq!(r.take_output()[0].payload[..2], 1002u16.to_be_bytes());
        // For the tester's own cases it is a registered code: answered with 1000.
        let mut r = Receiver::new(Role::Client, None).with_registered_codes();
        let mut buf = server_frame(Frame::new(op::CLOSE, close_payload(1012, b"")));
        r.receive(&mut buf);
        assert!(!r.closed_by_me && r.was_clean);
        assert_eq!(r.take_output()[0].payload[..2], 1000u16.to_be_bytes());
    }

    #[test]
    fn invalid_utf8_fails_with_1007_as_soon_as_it_arrives() {
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = server_frame(Frame::new(op::TEXT, vec![b'a', 0xff]).fin(false));
        r.receive(&mut buf);
        assert!(r.failed_by_me && r.state == State::Closing);
        assert_eq!(r.take_output()[0].payload[..2], 1007u16.to_be_bytes());
        // Its end fails again: dropped.
        let mut buf = server_frame(Frame::new(op::CONT, vec![]));
        r.receive(&mut buf);
        assert!(r.dropped_by_me);
        // Split inside a code point is fine until the message ends there.
        let mut r = Receiver::new(Role::Client, None);
        let mut buf = server_frame(Frame::new(op::TEXT, vec![0xce]).fin(false));
        buf.extend(server_frame(Frame::new(op::CONT, vec![0xba])));
        r.receive(&mut buf);
        assert!(!r.failed_by_me);
        assert_eq!(r.received, [Obs::Text("κ".as_bytes().to_vec())]);
    }
}
