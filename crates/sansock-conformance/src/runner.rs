//! Running one case on an open connection, in either role, and judging what came back.
//!
//! A writer thread performs the steps while this thread reads (so a peer that echoes while we
//! are still writing cannot deadlock us); pings from the peer are answered. The judgement is
//! Autobahn's: `behavior` compares the events received (messages, pongs, marks) with the case's
//! OK events, then its NON-STRICT ones; `behaviorClose` checks who closed, whether the close
//! handshake completed where the case requires it, the peer's close code, and (testing a
//! server) whether the server closed TCP. `strict` is the stricter reading of RFC 6455 §7.1.7:
//! a peer that fails the connection sends a close frame before dropping it. With
//! permessage-deflate agreed, the writer compresses bursts and the reader inflates what carries
//! RSV1; RSV bits anywhere else are a violation.

use crate::case::{Case, CloseRule, Judging, Obs, Step};
use crate::corpus::Burst;
use crate::deflate::{Agreed, Deflater, Inflater};
use crate::wire::{Frame, Received, close_payload, decode_at, op};
use serde::Serialize;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Which side the tester plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The tester is the client (it masks); the implementation under test is a server.
    Client,
    /// The tester is the server; the implementation under test is a client.
    Server,
}

/// A case's verdict, in one word (its behaviour and closing behaviour together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Verdict {
    /// As the RFC requires.
    Ok,
    /// Allowed, but not ideal (another close code, an unclean close, a server that left TCP to
    /// the client; with `--strict`, a connection failed without a close frame).
    NonStrict,
    /// Reported for information (what the RFC leaves open).
    Informational,
    /// The peer does not implement it (permessage-deflate not agreed).
    Unimplemented,
    /// Against the RFC.
    Failed,
}

/// Autobahn's words for a case's behaviour and closing behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Behavior {
    /// `OK`.
    #[serde(rename = "OK")]
    Ok,
    /// `NON-STRICT`.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// `INFORMATIONAL`.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// `UNIMPLEMENTED`.
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// `FAILED`.
    #[serde(rename = "FAILED")]
    Failed,
    /// `WRONG CODE`: a close code the case does not allow.
    #[serde(rename = "WRONG CODE")]
    WrongCode,
    /// `UNCLEAN`: the case requires a completed close handshake.
    #[serde(rename = "UNCLEAN")]
    Unclean,
    /// `FAILED BY CLIENT`: the server left closing TCP to the client.
    #[serde(rename = "FAILED BY CLIENT")]
    FailedByClient,
}

/// What happened in a case.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The case id.
    pub id: String,
    /// The case title.
    pub title: String,
    /// The verdict (by Autobahn's rules).
    pub verdict: Verdict,
    /// The verdict under the stricter reading (`--strict`).
    pub strict: Verdict,
    /// Autobahn's `behavior`.
    pub behavior: Behavior,
    /// Autobahn's `behaviorClose`.
    pub behavior_close: Behavior,
    /// The code of the peer's close frame.
    pub remote_close_code: Option<u16>,
    /// What was expected, in words.
    pub expected: String,
    /// What was observed, in words.
    pub observed: String,
    /// How long it took.
    pub millis: u128,
}

impl Outcome {
    /// An outcome judged outside a case run (a handshake that failed, an HTTP/2 check): both
    /// behaviours follow the verdict.
    pub fn plain(
        id: &str,
        title: &str,
        verdict: Verdict,
        expected: impl Into<String>,
        observed: impl Into<String>,
        millis: u128,
    ) -> Self {
        let behavior = match verdict {
            Verdict::Ok => Behavior::Ok,
            Verdict::NonStrict => Behavior::NonStrict,
            Verdict::Informational => Behavior::Informational,
            Verdict::Unimplemented => Behavior::Unimplemented,
            Verdict::Failed => Behavior::Failed,
        };
        Outcome {
            id: id.into(),
            title: title.into(),
            verdict,
            strict: verdict,
            behavior,
            behavior_close: behavior,
            remote_close_code: None,
            expected: expected.into(),
            observed: observed.into(),
            millis,
        }
    }

    /// The verdict under `--strict` if `strict`, else by Autobahn's rules.
    pub fn verdict(&self, strict: bool) -> Verdict {
        if strict { self.strict } else { self.verdict }
    }
}

/// What the peer did.
#[derive(Debug, Default)]
struct Seen {
    obs: Vec<Obs>,
    /// Marks the writer noted (the connection still open at a step).
    marks: Vec<Obs>,
    close: Option<Option<u16>>,
    /// The tester sent its close before the peer's (Autobahn's `closedByMe`).
    closed_by_me: bool,
    /// Close frames went both ways.
    was_clean: bool,
    /// The peer closed TCP without a close frame.
    dropped: bool,
    /// The tester closed TCP: at the case's deadline, or (testing a server) because the server
    /// did not after the close handshake.
    dropped_by_me: bool,
    timed_out: bool,
    protocol_violation: Option<String>,
}

/// What the writer and reader threads share: whether the connection is still open (marks are
/// noted only then), the marks, and how many messages have come (round trips wait for them).
#[derive(Debug, Default)]
struct Shared {
    open: std::sync::atomic::AtomicBool,
    marks: Mutex<Vec<Obs>>,
    messages: Mutex<usize>,
    arrived: std::sync::Condvar,
}

/// Masking keys for the tester's frames (no need for cryptographic randomness here).
struct Keys(u64);

impl Keys {
    fn next(&mut self) -> [u8; 4] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 as u32).to_ne_bytes()
    }
}

fn write_frame(
    out: &Mutex<TcpStream>,
    role: Role,
    keys: &Mutex<Keys>,
    frame: &Frame,
) -> std::io::Result<()> {
    let mask =
        (role == Role::Client).then(|| keys.lock().map(|mut k| k.next()).unwrap_or([1, 2, 3, 4]));
    let bytes = frame.encode(mask);
    match out.lock() {
        Ok(mut s) => s.write_all(&bytes),
        Err(_) => Err(std::io::Error::other("writer poisoned")),
    }
}

/// The largest message the tester inflates.
const INFLATE_LIMIT: usize = 64 << 20;

/// Runs `case` on `tcp` (handshake done; `leftover` are bytes read past it), with
/// permessage-deflate if `agreed`.
pub fn run(
    tcp: TcpStream,
    leftover: Vec<u8>,
    case: &Case,
    role: Role,
    agreed: Option<Agreed>,
) -> Outcome {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(case.limit_secs);
    let seen = drive(tcp, leftover, case, role, deadline, agreed);
    let judged = judge(case, &seen, role);
    Outcome {
        id: case.id.clone(),
        title: case.title.clone(),
        verdict: judged.verdict,
        strict: judged.strict,
        behavior: judged.behavior,
        behavior_close: judged.behavior_close,
        remote_close_code: seen.close.flatten(),
        expected: describe_expectation(case),
        observed: judged.observed,
        millis: start.elapsed().as_millis(),
    }
}

/// A compression case whose negotiation did not happen: UNIMPLEMENTED, and the connection
/// closed as Autobahn does (the tester closes with 1000; the close is judged).
pub fn not_agreed(
    tcp: TcpStream,
    leftover: Vec<u8>,
    case: &Case,
    role: Role,
    why: &str,
) -> Outcome {
    let mut closing = Case::new(
        case.id.clone(),
        case.title.clone(),
        Vec::new(),
        Vec::new(),
        CloseRule::clean(),
    );
    closing.limit_secs = 2;
    let mut outcome = run(tcp, leftover, &closing, role, None);
    outcome.behavior = Behavior::Unimplemented;
    outcome.verdict = Verdict::Unimplemented;
    outcome.strict = Verdict::Unimplemented;
    outcome.expected = "permessage-deflate agreed, then every message echoed".into();
    outcome.observed = format!("{why}; {}", outcome.observed);
    outcome
}

/// A message being received: its opcode, its bytes so far, whether RSV1 marked it compressed.
struct Assembling {
    opcode: u8,
    data: Vec<u8>,
    compressed: bool,
}

fn drive(
    tcp: TcpStream,
    leftover: Vec<u8>,
    case: &Case,
    role: Role,
    deadline: Instant,
    agreed: Option<Agreed>,
) -> Seen {
    let mut deadline = deadline;
    let _ = tcp.set_nodelay(true);
    let mut reader = match tcp.try_clone() {
        Ok(r) => r,
        Err(e) => {
            return Seen {
                protocol_violation: Some(format!("socket: {e}")),
                ..Seen::default()
            };
        }
    };
    let out = Arc::new(Mutex::new(tcp));
    let keys = Arc::new(Mutex::new(Keys(
        0x9e37_79b9_7f4a_7c15 ^ u64::from(case.id.len() as u32),
    )));
    let shared = Arc::new(Shared::default());
    shared.open.store(true, Ordering::SeqCst);
    let writer = {
        let (out, keys, steps, shared) = (
            out.clone(),
            keys.clone(),
            case.steps.clone(),
            shared.clone(),
        );
        let deflater = agreed.as_ref().map(Deflater::new);
        std::thread::spawn(move || {
            let mut w = Writer {
                out: &out,
                keys: &keys,
                role,
                shared: &shared,
                deadline,
            };
            w.perform(&steps, deflater);
        })
    };
    let mut inflater = agreed.as_ref().map(Inflater::new);
    let mut seen = Seen::default();
    let mut buf = leftover;
    let mut assembling: Option<Assembling> = None;
    // The tester's own close goes out with its steps in the cases that include one.
    // (A close frame with RSV bits is a protocol error the tester commits on purpose, not its
    // close: Autobahn writes it as a raw frame.)
    let mut sent_close = case.steps.iter().any(|s| {
        matches!(s, Step::Send { frames, .. }
            if frames.iter().any(|f| f.opcode == op::CLOSE && f.rsv == 0))
    });
    let mut chunk = vec![0u8; 256 << 10];
    let expected_count = case.expected().len();
    let auto_close = case.close.by_tester && !case.no_auto_close;
    loop {
        let mut used = 0;
        while let Some((Received { frame, masked }, n)) = decode_at(&buf[used..]) {
            used += n;
            if masked != (role == Role::Server) {
                seen.protocol_violation
                    .get_or_insert_with(|| "a frame masked the wrong way".into());
            }
            // RSV1 may start a compressed message once permessage-deflate is agreed; no other
            // frame may carry any RSV bit.
            let starts = matches!(frame.opcode, op::TEXT | op::BINARY);
            if frame.rsv != 0 && !(frame.rsv == 4 && starts && inflater.is_some()) {
                seen.protocol_violation.get_or_insert_with(|| {
                    format!(
                        "RSV bits {:#05b} on a frame with opcode {:#x}",
                        frame.rsv, frame.opcode
                    )
                });
            }
            match frame.opcode {
                op::PING => {
                    seen.obs.push(Obs::Ping(frame.payload.clone()));
                    let _ = write_frame(&out, role, &keys, &Frame::new(op::PONG, frame.payload));
                }
                op::PONG => seen.obs.push(Obs::Pong(frame.payload)),
                op::CLOSE => {
                    let code = (frame.payload.len() >= 2)
                        .then(|| u16::from_be_bytes([frame.payload[0], frame.payload[1]]));
                    if frame.payload.len() == 1 || code.is_some_and(|c| !valid_on_wire(c)) {
                        seen.protocol_violation.get_or_insert_with(|| {
                            format!("a close frame with an invalid payload {:?}", frame.payload)
                        });
                    }
                    seen.close = Some(code);
                    seen.closed_by_me = sent_close;
                    seen.was_clean = true;
                    if !sent_close {
                        let reply = code.map(|c| close_payload(c, b"")).unwrap_or_default();
                        let _ = write_frame(&out, role, &keys, &Frame::new(op::CLOSE, reply));
                    }
                    break;
                }
                op::TEXT | op::BINARY if assembling.is_none() => {
                    assembling = Some(Assembling {
                        opcode: frame.opcode,
                        data: frame.payload,
                        compressed: frame.rsv & 4 != 0,
                    });
                }
                op::CONT if assembling.is_some() => {
                    if let Some(a) = assembling.as_mut() {
                        a.data.extend_from_slice(&frame.payload);
                    }
                }
                other => {
                    seen.protocol_violation
                        .get_or_insert_with(|| format!("unexpected frame with opcode {other:#x}"));
                }
            }
            if frame.fin && matches!(frame.opcode, op::TEXT | op::BINARY | op::CONT) {
                if let Some(a) = assembling.take() {
                    match finish(a, inflater.as_mut()) {
                        Ok(obs) => {
                            seen.obs.push(obs);
                            if let Ok(mut n) = shared.messages.lock() {
                                *n += 1;
                            }
                            shared.arrived.notify_all();
                        }
                        Err(why) => {
                            seen.protocol_violation.get_or_insert(why);
                        }
                    }
                }
            }
        }
        buf.drain(..used);
        if seen.close.is_some() {
            break;
        }
        let close_normally = || {
            let bye = Frame::new(op::CLOSE, close_payload(1000, b""));
            let _ = write_frame(&out, role, &keys, &bye);
        };
        // The tester closes once everything expected came back (Autobahn's `finishWhenDone`).
        if auto_close && !sent_close && seen.obs.len() >= expected_count && writer.is_finished() {
            close_normally();
            sent_close = true;
        }
        let now = Instant::now();
        if now >= deadline && case.close_at_limit && !sent_close {
            // Autobahn's `closeAfter`: the tester closes, and gives the peer a second to answer.
            close_normally();
            sent_close = true;
            deadline = now + Duration::from_secs(1);
            continue;
        }
        if now >= deadline {
            // Autobahn's `killAfter`: the tester drops the connection.
            seen.timed_out = true;
            seen.dropped_by_me = true;
            break;
        }
        // Everything came back but the writer thread has not returned yet: look again soon.
        let poll = if seen.obs.len() >= expected_count && !sent_close {
            Duration::from_millis(1)
        } else {
            Duration::from_millis(50)
        };
        let _ = reader.set_read_timeout(Some((deadline - now).min(poll)));
        match reader.read(&mut chunk) {
            Ok(0) => {
                seen.dropped = true;
                break;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_wait(&e) => {}
            Err(_) => {
                seen.dropped = true;
                break;
            }
        }
    }
    shared.open.store(false, Ordering::SeqCst);
    shared.arrived.notify_all();
    if seen.close.is_none() {
        // No close came: the tester closed first if it sent one (Autobahn sets `closedByMe` as
        // it sends its close).
        seen.closed_by_me = sent_close;
    }
    // The end: a server closes TCP at once; a client gives the server a moment to do it first
    // (Autobahn's tester as a client drops it itself after a second: FAILED BY CLIENT).
    if role == Role::Client && seen.close.is_some() {
        let _ = reader.set_read_timeout(Some(Duration::from_millis(200)));
        let end = Instant::now() + Duration::from_secs(1);
        let mut closed = false;
        while Instant::now() < end {
            match reader.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(_) => {}
                Err(e) if is_wait(&e) => {}
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        seen.dropped_by_me = !closed;
    }
    if let Ok(s) = out.lock() {
        let _ = s.shutdown(Shutdown::Both);
    }
    let _ = writer.join();
    if let Ok(marks) = shared.marks.lock() {
        seen.marks = marks.clone();
    }
    seen
}

/// A read that only timed out (or was interrupted): nothing came yet.
fn is_wait(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::Interrupted
    )
}

/// Close codes a peer may send (RFC 6455 §7.4).
fn valid_on_wire(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// A received message, inflated if it was compressed.
fn finish(a: Assembling, inflater: Option<&mut Inflater>) -> Result<Obs, String> {
    let data = match (a.compressed, inflater) {
        (true, Some(i)) => i.inflate(&a.data, INFLATE_LIMIT)?,
        _ => a.data,
    };
    Ok(message(a.opcode, data))
}

fn message(opcode: u8, data: Vec<u8>) -> Obs {
    if opcode == op::TEXT {
        Obs::Text(data)
    } else {
        Obs::Binary(data)
    }
}

/// A burst's frames, compressed by `deflater` where it can (RSV1 on each message's first frame).
fn burst_bytes(
    burst: &Burst,
    deflater: Option<&mut Deflater>,
    keys: &Mutex<Keys>,
    masked: bool,
) -> Vec<u8> {
    let mut deflater = deflater;
    let opcode = Case::burst_opcode(burst);
    let mut bytes = Vec::new();
    for i in 0..burst.count {
        let plain = burst.message(i);
        let (payload, rsv) = match deflater.as_mut().and_then(|d| d.compress(&plain)) {
            Some(z) => (z, 4),
            None => (plain, 0),
        };
        let size = if burst.fragment == 0 {
            payload.len().max(1)
        } else {
            burst.fragment
        };
        let pieces: Vec<&[u8]> = if payload.is_empty() {
            vec![&[]]
        } else {
            payload.chunks(size).collect()
        };
        for (j, piece) in pieces.iter().enumerate() {
            let first = j == 0;
            let frame = Frame::new(if first { opcode } else { op::CONT }, piece.to_vec())
                .fin(j + 1 == pieces.len())
                .rsv(if first { rsv } else { 0 });
            let mask = masked.then(|| keys.lock().map(|mut k| k.next()).unwrap_or([1, 2, 3, 4]));
            bytes.extend_from_slice(&frame.encode(mask));
        }
    }
    bytes
}

/// The writer thread: performs the steps.
struct Writer<'a> {
    out: &'a Mutex<TcpStream>,
    keys: &'a Mutex<Keys>,
    role: Role,
    shared: &'a Shared,
    deadline: Instant,
}

impl Writer<'_> {
    fn mask(&self, masked: bool) -> Option<[u8; 4]> {
        masked.then(|| {
            self.keys
                .lock()
                .map(|mut k| k.next())
                .unwrap_or([1, 2, 3, 4])
        })
    }

    /// Writes `bytes` in pieces of `chop` (0: at once), flushing each.
    fn write(&self, bytes: &[u8], chop: usize) -> bool {
        let size = if chop == 0 { bytes.len().max(1) } else { chop };
        bytes.chunks(size).all(|piece| match self.out.lock() {
            Ok(mut s) => s.write_all(piece).and_then(|()| s.flush()).is_ok(),
            Err(_) => false,
        })
    }

    /// Notes a mark if the connection is still open; false (stop) if it is not.
    fn mark(&self, mark: char) -> bool {
        if !self.shared.open.load(Ordering::SeqCst) {
            return false;
        }
        if let Ok(mut marks) = self.shared.marks.lock() {
            marks.push(Obs::Mark(mark));
        }
        true
    }

    /// Waits `ms` milliseconds, or less if the connection ends meanwhile (then false).
    fn pause(&self, ms: u64) -> bool {
        let end = Instant::now() + Duration::from_millis(ms);
        let Ok(mut guard) = self.shared.messages.lock() else {
            return false;
        };
        loop {
            if !self.shared.open.load(Ordering::SeqCst) {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            guard = match self
                .shared
                .arrived
                .wait_timeout(guard, (end - now).min(Duration::from_millis(50)))
            {
                Ok((g, _)) => g,
                Err(_) => return false,
            };
        }
    }

    /// Waits until `n` messages have come (or the connection ended, or the deadline).
    fn wait_for(&self, n: usize) -> bool {
        let Ok(mut got) = self.shared.messages.lock() else {
            return false;
        };
        while *got < n {
            if !self.shared.open.load(Ordering::SeqCst) || Instant::now() >= self.deadline {
                return false;
            }
            got = match self
                .shared
                .arrived
                .wait_timeout(got, Duration::from_millis(50))
            {
                Ok((g, _)) => g,
                Err(_) => return false,
            };
        }
        true
    }

    /// Performs the steps; stops at the first failed write (the peer may have failed the
    /// connection) or mark after the connection ended.
    fn perform(&mut self, steps: &[Step], mut deflater: Option<Deflater>) {
        let client = self.role == Role::Client;
        for step in steps {
            let going = match step {
                Step::Pause(ms) => self.pause(*ms),
                Step::Mark(mark) => self.mark(*mark),
                Step::Burst(burst) => {
                    let bytes = burst_bytes(burst, deflater.as_mut(), self.keys, client);
                    self.write(&bytes, 0)
                }
                Step::Send {
                    frames,
                    chop,
                    wrong_mask,
                } => {
                    let masked = client != *wrong_mask;
                    let bytes: Vec<u8> = frames
                        .iter()
                        .flat_map(|f| f.encode(self.mask(masked)))
                        .collect();
                    self.write(&bytes, *chop)
                }
                Step::Pieces {
                    frame,
                    cuts,
                    pause,
                    marks,
                } => {
                    let bytes = frame.encode(self.mask(client));
                    let header = bytes.len() - frame.payload.len();
                    let mut from = 0;
                    let mut going = true;
                    for (cut, mark) in cuts.iter().zip(marks) {
                        let to = (header + cut).min(bytes.len());
                        going = self.write(&bytes[from..to], 0);
                        from = to;
                        if !going {
                            break;
                        }
                        going = self.pause(*pause) && self.mark(*mark);
                        if !going {
                            break;
                        }
                    }
                    going && self.write(&bytes[from..], 0)
                }
                Step::RoundTrips {
                    opcode,
                    payload,
                    count,
                } => (0..*count).all(|i| {
                    let frame = Frame::new(*opcode, payload.clone());
                    self.write(&frame.encode(self.mask(client)), 0) && self.wait_for(i + 1)
                }),
            };
            if !going {
                return;
            }
        }
    }
}

fn show(obs: &Obs) -> String {
    let short = |b: &[u8]| {
        if b.len() <= 24 {
            format!("{:?}", String::from_utf8_lossy(b))
        } else {
            format!("{} bytes", b.len())
        }
    };
    match obs {
        Obs::Text(b) => format!("text {}", short(b)),
        Obs::Binary(b) => format!("binary {}", short(b)),
        Obs::Pong(b) => format!("pong {}", short(b)),
        Obs::Mark(m) => format!("still open at {m}"),
        Obs::Ping(b) => format!("ping {}", short(b)),
    }
}

fn show_all(obs: &[Obs]) -> String {
    if obs.len() > 20 {
        format!("{} messages", obs.len())
    } else if obs.is_empty() {
        "nothing".into()
    } else {
        obs.iter().map(show).collect::<Vec<_>>().join(", ")
    }
}

fn describe_expectation(case: &Case) -> String {
    let mut words = show_all(&case.expected());
    if let Some(other) = &case.non_strict {
        words.push_str(&format!(" (NON-STRICT: {})", show_all(other)));
    }
    let rule = &case.close;
    let who = if rule.by_tester {
        "we close"
    } else {
        "the peer fails the connection"
    };
    let how = if rule.clean {
        "cleanly"
    } else {
        "(dropping TCP allowed)"
    };
    format!("{words}; then {who} {how}, codes {:?}", rule.codes)
}

/// A case's judgement.
struct Judged {
    verdict: Verdict,
    strict: Verdict,
    behavior: Behavior,
    behavior_close: Behavior,
    observed: String,
}

/// The judgement, by Autobahn's rules (see the module's doc).
fn judge(case: &Case, seen: &Seen, role: Role) -> Judged {
    let mut received = seen.marks.clone();
    received.extend(seen.obs.iter().cloned());
    let expected = case.expected();
    let mut words = vec![if received.len() > 20 {
        let intact = received
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a == b)
            .count();
        format!("{} messages, {intact} of them as sent", received.len())
    } else {
        show_all(&received)
    }];
    let who = if seen.closed_by_me {
        "answered our close"
    } else {
        "closed"
    };
    match seen.close {
        Some(Some(code)) => words.push(format!("{who} with {code}")),
        Some(None) => words.push(format!("{who} without a code")),
        None if seen.dropped => words.push("TCP closed without a close frame".into()),
        None if seen.timed_out => words.push(format!("nothing more within {} s", case.limit_secs)),
        None => {}
    }
    if seen.dropped_by_me && seen.close.is_some() {
        words.push("the server did not close TCP after the close handshake".into());
    }
    if let Some(v) = &seen.protocol_violation {
        words.push(v.clone());
    }
    let observed = words.join(", ");

    let mut behavior = if seen.protocol_violation.is_some() {
        Behavior::Failed
    } else if received == expected {
        Behavior::Ok
    } else if case.non_strict.as_ref() == Some(&received) {
        Behavior::NonStrict
    } else {
        Behavior::Failed
    };
    let rule = &case.close;
    let code = seen.close.flatten();
    let behavior_close = if rule.by_tester != seen.closed_by_me {
        if rule.wrong_side_fails {
            behavior = Behavior::Failed;
        }
        Behavior::Failed
    } else if rule.clean && !seen.was_clean {
        Behavior::Unclean
    } else if code.is_some_and(|c| !rule.codes.contains(&c)) {
        Behavior::WrongCode
    } else if role == Role::Client && seen.dropped_by_me {
        Behavior::FailedByClient
    } else {
        Behavior::Ok
    };
    if case.judging == Judging::WrongCodeFails && behavior_close == Behavior::WrongCode {
        behavior = Behavior::Failed;
    }
    if case.judging == Judging::Informational {
        let verdict = Verdict::Informational;
        return Judged {
            verdict,
            strict: verdict,
            behavior: Behavior::Informational,
            behavior_close: Behavior::Informational,
            observed,
        };
    }
    let verdict = match (behavior, behavior_close) {
        (Behavior::Failed, _) | (_, Behavior::Failed) => Verdict::Failed,
        (Behavior::NonStrict, _)
        | (_, Behavior::Unclean | Behavior::WrongCode | Behavior::FailedByClient) => {
            Verdict::NonStrict
        }
        _ => Verdict::Ok,
    };
    // RFC 6455 §7.1.7: an endpoint failing the connection SHOULD send a close frame first.
    let strict = if verdict == Verdict::Ok && !rule.by_tester && seen.close.is_none() {
        Verdict::NonStrict
    } else {
        verdict
    };
    Judged {
        verdict,
        strict,
        behavior,
        behavior_close,
        observed,
    }
}
