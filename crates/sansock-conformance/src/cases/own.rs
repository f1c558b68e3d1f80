//! The tester's own cases, beyond the Autobahn|Testsuite's: more chop sizes, every RSV bit on
//! every frame type, every reserved opcode with and without payload, more fragmentations,
//! UTF-8 vectors one byte per fragment, more close-frame shapes, larger limits. Numbered like
//! Autobahn's groups with an `x` in front (`x1.3.1`), so no id can collide with one of its; run
//! with `--cases x` (or `--all`).

use super::{binary, cont, fragmented, send, text};
use crate::case::{Case, CloseRule, Obs, Step};
use crate::wire::{Frame, op};

/// Builds the numbered cases of one section.
struct Section<'a> {
    out: &'a mut Vec<Case>,
    prefix: String,
    n: u32,
}

impl Section<'_> {
    fn add(
        &mut self,
        title: impl Into<String>,
        steps: Vec<Step>,
        expect: Vec<Obs>,
        close: CloseRule,
    ) {
        self.n += 1;
        let id = format!("x{}.{}", self.prefix, self.n);
        let sends_close = steps.iter().any(|s| {
            matches!(s, Step::Send { frames, .. }
                if frames.iter().any(|f| f.opcode == op::CLOSE && f.rsv == 0))
        });
        // A close the tester sends, however malformed, is the tester's close (as Autobahn's
        // 7.9 cases): the peer answers it, or fails the connection, with one of the codes.
        let close = if sends_close && !close.by_tester {
            CloseRule::by_tester(&close.codes, false)
        } else {
            close
        };
        let mut case = Case::new(id, title, steps, expect, close);
        case.no_auto_close = sends_close;
        self.out.push(case);
    }

    /// The last case added gets a longer time limit.
    fn slow(&mut self, secs: u64) {
        if let Some(c) = self.out.last_mut() {
            c.limit_secs = secs;
        }
    }
}

fn section<'a>(out: &'a mut Vec<Case>, prefix: &str) -> Section<'a> {
    Section {
        out,
        prefix: prefix.to_string(),
        n: 0,
    }
}

/// The frames in one buffer, written in pieces of `chop` bytes.
fn chopped(frames: Vec<Frame>, chop: usize) -> Step {
    Step::Send {
        frames,
        chop,
        wrong_mask: false,
    }
}

fn close(code: u16, reason: &[u8]) -> Frame {
    super::close(Some(code), reason)
}

fn fail(codes: &[u16]) -> CloseRule {
    CloseRule::fail(codes)
}

/// Our close answered with one of `codes` (none: 1000).
fn reply(codes: &[u16]) -> CloseRule {
    CloseRule::by_tester(if codes.is_empty() { &[1000] } else { codes }, true)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn stars(len: usize) -> Vec<u8> {
    vec![b'*'; len]
}

/// The tester's own cases, in order.
pub fn all() -> Vec<Case> {
    let mut out = Vec::new();
    framing(&mut out);
    pings(&mut out);
    reserved_bits(&mut out);
    reserved_opcodes(&mut out);
    fragmentation(&mut out);
    utf8(&mut out);
    closing(&mut out);
    limits(&mut out);
    auto_fragmentation(&mut out);
    out
}

const LENGTHS: [usize; 7] = [0, 125, 126, 127, 128, 65535, 65536];

fn framing(out: &mut Vec<Case>) {
    let mut s = section(out, "1.1");
    for len in LENGTHS {
        s.add(
            format!("text message of {len} bytes"),
            vec![send(vec![text(stars(len))])],
            vec![Obs::Text(stars(len))],
            CloseRule::clean(),
        );
    }
    let mut s = section(out, "1.2");
    for len in LENGTHS {
        s.add(
            format!("binary message of {len} bytes"),
            vec![send(vec![binary(pattern(len))])],
            vec![Obs::Binary(pattern(len))],
            CloseRule::clean(),
        );
    }
    let mut s = section(out, "1.3");
    for len in [125, 65536] {
        for chop in [1, 7, 997] {
            s.add(
                format!("text message of {len} bytes written in chops of {chop}"),
                vec![chopped(vec![text(stars(len))], chop)],
                vec![Obs::Text(stars(len))],
                CloseRule::clean(),
            );
            s.add(
                format!("binary message of {len} bytes written in chops of {chop}"),
                vec![chopped(vec![binary(pattern(len))], chop)],
                vec![Obs::Binary(pattern(len))],
                CloseRule::clean(),
            );
        }
    }
    let mut s = section(out, "1.4");
    let many: Vec<Frame> = (0..10).map(|i| text(format!("message {i}"))).collect();
    s.add(
        "ten messages in one write",
        vec![send(many)],
        (0..10)
            .map(|i| Obs::Text(format!("message {i}").into_bytes()))
            .collect(),
        CloseRule::clean(),
    );
    s.add(
        "a frame masked the wrong way for its direction",
        vec![Step::Send {
            frames: vec![text("wrong mask")],
            chop: 0,
            wrong_mask: true,
        }],
        vec![],
        fail(&[1002]),
    );
}

fn pings(out: &mut Vec<Case>) {
    let mut s = section(out, "2");
    let ping = |p: Vec<u8>| Frame::new(op::PING, p);
    let pong = |p: Vec<u8>| Frame::new(op::PONG, p);
    s.add(
        "ping without payload",
        vec![send(vec![ping(vec![])])],
        vec![Obs::Pong(vec![])],
        CloseRule::clean(),
    );
    s.add(
        "ping with 125 bytes of text",
        vec![send(vec![ping(stars(125))])],
        vec![Obs::Pong(stars(125))],
        CloseRule::clean(),
    );
    s.add(
        "ping with 125 binary bytes",
        vec![send(vec![ping(pattern(125))])],
        vec![Obs::Pong(pattern(125))],
        CloseRule::clean(),
    );
    s.add(
        "ping with 126 bytes (too long for a control frame)",
        vec![send(vec![ping(stars(126))])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "ping written one byte at a time",
        vec![chopped(vec![ping(stars(125))], 1)],
        vec![Obs::Pong(stars(125))],
        CloseRule::clean(),
    );
    s.add(
        "unsolicited empty pong, then a message",
        vec![send(vec![pong(vec![]), text("after pong")])],
        vec![Obs::Text(b"after pong".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "unsolicited pong with payload, then a message",
        vec![send(vec![pong(stars(125)), text("after pong")])],
        vec![Obs::Text(b"after pong".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "ten pings in one write, each answered in order",
        vec![send(
            (0..10)
                .map(|i| ping(format!("ping {i}").into_bytes()))
                .collect(),
        )],
        (0..10)
            .map(|i| Obs::Pong(format!("ping {i}").into_bytes()))
            .collect(),
        CloseRule::clean(),
    );
    s.add(
        "a ping and a message in one write",
        vec![send(vec![ping(b"p".to_vec()), text("m")])],
        vec![Obs::Pong(b"p".to_vec()), Obs::Text(b"m".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "ping without FIN (fragmented control frame)",
        vec![send(vec![ping(b"x".to_vec()).fin(false)])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "pong with 126 bytes",
        vec![send(vec![pong(stars(126))])],
        vec![],
        fail(&[1002]),
    );
}

fn reserved_bits(out: &mut Vec<Case>) {
    for (section_no, (what, frame)) in [
        ("text frame", text("rsv")),
        ("binary frame", binary(vec![1u8, 2, 3])),
        ("ping", Frame::new(op::PING, b"rsv".to_vec())),
        ("close", close(1000, b"")),
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = section(out, &format!("3.{}", section_no + 1));
        for rsv in 1..=7u8 {
            s.add(
                format!("{what} with RSV bits {rsv:03b}"),
                vec![send(vec![frame.clone().rsv(rsv)])],
                vec![],
                fail(&[1002]),
            );
        }
    }
    let mut s = section(out, "3.5");
    for rsv in 1..=7u8 {
        s.add(
            format!("a valid message, then a text frame with RSV bits {rsv:03b}"),
            vec![send(vec![text("valid"), text("rsv").rsv(rsv)])],
            vec![Obs::Text(b"valid".to_vec())],
            fail(&[1002]),
        );
    }
}

fn reserved_opcodes(out: &mut Vec<Case>) {
    let opcodes = [3u8, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF];
    let mut s = section(out, "4.1");
    for o in opcodes {
        s.add(
            format!("reserved opcode {o:#x} without payload"),
            vec![send(vec![Frame::new(o, vec![])])],
            vec![],
            fail(&[1002]),
        );
    }
    let mut s = section(out, "4.2");
    for o in opcodes {
        s.add(
            format!("reserved opcode {o:#x} with payload"),
            vec![send(vec![Frame::new(o, stars(20))])],
            vec![],
            fail(&[1002]),
        );
    }
    let mut s = section(out, "4.3");
    for o in opcodes {
        s.add(
            format!("a valid message, then reserved opcode {o:#x}, then a ping"),
            vec![send(vec![
                text("valid"),
                Frame::new(o, vec![]),
                Frame::new(op::PING, vec![]),
            ])],
            vec![Obs::Text(b"valid".to_vec())],
            fail(&[1002]),
        );
    }
}

fn fragmentation(out: &mut Vec<Case>) {
    let mut s = section(out, "5");
    let ping = |p: &[u8]| Frame::new(op::PING, p.to_vec());
    s.add(
        "fragmented ping",
        vec![send(vec![ping(b"frag").fin(false), cont("ment")])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "fragmented pong",
        vec![send(vec![
            Frame::new(op::PONG, b"frag".to_vec()).fin(false),
            cont("ment"),
        ])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "text in two fragments",
        vec![send(vec![text("frag").fin(false), cont("ment")])],
        vec![Obs::Text(b"fragment".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "text in two fragments, one byte per write",
        vec![chopped(vec![text("frag").fin(false), cont("ment")], 1)],
        vec![Obs::Text(b"fragment".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "binary in three fragments",
        vec![send(vec![
            binary(vec![1u8]).fin(false),
            cont(vec![2u8]).fin(false),
            cont(vec![3u8]),
        ])],
        vec![Obs::Binary(vec![1, 2, 3])],
        CloseRule::clean(),
    );
    s.add(
        "a ping between fragments",
        vec![send(vec![
            text("frag").fin(false),
            ping(b"between"),
            cont("ment"),
        ])],
        vec![
            Obs::Pong(b"between".to_vec()),
            Obs::Text(b"fragment".to_vec()),
        ],
        CloseRule::clean(),
    );
    s.add(
        "a pong between fragments",
        vec![send(vec![
            text("frag").fin(false),
            Frame::new(op::PONG, b"x".to_vec()),
            cont("ment"),
        ])],
        vec![Obs::Text(b"fragment".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "continuation without a message (FIN)",
        vec![send(vec![cont("lonely")])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "continuation without a message (no FIN)",
        vec![send(vec![cont("lonely").fin(false), cont("more")])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "a new text frame inside a fragmented message",
        vec![send(vec![text("frag").fin(false), text("new")])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "a new binary frame inside a fragmented message",
        vec![send(vec![text("frag").fin(false), binary(vec![1u8])])],
        vec![],
        fail(&[1002]),
    );
    let bytes: Vec<u8> = b"one byte per fragment".to_vec();
    let frames = fragmented(op::TEXT, &bytes, 1);
    s.add(
        "a text message of one-byte fragments",
        vec![send(frames)],
        vec![Obs::Text(bytes)],
        CloseRule::clean(),
    );
    s.add(
        "empty fragments around a payload",
        vec![send(vec![
            text("").fin(false),
            cont("").fin(false),
            cont("abc").fin(false),
            cont(""),
        ])],
        vec![Obs::Text(b"abc".to_vec())],
        CloseRule::clean(),
    );
    s.add(
        "fragments and pings, one byte per write",
        vec![chopped(
            vec![
                text("a").fin(false),
                ping(b"1"),
                cont("b").fin(false),
                ping(b"2"),
                cont("c"),
            ],
            1,
        )],
        vec![
            Obs::Pong(b"1".to_vec()),
            Obs::Pong(b"2".to_vec()),
            Obs::Text(b"abc".to_vec()),
        ],
        CloseRule::clean(),
    );
    let mut empties = vec![binary(vec![]).fin(false)];
    empties.extend((0..100).map(|_| cont(vec![]).fin(false)));
    empties.push(cont(vec![9u8]));
    s.add(
        "a hundred empty fragments, then the last",
        vec![send(empties)],
        vec![Obs::Binary(vec![9])],
        CloseRule::clean(),
    );
    s.add(
        "a close between fragments ends the connection",
        vec![send(vec![text("frag").fin(false), close(1000, b"")])],
        vec![],
        reply(&[]),
    );
    s.add(
        "a continuation after a complete message",
        vec![send(vec![text("done"), cont("more")])],
        vec![Obs::Text(b"done".to_vec())],
        fail(&[1002]),
    );
    s.add(
        "the fragments of two messages, back to back",
        vec![send(vec![
            text("a").fin(false),
            cont("b"),
            binary(vec![1u8]).fin(false),
            cont(vec![2u8]),
        ])],
        vec![Obs::Text(b"ab".to_vec()), Obs::Binary(vec![1, 2])],
        CloseRule::clean(),
    );
    let big = pattern(1 << 20);
    let frames = fragmented(op::BINARY, &big, 64 << 10);
    s.add(
        "1 MiB in 64 KiB fragments",
        vec![send(frames)],
        vec![Obs::Binary(big)],
        CloseRule::clean(),
    );
    s.add(
        "fragments with pauses between them",
        vec![
            send(vec![text("slow ").fin(false)]),
            Step::Pause(100),
            send(vec![cont("fragments").fin(false)]),
            Step::Pause(100),
            send(vec![cont("!")]),
        ],
        vec![Obs::Text(b"slow fragments!".to_vec())],
        CloseRule::clean(),
    );
}

/// Valid UTF-8, from ASCII to the largest code point.
const VALID: &[&str] = &[
    "Hello-µ@ßöäüàá-UTF-8!!",
    "κόσμε",
    "\u{0}",
    "\u{7f}",
    "\u{80}",
    "\u{7ff}",
    "\u{800}",
    "\u{ffff}",
    "\u{10000}",
    "\u{10ffff}",
    "\u{d7ff}",
    "\u{e000}",
    "\u{fffd}",
    "\u{fffe}",
    "\u{feff}BOM",
    "𝄞 music, 😀 emoji, 中文, العربية",
    "a\u{300}\u{301}\u{302} combining",
    "\u{1f600}\u{1f601}\u{1f602}",
];

/// Invalid UTF-8: overlong forms, surrogates, code points past U+10FFFF, bad and missing
/// continuation bytes, bytes that never appear.
const INVALID: &[(&str, &[u8])] = &[
    ("overlong NUL, 2 bytes", &[0xc0, 0x80]),
    ("overlong U+007F, 2 bytes", &[0xc1, 0xbf]),
    ("overlong NUL, 3 bytes", &[0xe0, 0x80, 0x80]),
    ("overlong U+07FF, 3 bytes", &[0xe0, 0x9f, 0xbf]),
    ("overlong NUL, 4 bytes", &[0xf0, 0x80, 0x80, 0x80]),
    ("overlong U+FFFF, 4 bytes", &[0xf0, 0x8f, 0xbf, 0xbf]),
    ("overlong, 5 bytes", &[0xf8, 0x88, 0x80, 0x80, 0x80]),
    ("overlong, 6 bytes", &[0xfc, 0x84, 0x80, 0x80, 0x80, 0x80]),
    ("surrogate U+D800", &[0xed, 0xa0, 0x80]),
    ("surrogate U+DB7F", &[0xed, 0xad, 0xbf]),
    ("surrogate U+DB80", &[0xed, 0xae, 0x80]),
    ("surrogate U+DBFF", &[0xed, 0xaf, 0xbf]),
    ("surrogate U+DC00", &[0xed, 0xb0, 0x80]),
    ("surrogate U+DF80", &[0xed, 0xbe, 0x80]),
    ("surrogate U+DFFF", &[0xed, 0xbf, 0xbf]),
    (
        "surrogate pair U+D800 U+DC00",
        &[0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80],
    ),
    ("U+110000", &[0xf4, 0x90, 0x80, 0x80]),
    ("U+13FFFF", &[0xf4, 0xbf, 0xbf, 0xbf]),
    ("lead byte 0xF5", &[0xf5, 0x80, 0x80, 0x80]),
    ("lead byte 0xF7", &[0xf7, 0xbf, 0xbf, 0xbf]),
    ("byte 0xFE", &[0xfe]),
    ("byte 0xFF", &[0xff]),
    ("bytes 0xFE 0xFE 0xFF 0xFF", &[0xfe, 0xfe, 0xff, 0xff]),
    ("lone continuation 0x80", &[0x80]),
    ("lone continuation 0xBF", &[0xbf]),
    ("two continuations", &[0x80, 0xbf]),
    ("2-byte lead, no continuation", &[0xc2]),
    ("3-byte lead, one continuation", &[0xe2, 0x82]),
    ("4-byte lead, two continuations", &[0xf0, 0x9f, 0x98]),
    ("2-byte lead then ASCII", &[0xc2, 0x41]),
    ("3-byte lead then ASCII", &[0xe2, 0x41, 0x41]),
    (
        "κόσμε with a broken byte",
        &[
            0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80,
            0x65, 0x64, 0x69, 0x74, 0x65, 0x64,
        ],
    ),
    (
        "valid text, then 0xC0",
        &[0x48, 0x65, 0x6c, 0x6c, 0x6f, 0xc0],
    ),
    ("0xF8 alone", &[0xf8]),
    ("0xC0 0xAF (overlong '/')", &[0xc0, 0xaf]),
];

fn one_byte_fragments(opcode: u8, bytes: &[u8]) -> Vec<Frame> {
    fragmented(opcode, bytes, 1)
}

fn utf8(out: &mut Vec<Case>) {
    let mut s = section(out, "6.1");
    for v in VALID {
        let b = v.as_bytes().to_vec();
        s.add(
            format!("valid {v:?} in one frame"),
            vec![send(vec![text(b.clone())])],
            vec![Obs::Text(b)],
            CloseRule::clean(),
        );
    }
    let mut s = section(out, "6.2");
    for v in VALID {
        let b = v.as_bytes().to_vec();
        s.add(
            format!("valid {v:?}, one byte per fragment"),
            vec![send(one_byte_fragments(op::TEXT, &b))],
            vec![Obs::Text(b)],
            CloseRule::clean(),
        );
    }
    let mut s = section(out, "6.3");
    for v in VALID {
        let b = v.as_bytes().to_vec();
        s.add(
            format!("valid {v:?}, one byte per write"),
            vec![chopped(vec![text(b.clone())], 1)],
            vec![Obs::Text(b)],
            CloseRule::clean(),
        );
    }
    let mut s = section(out, "6.4");
    for (what, bytes) in INVALID {
        s.add(
            format!("invalid: {what}, in one frame"),
            vec![send(vec![text(bytes.to_vec())])],
            vec![],
            fail(&[1007]),
        );
    }
    let mut s = section(out, "6.5");
    for (what, bytes) in INVALID {
        s.add(
            format!("invalid: {what}, one byte per fragment"),
            vec![send(one_byte_fragments(op::TEXT, bytes))],
            vec![],
            fail(&[1007]),
        );
    }
    let mut s = section(out, "6.6");
    for (what, bytes) in INVALID {
        let mut payload = b"valid start ".to_vec();
        payload.extend_from_slice(bytes);
        s.add(
            format!("invalid: {what}, after valid text, one byte per write"),
            vec![chopped(vec![text(payload)], 1)],
            vec![],
            fail(&[1007]),
        );
    }
    // Fail fast: the invalid bytes come in a first fragment, and the rest of the message never
    // does. A peer that checks only complete messages never fails, and the case times out.
    let mut s = section(out, "6.7");
    for (what, bytes) in INVALID.iter().filter(|(_, b)| is_invalid_already(b)) {
        let mut payload = b"fail fast: ".to_vec();
        payload.extend_from_slice(bytes);
        payload.extend_from_slice(b" and more text after it");
        s.add(
            format!("fail fast on {what}, the message never finished"),
            vec![send(vec![text(payload).fin(false)])],
            vec![],
            fail(&[1007]),
        );
        s.slow(5);
    }
}

/// Whether `bytes` is invalid whatever follows it (a truncated sequence at the end of a
/// fragment may still be completed by the next one).
fn is_invalid_already(bytes: &[u8]) -> bool {
    let mut with_more = bytes.to_vec();
    with_more.extend_from_slice(b" and more text after it");
    std::str::from_utf8(&with_more).is_err()
        && std::str::from_utf8(bytes)
            .err()
            .is_some_and(|e| e.error_len().is_some())
}

fn closing(out: &mut Vec<Case>) {
    let mut s = section(out, "7.1");
    s.add(
        "close without payload",
        vec![send(vec![Frame::new(op::CLOSE, vec![])])],
        vec![],
        reply(&[]),
    );
    s.add(
        "close with a 1-byte payload",
        vec![send(vec![Frame::new(op::CLOSE, vec![0x03])])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "close with code 1000 only",
        vec![send(vec![close(1000, b"")])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "close with code 1000 and a reason",
        vec![send(vec![close(1000, b"bye")])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "close with a 123-byte reason (125-byte payload)",
        vec![send(vec![close(1000, &stars(123))])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "close with a 124-byte reason (126-byte payload)",
        vec![send(vec![close(1000, &stars(124))])],
        vec![],
        fail(&[1002]),
    );
    s.add(
        "close with an invalid UTF-8 reason",
        vec![send(vec![close(1000, &[0xce, 0xba, 0xed, 0xa0, 0x80])])],
        vec![],
        fail(&[1007]),
    );
    let mut s = section(out, "7.2");
    for code in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
        4000, 4999,
    ] {
        s.add(
            format!("close with valid code {code}"),
            vec![send(vec![close(code, b"")])],
            vec![],
            reply(&[code, 1000]),
        );
    }
    let mut s = section(out, "7.3");
    for code in [
        0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] {
        s.add(
            format!("close with invalid code {code}"),
            vec![send(vec![close(code, b"")])],
            vec![],
            fail(&[1002]),
        );
    }
    let mut s = section(out, "7.4");
    s.add(
        "a message after the close is not answered",
        vec![send(vec![close(1000, b""), text("too late")])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "a close after the close",
        vec![send(vec![close(1000, b""), close(1001, b"")])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "a ping after the close",
        vec![send(vec![
            close(1000, b""),
            Frame::new(op::PING, b"late".to_vec()),
        ])],
        vec![],
        reply(&[1000]),
    );
    s.add(
        "a message, then the close, in one write",
        vec![send(vec![text("last words"), close(1000, b"")])],
        vec![Obs::Text(b"last words".to_vec())],
        reply(&[1000]),
    );
    s.add(
        "close written one byte at a time",
        vec![chopped(vec![close(1000, b"slowly")], 1)],
        vec![],
        reply(&[1000]),
    );
}

fn limits(out: &mut Vec<Case>) {
    let mut s = section(out, "9.1");
    for len in [64usize << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20] {
        s.add(
            format!("text message of {} KiB", len >> 10),
            vec![send(vec![text(stars(len))])],
            vec![Obs::Text(stars(len))],
            CloseRule::clean(),
        );
        s.slow(60);
        s.add(
            format!("binary message of {} KiB", len >> 10),
            vec![send(vec![binary(pattern(len))])],
            vec![Obs::Binary(pattern(len))],
            CloseRule::clean(),
        );
        s.slow(60);
    }
    let mut s = section(out, "9.2");
    for frag in [64usize, 4096] {
        let big = pattern(1 << 20);
        let frames = fragmented(op::BINARY, &big, frag);
        s.add(
            format!("1 MiB in {frag}-byte fragments"),
            vec![send(frames)],
            vec![Obs::Binary(big)],
            CloseRule::clean(),
        );
        s.slow(60);
    }
    let mut s = section(out, "9.3");
    s.add(
        "1000 small messages in one write",
        vec![send((0..1000).map(|i| text(format!("{i}"))).collect())],
        (0..1000)
            .map(|i| Obs::Text(format!("{i}").into_bytes()))
            .collect(),
        CloseRule::clean(),
    );
    s.slow(60);
    s.add(
        "16 MiB written in 64 KiB chops",
        vec![chopped(vec![binary(pattern(16 << 20))], 64 << 10)],
        vec![Obs::Binary(pattern(16 << 20))],
        CloseRule::clean(),
    );
    s.slow(60);
}

fn auto_fragmentation(out: &mut Vec<Case>) {
    let mut s = section(out, "10.1");
    for len in [65536usize, 1 << 20, 4 << 20] {
        s.add(
            format!(
                "{} KiB in one frame, echoed however the peer fragments it",
                len >> 10
            ),
            vec![send(vec![binary(pattern(len))])],
            vec![Obs::Binary(pattern(len))],
            CloseRule::clean(),
        );
        s.slow(60);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_cases_have_unique_ids_that_cannot_collide() {
        let cases = super::all();
        assert!(cases.len() >= 300, "{} cases", cases.len());
        assert!(cases.iter().all(|c| c.id.starts_with('x')));
        let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), cases.len());
        for group in [1, 2, 3, 4, 5, 6, 7, 9, 10] {
            assert!(cases.iter().any(|c| c.group() == group), "group {group}");
        }
    }

    #[test]
    fn the_invalid_utf8_vectors_are_invalid_and_the_valid_ones_valid() {
        for (what, bytes) in super::INVALID {
            assert!(std::str::from_utf8(bytes).is_err(), "{what}");
        }
        assert!(
            super::VALID
                .iter()
                .all(|v| std::str::from_utf8(v.as_bytes()).is_ok())
        );
    }
}
