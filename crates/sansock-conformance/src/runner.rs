//! Running one case on an open connection, in either role, and judging what came back.
//!
//! A writer thread performs the steps while this thread reads (so a peer that echoes while we
//! are still writing cannot deadlock us); pings from the peer are answered. The verdict compares
//! the messages and pongs received with the case's expectations, then how the connection ended.
//! With permessage-deflate agreed, the writer compresses bursts and the reader inflates what
//! carries RSV1; RSV bits anywhere else are a violation.

use crate::case::{Case, End, Obs, Step};
use crate::corpus::Burst;
use crate::deflate::{Agreed, Deflater, Inflater};
use crate::wire::{Frame, Received, close_payload, decode_at, op};
use serde::Serialize;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
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

/// A case's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Verdict {
    /// As the RFC requires.
    Ok,
    /// Allowed, but not ideal (a dropped connection instead of a close frame, another code).
    NonStrict,
    /// Reported for information (timings).
    Informational,
    /// Against the RFC.
    Failed,
}

/// What happened in a case.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The case id.
    pub id: String,
    /// The case title.
    pub title: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What was expected, in words.
    pub expected: String,
    /// What was observed, in words.
    pub observed: String,
    /// How long it took.
    pub millis: u128,
}

/// What the peer did.
#[derive(Debug, Default)]
struct Seen {
    obs: Vec<Obs>,
    close: Option<Option<u16>>,
    /// The peer's close answered ours (rather than closing first).
    answered_ours: bool,
    dropped: bool,
    timed_out: bool,
    protocol_violation: Option<String>,
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
    let (verdict, observed) = judge(case, &seen);
    let mut verdict = verdict;
    if verdict == Verdict::Ok && case.group() == 9 {
        verdict = Verdict::Informational; // the timing is the point
    }
    Outcome {
        id: case.id.clone(),
        title: case.title.clone(),
        verdict,
        expected: describe_expectation(case),
        observed,
        millis: start.elapsed().as_millis(),
    }
}

/// A verdict without running: a compression case whose negotiation did not happen.
pub fn not_agreed(case: &Case, why: &str) -> Outcome {
    Outcome {
        id: case.id.clone(),
        title: case.title.clone(),
        verdict: Verdict::Informational,
        expected: "permessage-deflate agreed, then every message echoed".into(),
        observed: why.into(),
        millis: 0,
    }
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
    let writer = {
        let (out, keys, steps) = (out.clone(), keys.clone(), case.steps.clone());
        let deflater = agreed.as_ref().map(Deflater::new);
        std::thread::spawn(move || perform(&out, &keys, &steps, role, deflater))
    };
    let mut inflater = agreed.as_ref().map(Inflater::new);
    let mut seen = Seen::default();
    let mut buf = leftover;
    let mut assembling: Option<Assembling> = None;
    let mut sent_close = case.steps.iter().any(
        |s| matches!(s, Step::Send { frames, .. } if frames.iter().any(|f| f.opcode == op::CLOSE)),
    );
    let mut chunk = vec![0u8; 256 << 10];
    let expected_count = case.expected().len();
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
                    seen.answered_ours = sent_close;
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
                        Ok(obs) => seen.obs.push(obs),
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
        // The tester closes once everything expected came back (End::Clean), or gives the peer
        // until the deadline to fail the connection or answer our close.
        if case.end == End::Clean
            && !sent_close
            && seen.obs.len() >= expected_count
            && writer.is_finished()
        {
            let _ = write_frame(
                &out,
                role,
                &keys,
                &Frame::new(op::CLOSE, close_payload(1000, b"")),
            );
            sent_close = true;
        }
        let now = Instant::now();
        if now >= deadline {
            seen.timed_out = true;
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
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(_) => {
                seen.dropped = true;
                break;
            }
        }
    }
    // The end: a server closes TCP at once; a client gives the server a moment to do it first.
    if role == Role::Client && seen.close.is_some() {
        let _ = reader.set_read_timeout(Some(Duration::from_millis(200)));
        let end = Instant::now() + Duration::from_secs(2);
        while Instant::now() < end {
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    if let Ok(s) = out.lock() {
        let _ = s.shutdown(Shutdown::Both);
    }
    let _ = writer.join();
    seen
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

/// Performs the steps; stops at the first failed write (the peer may have failed the connection).
fn perform(
    out: &Mutex<TcpStream>,
    keys: &Mutex<Keys>,
    steps: &[Step],
    role: Role,
    mut deflater: Option<Deflater>,
) {
    for step in steps {
        match step {
            Step::Pause(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::Burst(burst) => {
                let bytes = burst_bytes(burst, deflater.as_mut(), keys, role == Role::Client);
                let written = match out.lock() {
                    Ok(mut s) => s.write_all(&bytes).and_then(|()| s.flush()),
                    Err(_) => return,
                };
                if written.is_err() {
                    return;
                }
            }
            Step::Send {
                frames,
                chop,
                wrong_mask,
            } => {
                let masked = (role == Role::Client) != *wrong_mask;
                let mut bytes = Vec::new();
                for f in frames {
                    let mask =
                        masked.then(|| keys.lock().map(|mut k| k.next()).unwrap_or([1, 2, 3, 4]));
                    bytes.extend_from_slice(&f.encode(mask));
                }
                let size = if *chop == 0 {
                    bytes.len().max(1)
                } else {
                    *chop
                };
                for piece in bytes.chunks(size) {
                    let written = match out.lock() {
                        Ok(mut s) => s.write_all(piece).and_then(|()| s.flush()),
                        Err(_) => return,
                    };
                    if written.is_err() {
                        return;
                    }
                }
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
    }
}

fn describe_expectation(case: &Case) -> String {
    let mut got: Vec<String> = case.expect.iter().map(show).collect();
    for step in &case.steps {
        if let Step::Burst(b) = step {
            got.push(format!("{} messages echoed intact", b.count));
        }
    }
    let end = match &case.end {
        End::Clean => "a clean close when we close".to_string(),
        End::Fail(codes) => format!("the connection failed with {codes:?}"),
        End::CloseReply(codes) if codes.is_empty() => "our close answered".to_string(),
        End::CloseReply(codes) => format!("our close answered with one of {codes:?}"),
    };
    if got.is_empty() {
        end
    } else {
        format!("{}; then {end}", got.join(", "))
    }
}

/// The verdict and what was observed, in words.
fn judge(case: &Case, seen: &Seen) -> (Verdict, String) {
    let expected = case.expected();
    let mut words: Vec<String> = if seen.obs.len() > 20 {
        let intact = seen
            .obs
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a == b)
            .count();
        vec![format!(
            "{} messages, {intact} of them as sent",
            seen.obs.len()
        )]
    } else {
        seen.obs.iter().map(show).collect()
    };
    let who = if seen.answered_ours {
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
    if let Some(v) = &seen.protocol_violation {
        words.push(v.clone());
    }
    let observed = words.join(", ");
    if seen.protocol_violation.is_some() {
        return (Verdict::Failed, observed);
    }
    // Pongs are only checked where the case expects them (unsolicited ones are allowed).
    let expects_pongs = expected.iter().any(|o| matches!(o, Obs::Pong(_)));
    let got: Vec<&Obs> = seen
        .obs
        .iter()
        .filter(|o| expects_pongs || !matches!(o, Obs::Pong(_)))
        .collect();
    let want: Vec<&Obs> = expected.iter().collect();
    if got != want {
        return (Verdict::Failed, observed);
    }
    let verdict = match (&case.end, seen.close) {
        (End::Clean, Some(_)) => Verdict::Ok,
        (End::Clean, None) if seen.dropped => Verdict::NonStrict,
        (End::Fail(codes), Some(Some(code))) if codes.contains(&code) => Verdict::Ok,
        (End::Fail(_), Some(_)) => Verdict::NonStrict,
        (End::Fail(_), None) if seen.dropped => Verdict::NonStrict,
        (End::CloseReply(codes), Some(code)) => {
            let fine = match code {
                None => codes.is_empty(),
                Some(c) => codes.contains(&c) || (codes.is_empty() && c == 1000),
            };
            if fine {
                Verdict::Ok
            } else {
                Verdict::NonStrict
            }
        }
        (End::CloseReply(_), None) if seen.dropped => Verdict::NonStrict,
        _ => Verdict::Failed,
    };
    (verdict, observed)
}
