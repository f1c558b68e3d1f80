//! The send path: messages, fragments, pings and the close frame, written into the transmit
//! buffer.
//!
//! Every command checks first and writes after, so an error leaves the connection as it was.
//! A payload is copied once, into the transmit buffer, and masked there (client role); a
//! server's large message is not copied at all (see `output.rs`).

use super::output::SPLICE_MIN;
use super::{Connection, Role};
use crate::close::MAX_CLOSE_REASON;
use crate::frame::{MAX_CONTROL_PAYLOAD, OpCode};
use crate::{
    CloseCode, MessageKind, MessagePart, MessageRef, PreparedMessage, SendError, Timestamp,
};
use alloc::vec::Vec;
use bytes::Bytes;

impl Connection {
    /// Queues a whole message: a `&str` (text), bytes (binary), a [`MessageRef`], or a
    /// [`&Message`](crate::Message) — whose large payload a server shares rather than copies.
    ///
    /// ```
    /// # use sansock_core::*;
    /// # let (mut client, _server) = sansock_core::testing::pair(ConnectionConfig::default());
    /// client.send("text").unwrap();
    /// client.send(b"binary").unwrap();
    /// client.send(&Message::binary(vec![0u8; 1 << 16])).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`SendError::Closed`] after a close was sent; [`SendError::FragmentedMessageInProgress`]
    /// while a message in parts ([`send_part`](Self::send_part)) is under way; an extension's
    /// error.
    #[inline]
    pub fn send<'m>(&mut self, message: impl Into<MessageRef<'m>>) -> Result<(), SendError> {
        self.send_message(message.into(), true)
    }

    /// Queues a [`PreparedMessage`]. On a server its frame is shared, not copied: the plain
    /// frame when no extension was negotiated, the one encoding of an extension that encodes
    /// every message alike (permessage-deflate without the server's context takeover). With
    /// an extension that carries state from message to message (context takeover), on a
    /// client (which masks with keys of its own) and when the message is to be fragmented, it
    /// is sent as [`send`](Self::send) sends it. The same limits and backpressure apply.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_prepared(&mut self, prepared: &PreparedMessage) -> Result<(), SendError> {
        let message = prepared.message();
        let fragmented = self
            .config
            .fragment_size
            .is_some_and(|size| message.len() > size);
        if self.role == Role::Client || fragmented {
            return self.send(message);
        }
        self.check_open()?;
        if self.sending.is_some() {
            return Err(SendError::FragmentedMessageInProgress);
        }
        let frame = match self.extension.as_deref() {
            None => prepared.frame(),
            Some(ext) => {
                let Some(key) = ext.shared_encoding() else {
                    return self.send(message); // its state is this connection's
                };
                let encode =
                    |kind, payload: &[u8], out: &mut Vec<u8>| ext.encode_shared(kind, payload, out);
                match prepared.encoded(key, encode) {
                    Ok(Some(Some(frame))) => frame,
                    Ok(Some(None)) => prepared.frame(), // the extension sends it as it is
                    Ok(None) => return self.send(message), // no room to keep another encoding
                    Err(e) => return Err(SendError::Extension(e.reason)),
                }
            }
        };
        self.charge_output(frame.len())?;
        let plain = prepared.frame().len();
        self.counters.bytes_saved += plain.saturating_sub(frame.len()) as u64;
        self.counters.messages_out += 1;
        self.out.frame_built(frame);
        Ok(())
    }

    /// Queues a whole message without the negotiated extension's transform: with
    /// permessage-deflate, sent uncompressed (for data that is already compressed, such as
    /// images or archives; RFC 7692 §6 lets every message choose).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    #[inline]
    pub fn send_uncompressed<'m>(
        &mut self,
        message: impl Into<MessageRef<'m>>,
    ) -> Result<(), SendError> {
        self.send_message(message.into(), false)
    }

    /// A whole message, shared when it is borrowed from a `Message`, copied otherwise.
    fn send_message(&mut self, message: MessageRef<'_>, transform: bool) -> Result<(), SendError> {
        let payload = match message.shared() {
            Some(bytes) => Payload::Shared(bytes),
            None => Payload::Borrowed(message.as_bytes()),
        };
        self.send_data(message.kind(), payload, transform)
    }

    /// Queues one part of a message the caller sends piece by piece (streaming), as one frame;
    /// a server does not copy a large part. The first part's `kind` starts the message, later
    /// ones must repeat it, and the one that `is_last` ends it. Text may be split anywhere, even
    /// inside a code point; the whole is checked to be UTF-8. Control frames may be interleaved;
    /// whole messages may not. A part just received (with
    /// [`message_parts`](crate::ConnectionConfig::with_message_parts) on) goes on as it is:
    ///
    /// ```
    /// # use sansock_core::*;
    /// # let (mut client, mut server) = sansock_core::testing::pair(
    /// #     ConnectionConfig::default().with_message_parts(Some(4)));
    /// client.send(b"forwarded as it arrives").unwrap();
    /// let wire = client.transmit().to_vec();
    /// server.handle_bytes(Timestamp::ZERO, &wire[..10]); // the header and 4 payload bytes
    /// let Ok(Some(Event::Part(part))) = server.poll_event() else { panic!() };
    /// assert_eq!((&part.data[..], part.is_last), (&b"forw"[..], false));
    /// server.send_part(&part).unwrap(); // a first fragment, on its way back already
    /// ```
    ///
    /// # Errors
    /// [`SendError::Closed`], [`SendError::FragmentKindMismatch`], [`SendError::InvalidUtf8`].
    pub fn send_part(&mut self, part: &MessagePart) -> Result<(), SendError> {
        self.send_fragment_payload(part.kind, Payload::Shared(&part.data), part.is_last)
    }

    fn send_fragment_payload(
        &mut self,
        kind: MessageKind,
        payload: Payload<'_>,
        is_final: bool,
    ) -> Result<(), SendError> {
        self.check_open()?;
        let data = payload.as_slice();
        let opcode = match self.sending {
            None => data_opcode(kind),
            Some(k) if k == kind => OpCode::Continuation,
            Some(_) => return Err(SendError::FragmentKindMismatch),
        };
        let validator = match kind {
            MessageKind::Text => {
                let mut validator = self.send_utf8.clone();
                let valid =
                    validator.feed(data).is_ok() && (!is_final || validator.finish().is_ok());
                if !valid {
                    return Err(SendError::InvalidUtf8);
                }
                Some(validator)
            }
            MessageKind::Binary => None,
        };
        self.charge_output(data.len())?;
        if let Some(mut validator) = validator {
            if is_final {
                validator.reset();
            }
            self.send_utf8 = validator;
        }
        self.sending = if is_final { None } else { Some(kind) };
        self.counters.messages_out += u64::from(is_final);
        self.queue_frame(is_final, 0, opcode, &payload, 0..data.len());
        Ok(())
    }

    /// Queues a ping.
    ///
    /// # Errors
    /// [`SendError::Closed`]; [`SendError::ControlPayloadTooLong`] over 125 bytes.
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.send_control(OpCode::Ping, payload)?;
        self.note_ping_sent(payload);
        Ok(())
    }

    /// Queues an unsolicited pong (a heartbeat that expects no answer).
    ///
    /// # Errors
    /// As [`ping`](Self::ping).
    pub fn pong(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.send_control(OpCode::Pong, payload)
    }

    /// Starts the closing handshake at `now`: queues a close frame with `code` (or none) and
    /// `reason`, and waits at most `close_timeout` for the peer's.
    ///
    /// Nothing can be sent afterwards; messages still arriving are reported until the peer's
    /// close frame, then [`Event::Closed`](crate::Event::Closed).
    ///
    /// # Errors
    /// [`SendError::Closed`]; [`SendError::InvalidCloseCode`] for a code not allowed on the
    /// wire (or a reason without a code); [`SendError::ControlPayloadTooLong`] for a reason
    /// over 123 bytes.
    pub fn close(
        &mut self,
        now: Timestamp,
        code: Option<CloseCode>,
        reason: &str,
    ) -> Result<(), SendError> {
        self.check_open()?;
        let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
        let len = match code {
            None if reason.is_empty() => 0,
            None => return Err(SendError::InvalidCloseCode),
            Some(code) if !code.is_valid_on_wire() => return Err(SendError::InvalidCloseCode),
            Some(_) if reason.len() > MAX_CLOSE_REASON => {
                return Err(SendError::ControlPayloadTooLong);
            }
            Some(code) => {
                payload[..2].copy_from_slice(&code.0.to_be_bytes());
                payload[2..2 + reason.len()].copy_from_slice(reason.as_bytes());
                2 + reason.len()
            }
        };
        self.now = now;
        self.close_queued = true;
        self.initiator = crate::event::Initiator::Local;
        let mask = self.next_mask();
        self.out
            .frame(true, 0, OpCode::Close, &payload[..len], mask);
        self.arm_close_deadline();
        Ok(())
    }

    fn check_open(&self) -> Result<(), SendError> {
        if self.close_queued || self.failed || self.ended {
            Err(SendError::Closed)
        } else {
            Ok(())
        }
    }

    fn send_control(&mut self, opcode: OpCode, payload: &[u8]) -> Result<(), SendError> {
        self.check_open()?;
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlPayloadTooLong);
        }
        let mask = self.next_mask();
        self.out.frame(true, 0, opcode, payload, mask);
        Ok(())
    }

    fn send_data(
        &mut self,
        kind: MessageKind,
        payload: Payload<'_>,
        transform: bool,
    ) -> Result<(), SendError> {
        self.check_open()?;
        if self.sending.is_some() {
            return Err(SendError::FragmentedMessageInProgress);
        }
        self.charge_output(payload.as_slice().len())?;
        if self.extension.is_none() || !transform {
            self.counters.messages_out += 1;
            self.write_message(data_opcode(kind), 0, payload);
            return Ok(());
        }
        let mut scratch = core::mem::take(&mut self.scratch);
        scratch.clear();
        let rsv = match self.extension.as_mut() {
            Some(ext) => ext
                .encode(kind, payload.as_slice(), &mut scratch)
                .map_err(|e| SendError::Extension(e.reason)),
            None => Ok(None),
        };
        let result = rsv.map(|rsv| match rsv {
            Some(rsv) => {
                let saved = payload.as_slice().len().saturating_sub(scratch.len());
                self.counters.bytes_saved += saved as u64;
                self.write_message(data_opcode(kind), rsv, Payload::Borrowed(&scratch));
            }
            None => self.write_message(data_opcode(kind), 0, payload),
        });
        // A large message's scratch is not kept: idle connections stay small.
        if scratch.capacity() <= super::RETAIN_CAPACITY {
            self.scratch = scratch;
        }
        if self.out_charged > 0 {
            self.settle_output(); // compressed smaller than charged
        }
        self.counters.messages_out += u64::from(result.is_ok());
        result
    }

    /// Writes a message as one frame, or as `fragment_size` pieces.
    fn write_message(&mut self, opcode: OpCode, rsv: u8, payload: Payload<'_>) {
        let size = self.config.fragment_size.unwrap_or(usize::MAX).max(1);
        let len = payload.as_slice().len();
        if len < SPLICE_MIN.min(size) {
            // The common case, small and whole: one frame, copied.
            let mask = self.next_mask();
            return self.out.frame(true, rsv, opcode, payload.as_slice(), mask);
        }
        let count = len.div_ceil(size).max(1);
        for i in 0..count {
            let (op, bits) = if i == 0 {
                (opcode, rsv)
            } else {
                (OpCode::Continuation, 0)
            };
            let range = i * size..len.min((i + 1) * size);
            self.queue_frame(i + 1 == count, bits, op, &payload, range);
        }
    }

    /// Queues one frame of `payload[range]`: a server's large payload held as `Bytes` by
    /// reference (not copied), anything else copied into the output (and masked, by a client).
    fn queue_frame(
        &mut self,
        fin: bool,
        rsv: u8,
        opcode: OpCode,
        payload: &Payload<'_>,
        range: core::ops::Range<usize>,
    ) {
        match (self.next_mask(), payload) {
            (None, Payload::Shared(bytes)) if range.len() >= SPLICE_MIN => {
                self.out.frame_shared(fin, rsv, opcode, &bytes.slice(range));
            }
            (mask, _) => self
                .out
                .frame(fin, rsv, opcode, &payload.as_slice()[range], mask),
        }
    }
}

/// A payload to send: borrowed (copied into the output), or shared (a server may send it
/// without copying).
enum Payload<'a> {
    Borrowed(&'a [u8]),
    Shared(&'a Bytes),
}

impl Payload<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Payload::Borrowed(b) => b,
            Payload::Shared(b) => b,
        }
    }
}

fn data_opcode(kind: MessageKind) -> OpCode {
    match kind {
        MessageKind::Text => OpCode::Text,
        MessageKind::Binary => OpCode::Binary,
    }
}
