//! Running one case on an open connection, in either role, and judging what came back.
//!
//! A writer thread performs the steps (as [`crate::traffic`] spells them out: Autobahn's
//! writes, pauses and waits) while this thread reads, so a peer that echoes while we are still
//! writing cannot deadlock us. What the peer sends goes through [`Receiver`], the tester's end
//! kept as Autobahn keeps its own: the events it records, its answers (pongs, closes), how it
//! fails the connection on an invalid frame. At the case's time limit the tester closes (its
//! `closeAfter`: a close without a code) or fails the connection (`killAfter`: a close with
//! 1001); a close unanswered within a second, or — testing a server — TCP left open a second
//! after the close handshake, and it drops the connection.
//!
//! The judgement is Autobahn's (`Case.onConnectionLost`): `behavior` compares the events
//! received (messages, pongs, marks) with the case's OK events, then its NON-STRICT ones;
//! `behaviorClose` checks who closed, whether the close handshake completed where the case
//! requires it, the peer's close code, and (testing a server) whether the server closed TCP.
//! `strict` is the stricter reading of RFC 6455 §7.1.7: a peer that fails the connection sends
//! a close frame before dropping it.

use crate::case::{Case, CloseRule, Judging, Obs, Step};
use crate::deflate::{Agreed, Deflater, Inflater};
use crate::receiver::{Receiver, State};
use crate::traffic::{self, Action, Writing};
use crate::wire::{Frame, op};
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

/// What happened on the connection: the tester's end as Autobahn keeps it, and how it ended.
#[derive(Debug)]
struct Seen {
    /// Events, who closed, codes (see [`Receiver`]).
    rx: Receiver,
    /// Marks the writer noted (the connection still open at a step).
    marks: Vec<Obs>,
    /// The peer closed TCP first.
    dropped: bool,
    /// The case's time limit came.
    timed_out: bool,
    /// The socket failed.
    socket_error: Option<String>,
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

/// The next masking key from `keys` if the frame is `masked`.
fn mask_from(keys: &Mutex<Keys>, masked: bool) -> Option<[u8; 4]> {
    masked.then(|| keys.lock().map(|mut k| k.next()).unwrap_or([1, 2, 3, 4]))
}

fn write_frame(
    out: &Mutex<TcpStream>,
    role: Role,
    keys: &Mutex<Keys>,
    frame: &Frame,
) -> std::io::Result<()> {
    let bytes = frame.encode(mask_from(keys, role == Role::Client));
    match out.lock() {
        Ok(mut s) => s.write_all(&bytes),
        Err(_) => Err(std::io::Error::other("writer poisoned")),
    }
}

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
        remote_close_code: seen.rx.remote_close_code,
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

/// Autobahn's `closeHandshakeTimeout` and `serverConnectionDropTimeout`: how long the tester
/// waits for the answer to its close, and (as a client) for the server to close TCP.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

fn drive(
    tcp: TcpStream,
    leftover: Vec<u8>,
    case: &Case,
    role: Role,
    deadline: Instant,
    agreed: Option<Agreed>,
) -> Seen {
    let mut rx = Receiver::new(role, agreed.as_ref().map(Inflater::new));
    if case.id.starts_with('x') {
        rx = rx.with_registered_codes();
    }
    let _ = tcp.set_nodelay(true);
    let mut reader = match tcp.try_clone() {
        Ok(r) => r,
        Err(e) => {
            return Seen {
                rx,
                marks: Vec::new(),
                dropped: false,
                timed_out: false,
                socket_error: Some(format!("socket: {e}")),
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
    // A case that sends a close frame itself (Autobahn's `sendClose`/`sendCloseFrame` in its
    // `onOpen`) is closing from the start. (A close frame with RSV bits is a protocol error the
    // tester commits on purpose, written as a raw frame: 3.7.)
    if case.steps.iter().any(|s| {
        matches!(s, Step::Send { frames, .. }
            if frames.iter().any(|f| f.opcode == op::CLOSE && f.rsv == 0))
    }) {
        rx.sent_close();
    }
    let mut seen_dropped = false;
    let mut timed_out = false;
    let mut buf = leftover;
    let mut chunk = vec![0u8; 256 << 10];
    let expected: Vec<Obs> = case
        .expected()
        .into_iter()
        .filter(|o| !matches!(o, Obs::Mark(_)))
        .collect();
    // Autobahn's `finishWhenDone` closes once the events match every expectation: with a
    // NON-STRICT alternative, never (the time limit closes).
    let auto_close = case.close.by_tester && !case.no_auto_close && case.non_strict.is_none();
    let mut closing_since: Option<Instant> = None;
    let mut messages = 0;
    loop {
        rx.receive(&mut buf);
        for frame in rx.take_output() {
            let _ = write_frame(&out, role, &keys, &frame);
        }
        let now = Instant::now();
        if rx.state == State::Closing && closing_since.is_none() {
            closing_since = Some(now);
        }
        let count = rx
            .received
            .iter()
            .filter(|o| matches!(o, Obs::Text(_) | Obs::Binary(_)))
            .count();
        if count != messages {
            messages = count;
            if let Ok(mut n) = shared.messages.lock() {
                *n = count;
            }
            shared.arrived.notify_all();
        }
        if rx.state == State::Closed {
            break;
        }
        if auto_close && rx.state == State::Open && writer.is_finished() && rx.received == expected
        {
            rx.close(case.close.codes.first().copied().or(Some(1000)), b"");
            continue;
        }
        if let Some(since) = closing_since {
            // Our close unanswered (`onCloseHandshakeTimeout`), or — as a client — the server
            // not closing TCP after the handshake (`onServerConnectionDropTimeout`; a client
            // that answered the server's close waits for the case's end instead).
            let waited = now >= since + CLOSE_WAIT;
            if waited && (!rx.was_clean || (role == Role::Client && rx.closed_by_me)) {
                rx.drop_connection();
                break;
            }
        }
        if now >= deadline && !timed_out {
            timed_out = true;
            if case.close_at_limit {
                // Autobahn's `closeAfter`: `sendClose()`, a close frame without a code.
                rx.close(None, b"");
            } else {
                // Its `killAfter`: `failConnection()`, a close with 1001 while open, a drop
                // while closing.
                rx.fail(1001, "Going Away");
            }
            continue;
        }
        if now >= deadline + CLOSE_WAIT * 2 {
            rx.drop_connection();
            break;
        }
        // Everything came back but the writer thread has not returned yet: look again soon.
        let poll = if rx.received.len() >= expected.len() && rx.state == State::Open {
            Duration::from_millis(1)
        } else {
            Duration::from_millis(50)
        };
        let wake = [
            Some(deadline),
            closing_since.map(|t| t + CLOSE_WAIT),
            Some(deadline + CLOSE_WAIT * 2),
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .min()
        .unwrap_or(now + poll);
        let _ = reader.set_read_timeout(Some((wake - now).clamp(Duration::from_millis(1), poll)));
        match reader.read(&mut chunk) {
            Ok(0) => {
                seen_dropped = true;
                rx.peer_dropped();
                break;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_wait(&e) => {}
            Err(_) => {
                seen_dropped = true;
                rx.peer_dropped();
                break;
            }
        }
    }
    shared.open.store(false, Ordering::SeqCst);
    shared.arrived.notify_all();
    if let Ok(s) = out.lock() {
        let _ = s.shutdown(Shutdown::Both);
    }
    let _ = writer.join();
    let marks = shared.marks.lock().map(|m| m.clone()).unwrap_or_default();
    Seen {
        rx,
        marks,
        dropped: seen_dropped,
        timed_out,
        socket_error: None,
    }
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

/// The writer thread: performs the steps.
struct Writer<'a> {
    out: &'a Mutex<TcpStream>,
    keys: &'a Mutex<Keys>,
    role: Role,
    shared: &'a Shared,
    deadline: Instant,
}

impl Writer<'_> {
    /// One write of `bytes`, flushed.
    fn write(&self, bytes: &[u8]) -> bool {
        match self.out.lock() {
            Ok(mut s) => s.write_all(bytes).and_then(|()| s.flush()).is_ok(),
            Err(_) => false,
        }
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

    /// Performs the steps (as [`traffic::play`] spells them out); stops at the first failed
    /// write (the peer may have failed the connection) or mark after the connection ended.
    fn perform(&mut self, steps: &[Step], mut deflater: Option<Deflater>) {
        let keys = self.keys;
        let mut mask = |masked: bool| mask_from(keys, masked);
        let mut writing = Writing {
            mask: &mut mask,
            masks: self.role == Role::Client,
            deflater: deflater.as_mut(),
            echoes: 0,
        };
        for step in steps {
            let going = traffic::play(step, &mut writing, &mut |action| match action {
                Action::Write(bytes) => self.write(&bytes),
                Action::Pause(ms) => self.pause(ms),
                Action::Mark(mark) => self.mark(mark),
                Action::AwaitEcho(n) => self.wait_for(n),
            });
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
    let rx = &seen.rx;
    let mut received = seen.marks.clone();
    received.extend(rx.received.iter().cloned());
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
    if seen.timed_out {
        words.push(format!("the case's {} s ran out", case.limit_secs));
    }
    if let Some(v) = &rx.violation {
        words.push(format!("we failed the connection: {v}"));
    }
    let who = if rx.closed_by_me {
        "answered our close"
    } else {
        "closed"
    };
    match (rx.remote_closed, rx.remote_close_code) {
        (true, Some(code)) => words.push(format!("{who} with {code}")),
        (true, None) => words.push(format!("{who} without a code")),
        (false, _) if seen.dropped => words.push("TCP closed without a close frame".into()),
        (false, _) => {}
    }
    if rx.dropped_by_me {
        words.push(if rx.was_clean && role == Role::Client {
            "the server did not close TCP after the close handshake".into()
        } else {
            "we dropped TCP".to_string()
        });
    }
    if let Some(e) = &seen.socket_error {
        words.push(e.clone());
    }
    let observed = words.join(", ");

    // Autobahn's `Case.onConnectionLost`.
    let mut behavior = if received == expected {
        Behavior::Ok
    } else if case.non_strict.as_ref() == Some(&received) {
        Behavior::NonStrict
    } else {
        Behavior::Failed
    };
    let rule = &case.close;
    let code = rx.remote_close_code;
    let behavior_close = if rule.by_tester != rx.closed_by_me {
        if rule.wrong_side_fails {
            behavior = Behavior::Failed;
        }
        Behavior::Failed
    } else if rule.clean && !rx.was_clean {
        Behavior::Unclean
    } else if code.is_some_and(|c| !rule.codes.contains(&c)) {
        Behavior::WrongCode
    } else if role == Role::Client && rx.dropped_by_me {
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
    let strict = if verdict == Verdict::Ok && !rule.by_tester && !rx.remote_closed {
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
