//! Autobahn's groups 1 (framing), 2 (pings and pongs), 3 (reserved bits), 4 (reserved
//! opcodes) and 5 (fragmentation), case for case. Where Autobahn sends a frame "in octet-wise
//! chops" each frame is written a byte at a time; "frame-wise chops" (its `sync`) write each
//! frame on its own.
//!
//! One quirk kept as Autobahn has it: 3.6, "Ping with RSV = 6", sends a binary frame.

use super::{CloseRule, binary, case, close, cont, each, fail_1002, ping, pong, send, text};
use crate::case::{Case, Obs, Step};
use crate::wire::Frame;

const HELLO: &[u8] = b"Hello, world!";
const SMALL_BINARY: &[u8] = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff";

pub(super) fn all(out: &mut Vec<Case>) {
    group1(out);
    group2(out);
    group3(out);
    group4(out);
    group5(out);
}

fn group1(out: &mut Vec<Case>) {
    const LENGTHS: [usize; 7] = [0, 125, 126, 127, 128, 65535, 65536];
    for (sub, (kind, byte, frame)) in [
        ("text", b'*', text as fn(Vec<u8>) -> Frame),
        ("binary", 0xfe, binary),
    ]
    .into_iter()
    .enumerate()
    {
        let obs = |p: Vec<u8>| {
            if sub == 0 {
                Obs::Text(p)
            } else {
                Obs::Binary(p)
            }
        };
        for (i, len) in LENGTHS.into_iter().enumerate() {
            let p = vec![byte; len];
            let mut c = case(
                &format!("1.{}.{}", sub + 1, i + 1),
                &format!("{kind} message with payload of length {len}"),
                vec![send(vec![frame(p.clone())])],
                vec![obs(p)],
                CloseRule::clean(),
            );
            c.limit_secs = if len > 128 { 10 } else { 2 };
            out.push(c);
        }
        let p = vec![byte; 65536];
        let mut c = case(
            &format!("1.{}.8", sub + 1),
            &format!("{kind} message with payload of length 65536, in chops of 997 octets"),
            each(vec![frame(p.clone())], 997),
            vec![obs(p)],
            CloseRule::clean(),
        );
        c.limit_secs = 10;
        out.push(c);
    }
}

fn group2(out: &mut Vec<Case>) {
    let pinged = |id: &str, title: &str, payload: Vec<u8>, chop: usize| {
        case(
            id,
            title,
            each(vec![ping(payload.clone())], chop),
            vec![Obs::Pong(payload)],
            CloseRule::clean(),
        )
    };
    out.push(pinged("2.1", "ping without payload", vec![], 0));
    out.push(pinged(
        "2.2",
        "ping with small text payload",
        HELLO.into(),
        0,
    ));
    out.push(pinged(
        "2.3",
        "ping with small binary (non UTF-8) payload",
        SMALL_BINARY.into(),
        0,
    ));
    out.push(pinged(
        "2.4",
        "ping with binary payload of 125 octets",
        vec![0xfe; 125],
        0,
    ));
    out.push(case(
        "2.5",
        "ping with binary payload of 126 octets",
        vec![send(vec![ping(vec![0xfe; 126])])],
        vec![],
        fail_1002(),
    ));
    out.push(pinged(
        "2.6",
        "ping with binary payload of 125 octets, in octet-wise chops",
        vec![0xfe; 125],
        1,
    ));
    for (id, payload) in [("2.7", &b""[..]), ("2.8", &b"unsolicited pong payload"[..])] {
        let mut c = case(
            id,
            "unsolicited pong, then a close: nothing comes back but the close",
            vec![send(vec![pong(payload), close(Some(1000), b"")])],
            vec![],
            CloseRule::clean(),
        );
        c.no_auto_close = true;
        out.push(c);
    }
    out.push(case(
        "2.9",
        "unsolicited pong with payload, then ping with payload",
        vec![send(vec![
            pong(&b"unsolicited pong payload"[..]),
            ping(&b"ping payload"[..]),
        ])],
        vec![Obs::Pong(b"ping payload".to_vec())],
        CloseRule::clean(),
    ));
    for (id, chop, how) in [("2.10", 0, ""), ("2.11", 1, ", in octet-wise chops")] {
        let payloads: Vec<Vec<u8>> = (0..10)
            .map(|i| format!("payload-{i}").into_bytes())
            .collect();
        out.push(case(
            id,
            &format!("10 pings with payload{how}"),
            // 2.10 writes its ten pings together, 2.11 each a byte at a time (Autobahn's
            // `chopsize=1`).
            if chop == 0 {
                vec![send(payloads.iter().cloned().map(ping).collect())]
            } else {
                each(payloads.iter().cloned().map(ping).collect(), chop)
            },
            payloads.into_iter().map(Obs::Pong).collect(),
            CloseRule::clean(),
        ));
    }
}

/// A hello, then a bad frame, then a ping: the hello must come back (NON-STRICT without it),
/// then the connection fail, the ping unanswered.
fn hello_then(id: &str, title: &str, bad: Frame, chop: Option<usize>) -> Case {
    let frames = vec![text(HELLO), bad, ping(Vec::new())];
    let steps = match chop {
        None => vec![send(frames)],
        Some(chop) => each(frames, chop),
    };
    let mut c = case(id, title, steps, vec![Obs::Text(HELLO.into())], fail_1002());
    c.non_strict = Some(vec![]);
    c
}

fn group3(out: &mut Vec<Case>) {
    out.push(case(
        "3.1",
        "small text message with RSV = 1",
        vec![send(vec![text(HELLO).rsv(1)])],
        vec![],
        fail_1002(),
    ));
    out.push(hello_then(
        "3.2",
        "small text message, then again with RSV = 2, then a ping",
        text(HELLO).rsv(2),
        None,
    ));
    out.push(hello_then(
        "3.3",
        "small text message, then again with RSV = 3, then a ping, each frame on its own",
        text(HELLO).rsv(3),
        Some(0),
    ));
    out.push(hello_then(
        "3.4",
        "small text message, then again with RSV = 4, then a ping, in octet-wise chops",
        text(HELLO).rsv(4),
        Some(1),
    ));
    out.push(case(
        "3.5",
        "small binary message with RSV = 5",
        vec![send(vec![binary(SMALL_BINARY).rsv(5)])],
        vec![],
        fail_1002(),
    ));
    out.push(case(
        "3.6",
        "\"ping\" with RSV = 6 (Autobahn sends a binary frame)",
        vec![send(vec![binary(HELLO).rsv(6)])],
        vec![],
        fail_1002(),
    ));
    out.push(case(
        "3.7",
        "close with RSV = 7",
        vec![send(vec![close(None, b"").rsv(7)])],
        vec![],
        fail_1002(),
    ));
}

fn group4(out: &mut Vec<Case>) {
    for (sub, opcodes) in [(1, [3u8, 4, 5, 6, 7]), (2, [11, 12, 13, 14, 15])] {
        let kind = if sub == 1 { "non-control" } else { "control" };
        let [a, b, c, d, e] = opcodes;
        out.push(case(
            &format!("4.{sub}.1"),
            &format!("frame with reserved {kind} opcode {a}"),
            vec![send(vec![Frame::new(a, Vec::new())])],
            vec![],
            fail_1002(),
        ));
        out.push(case(
            &format!("4.{sub}.2"),
            &format!("frame with reserved {kind} opcode {b} and non-empty payload"),
            vec![send(vec![Frame::new(b, &b"reserved opcode payload"[..])])],
            vec![],
            fail_1002(),
        ));
        out.push(hello_then(
            &format!("4.{sub}.3"),
            &format!("small text message, then reserved {kind} opcode {c}, then a ping"),
            Frame::new(c, Vec::new()),
            None,
        ));
        out.push(hello_then(
            &format!("4.{sub}.4"),
            &format!(
                "small text message, then reserved {kind} opcode {d} with payload, then a ping"
            ),
            Frame::new(d, HELLO),
            None,
        ));
        out.push(hello_then(
            &format!("4.{sub}.5"),
            &format!(
                "small text message, then reserved {kind} opcode {e} with payload, then a ping, \
                 in octet-wise chops"
            ),
            Frame::new(e, HELLO),
            Some(1),
        ));
    }
}

/// The frames written as Autobahn's three ways: one write (`None`), each frame on its own
/// (`Some(0)`), octet-wise (`Some(1)`).
fn written(frames: Vec<Frame>, chop: Option<usize>) -> Vec<Step> {
    match chop {
        None => vec![send(frames)],
        Some(chop) => each(frames, chop),
    }
}

const HOW: [(Option<usize>, &str); 3] = [
    (None, "in one chop"),
    (Some(0), "in frame-wise chops"),
    (Some(1), "in octet-wise chops"),
];

fn group5(out: &mut Vec<Case>) {
    for (id, opcode, kind) in [("5.1", 0x9, "ping"), ("5.2", 0xa, "pong")] {
        out.push(case(
            id,
            &format!("{kind} fragmented into 2 fragments"),
            vec![send(vec![
                Frame::new(opcode, &b"fragment1"[..]).fin(false),
                cont(&b"fragment2"[..]),
            ])],
            vec![],
            fail_1002(),
        ));
    }
    let two = || vec![text(&b"fragment1"[..]).fin(false), cont(&b"fragment2"[..])];
    let joined = || vec![Obs::Text(b"fragment1fragment2".to_vec())];
    for (n, (chop, how)) in HOW.into_iter().enumerate() {
        out.push(case(
            &format!("5.{}", 3 + n),
            &format!("text message fragmented into 2 fragments, {how}"),
            written(two(), chop),
            joined(),
            CloseRule::clean(),
        ));
    }
    for (n, (chop, how)) in HOW.into_iter().enumerate() {
        let frames = vec![
            text(&b"fragment1"[..]).fin(false),
            ping(&b"ping payload"[..]),
            cont(&b"fragment2"[..]),
        ];
        out.push(case(
            &format!("5.{}", 6 + n),
            &format!("text message in 2 fragments with a ping in between, {how}"),
            written(frames, chop),
            vec![Obs::Pong(b"ping payload".to_vec()), joined()[0].clone()],
            CloseRule::clean(),
        ));
    }
    for (base, fin) in [(9, true), (12, false)] {
        for (n, (chop, how)) in HOW.into_iter().enumerate() {
            let frames = vec![cont(&b"non-continuation payload"[..]).fin(fin), text(HELLO)];
            out.push(case(
                &format!("5.{}", base + n),
                &format!(
                    "text message after a continuation frame with FIN = {fin} where there is \
                     nothing to continue, {how}"
                ),
                written(frames, chop),
                vec![],
                fail_1002(),
            ));
        }
    }
    let mut c = case(
        "5.15",
        "text in 2 fragments, then a continuation with FIN = false where there is nothing to \
         continue, then a text message",
        vec![send(vec![
            text(&b"fragment1"[..]).fin(false),
            cont(&b"fragment2"[..]),
            cont(&b"fragment3"[..]).fin(false),
            text(&b"fragment4"[..]),
        ])],
        joined(),
        fail_1002(),
    );
    c.non_strict = Some(vec![]);
    out.push(c);
    for (id, fin) in [("5.16", false), ("5.17", true)] {
        let mut frames = Vec::new();
        for _ in 0..2 {
            frames.push(cont(&b"fragment1"[..]).fin(fin));
            frames.push(text(&b"fragment2"[..]).fin(false));
            frames.push(cont(&b"fragment3"[..]));
        }
        out.push(case(
            id,
            &format!(
                "twice: a continuation with FIN = {fin} where there is nothing to continue, then \
                 text in 2 fragments"
            ),
            vec![send(frames)],
            vec![],
            fail_1002(),
        ));
    }
    out.push(case(
        "5.18",
        "text in 2 fragments with both frame opcodes set to text",
        vec![send(vec![
            text(&b"fragment1"[..]).fin(false),
            text(&b"fragment2"[..]),
        ])],
        vec![],
        fail_1002(),
    ));
    for (id, chop, how) in [
        ("5.19", None, "frames written together"),
        ("5.20", Some(0), "each frame on its own"),
    ] {
        let mut steps = written(
            vec![
                text(&b"fragment1"[..]).fin(false),
                cont(&b"fragment2"[..]).fin(false),
                ping(&b"pongme 1!"[..]),
            ],
            chop,
        );
        steps.push(Step::Pause(1000));
        steps.extend(written(
            vec![
                cont(&b"fragment3"[..]).fin(false),
                cont(&b"fragment4"[..]).fin(false),
                ping(&b"pongme 2!"[..]),
                cont(&b"fragment5"[..]),
            ],
            chop,
        ));
        let mut c = case(
            id,
            &format!("text in 5 fragments with 2 pings in between and a 1 s pause, {how}"),
            steps,
            vec![
                Obs::Pong(b"pongme 1!".to_vec()),
                Obs::Pong(b"pongme 2!".to_vec()),
                Obs::Text(b"fragment1fragment2fragment3fragment4fragment5".to_vec()),
            ],
            CloseRule::clean(),
        );
        c.limit_secs = 3;
        out.push(c);
    }
}
