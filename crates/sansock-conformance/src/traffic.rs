//! What the tester writes, step by step, as Autobahn's tester writes it: a case's steps turned
//! into [`Action`]s — each write as one write to the socket, the pauses, the marks, and the
//! waits for an echo — which the runner's writer performs and [`record`] summarises, so a test
//! can hold the tester's traffic against a table derived from Autobahn's own code
//! (`autobahn/derive_frames.py`, `tests/autobahn_traffic.rs`).
//!
//! Autobahn's rules, from its `autobahn.websocket.protocol.WebSocketProtocol` (0.10.9, the
//! version `autobahntestsuite` 0.8.2 pins):
//!
//! - Frames written in one callback leave in one write: `sendData` calls `transport.write`,
//!   and Twisted sends what a reactor turn wrote at once. A frame sent with `sync=True` or a
//!   `chopsize` goes through the send queue, one write a turn (`_send` re-arms itself with
//!   `call_later`) — [`Step::Send`]'s `chop`, and one `Send` a frame.
//! - `sendMessage(payload, fragmentSize=n)` marks a fragment final only when the next offset
//!   passes the end (`sendMessageHybi`), so a payload whose length is a multiple of `n` (and
//!   longer than `n`) ends with an empty continuation frame: [`fragments`].
//! - Groups 12 and 13 send one message, then the next when its echo came (`Case12_X_X`'s
//!   `onMessage` calls `sendOne`), as 9.7 and 9.8 do.

use crate::case::{Case, Step};
use crate::corpus::Burst;
use crate::deflate::Deflater;
use crate::wire::{Frame, op};
use sha1::{Digest, Sha1};
use std::ops::Range;

/// One thing the writer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// One write of these bytes.
    Write(Vec<u8>),
    /// A pause of this many milliseconds (Autobahn's `continueLater`).
    Pause(u64),
    /// The connection must still be open here (a mark of [`Step::Mark`] or [`Step::Pieces`]).
    Mark(char),
    /// Wait until this many messages have come back.
    AwaitEcho(usize),
}

/// Where a message of `len` bytes is cut into frames of `size` bytes, as Autobahn's
/// `sendMessageHybi` cuts it: one frame when `len <= size`; otherwise frames of `size` bytes
/// and the rest, and — when `len` is a multiple of `size` — a last, empty frame, because its
/// loop sets FIN only when the next offset passes the end.
pub fn fragments(len: usize, size: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(len / size.max(1) + 1);
    if size == 0 || len <= size {
        out.push(0..len);
        return out;
    }
    let mut at = 0;
    loop {
        let end = at + size;
        if end > len {
            out.push(at..len);
            return out;
        }
        out.push(at..end);
        at = end;
    }
}

/// A message in frames of `size` bytes cut by [`fragments`]: the first with `opcode` and
/// `rsv`, the others continuations, FIN on the last.
pub fn message_frames(opcode: u8, rsv: u8, payload: &[u8], size: usize) -> Vec<Frame> {
    let cuts = fragments(payload.len(), size);
    let last = cuts.len() - 1;
    cuts.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let first = i == 0;
            Frame::new(if first { opcode } else { op::CONT }, &payload[r])
                .fin(i == last)
                .rsv(if first { rsv } else { 0 })
        })
        .collect()
}

/// How the writer masks and compresses: a mask for each frame (`None` for a server's
/// frames), the agreed compressor, and how many echoes earlier steps waited for.
pub struct Writing<'a> {
    /// The next frame's mask, if the tester masks (or must mask wrongly).
    pub mask: &'a mut dyn FnMut(bool) -> Option<[u8; 4]>,
    /// Whether the tester's frames are masked (it is the client).
    pub masks: bool,
    /// The agreed permessage-deflate compressor, if any.
    pub deflater: Option<&'a mut Deflater>,
    /// Messages the steps so far waited to come back.
    pub echoes: usize,
}

/// Performs `step` as actions, handing each to `act`; stops (false) when `act` does.
pub fn play(step: &Step, w: &mut Writing<'_>, act: &mut dyn FnMut(Action) -> bool) -> bool {
    match step {
        Step::Pause(ms) => act(Action::Pause(*ms)),
        Step::Mark(mark) => act(Action::Mark(*mark)),
        Step::Send {
            frames,
            chop,
            wrong_mask,
        } => {
            let masked = w.masks != *wrong_mask;
            let bytes: Vec<u8> = frames
                .iter()
                .flat_map(|f| f.encode((w.mask)(masked)))
                .collect();
            if *chop == 0 {
                act(Action::Write(bytes))
            } else {
                bytes.chunks(*chop).all(|c| act(Action::Write(c.to_vec())))
            }
        }
        Step::Pieces {
            frame,
            cuts,
            pause,
            marks,
            tail,
        } => {
            let bytes = frame.encode((w.mask)(w.masks));
            let header = bytes.len() - frame.payload.len();
            let mut from = 0;
            for (cut, mark) in cuts.iter().zip(marks) {
                let to = (header + cut).min(bytes.len());
                if !(act(Action::Write(bytes[from..to].to_vec()))
                    && act(Action::Pause(*pause))
                    && act(Action::Mark(*mark)))
                {
                    return false;
                }
                from = to;
            }
            let mut last = bytes[from..].to_vec();
            for f in tail {
                last.extend(f.encode((w.mask)(w.masks)));
            }
            act(Action::Write(last))
        }
        Step::RoundTrips {
            opcode,
            payload,
            count,
        } => (0..*count).all(|_| {
            let bytes = Frame::new(*opcode, payload.clone()).encode((w.mask)(w.masks));
            w.echoes += 1;
            act(Action::Write(bytes)) && act(Action::AwaitEcho(w.echoes))
        }),
        Step::Burst(burst) => (0..burst.messages()).all(|i| {
            let plain = burst.message(i);
            let (payload, rsv) = match w.deflater.as_mut().and_then(|d| d.compress(&plain)) {
                Some(z) => (z, 4),
                None => (plain, 0),
            };
            let bytes: Vec<u8> =
                message_frames(Case::burst_opcode(burst), rsv, &payload, burst.fragment)
                    .iter()
                    .flat_map(|f| f.encode((w.mask)(w.masks)))
                    .collect();
            w.echoes += 1;
            act(Action::Write(bytes)) && act(Action::AwaitEcho(w.echoes))
        }),
    }
}

/// What a case writes, summarised as `autobahn/derive_frames.py` summarises Autobahn's (the
/// tester as a server: no masks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// Writes and pauses, the frames, and a digest of every byte written.
    Frames {
        /// Runs of writes and pauses.
        writes: Vec<Run>,
        /// Runs of frames: opcode, FIN, RSV, payload length, how many.
        frames: Vec<(u8, bool, u8, usize, usize)>,
        /// SHA-1 of everything written, hex.
        sha1: String,
    },
    /// Groups 12 and 13: the messages before compression.
    Messages {
        /// How many.
        count: usize,
        /// Binary or text.
        binary: bool,
        /// SHA-1 over each message's length (8 bytes, big-endian) and bytes, hex.
        digest: String,
        /// The frame size of the compressed payload (0: one frame).
        fragment: usize,
    },
}

/// A run in a [`Record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// `count` writes of `len` bytes, each after the echo of the message before it when
    /// `after_echo`.
    Writes {
        /// Bytes a write.
        len: usize,
        /// Made once the previous message came back.
        after_echo: bool,
        /// How many.
        count: usize,
    },
    /// A pause, in milliseconds.
    Pause(u64),
}

/// The record of `case`'s steps (see [`Record`]).
pub fn record(case: &Case) -> Record {
    if let Some(Step::Burst(b)) = case.steps.first() {
        return burst_record(b);
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut stream = Vec::new();
    let mut after_echo = false;
    let mut no_mask = |_: bool| None;
    let mut w = Writing {
        mask: &mut no_mask,
        masks: false,
        deflater: None,
        echoes: 0,
    };
    for step in &case.steps {
        play(step, &mut w, &mut |a| {
            match a {
                Action::Write(bytes) => {
                    let len = bytes.len();
                    stream.extend_from_slice(&bytes);
                    match runs.last_mut() {
                        Some(Run::Writes {
                            len: l,
                            after_echo: e,
                            count,
                        }) if *l == len && *e == after_echo => *count += 1,
                        _ => runs.push(Run::Writes {
                            len,
                            after_echo,
                            count: 1,
                        }),
                    }
                    after_echo = false;
                }
                Action::Pause(ms) => runs.push(Run::Pause(ms)),
                Action::Mark(_) => {}
                Action::AwaitEcho(_) => after_echo = true,
            }
            true
        });
    }
    Record::Frames {
        writes: runs,
        frames: frame_runs(&stream),
        sha1: hex(&Sha1::digest(&stream)),
    }
}

fn burst_record(b: &Burst) -> Record {
    let mut digest = Sha1::new();
    let count = b.messages();
    for i in 0..count {
        let m = b.message(i);
        digest.update((m.len() as u64).to_be_bytes());
        digest.update(&m);
    }
    Record::Messages {
        count,
        binary: !b.corpus.is_text(),
        digest: hex(&digest.finalize()),
        fragment: b.fragment,
    }
}

/// The frames of an unmasked stream, run-length coded.
fn frame_runs(stream: &[u8]) -> Vec<(u8, bool, u8, usize, usize)> {
    let mut out: Vec<(u8, bool, u8, usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some((r, used)) = crate::wire::decode_at(&stream[at..]) {
        at += used;
        let f = r.frame;
        let key = (f.opcode, f.fin, f.rsv, f.payload.len());
        match out.last_mut() {
            Some(last) if (last.0, last.1, last.2, last.3) == key => last.4 += 1,
            _ => out.push((key.0, key.1, key.2, key.3, 1)),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiple_of_the_fragment_size_ends_with_an_empty_frame() {
        assert_eq!(fragments(0, 64), vec![0..0]);
        assert_eq!(fragments(64, 64), vec![0..64]);
        assert_eq!(fragments(65, 64), vec![0..64, 64..65]);
        assert_eq!(fragments(128, 64), vec![0..64, 64..128, 128..128]);
        assert_eq!(fragments(3, 1), vec![0..1, 1..2, 2..3, 3..3]);
        let frames = message_frames(op::TEXT, 4, b"abcd", 2);
        let shape: Vec<_> = frames
            .iter()
            .map(|f| (f.opcode, f.fin, f.rsv, f.payload.len()))
            .collect();
        assert_eq!(
            shape,
            [
                (op::TEXT, false, 4, 2),
                (op::CONT, false, 0, 2),
                (op::CONT, true, 0, 0)
            ]
        );
    }
}
