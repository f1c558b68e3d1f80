//! Autobahn's group 6, UTF-8: empty fragments (6.1), valid text fragmented on and within code
//! points (6.2), invalid text (6.3), failing fast inside a message (6.4, with the pauses and
//! marks Autobahn uses: OK if the peer fails the connection at the invalid part, NON-STRICT if
//! only at the end), and Markus Kuhn's UTF-8 decoder test sequences one section each (6.5 to
//! 6.23), in Autobahn's order.

use super::{CloseRule, case, cont, fragmented, send, text};
use crate::case::{Case, Obs, Step};
use crate::wire::op;

const KOSME: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
const HELLO_UTF8: &str = "Hello-µ@ßöäüàá-UTF-8!!";

fn invalid() -> CloseRule {
    CloseRule::fail_fatal(&[1007])
}

fn valid(id: &str, title: &str, steps: Vec<Step>, message: &[u8]) -> Case {
    case(
        id,
        title,
        steps,
        vec![Obs::Text(message.to_vec())],
        CloseRule::clean(),
    )
}

pub(super) fn all(out: &mut Vec<Case>) {
    out.push(valid(
        "6.1.1",
        "zero-length text message",
        vec![send(vec![text(vec![])])],
        b"",
    ));
    out.push(valid(
        "6.1.2",
        "text message of 3 empty fragments",
        vec![send(vec![
            text(vec![]).fin(false),
            cont(vec![]).fin(false),
            cont(vec![]),
        ])],
        b"",
    ));
    out.push(valid(
        "6.1.3",
        "text message of 3 fragments, the first and last empty",
        vec![send(vec![
            text(vec![]).fin(false),
            cont(&b"middle frame payload"[..]).fin(false),
            cont(vec![]),
        ])],
        b"middle frame payload",
    ));
    let hello = HELLO_UTF8.as_bytes();
    out.push(valid(
        "6.2.1",
        "valid UTF-8 in one fragment",
        vec![send(vec![text(hello)])],
        hello,
    ));
    let (a, b) = HELLO_UTF8.split_at(HELLO_UTF8.find('ü').unwrap_or(0));
    out.push(valid(
        "6.2.2",
        "valid UTF-8 in two fragments, fragmented on a code point boundary",
        vec![send(vec![
            text(a.as_bytes()).fin(false),
            cont(b.as_bytes()),
        ])],
        hello,
    ));
    out.push(valid(
        "6.2.3",
        "valid UTF-8 in fragments of 1 octet (ending within code points)",
        vec![send(fragmented(op::TEXT, hello, 1))],
        hello,
    ));
    out.push(valid(
        "6.2.4",
        "valid UTF-8 (κόσμε) in fragments of 1 octet",
        vec![send(fragmented(op::TEXT, KOSME, 1))],
        KOSME,
    ));
    let bad: Vec<u8> = [KOSME, b"\xed\xa0\x80", b"edited"].concat();
    out.push(case(
        "6.3.1",
        "invalid UTF-8 in one fragment",
        vec![send(vec![text(bad.clone())])],
        vec![],
        invalid(),
    ));
    out.push(case(
        "6.3.2",
        "invalid UTF-8 in fragments of 1 octet",
        vec![send(fragmented(op::TEXT, &bad, 1))],
        vec![],
        invalid(),
    ));
    fail_fast(out);
    for (i, (_, sequences)) in sequences().into_iter().enumerate() {
        for (j, (is_valid, bytes)) in sequences.into_iter().enumerate() {
            let id = format!("6.{}.{}", i + 5, j + 1);
            let steps = vec![send(vec![text(bytes.clone())])];
            out.push(if is_valid {
                valid(&id, "valid UTF-8 in one fragment", steps, &bytes)
            } else {
                case(
                    &id,
                    "invalid UTF-8 in one fragment",
                    steps,
                    vec![],
                    invalid(),
                )
            });
        }
    }
}

/// 6.4: the peer must fail the connection as soon as the text is invalid — after part A, not
/// only once the message ends (B).
fn fail_fast(out: &mut Vec<Case>) {
    let whole: Vec<u8> = [KOSME, b"\xf4\x90\x80\x80", b"edited"].concat();
    let marks = |c: &mut Case| {
        c.expect = vec![Obs::Mark('A')];
        c.non_strict = Some(vec![Obs::Mark('A'), Obs::Mark('B')]);
        c.limit_secs = 4;
        c.no_auto_close = true;
    };
    for (id, cut1, cut2, how) in [
        (
            "6.4.1",
            11,
            15,
            "3 frames: valid, the invalid code point, the rest",
        ),
        (
            "6.4.2",
            12,
            13,
            "3 frames: up to and including the octet that makes it invalid",
        ),
    ] {
        let steps = vec![
            send(vec![text(&whole[..cut1]).fin(false)]),
            Step::Pause(1000),
            Step::Mark('A'),
            send(vec![cont(&whole[cut1..cut2]).fin(false)]),
            Step::Pause(1000),
            Step::Mark('B'),
            send(vec![cont(&whole[cut2..])]),
        ];
        let mut c = case(
            id,
            &format!("invalid UTF-8 in {how}, 1 s apart"),
            steps,
            vec![],
            invalid(),
        );
        marks(&mut c);
        out.push(c);
    }
    for (id, cut1, cut2) in [("6.4.3", 11, 15), ("6.4.4", 12, 13)] {
        // Autobahn streams it (`beginMessage`, `beginMessageFrame(21)`, the three chops with
        // `sendMessageFrameData`, then `endMessage`): the frame has no FIN, and an empty final
        // continuation follows the last chop.
        let steps = vec![Step::Pieces {
            frame: text(whole.clone()).fin(false),
            cuts: vec![cut1, cut2],
            pause: 1000,
            marks: vec!['A', 'B'],
            tail: vec![cont(vec![])],
        }];
        let mut c = case(
            id,
            &format!(
                "invalid UTF-8 in one frame written in 3 chops (cut at {cut1} and {cut2}), 1 s apart"
            ),
            steps,
            vec![],
            invalid(),
        );
        marks(&mut c);
        out.push(c);
    }
}

type Sequences = Vec<(&'static str, Vec<(bool, Vec<u8>)>)>;

/// Markus Kuhn's UTF-8 decoder test sequences as Autobahn groups them: (valid, bytes).
fn sequences() -> Sequences {
    let v = |b: &[u8]| (true, b.to_vec());
    let x = |b: &[u8]| (false, b.to_vec());
    let mut all: Sequences = Vec::new();
    all.push((
        "some valid UTF-8 sequences",
        vec![
            v(b"hello\x24world"),
            v(b"hello\xc2\xa2world"),
            v(b"hello\xe2\x82\xacworld"),
            v(b"hello\xf0\xa4\xad\xa2world"),
            v(KOSME),
        ],
    ));
    all.push((
        "all prefixes of a valid string with multi-byte code points",
        (1..=KOSME.len())
            .map(|n| {
                (
                    std::str::from_utf8(&KOSME[..n]).is_ok(),
                    KOSME[..n].to_vec(),
                )
            })
            .collect(),
    ));
    all.push((
        "first possible sequence of a certain length",
        vec![
            v(b"\x00"),
            v(b"\xc2\x80"),
            v(b"\xe0\xa0\x80"),
            v(b"\xf0\x90\x80\x80"),
        ],
    ));
    all.push((
        "first possible sequence of length 5 and 6 (invalid code points)",
        vec![x(b"\xf8\x88\x80\x80\x80"), x(b"\xfc\x84\x80\x80\x80\x80")],
    ));
    all.push((
        "last possible sequence of a certain length",
        vec![
            v(b"\x7f"),
            v(b"\xdf\xbf"),
            v(b"\xef\xbf\xbf"),
            v(b"\xf4\x8f\xbf\xbf"),
        ],
    ));
    all.push((
        "last possible sequence of length 4, 5 and 6 (invalid code points)",
        vec![
            x(b"\xf7\xbf\xbf\xbf"),
            x(b"\xfb\xbf\xbf\xbf\xbf"),
            x(b"\xfd\xbf\xbf\xbf\xbf\xbf"),
        ],
    ));
    all.push((
        "other boundary conditions",
        vec![
            v(b"\xed\x9f\xbf"),
            v(b"\xee\x80\x80"),
            v(b"\xef\xbf\xbd"),
            v(b"\xf4\x8f\xbf\xbf"),
            x(b"\xf4\x90\x80\x80"),
        ],
    ));
    let mut continuation = vec![
        x(b"\x80"),
        x(b"\xbf"),
        x(b"\x80\xbf"),
        x(b"\x80\xbf\x80"),
        x(b"\x80\xbf\x80\xbf"),
        x(b"\x80\xbf\x80\xbf\x80"),
        x(b"\x80\xbf\x80\xbf\x80\xbf"),
    ];
    continuation.push((false, (0x80..0xbf).collect()));
    all.push(("unexpected continuation bytes", continuation));
    all.push((
        "lonely start characters",
        [
            (0xc0u8, 0xdfu8),
            (0xe0, 0xef),
            (0xf0, 0xf7),
            (0xf8, 0xfb),
            (0xfc, 0xfd),
        ]
        .into_iter()
        .map(|(lo, hi)| (false, (lo..hi).flat_map(|b| [b, b' ']).collect()))
        .collect(),
    ));
    let missing: [&[u8]; 10] = [
        b"\xc0",
        b"\xe0\x80",
        b"\xf0\x80\x80",
        b"\xf8\x80\x80\x80",
        b"\xfc\x80\x80\x80\x80",
        b"\xdf",
        b"\xef\xbf",
        b"\xf7\xbf\xbf",
        b"\xfb\xbf\xbf\xbf",
        b"\xfd\xbf\xbf\xbf\xbf",
    ];
    all.push((
        "sequences with the last continuation byte missing",
        missing.iter().map(|b| x(b)).collect(),
    ));
    all.push((
        "concatenation of incomplete sequences",
        vec![(false, missing.concat())],
    ));
    all.push((
        "impossible bytes",
        vec![x(b"\xfe"), x(b"\xff"), x(b"\xfe\xfe\xff\xff")],
    ));
    all.push((
        "overlong ASCII character",
        vec![
            x(b"\xc0\xaf"),
            x(b"\xe0\x80\xaf"),
            x(b"\xf0\x80\x80\xaf"),
            x(b"\xf8\x80\x80\x80\xaf"),
            x(b"\xfc\x80\x80\x80\x80\xaf"),
        ],
    ));
    all.push((
        "maximum overlong sequences",
        vec![
            x(b"\xc1\xbf"),
            x(b"\xe0\x9f\xbf"),
            x(b"\xf0\x8f\xbf\xbf"),
            x(b"\xf8\x87\xbf\xbf\xbf"),
            x(b"\xfc\x83\xbf\xbf\xbf\xbf"),
        ],
    ));
    all.push((
        "overlong NUL character",
        vec![
            x(b"\xc0\x80"),
            x(b"\xe0\x80\x80"),
            x(b"\xf0\x80\x80\x80"),
            x(b"\xf8\x80\x80\x80\x80"),
            x(b"\xfc\x80\x80\x80\x80\x80"),
        ],
    ));
    all.push((
        "single UTF-16 surrogates",
        [
            b"\xed\xa0\x80",
            b"\xed\xad\xbf",
            b"\xed\xae\x80",
            b"\xed\xaf\xbf",
            b"\xed\xb0\x80",
            b"\xed\xbe\x80",
            b"\xed\xbf\xbf",
        ]
        .iter()
        .map(|b| x(*b))
        .collect(),
    ));
    let high: [&[u8]; 4] = [
        b"\xed\xa0\x80",
        b"\xed\xad\xbf",
        b"\xed\xae\x80",
        b"\xed\xaf\xbf",
    ];
    let low: [&[u8]; 2] = [b"\xed\xb0\x80", b"\xed\xbf\xbf"];
    all.push((
        "paired UTF-16 surrogates",
        high.iter()
            .flat_map(|h| low.iter().map(move |l| (false, [*h, *l].concat())))
            .collect(),
    ));
    let mut nonchars = vec![v(b"\xef\xbf\xbe"), v(b"\xef\xbf\xbf")];
    for z1 in [0xf0u8, 0xf1, 0xf2, 0xf3, 0xf4] {
        for z2 in [0x8fu8, 0x9f, 0xaf, 0xbf] {
            if z1 == 0xf4 && z2 != 0x8f {
                continue; // past U+10FFFF
            }
            for z3 in [0xbeu8, 0xbf] {
                let bytes = vec![z1, z2, 0xbf, z3];
                if z1 == 0xf0 && z2 == 0x8f {
                    continue; // overlong
                }
                nonchars.push((true, bytes));
            }
        }
    }
    all.push(("non-character code points (valid UTF-8)", nonchars));
    all.push((
        "Unicode specials (the replacement character among them)",
        (0xb9u8..=0xbf)
            .map(|b| (true, vec![0xef, 0xbf, b]))
            .collect(),
    ));
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sequences_say_truly_whether_they_are_valid() {
        for (what, list) in super::sequences() {
            for (valid, bytes) in list {
                assert_eq!(
                    std::str::from_utf8(&bytes).is_ok(),
                    valid,
                    "{what}: {bytes:x?}"
                );
            }
        }
    }
}
