//! The receive path: frames out of the receive buffer, checked and turned into [`Event`]s.
//!
//! Payloads are unmasked in place in the receive buffer as they arrive, and text is validated
//! as it arrives too, so an invalid byte fails the connection at once. A message that is one
//! frame is handed out as a slice of the receive buffer (no copy); fragmented messages are
//! assembled in a reused buffer. With `message_parts` set, what is buffered of a frame may be
//! handed out as a [`MessagePart`] before the frame is complete (also a slice, no copy).

use super::{Connection, RETAIN_CAPACITY, Role};
use crate::close::{BadClose, ParsedClose, parse_close_payload};
use crate::event::{Closed, Ending, Event, EventRef, Initiator};
use crate::frame::{FrameHeader, MAX_CONTROL_PAYLOAD, OpCode, apply_mask};
use crate::{CloseCode, Message, MessageKind, MessagePart, MessageRef, ProtocolError, Utf8Bytes};
use bytes::{Buf, Bytes, BytesMut};

/// A frame whose header has been parsed and whose payload is arriving.
#[derive(Debug, Clone, Copy)]
pub(super) struct InFrame {
    header: FrameHeader,
    /// The payload bytes not handed out yet (the length, checked against the limits so it fits
    /// a `usize`, less what went out in parts).
    pub(super) len: usize,
    /// How many of those bytes have been unmasked and validated.
    done: usize,
    /// How many payload bytes went out in parts already.
    pub(super) taken: usize,
    /// Whether the payload is text to validate as it arrives (no extension transform).
    validate: bool,
    /// Whether the payload may go out in parts (parts on, a plain data frame).
    pub(super) streams: bool,
}

impl InFrame {
    /// The kind of message this frame is all of (a data frame with FIN and no RSV bits).
    fn whole_message(&self) -> Option<MessageKind> {
        let h = &self.header;
        match h.opcode {
            OpCode::Text if h.fin && h.rsv == 0 => Some(MessageKind::Text),
            OpCode::Binary if h.fin && h.rsv == 0 => Some(MessageKind::Binary),
            _ => None,
        }
    }
}

/// A fragmented message being assembled.
#[derive(Debug, Clone, Copy)]
pub(super) struct Assembly {
    kind: MessageKind,
    /// RSV bits of the first frame: non-zero means the extension decodes the payload.
    rsv: u8,
    /// Its frames so far (the first included).
    frames: usize,
}

impl Connection {
    /// The next event, if the buffered input holds one.
    ///
    /// Call after every input until it returns `Ok(None)`.
    ///
    /// # Errors
    /// [`ProtocolError`] once, when the peer broke the protocol: the close frame is already
    /// queued in [`transmit`](Self::transmit); later calls return `Ok(None)`.
    #[must_use = "events carry messages and the close"]
    pub fn poll_event(&mut self) -> Result<Option<Event>, ProtocolError> {
        let event = self.next_event();
        if self.charged > 0 && self.frame.is_none() && self.assembly.is_none() {
            self.settle_budget(); // the message is complete (or failed): its charge goes back
        }
        event
    }

    fn next_event(&mut self) -> Result<Option<Event>, ProtocolError> {
        if let Some(event) = self.pending.take() {
            return Ok(Some(event));
        }
        // The common case first: a whole message, all here.
        if self.frame.is_none() && self.is_receiving() {
            if let Some((header, n, kind)) = self.whole_frame_buffered() {
                return self
                    .take_whole_message(header, n, kind)
                    .map(|m| Some(Event::Message(m)));
            }
        }
        while self.is_receiving() {
            let frame = match self.frame {
                Some(frame) => frame,
                None => match FrameHeader::parse(&self.recv) {
                    Ok(Some((header, n))) => {
                        let frame = self.check_header(header)?;
                        self.counters.frames_in += 1;
                        self.charge_budget(&frame)?;
                        self.recv.advance(n);
                        self.frame = Some(frame);
                        frame
                    }
                    Ok(None) => return Ok(self.out_of_input()),
                    Err(e) => return Err(self.fail(e)),
                },
            };
            let available = self.recv.len().min(frame.len);
            if available > frame.done {
                let fresh = &mut self.recv[frame.done..available];
                if let Some(key) = frame.header.mask {
                    apply_mask(fresh, key, frame.taken + frame.done);
                }
                if frame.validate && self.recv_utf8.feed(fresh).is_err() {
                    return Err(self.fail(ProtocolError::InvalidUtf8));
                }
                if let Some(f) = self.frame.as_mut() {
                    f.done = available;
                }
            }
            if available < frame.len {
                if frame.streams
                    && self
                        .config
                        .message_parts
                        .is_some_and(|min| available >= min.max(1))
                {
                    return self.take_part(frame, available);
                }
                return Ok(self.out_of_input());
            }
            self.frame = None;
            // The common case first, and the event made where it is returned (handing it up
            // from a helper cost a copy per message).
            if let Some(kind) = frame.whole_message().filter(|_| frame.taken == 0) {
                let payload = self.recv.split_to(frame.len).freeze();
                let message = self.finish_message(kind, payload)?;
                return Ok(Some(Event::Message(message)));
            }
            let done = if frame.streams {
                self.take_part(frame, frame.len)
            } else {
                self.complete_frame(frame)
            };
            match done {
                Ok(None) => {}
                done => return done,
            }
        }
        Ok(self.pending.take())
    }

    /// The next event if it is a whole message of one frame, all buffered, handed out without
    /// the `Event` around it, the pending-event check or the frame state; `Ok(None)` for
    /// anything else (left to `poll_event`). The drive loop's receive path, through
    /// `crate::internal`.
    #[inline]
    pub(crate) fn poll_whole_message(&mut self) -> Result<Option<Message>, ProtocolError> {
        if self.frame.is_some() || self.pending.is_some() || !self.is_receiving() {
            return Ok(None);
        }
        let Some((header, n, kind)) = self.whole_frame_buffered() else {
            return Ok(None);
        };
        let message = self.take_whole_message(header, n, kind)?;
        if self.charged > 0 {
            self.settle_budget(); // as `poll_event` does once a message is complete
        }
        Ok(Some(message))
    }

    /// [`poll_event`](Self::poll_event), lending small messages: a whole message of one frame
    /// no longer than `buf` is unmasked into `buf` and given borrowed from there (no
    /// allocation, no reference count); any other event is given as `poll_event` gives it.
    /// `Ok(None)` means the same as there: nothing until more input arrives.
    ///
    /// ```
    /// # use sansock_core::*;
    /// # let (mut client, mut server) = sansock_core::testing::pair(ConnectionConfig::default());
    /// client.send("small").unwrap();
    /// client.ping(b"?").unwrap();
    /// server.handle_bytes(Timestamp::ZERO, client.transmit());
    /// let mut buf = [0u8; 256];
    /// let Ok(Some(EventRef::Message(message))) = server.poll_event_into(&mut buf) else { panic!() };
    /// assert_eq!(message.as_text(), Some("small"));
    /// let Ok(Some(EventRef::Event(Event::Ping(_)))) = server.poll_event_into(&mut buf) else { panic!() };
    /// assert_eq!(server.poll_event_into(&mut buf), Ok(None));
    /// ```
    ///
    /// # Errors
    /// As [`poll_event`](Self::poll_event).
    #[inline]
    pub fn poll_event_into<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<Option<EventRef<'b>>, ProtocolError> {
        if let Some(message) = self.poll_small_message(buf)? {
            return Ok(Some(EventRef::Message(message)));
        }
        Ok(self.poll_event()?.map(EventRef::Event))
    }

    /// The next event, if it is a whole message of one frame no longer than `buf`: unmasked
    /// into `buf`. `Ok(None)` for anything else (left to `poll_event`).
    #[inline]
    fn poll_small_message<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<Option<MessageRef<'b>>, ProtocolError> {
        if self.frame.is_some() || self.pending.is_some() || !self.is_receiving() {
            return Ok(None);
        }
        // Anything unusual (a header error among them) is left to `poll_event`.
        let Some((header, n, kind)) = self.whole_frame_buffered() else {
            return Ok(None);
        };
        let len = header.payload_len as usize;
        if len > buf.len() {
            return Ok(None);
        }
        self.counters.frames_in += 1;
        self.counters.messages_in += 1;
        let out = &mut buf[..len];
        out.copy_from_slice(&self.recv[n..n + len]);
        self.recv.advance(n + len);
        if let Some(key) = header.mask {
            apply_mask(out, key, 0);
        }
        match kind {
            MessageKind::Binary => Ok(Some(MessageRef::binary(out))),
            MessageKind::Text => match simdutf8::basic::from_utf8(out) {
                Ok(text) => Ok(Some(MessageRef::text(text))),
                Err(_) => Err(self.fail(ProtocolError::InvalidUtf8)),
            },
        }
    }

    /// The next frame, if it is a whole message (one unfragmented, untransformed text or binary
    /// frame that passes every header check) and all buffered: its header, the header's
    /// length and the message kind. Anything else is left to the general path.
    #[inline]
    fn whole_frame_buffered(&self) -> Option<(FrameHeader, usize, MessageKind)> {
        let Ok(Some((header, n))) = FrameHeader::parse(&self.recv) else {
            return None;
        };
        let kind = match header.opcode {
            OpCode::Text => MessageKind::Text,
            OpCode::Binary => MessageKind::Binary,
            _ => return None,
        };
        let len = header.payload_len;
        let whole = header.fin
            && header.rsv == 0
            && self.assembly.is_none()
            && header.mask.is_some() == (self.role == Role::Server)
            && len <= self.config.max_frame_size as u64
            && len <= self.config.max_message_size as u64
            && (self.recv.len() - n) as u64 >= len;
        whole.then_some((header, n, kind))
    }

    /// A whole message all buffered, the short way: no frame state, the payload unmasked in
    /// place and handed out as a slice of the receive buffer.
    #[inline]
    fn take_whole_message(
        &mut self,
        header: FrameHeader,
        n: usize,
        kind: MessageKind,
    ) -> Result<Message, ProtocolError> {
        self.counters.frames_in += 1;
        self.counters.messages_in += 1;
        self.recv.advance(n);
        let mut payload = self.recv.split_to(header.payload_len as usize);
        if let Some(key) = header.mask {
            apply_mask(&mut payload, key, 0);
        }
        let message = match kind {
            MessageKind::Binary => Message::Binary(payload.freeze()),
            MessageKind::Text => {
                if simdutf8::basic::from_utf8(&payload).is_err() {
                    return Err(self.fail(ProtocolError::InvalidUtf8));
                }
                Message::Text(Utf8Bytes::from_validated(payload.freeze()))
            }
        };
        Ok(message)
    }

    /// No complete frame is buffered: report the end if the transport ended.
    fn out_of_input(&mut self) -> Option<Event> {
        if self.recv.is_empty() && (self.recv_adopted || self.recv.capacity() > RETAIN_CAPACITY) {
            self.recv = BytesMut::new();
            self.recv_adopted = false;
        }
        if self.eof && self.is_receiving() {
            self.ended = true;
            self.finish_with(CloseCode::ABNORMAL, Ending::PeerDisconnected);
        }
        self.pending.take()
    }

    /// Checks what the header alone decides, before any payload is read (fail fast).
    fn check_header(&mut self, header: FrameHeader) -> Result<InFrame, ProtocolError> {
        let allowed_rsv = self.extension.as_ref().map_or(0, |e| e.rsv_bits());
        let error = match (self.role, header.mask) {
            (Role::Server, None) => Some(ProtocolError::UnmaskedFrame),
            (Role::Client, Some(_)) => Some(ProtocolError::MaskedFrame),
            _ => None,
        };
        let is_first = matches!(header.opcode, OpCode::Text | OpCode::Binary);
        let error = error.or(if let OpCode::Reserved(op) = header.opcode {
            Some(ProtocolError::ReservedOpcode(op))
        } else if header.rsv & !allowed_rsv != 0 || (header.rsv != 0 && !is_first) {
            Some(ProtocolError::ReservedBits)
        } else if header.opcode.is_control() && header.payload_len > MAX_CONTROL_PAYLOAD as u64 {
            Some(ProtocolError::ControlFrameTooLong)
        } else if header.opcode.is_control() && !header.fin {
            Some(ProtocolError::FragmentedControlFrame)
        } else if header.opcode == OpCode::Continuation && self.assembly.is_none() {
            Some(ProtocolError::UnexpectedContinuation)
        } else if is_first && self.assembly.is_some() {
            Some(ProtocolError::ExpectedContinuation)
        } else if header.payload_len > self.config.max_frame_size as u64 {
            Some(ProtocolError::FrameTooBig)
        } else if let (OpCode::Continuation, Some(a), Some(max)) = (
            header.opcode,
            self.assembly.as_mut(),
            self.config.max_fragments,
        ) {
            a.frames += 1;
            (a.frames > max).then_some(ProtocolError::TooManyFragments)
        } else {
            None
        });
        if let Some(error) = error {
            return Err(self.fail(error));
        }
        let len = header.payload_len as usize;
        let assembled = self.assembly_buf.len();
        let (transformed, text) = match (header.opcode, self.assembly) {
            (OpCode::Text, _) => (header.rsv != 0, true),
            (OpCode::Binary, _) => (header.rsv != 0, false),
            (OpCode::Continuation, Some(a)) => (a.rsv != 0, a.kind == MessageKind::Text),
            _ => (false, false),
        };
        // A transformed payload's size is checked while decoding; a plain one now.
        if !header.opcode.is_control()
            && !transformed
            && assembled
                .saturating_add(self.parted_len)
                .saturating_add(len)
                > self.config.max_message_size
        {
            return Err(self.fail(ProtocolError::MessageTooBig));
        }
        Ok(InFrame {
            header,
            len,
            done: 0,
            taken: 0,
            validate: text && !transformed,
            streams: self.config.message_parts.is_some()
                && !header.opcode.is_control()
                && !transformed,
        })
    }

    /// Hands out the first `n` bytes of the frame under way (unmasked and validated, at the
    /// front of the receive buffer) as a part: all of what is left of it, or (parts on) what is
    /// buffered so far. An empty part that does not end the message is not handed out.
    fn take_part(&mut self, frame: InFrame, n: usize) -> Result<Option<Event>, ProtocolError> {
        let header = frame.header;
        let kind = match (header.opcode, self.assembly) {
            (OpCode::Text, _) => MessageKind::Text,
            (OpCode::Binary, _) => MessageKind::Binary,
            (_, Some(a)) => a.kind,
            // `check_header` let only data frames stream, and continuations only in a message.
            _ => return Err(self.fail(ProtocolError::UnexpectedContinuation)),
        };
        let complete = n == frame.len;
        let is_last = complete && header.fin;
        let data = self.recv.split_to(n).freeze();
        if !complete {
            self.frame = Some(InFrame {
                len: frame.len - n,
                done: 0,
                taken: frame.taken + n,
                ..frame
            });
        } else if !header.fin && header.opcode != OpCode::Continuation {
            self.assembly = Some(Assembly {
                kind,
                rsv: 0,
                frames: 1,
            });
        }
        if is_last {
            self.counters.messages_in += 1;
            self.assembly = None;
            self.parted_len = 0;
            if kind == MessageKind::Text {
                if self.recv_utf8.finish().is_err() {
                    return Err(self.fail(ProtocolError::InvalidUtf8));
                }
                self.recv_utf8.reset();
            }
        } else {
            self.parted_len += n;
            if data.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(Event::Part(MessagePart {
            kind,
            data,
            is_last,
        })))
    }

    /// A whole frame's payload is at the front of the receive buffer, unmasked: anything but a
    /// whole plain message (`poll_event` handles those itself) or a part.
    fn complete_frame(&mut self, frame: InFrame) -> Result<Option<Event>, ProtocolError> {
        let header = frame.header;
        match header.opcode {
            OpCode::Text | OpCode::Binary => {
                let kind = if header.opcode == OpCode::Text {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                self.assembly = Some(Assembly {
                    kind,
                    rsv: header.rsv,
                    frames: 1,
                });
                self.append_fragment(frame.len, header.fin)
            }
            OpCode::Continuation => self.append_fragment(frame.len, header.fin),
            OpCode::Ping => {
                let payload = self.recv.split_to(frame.len).freeze();
                if self.config.auto_pong && !self.close_queued {
                    self.answer_ping(&payload);
                }
                Ok(Some(Event::Ping(payload)))
            }
            OpCode::Pong => {
                let payload = self.recv.split_to(frame.len).freeze();
                self.note_pong(&payload);
                Ok(Some(Event::Pong(payload)))
            }
            OpCode::Close => {
                let payload = self.recv.split_to(frame.len).freeze();
                self.receive_close(payload).map(Some)
            }
            OpCode::Reserved(op) => Err(self.fail(ProtocolError::ReservedOpcode(op))),
        }
    }

    /// Moves the frame payload (`len` bytes at the front of the receive buffer) into the
    /// assembly, through the extension if the message is transformed.
    fn append_fragment(&mut self, len: usize, fin: bool) -> Result<Option<Event>, ProtocolError> {
        let Some(assembly) = self.assembly else {
            return Err(self.fail(ProtocolError::UnexpectedContinuation));
        };
        if assembly.rsv == 0 {
            self.assembly_buf.extend_from_slice(&self.recv[..len]);
        } else {
            let before = self.assembly_buf.len();
            let max = self.config.max_message_size;
            let result = match self.extension.as_mut() {
                Some(ext) => ext.decode(
                    assembly.rsv,
                    &self.recv[..len],
                    fin,
                    &mut self.assembly_buf,
                    max,
                ),
                None => return Err(self.fail(ProtocolError::ReservedBits)),
            };
            if let Err(e) = result {
                let error = if e.code == CloseCode::MESSAGE_TOO_BIG {
                    ProtocolError::MessageTooBig
                } else {
                    ProtocolError::Extension {
                        code: e.code,
                        reason: e.reason,
                    }
                };
                return Err(self.fail(error));
            }
            if self.assembly_buf.len() > max {
                return Err(self.fail(ProtocolError::MessageTooBig));
            }
            let inflated = self.assembly_buf.len() - before;
            self.counters.bytes_saved += inflated.saturating_sub(len) as u64;
            if assembly.kind == MessageKind::Text
                && self.recv_utf8.feed(&self.assembly_buf[before..]).is_err()
            {
                return Err(self.fail(ProtocolError::InvalidUtf8));
            }
        }
        self.recv.advance(len);
        if !fin {
            return Ok(None);
        }
        self.assembly = None;
        let payload = self.assembly_buf.split().freeze();
        let message = self.finish_message(assembly.kind, payload)?;
        Ok(Some(Event::Message(message)))
    }

    fn finish_message(
        &mut self,
        kind: MessageKind,
        payload: Bytes,
    ) -> Result<Message, ProtocolError> {
        self.counters.messages_in += 1;
        let message = match kind {
            MessageKind::Binary => Message::Binary(payload),
            MessageKind::Text => {
                if self.recv_utf8.finish().is_err() {
                    return Err(self.fail(ProtocolError::InvalidUtf8));
                }
                self.recv_utf8.reset();
                Message::Text(Utf8Bytes::from_validated(payload))
            }
        };
        Ok(message)
    }

    /// The peer's close frame: echo it (if we have not closed yet) and report the end.
    fn receive_close(&mut self, payload: Bytes) -> Result<Event, ProtocolError> {
        let (code, reason) = match parse_close_payload(payload) {
            Ok(ParsedClose::NoCode) => (CloseCode::NO_STATUS, Utf8Bytes::default()),
            Ok(ParsedClose::Code(code, reason)) => (code, reason),
            Err(BadClose::OneByte) => return Err(self.fail(ProtocolError::CloseWithOneByte)),
            Err(BadClose::InvalidCode) => return Err(self.fail(ProtocolError::InvalidCloseCode)),
            Err(BadClose::Utf8) => return Err(self.fail(ProtocolError::InvalidUtf8)),
        };
        self.close_received = true;
        if !self.close_queued {
            self.initiator = Initiator::Remote;
            self.close_queued = true;
            let echo: &[u8] = if code == CloseCode::NO_STATUS {
                &[]
            } else {
                &code.0.to_be_bytes()
            };
            let mask = self.next_mask();
            self.out.frame(true, 0, OpCode::Close, echo, mask);
        }
        self.arm_close_deadline();
        if self.eof {
            self.ended = true;
        }
        Ok(Event::Closed(Closed {
            code,
            reason,
            initiator: self.initiator,
            ending: Ending::Clean,
        }))
    }

    /// Fails the connection: queues a close frame with the error's code (unless one was already
    /// sent) and stops receiving.
    pub(super) fn fail(&mut self, error: ProtocolError) -> ProtocolError {
        self.failed = true;
        self.frame = None;
        self.assembly = None;
        self.parted_len = 0;
        self.recv.clear();
        if !self.close_queued {
            self.close_queued = true;
            if self.initiator == Initiator::Neither {
                self.initiator = Initiator::Local;
            }
            let mask = self.next_mask();
            self.out.frame(
                true,
                0,
                OpCode::Close,
                &error.close_code().0.to_be_bytes(),
                mask,
            );
        }
        self.arm_close_deadline();
        error
    }
}
