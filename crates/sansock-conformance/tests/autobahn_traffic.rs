//! The tester's traffic against Autobahn's, case by case: `autobahn-frames.json` is derived
//! from Autobahn|Testsuite's own code (`autobahn/derive_frames.py` runs its case classes on its
//! own `WebSocketProtocol`; `scripts/autobahn-frames.sh --check` re-derives it and compares).
//! For every case of groups 1–10: the same bytes (a SHA-1 of all of them), the same writes and
//! pauses, and so the same frames (opcode, FIN, RSV, length, how many); for groups 12 and 13,
//! on Autobahn's data files, the same messages before compression, one at a time, and the same
//! fragment size — and the fragmentation rule itself against Autobahn's on lengths around the
//! multiples of the size.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_conformance::cases;
use sansock_conformance::corpus::use_autobahn_data;
use sansock_conformance::traffic::{Record, Run, fragments, record};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn table() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/autobahn-frames.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A record as the table spells it.
fn as_json(r: &Record) -> Value {
    match r {
        Record::Frames {
            writes,
            frames,
            sha1,
        } => {
            let writes: Vec<Value> = writes
                .iter()
                .map(|w| match w {
                    Run::Writes {
                        len,
                        after_echo,
                        count,
                    } => serde_json::json!(["w", len, after_echo, count]),
                    Run::Pause(ms) => serde_json::json!(["pause", ms]),
                })
                .collect();
            let frames: Vec<Value> = frames
                .iter()
                .map(|(op, fin, rsv, len, n)| serde_json::json!([op, fin, rsv, len, n]))
                .collect();
            serde_json::json!({"writes": writes, "frames": frames, "sha1": sha1})
        }
        Record::Messages {
            count,
            binary,
            digest,
            fragment,
        } => serde_json::json!({
            "messages": count, "binary": binary, "digest": digest,
            "auto_fragment_size": fragment,
        }),
    }
}

/// Shortens a long JSON value for a failure message.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 600 {
        format!("{}…", &s[..600])
    } else {
        s
    }
}

#[test]
fn every_case_writes_what_autobahn_writes() {
    let status = std::process::Command::new(root().join("scripts/autobahn-data.sh"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "scripts/autobahn-data.sh");
    use_autobahn_data(&root().join("target/autobahn-data")).unwrap();
    let table = table();
    let expected = table["cases"].as_object().unwrap();
    let ours = cases::autobahn();
    assert_eq!(ours.len(), expected.len());
    // Two at a time (alternate cases, so both get their share of groups 12 and 13, whose
    // messages are about 11 GB to digest).
    let records: Vec<Value> = std::thread::scope(|s| {
        let odd = s.spawn(|| {
            ours.iter()
                .skip(1)
                .step_by(2)
                .map(|c| as_json(&record(c)))
                .collect::<Vec<_>>()
        });
        let even: Vec<Value> = ours
            .iter()
            .step_by(2)
            .map(|c| as_json(&record(c)))
            .collect();
        let odd = odd.join().unwrap();
        let mut all = Vec::with_capacity(ours.len());
        for (i, e) in even.into_iter().enumerate() {
            all.push(e);
            if let Some(o) = odd.get(i) {
                all.push(o.clone());
            }
        }
        all
    });
    let mut differ = Vec::new();
    for (case, got) in ours.iter().zip(&records) {
        let want = &expected[&case.id];
        if got != want {
            differ.push(format!(
                "{}:\n  Autobahn: {}\n  tester:   {}",
                case.id,
                short(want),
                short(got)
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} cases differ from Autobahn's traffic:\n{}",
        differ.len(),
        ours.len(),
        differ.join("\n")
    );
}

#[test]
fn fragments_as_autobahns_send_message_cuts_them() {
    let table = table();
    for (key, want) in table["fragment_rule"].as_object().unwrap() {
        let (size, len) = key.split_once(':').unwrap();
        let (size, len): (usize, usize) = (size.parse().unwrap(), len.parse().unwrap());
        let cuts = fragments(len, size);
        let got: Vec<Value> = cuts
            .iter()
            .enumerate()
            .map(|(i, r)| serde_json::json!([r.len(), i + 1 == cuts.len()]))
            .collect();
        assert_eq!(
            &Value::from(got),
            want,
            "{len} bytes in fragments of {size}"
        );
    }
}
