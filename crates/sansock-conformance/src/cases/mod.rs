//! The catalogue. [`autobahn`]: the Autobahn|Testsuite's 517 cases under its ids, each doing
//! what that case does (the same frames, fragments, chops and pauses, the same expected events
//! and close): groups 1–5 in `framing.rs`, 6 in `utf8.rs`, 7 in `closing.rs`, 9 and 10 in
//! `limits.rs`, 12 and 13 in `compression.rs`. [`own`]: the tester's own cases, under `x` ids.
//! [`all`] is both.

mod closing;
mod compression;
mod framing;
mod limits;
pub mod own;
mod utf8;

use crate::case::{Case, CloseRule, Obs, Step};
use crate::traffic;
use crate::wire::{Frame, close_payload, op};

/// The Autobahn|Testsuite's cases, in its order: what `fuzzingclient` and `fuzzingserver` run.
pub fn autobahn() -> Vec<Case> {
    let mut out = Vec::new();
    framing::all(&mut out);
    utf8::all(&mut out);
    closing::all(&mut out);
    limits::all(&mut out);
    compression::payloads(&mut out);
    compression::parameters(&mut out);
    for c in &mut out {
        c.close_at_limit = closes_at_limit(&c.id);
    }
    out
}

/// The cases in which Autobahn's tester closes at the time limit (its `closeAfter`) rather than
/// dropping the connection (`killAfter`): pings, valid fragmentation, valid UTF-8 sent whole,
/// the timed and the compression groups.
fn closes_at_limit(id: &str) -> bool {
    let section = |p: &str| id.starts_with(p);
    (section("2.") && id != "2.5")
        || ["5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.19", "5.20"].contains(&id)
        || section("6.1.")
        || section("6.2.")
        || section("9.")
        || section("12.")
        || section("13.")
}

/// Autobahn's cases, then the tester's own.
pub fn all() -> Vec<Case> {
    let mut out = autobahn();
    out.extend(own::all());
    out
}

/// Autobahn's cases with the ids matching `patterns` (`*` globs, as its spec files: `*`,
/// `6.4.*`, `12.1.1`), minus those matching `exclude`; the tester's own ids are matched too.
pub fn select(cases: Vec<Case>, patterns: &[String], exclude: &[String]) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| patterns.iter().any(|p| glob(p, &c.id)))
        .filter(|c| !exclude.iter().any(|p| glob(p, &c.id)))
        .collect()
}

/// Whether `id` matches `pattern`, where `*` stands for any run of characters.
pub fn glob(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, rest)) => {
            let Some(tail) = id.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len()).any(|i| tail.is_char_boundary(i) && glob(rest, &tail[i..]))
        }
    }
}

// Builders the group files share.

/// A case as Autobahn writes most: these steps, these events, this close, a time limit.
fn case(id: &str, title: &str, steps: Vec<Step>, expect: Vec<Obs>, close: CloseRule) -> Case {
    let mut c = Case::new(id, title, steps, expect, close);
    c.limit_secs = 2;
    c
}

/// The frames in one write.
fn send(frames: Vec<Frame>) -> Step {
    Step::Send {
        frames,
        chop: 0,
        wrong_mask: false,
    }
}

/// Each frame in writes of `chop` bytes (Autobahn's `chopsize`; 0: each frame in one write,
/// its `sync`).
fn each(frames: Vec<Frame>, chop: usize) -> Vec<Step> {
    frames
        .into_iter()
        .map(|f| Step::Send {
            frames: vec![f],
            chop,
            wrong_mask: false,
        })
        .collect()
}

fn text(p: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op::TEXT, p)
}

fn binary(p: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op::BINARY, p)
}

fn cont(p: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op::CONT, p)
}

fn ping(p: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op::PING, p)
}

fn pong(p: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op::PONG, p)
}

/// A close frame with this code (none: empty) and reason.
fn close(code: Option<u16>, reason: &[u8]) -> Frame {
    match code {
        Some(code) => Frame::new(op::CLOSE, close_payload(code, reason)),
        None => Frame::new(op::CLOSE, reason.to_vec()),
    }
}

/// `message` fragmented Autobahn's way (`fragmentSize`, [`traffic::fragments`]): frames of
/// `size` bytes, the first with `opcode`, and an empty last frame when the length is a
/// multiple of `size`.
fn fragmented(opcode: u8, message: &[u8], size: usize) -> Vec<Frame> {
    traffic::message_frames(opcode, 0, message, size)
}

/// `pattern` repeated to `len` bytes (Autobahn's `payload_len`).
fn filled(pattern: &[u8], len: usize) -> Vec<u8> {
    pattern.iter().copied().cycle().take(len).collect()
}

fn fail_1002() -> CloseRule {
    CloseRule::fail(&[1002])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autobahns_517_cases_with_its_ids_in_its_order() {
        let cases = autobahn();
        assert_eq!(cases.len(), 517);
        let per_group = |g: u32| cases.iter().filter(|c| c.group() == g).count();
        let counts: Vec<usize> = [1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13]
            .into_iter()
            .map(per_group)
            .collect();
        assert_eq!(counts, [16, 11, 7, 10, 20, 145, 37, 54, 1, 90, 126]);
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        for id in [
            "1.1.8", "2.11", "3.7", "5.20", "6.4.4", "6.23.7", "7.13.2", "9.8.6",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(ids[0], "1.1.1");
        assert_eq!(ids[516], "13.7.18");
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 517);
        // The tester's own cannot collide.
        assert!(own::all().iter().all(|c| !ids.contains(&c.id.as_str())));
    }

    #[test]
    fn globs_as_autobahns_spec_files() {
        assert!(glob("*", "6.4.1"));
        assert!(glob("6.4.*", "6.4.1"));
        assert!(!glob("6.4.*", "6.5.1"));
        assert!(glob("12.1.1", "12.1.1"));
        assert!(!glob("1.1", "1.1.1"));
        assert!(glob("9.*.1", "9.7.1"));
        let picked = select(autobahn(), &["1.*".into(), "2.1".into()], &["1.2.*".into()]);
        let ids: Vec<&str> = picked.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 9, "{ids:?}");
        assert!(ids.contains(&"2.1") && !ids.contains(&"1.2.1"));
    }
}
