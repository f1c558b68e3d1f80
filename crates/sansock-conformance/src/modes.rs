//! The two ways to run the suite. [`test_server`]: the tester connects to a server that echoes
//! every message, once per case. [`test_client`]: the tester listens, and a client under test
//! follows the Autobahn testee protocol — `/getCaseCount`, then `/runCase?case=N&agent=NAME` for
//! each case (echoing every message), then `/updateReports?agent=NAME`.
//!
//! permessage-deflate is offered (as client) or agreed to (as server) only in the compression
//! cases; a peer that answers with an extension nobody offered fails the case.

use crate::case::Case;
use crate::deflate::{self, Agreed};
use crate::handshake;
use crate::http2;
use crate::runner::{Outcome, Role, Verdict, not_agreed, run};
use crate::wire::{Frame, close_payload, op};
use std::io::Write;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// `ws://host:port/path` split into what a connection needs.
fn split_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| format!("{url}: only ws:// URLs are tested"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Ok((authority.to_string(), path.to_string()))
}

fn nonce(i: usize) -> [u8; 16] {
    let mut n = [0u8; 16];
    n[..8].copy_from_slice(&(i as u64 ^ 0x5a5a_1234_9876_abcd).to_le_bytes());
    n
}

/// How many cases run at once against a server (group 9, whose timings are the point, runs
/// alone afterwards).
pub const PARALLEL: usize = 4;

/// Runs `cases` against the echo server at `url`, one connection per case, [`PARALLEL`] at a
/// time (the timed group 9 alone, after the others); outcomes in the order of `cases`.
///
/// # Errors
/// When the URL is not `ws://`.
pub fn test_server(
    url: &str,
    cases: &[Case],
    progress: &mut dyn FnMut(&Outcome),
) -> Result<Vec<Outcome>, String> {
    let (authority, path) = split_url(url)?;
    let one = |i: usize| {
        let case = &cases[i];
        let offer = case.deflate.as_ref().map(|d| d.offer.as_str());
        run_case(case, offer, connect(&authority, &path, i, offer))
    };
    let (timed, rest): (Vec<usize>, Vec<usize>) =
        (0..cases.len()).partition(|&i| cases[i].group() == 9 && !cases[i].id.starts_with('x'));
    let mut results: Vec<Option<Outcome>> = vec![None; cases.len()];
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            let tx = tx.clone();
            let (next, rest, one) = (&next, &rest, &one);
            scope.spawn(move || {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = rest.get(k) else { break };
                    if tx.send((i, one(i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, outcome) in rx {
            progress(&outcome);
            results[i] = Some(outcome);
        }
    });
    for i in timed {
        let outcome = one(i);
        progress(&outcome);
        results[i] = Some(outcome);
    }
    Ok(results.into_iter().flatten().collect())
}

/// Runs `cases` against the echo server at `url` over HTTP/2 (RFC 8441): `ws://` with prior
/// knowledge (h2c), `wss://` with h2 by ALPN. First the extended CONNECT's own checks (ids
/// `h2.1`–`h2.3`), then each case on a stream of an HTTP/2 connection of its own, with the
/// same verdicts as over HTTP/1.1.
///
/// # Errors
/// When the URL is neither `ws://` nor `wss://`.
pub fn test_server_http2(
    url: &str,
    cases: &[Case],
    progress: &mut dyn FnMut(&Outcome),
) -> Result<Vec<Outcome>, String> {
    let target = http2::Target::parse(url)?;
    let mut results = http2::checks(&target);
    results.iter().for_each(&mut *progress);
    for case in cases {
        let offer = case.deflate.as_ref().map(|d| d.offer.as_str());
        let connected =
            http2::connect(&target, offer).map(|(tcp, answer)| (tcp, Vec::new(), answer));
        let outcome = run_case(case, offer, connected);
        progress(&outcome);
        results.push(outcome);
    }
    Ok(results)
}

/// One case on a connection just opened (or the failure to open it).
fn run_case(case: &Case, offer: Option<&str>, connected: std::io::Result<Connected>) -> Outcome {
    match connected {
        Ok((tcp, leftover, answer)) => {
            match deflate::check_answer(offer.unwrap_or(""), answer.as_deref()) {
                Ok(agreed) if offer.is_none() || agreed.is_some() => {
                    run(tcp, leftover, case, Role::Client, agreed)
                }
                Ok(_) => not_agreed(
                    tcp,
                    leftover,
                    case,
                    Role::Client,
                    "the server declined permessage-deflate",
                ),
                Err(why) => handshake_failed(case, &why),
            }
        }
        Err(e) => handshake_failed(case, &format!("handshake failed: {e}")),
    }
}

fn handshake_failed(case: &Case, why: &str) -> Outcome {
    Outcome::plain(
        &case.id,
        &case.title,
        Verdict::Failed,
        "an opening handshake",
        why,
        0,
    )
}

/// An open connection: the stream, bytes read past the handshake, the server's extensions.
type Connected = (TcpStream, Vec<u8>, Option<String>);

fn connect(
    authority: &str,
    path: &str,
    i: usize,
    offer: Option<&str>,
) -> std::io::Result<Connected> {
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("no address"))?;
    let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    let (leftover, answer) = handshake::client(&mut tcp, authority, path, nonce(i), offer)?;
    Ok((tcp, leftover, answer))
}

/// The case `target` (`/runCase?case=N`) asks for.
fn case_of<'a>(cases: &'a [Case], target: &str) -> Option<(usize, &'a Case)> {
    let n: usize = query_value(target, "case")?.parse().ok()?;
    let i = n.checked_sub(1)?;
    Some((i, cases.get(i)?))
}

fn query_value<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// Serves the testee protocol on `listener` until the client asks for its report (or stops
/// coming back for `idle`); runs each case the client asks for.
///
/// # Errors
/// I/O errors of the listener.
pub fn test_client(
    listener: &TcpListener,
    cases: &[Case],
    idle: Duration,
    progress: &mut dyn FnMut(&Outcome),
) -> std::io::Result<Vec<Option<Outcome>>> {
    test_client_as(listener, cases, idle, progress, &mut None)
}

/// As [`test_client`], noting the client's name (the `agent` of its requests) in `agent`.
///
/// # Errors
/// I/O errors of the listener.
pub fn test_client_as(
    listener: &TcpListener,
    cases: &[Case],
    idle: Duration,
    progress: &mut dyn FnMut(&Outcome),
    agent: &mut Option<String>,
) -> std::io::Result<Vec<Option<Outcome>>> {
    listener.set_nonblocking(true)?;
    let mut results: Vec<Option<Outcome>> = vec![None; cases.len()];
    let mut last = std::time::Instant::now();
    loop {
        let mut tcp = match listener.accept() {
            Ok((tcp, _)) => tcp,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if last.elapsed() > idle {
                    return Ok(results);
                }
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(e) => return Err(e),
        };
        last = std::time::Instant::now();
        tcp.set_nonblocking(false)?;
        tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
        // The compression cases agree to the client's permessage-deflate offer, as the case says.
        let mut agreed: Option<Agreed> = None;
        let mut offered = false;
        let shook = handshake::server(&mut tcp, |target, offers| {
            let deflate_case = case_of(cases, target).and_then(|(_, c)| c.deflate.as_ref())?;
            offered = offers.is_some();
            let (answer, a) = deflate::answer(offers, deflate_case.answer)?;
            agreed = Some(a);
            Some(answer)
        });
        let Ok((target, leftover)) = shook else {
            continue;
        };
        let path = target.split('?').next().unwrap_or("/");
        if let Some(name) = query_value(&target, "agent") {
            *agent = Some(name.replace("%20", " ").replace('+', " "));
        }
        match path {
            "/getCaseCount" => {
                let count = Frame::new(op::TEXT, cases.len().to_string());
                let bye = Frame::new(op::CLOSE, close_payload(1000, b""));
                let _ = tcp.write_all(&[count.encode(None), bye.encode(None)].concat());
                std::thread::sleep(Duration::from_millis(20));
            }
            "/runCase" => {
                if let Some((i, case)) = case_of(cases, &target) {
                    let outcome = if case.deflate.is_some() && agreed.is_none() {
                        let why = if offered {
                            "the client's permessage-deflate offer was not usable"
                        } else {
                            "the client did not offer permessage-deflate"
                        };
                        not_agreed(tcp, leftover, case, Role::Server, why)
                    } else {
                        run(tcp, leftover, case, Role::Server, agreed)
                    };
                    progress(&outcome);
                    results[i] = Some(outcome);
                }
            }
            "/updateReports" => {
                let bye = Frame::new(op::CLOSE, close_payload(1000, b""));
                let _ = tcp.write_all(&bye.encode(None));
                return Ok(results);
            }
            _ => {
                let bye = Frame::new(op::CLOSE, close_payload(1008, b"unknown path"));
                let _ = tcp.write_all(&bye.encode(None));
            }
        }
        last = std::time::Instant::now();
    }
}
