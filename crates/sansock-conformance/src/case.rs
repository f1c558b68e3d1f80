//! What a case is: the steps the tester sends, and what it expects back — modelled on the
//! Autobahn|Testsuite's cases: the events expected for OK (and, where a case allows it, for
//! NON-STRICT), and how the connection must end (who closes, with which codes, cleanly or not).

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
    /// Notes `Obs::Mark` with this letter if the connection is still open (the peer neither
    /// closed nor dropped it); otherwise stops the steps.
    Mark(char),
    /// One frame written in pieces: its header and payload up to each cut, then the rest, with
    /// a pause and a mark (as [`Step::Mark`]) after each piece but the last.
    Pieces {
        /// The frame.
        frame: Frame,
        /// Where the payload is cut (ascending).
        cuts: Vec<usize>,
        /// Milliseconds between pieces.
        pause: u64,
        /// The marks after the pieces.
        marks: Vec<char>,
        /// Frames written with the last piece (Autobahn's streaming `endMessage`: an empty
        /// final continuation after a frame sent without FIN).
        tail: Vec<Frame>,
    },
    /// `count` messages of this opcode and payload, each sent once the previous one came back.
    RoundTrips {
        /// Text or binary.
        opcode: u8,
        /// The payload.
        payload: Vec<u8>,
        /// How many.
        count: usize,
    },
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
    /// The connection was still open at a [`Step::Mark`].
    Mark(char),
}

/// How the connection must end (Autobahn's `expectedClose`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseRule {
    /// The tester starts the close (after the expected events); otherwise the peer must.
    pub by_tester: bool,
    /// The close codes the peer may send (none at all is also accepted).
    pub codes: Vec<u16>,
    /// The close handshake must complete (close frames both ways); otherwise dropping TCP is
    /// accepted.
    pub clean: bool,
    /// Closed by the wrong side fails the case, not only its closing behaviour (the UTF-8
    /// cases).
    pub wrong_side_fails: bool,
}

impl CloseRule {
    /// The tester closes with 1000 once the expected events came; a clean close handshake.
    pub fn clean() -> Self {
        CloseRule::by_tester(&[1000], true)
    }

    /// The tester has sent (or will send) a close; the peer answers with one of `codes`.
    pub fn by_tester(codes: &[u16], clean: bool) -> Self {
        CloseRule {
            by_tester: true,
            codes: codes.to_vec(),
            clean,
            wrong_side_fails: false,
        }
    }

    /// The peer must fail the connection: a close with one of `codes`, or TCP dropped.
    pub fn fail(codes: &[u16]) -> Self {
        CloseRule {
            by_tester: false,
            codes: codes.to_vec(),
            clean: false,
            wrong_side_fails: false,
        }
    }

    /// As [`fail`](Self::fail), and the tester closing first fails the case.
    pub fn fail_fatal(codes: &[u16]) -> Self {
        CloseRule {
            wrong_side_fails: true,
            ..CloseRule::fail(codes)
        }
    }
}

/// How a case is judged beyond its events and close rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judging {
    /// By events and close rule.
    Normal,
    /// A wrong close code fails the case (Autobahn's group 7).
    WrongCodeFails,
    /// Reported, never judged: what the RFC leaves open (7.1.6, 7.13.x).
    Informational,
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
    /// What the peer must send back, in order, before the end (OK).
    pub expect: Vec<Obs>,
    /// Other events accepted as NON-STRICT (Autobahn's alternative expectation).
    pub non_strict: Option<Vec<Obs>>,
    /// How it must end.
    pub close: CloseRule,
    /// How it is judged.
    pub judging: Judging,
    /// The tester does not close by itself (the steps include the closes it sends).
    pub no_auto_close: bool,
    /// At the time limit the tester closes (Autobahn's `closeAfter`) rather than dropping the
    /// connection (its `killAfter`).
    pub close_at_limit: bool,
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
    /// A case with these steps and OK events, closed as `close` says, judged normally.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        steps: Vec<Step>,
        expect: Vec<Obs>,
        close: CloseRule,
    ) -> Self {
        Case {
            id: id.into(),
            title: title.into(),
            steps,
            expect,
            non_strict: None,
            close,
            judging: Judging::Normal,
            no_auto_close: false,
            close_at_limit: false,
            limit_secs: 10,
            deflate: None,
        }
    }

    /// Everything the peer must send back: [`expect`](Self::expect), then the echo of each
    /// burst and round trip.
    pub fn expected(&self) -> Vec<Obs> {
        let mut all = self.expect.clone();
        for step in &self.steps {
            if let Step::Burst(b) = step {
                all.extend((0..b.messages()).map(|i| {
                    let m = b.message(i);
                    if b.corpus.is_text() {
                        Obs::Text(m)
                    } else {
                        Obs::Binary(m)
                    }
                }));
            }
            if let Step::RoundTrips {
                opcode,
                payload,
                count,
            } = step
            {
                let one = if *opcode == op::TEXT {
                    Obs::Text(payload.clone())
                } else {
                    Obs::Binary(payload.clone())
                };
                all.extend(std::iter::repeat_n(one, *count));
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

    /// The group (the first number of the id; the tester's own cases, `x1.3.1`, count in
    /// their group too).
    pub fn group(&self) -> u32 {
        self.id
            .trim_start_matches('x')
            .split('.')
            .next()
            .and_then(|g| g.parse().ok())
            .unwrap_or(0)
    }
}
