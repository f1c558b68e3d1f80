//! A rolling restart loses nobody and nothing: three chat servers behind a real HAProxy (the
//! book's configuration, TLS at the proxy, the PROXY protocol to the servers) on one real Redis,
//! 200 members using `Reconnecting` that each say a numbered line every 100 ms, and each server
//! in turn stopped with SIGTERM and started again. A member whose server goes away reconnects
//! through HAProxy (to another server), says the last id it saw, and gets what it missed from
//! the room's Redis stream before anything new; lines it said that the room did not take are
//! said again. At the end every member has every member's lines exactly once, in each sender's
//! order. The test prints losses, duplicates and how long each reconnection took.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod common;

use common::chat::{Chat, Redis};
use common::free_port;
use common::proxy::{Kind, Proxy};
use sansock_tokio::{Backoff, ClientSettings, Message, Reconnecting, WsUrl};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MEMBERS: usize = 200;
const EVERY: Duration = Duration::from_millis(100);
/// The servers log their warnings, and when they are in the room.
const LOG: &str = "warn,sansock_redis=info";

/// What one member did and saw.
#[derive(Default)]
struct Member {
    /// Lines said (numbered from 1).
    said: u32,
    /// Lines said that the room has not yet given back.
    pending: VecDeque<u32>,
    /// The last id seen.
    last: Option<String>,
    /// Each sender's lines as received, in order.
    got: BTreeMap<String, Vec<u32>>,
    /// Entries that came again (ids not after the last seen), skipped.
    repeats: u64,
    /// How long each reconnection took, from the loss to the end of the replay.
    reconnections: Vec<Duration>,
    /// Replays that said history was missing.
    incomplete: u32,
    /// Whether it has been in the room (its first replay ended).
    joined: bool,
}

#[derive(serde::Deserialize)]
struct Seen<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    nick: Option<&'a str>,
    text: Option<&'a str>,
    id: Option<&'a str>,
    complete: Option<bool>,
}

/// A stream id's order (`ms-seq`).
fn order(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').unwrap();
    (ms.parse().unwrap(), seq.parse().unwrap())
}

/// Handles one text message; says whether it was the end of a replay.
fn seen(me: &str, member: &Mutex<Member>, text: &str) -> bool {
    let seen: Seen<'_> = serde_json::from_str(text).unwrap();
    let mut member = member.lock().unwrap();
    if seen.kind == "resumed" {
        if seen.complete != Some(true) {
            member.incomplete += 1;
        }
        return true;
    }
    let Some(id) = seen.id else { return false };
    if member
        .last
        .as_deref()
        .is_some_and(|last| order(id) <= order(last))
    {
        member.repeats += 1;
        return false;
    }
    member.last = Some(id.to_string());
    if seen.kind == "message" {
        let (nick, line) = (seen.nick.unwrap(), seen.text.unwrap().parse().unwrap());
        member.got.entry(nick.to_string()).or_default().push(line);
        if nick == me && member.pending.front() == Some(&line) {
            member.pending.pop_front();
        }
    }
    false
}

/// One member's life until `done`: say a line every 100 ms while `saying`, reconnect and resume
/// whenever the connection ends.
async fn live(
    me: String,
    url: String,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    member: Arc<Mutex<Member>>,
    saying: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
) {
    let url = WsUrl::parse(&format!("{url}/chat?nick={me}&resume")).unwrap();
    let backoff = Backoff::new()
        .initial(Duration::from_millis(50))
        .max(Duration::from_millis(500));
    let state = member.clone();
    let mut client = Reconnecting::new(url, ClientSettings::new(), backoff)
        .tls(tls)
        .on_connect(async move |ws| {
            let since = state.lock().unwrap().last.clone();
            let resume = serde_json::json!({ "type": "resume", "since": since });
            ws.send(resume.to_string()).await
        });
    let mut ws = client.connect().await.unwrap();
    let mut resumed = false;
    let mut lost: Option<Instant> = None;
    let mut ticks = tokio::time::interval(EVERY);
    while !done.load(Ordering::Relaxed) {
        let broken = tokio::select! {
            _ = ticks.tick() => {
                if !resumed || !saying.load(Ordering::Relaxed) {
                    continue;
                }
                let line = {
                    let mut m = member.lock().unwrap();
                    m.said += 1;
                    let line = m.said;
                    m.pending.push_back(line);
                    line
                };
                ws.send(line.to_string()).await.is_err()
            }
            received = ws.recv() => match received {
                Some(Ok(Message::Text(text))) => {
                    if !seen(&me, &member, text.as_str()) {
                        continue;
                    }
                    // The replay is over: say again, in order, what the room did not take.
                    resumed = true;
                    let pending: Vec<u32> = {
                        let mut m = member.lock().unwrap();
                        if let Some(at) = lost.take() {
                            m.reconnections.push(at.elapsed());
                        }
                        m.joined = true;
                        m.pending.iter().copied().collect()
                    };
                    let mut failed = false;
                    for line in pending {
                        failed = failed || ws.send(line.to_string()).await.is_err();
                    }
                    failed
                }
                Some(Ok(_)) => false,
                None | Some(Err(_)) => true,
            },
        };
        if broken {
            resumed = false;
            lost.get_or_insert_with(Instant::now);
            ws = loop {
                match client.reconnect(&ws).await {
                    Ok(Some(next)) => break next,
                    Ok(None) | Err(_) => match client.connect().await {
                        Ok(next) => break next,
                        Err(_) => tokio::time::sleep(EVERY).await,
                    },
                }
            };
        }
    }
    let _ = ws.close(None, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_behind_haproxy_loses_and_repeats_nothing() {
    let redis = Redis::start_on(free_port());
    let url = redis.url();
    let args = [
        "--redis",
        &url,
        "--presence-ttl",
        "1.5",
        "--queue",
        "4096",
        "--proxy-protocol",
    ];
    let mut servers: Vec<Chat> = (0..3).map(|_| Chat::start_with(&args, LOG)).collect();
    let ports = [servers[0].port, servers[1].port, servers[2].port];
    let proxy = Proxy::start(Kind::Haproxy, ports, "60s");
    let address = format!("wss://127.0.0.1:{}", proxy.port);

    let saying = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    let members: Vec<Arc<Mutex<Member>>> = (0..MEMBERS).map(|_| Arc::default()).collect();
    let tasks: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            tokio::spawn(live(
                format!("m{i}"),
                address.clone(),
                proxy.certificate.client.clone(),
                member.clone(),
                saying.clone(),
                done.clone(),
            ))
        })
        .collect();

    // Everyone in the room before anyone speaks (a newcomer gets what is said from then on).
    let end = Instant::now() + Duration::from_secs(30);
    while !members.iter().all(|m| m.lock().unwrap().joined) {
        assert!(Instant::now() < end, "not everyone joined");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    saying.store(true, Ordering::Relaxed);

    // Each server in turn: SIGTERM (it closes its members with 1001 and drains), then started
    // again on its port.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, port) in ports.into_iter().enumerate() {
        let stopped = Instant::now();
        servers[i].stop("TERM");
        eprintln!("server {i} stopped in {:?}", stopped.elapsed());
        servers[i] = Chat::start_on(port, &args, LOG);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    saying.store(false, Ordering::Relaxed);

    // Everything said arrives everywhere.
    let said: BTreeMap<String, u32> = (0..MEMBERS)
        .map(|i| (format!("m{i}"), members[i].lock().unwrap().said))
        .collect();
    let complete = |m: &Member| {
        m.pending.is_empty()
            && said
                .iter()
                .all(|(nick, n)| m.got.get(nick).map_or(0, Vec::len) >= *n as usize)
    };
    let end = Instant::now() + Duration::from_secs(60);
    while !members.iter().all(|m| complete(&m.lock().unwrap())) && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    done.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    }

    let (mut losses, mut duplicates, mut repeats, mut incomplete) = (0u64, 0u64, 0u64, 0u32);
    let mut reconnections = Vec::new();
    for member in &members {
        let member = member.lock().unwrap();
        for (nick, n) in &said {
            let got = member.got.get(nick).cloned().unwrap_or_default();
            let mut seen = vec![0u32; *n as usize + 1];
            for &line in &got {
                seen[line as usize] += 1;
            }
            let missing: Vec<usize> = (1..seen.len()).filter(|&l| seen[l] == 0).collect();
            if !missing.is_empty() && losses < 20 {
                let sender = &members[nick[1..].parse::<usize>().unwrap()];
                let pending = sender
                    .try_lock()
                    .map(|s| s.pending.clone())
                    .unwrap_or_default();
                eprintln!(
                    "lost: {nick}'s lines {missing:?} (still pending at {nick}: {pending:?})"
                );
            }
            losses += missing.len() as u64;
            duplicates += seen[1..]
                .iter()
                .map(|&c| u64::from(c.saturating_sub(1)))
                .sum::<u64>();
            assert!(
                got.windows(2).all(|w| w[0] < w[1]),
                "{nick}'s lines out of order: {got:?}"
            );
        }
        repeats += member.repeats;
        incomplete += member.incomplete;
        reconnections.extend(member.reconnections.iter().copied());
    }
    reconnections.sort();
    let total: u64 = said.values().map(|&n| u64::from(n)).sum();
    eprintln!(
        "{MEMBERS} members said {total} lines ({} deliveries); lost {losses}, duplicated \
         {duplicates}, repeated on the wire and skipped by id {repeats}; {} reconnections: \
         median {:?}, slowest {:?}; replays with history missing: {incomplete}",
        total * MEMBERS as u64,
        reconnections.len(),
        reconnections.get(reconnections.len() / 2),
        reconnections.last(),
    );
    assert_eq!((losses, duplicates, incomplete), (0, 0, 0));
    assert!(
        reconnections.len() >= MEMBERS / 2,
        "{} reconnections",
        reconnections.len()
    );
    assert!(reconnections.last() < Some(&Duration::from_secs(5)));
    drop(proxy);
    drop(redis);
}
