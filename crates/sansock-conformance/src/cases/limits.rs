//! Autobahn's group 9, limits and performance — large messages whole (9.1, 9.2), fragmented
//! (9.3, 9.4) and written in chops (9.5, 9.6), and 1,000 round trips one after another (9.7,
//! 9.8), each timed — and group 10, a message the tester sends auto-fragmented.

use super::{CloseRule, case, each, filled, fragmented, send};
use crate::case::{Case, Obs, Step};
use crate::wire::{Frame, op};

const MIB: usize = 1 << 20;
const TEXT: &[u8] = b"BAsd7&jh23";
const BINARY: &[u8] = b"\x00\xfe\x23\xfa\xf0";

fn timed(id: &str, title: String, steps: Vec<Step>, expect: Obs, secs: u64) -> Case {
    let mut c = case(id, &title, steps, vec![expect], CloseRule::clean());
    c.limit_secs = secs;
    c
}

fn obs(opcode: u8, payload: Vec<u8>) -> Obs {
    if opcode == op::TEXT {
        Obs::Text(payload)
    } else {
        Obs::Binary(payload)
    }
}

pub(super) fn all(out: &mut Vec<Case>) {
    let sizes = [64 << 10, 256 << 10, MIB, 4 * MIB, 8 * MIB, 16 * MIB];
    for (sub, opcode, pattern, kind) in [
        (1, op::TEXT, TEXT, "text"),
        (2, op::BINARY, BINARY, "binary"),
    ] {
        for (i, len) in sizes.into_iter().enumerate() {
            let p = filled(pattern, len);
            out.push(timed(
                &format!("9.{sub}.{}", i + 1),
                format!("{kind} message of {} KiB", len >> 10),
                vec![send(vec![Frame::new(opcode, p.clone())])],
                obs(opcode, p),
                if len <= 256 << 10 { 10 } else { 100 },
            ));
        }
    }
    let fragments = [
        64,
        256,
        1 << 10,
        4 << 10,
        16 << 10,
        64 << 10,
        256 << 10,
        MIB,
        4 * MIB,
    ];
    for (sub, opcode, kind) in [(3, op::TEXT, "text"), (4, op::BINARY, "binary")] {
        for (i, size) in fragments.into_iter().enumerate() {
            // Autobahn's 9.4.1 is 0xfe bytes; its other 9.4 cases, like 9.3, are '*'.
            let byte = if sub == 4 && i == 0 { 0xfe } else { b'*' };
            let p = vec![byte; 4 * MIB];
            out.push(timed(
                &format!("9.{sub}.{}", i + 1),
                format!("{kind} message of 4 MiB in fragments of {size} bytes"),
                vec![send(fragmented(opcode, &p, size))],
                obs(opcode, p),
                100,
            ));
        }
    }
    let chops = [64, 128, 256, 512, 1024, 2048];
    for (sub, opcode, pattern, kind) in [
        (5, op::TEXT, TEXT, "text"),
        (6, op::BINARY, BINARY, "binary"),
    ] {
        for (i, chop) in chops.into_iter().enumerate() {
            let p = filled(pattern, MIB);
            out.push(timed(
                &format!("9.{sub}.{}", i + 1),
                format!("{kind} message of 1 MiB written in chops of {chop} octets"),
                each(vec![Frame::new(opcode, p.clone())], chop),
                obs(opcode, p),
                100,
            ));
        }
    }
    let round_trips = [
        (0, 60),
        (16, 60),
        (64, 60),
        (256, 120),
        (1024, 240),
        (4096, 480),
    ];
    for (sub, opcode, byte, kind) in [(7, op::TEXT, b'*', "text"), (8, op::BINARY, 0xfe, "binary")]
    {
        for (i, (len, secs)) in round_trips.into_iter().enumerate() {
            let mut c = case(
                &format!("9.{sub}.{}", i + 1),
                &format!("1000 {kind} messages of {len} bytes, each sent once the last came back"),
                vec![Step::RoundTrips {
                    opcode,
                    payload: vec![byte; len],
                    count: 1000,
                }],
                vec![],
                CloseRule::clean(),
            );
            c.limit_secs = secs;
            out.push(c);
        }
    }
    let p = vec![b'*'; 65536];
    let mut c = case(
        "10.1.1",
        "text message of 65536 bytes sent in fragments of 1300",
        vec![send(fragmented(op::TEXT, &p, 1300))],
        vec![Obs::Text(p)],
        CloseRule::clean(),
    );
    c.limit_secs = 10;
    out.push(c);
}
