//! What a case is: the steps the tester sends, and what it expects back.

use crate::corpus::Burst;
use crate::deflate::Answer;
use crate::wire::{Frame, op};

/// One thing the tester does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Writes these frames (masked as the tester's role requires, unless `wrong_mask`), all in
    /// one buffer, split into writes of `chop` bytes (0: one write).
    Send {
        /// The frames.
        frames: Vec<Frame>,
        /// Write size (0: everything at once).
        chop: usize,
        /// Mask a server's frames / leave a client's unmasked.
        wrong_mask: bool,
    },
    /// Waits this many milliseconds.
    Pause(u64),
    /// Sends a burst of messages, compressed with the agreed permessage-deflate (groups 12
    /// and 13); the peer must echo every one.
    Burst(Burst),
}

/// A message or pong the peer is expected to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obs {
    /// A text message.
    Text(Vec<u8>),
    /// A binary message.
    Binary(Vec<u8>),
    /// A pong with this payload.
    Pong(Vec<u8>),
}

/// How the connection must end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// After the observations the tester closes (1000); the peer must answer the close.
    Clean,
    /// The peer must fail the connection: a close frame with one of these codes (OK), another
    /// code or a dropped connection (NON-STRICT).
    Fail(Vec<u16>),
    /// The steps included a close: the peer must answer it, with one of these codes (empty: no
    /// code, or 1000).
    CloseReply(Vec<u16>),
}

/// One conformance case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `group.section.number`, e.g. `6.4.2`.
    pub id: String,
    /// What is tested, in words.
    pub title: String,
    /// What the tester does.
    pub steps: Vec<Step>,
    /// What the peer must send back, in order, before the end.
    pub expect: Vec<Obs>,
    /// How it must end.
    pub end: End,
    /// The longest the case may take, in seconds.
    pub limit_secs: u64,
    /// For the compression groups: how permessage-deflate is negotiated.
    pub deflate: Option<DeflateCase>,
}

/// How a compression case negotiates permessage-deflate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeflateCase {
    /// The tester as client: its `Sec-WebSocket-Extensions` offer.
    pub offer: String,
    /// The tester as server: how it answers the client's offer.
    pub answer: Answer,
}

impl Case {
    /// Everything the peer must send back: [`expect`](Self::expect), then the echo of each
    /// burst.
    pub fn expected(&self) -> Vec<Obs> {
        let mut all = self.expect.clone();
        for step in &self.steps {
            if let Step::Burst(b) = step {
                all.extend((0..b.count).map(|i| {
                    let m = b.message(i);
                    if b.corpus.is_text() {
                        Obs::Text(m)
                    } else {
                        Obs::Binary(m)
                    }
                }));
            }
        }
        all
    }

    /// The opcode of a burst's messages.
    pub fn burst_opcode(burst: &Burst) -> u8 {
        if burst.corpus.is_text() {
            op::TEXT
        } else {
            op::BINARY
        }
    }

    /// The group (the first number of the id).
    pub fn group(&self) -> u32 {
        self.id
            .split('.')
            .next()
            .and_then(|g| g.parse().ok())
            .unwrap_or(0)
    }
}
