//! Autobahn's group 7, closing: what follows a close is ignored (7.1), close payload lengths
//! (7.3), an invalid UTF-8 reason (7.5), every valid close code (7.7) and invalid ones (7.9),
//! codes the RFC leaves open (7.13, informational). A wrong close code fails these cases, not
//! only their closing behaviour, as in Autobahn.

use super::{CloseRule, case, close, cont, ping, send, text};
use crate::case::{Case, Judging, Obs};
use crate::wire::Frame;

const VALID: [u16; 13] = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
];
const INVALID: [u16; 9] = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
const BAD_REASON: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited";

/// A group 7 case in which the tester's frames include its close.
fn closed(id: &str, title: &str, frames: Vec<Frame>, rule: CloseRule) -> Case {
    let mut c = case(id, title, vec![send(frames)], vec![], rule);
    c.no_auto_close = true;
    c.judging = Judging::WrongCodeFails;
    c
}

fn normal() -> CloseRule {
    CloseRule::clean()
}

pub(super) fn all(out: &mut Vec<Case>) {
    let mut c = case(
        "7.1.1",
        "a message, then (when echoed) a close",
        vec![send(vec![text(&b"Hello World!"[..])])],
        vec![Obs::Text(b"Hello World!".to_vec())],
        normal(),
    );
    c.judging = Judging::WrongCodeFails;
    out.push(c);
    let bye = || close(Some(1000), b"");
    out.push(closed(
        "7.1.2",
        "two closes",
        vec![bye(), close(None, b"")],
        normal(),
    ));
    out.push(closed(
        "7.1.3",
        "a ping after the close",
        vec![bye(), ping(vec![])],
        normal(),
    ));
    out.push(closed(
        "7.1.4",
        "a text message after the close",
        vec![bye(), text(&b"Hello World!"[..])],
        normal(),
    ));
    out.push(closed(
        "7.1.5",
        "a close between the fragments of a message",
        vec![
            text(&b"fragment1"[..]).fin(false),
            bye(),
            cont(&b"fragment2"[..]),
        ],
        normal(),
    ));
    let mut c = closed(
        "7.1.6",
        "a 256 KiB message, a message, a close and a ping back to back",
        vec![
            text(super::filled(b"BAsd7&jh23", 256 << 10)),
            text(&b"Hello World!"[..]),
            bye(),
            ping(vec![]),
        ],
        normal(),
    );
    c.expect = vec![Obs::Text(b"Hello World!".to_vec())];
    c.non_strict = Some(vec![]);
    c.judging = Judging::Informational;
    out.push(c);

    out.push(closed(
        "7.3.1",
        "a close with an empty payload",
        vec![close(None, b"")],
        normal(),
    ));
    out.push(closed(
        "7.3.2",
        "a close with a 1-octet payload",
        vec![close(None, b"a")],
        CloseRule::by_tester(&[1002], false),
    ));
    out.push(closed(
        "7.3.3",
        "a close with a code and no reason",
        vec![bye()],
        normal(),
    ));
    out.push(closed(
        "7.3.4",
        "a close with a code and a short reason",
        vec![close(Some(1000), b"Hello World!")],
        normal(),
    ));
    out.push(closed(
        "7.3.5",
        "a close with a code and a 123-octet reason (125 in all)",
        vec![close(Some(1000), &[b'*'; 123])],
        normal(),
    ));
    out.push(closed(
        "7.3.6",
        "a close with a code and a 124-octet reason (126: too long for a control frame)",
        vec![close(Some(1000), &[b'*'; 124])],
        CloseRule::by_tester(&[1002], false),
    ));
    out.push(closed(
        "7.5.1",
        "a close whose reason is invalid UTF-8",
        vec![close(Some(1000), BAD_REASON)],
        CloseRule::by_tester(&[1002, 1007], false),
    ));
    for (i, code) in VALID.into_iter().enumerate() {
        out.push(closed(
            &format!("7.7.{}", i + 1),
            &format!("a close with the valid code {code}"),
            vec![close(Some(code), b"")],
            CloseRule::by_tester(&[1000, code], true),
        ));
    }
    for (i, code) in INVALID.into_iter().enumerate() {
        out.push(closed(
            &format!("7.9.{}", i + 1),
            &format!("a close with the invalid code {code}"),
            vec![close(Some(code), b"")],
            CloseRule::by_tester(&[1002], false),
        ));
    }
    for (id, code) in [("7.13.1", 5000u16), ("7.13.2", 65535)] {
        let mut c = closed(
            id,
            &format!("a close with the code {code} (undefined by the RFC)"),
            vec![close(Some(code), b"")],
            CloseRule::by_tester(&[1000, code, 1002], false),
        );
        c.judging = Judging::Informational;
        out.push(c);
    }
}
