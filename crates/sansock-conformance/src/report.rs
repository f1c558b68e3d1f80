//! Reports: a JSON file with every outcome, and a summary table per group — for the terminal
//! and as markdown.

use crate::runner::{Outcome, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Counts per verdict for one group.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// OK.
    pub ok: usize,
    /// NON-STRICT.
    pub non_strict: usize,
    /// INFORMATIONAL.
    pub informational: usize,
    /// FAILED.
    pub failed: usize,
}

const GROUPS: [(u32, &str); 11] = [
    (1, "framing"),
    (2, "pings and pongs"),
    (3, "reserved bits"),
    (4, "reserved opcodes"),
    (5, "fragmentation"),
    (6, "UTF-8"),
    (7, "closing"),
    (9, "limits and speed"),
    (10, "auto-fragmentation"),
    (12, "compression: payloads"),
    (13, "compression: parameters"),
];

fn group_of(id: &str) -> u32 {
    id.split('.')
        .next()
        .and_then(|g| g.parse().ok())
        .unwrap_or(0)
}

/// Verdict counts per group, and in all.
pub fn tally(outcomes: &[Outcome]) -> (BTreeMap<u32, Tally>, Tally) {
    let mut groups: BTreeMap<u32, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for o in outcomes {
        for t in [groups.entry(group_of(&o.id)).or_default(), &mut all] {
            match o.verdict {
                Verdict::Ok => t.ok += 1,
                Verdict::NonStrict => t.non_strict += 1,
                Verdict::Informational => t.informational += 1,
                Verdict::Failed => t.failed += 1,
            }
        }
    }
    (groups, all)
}

/// The summary as a markdown table, the timings of group 9, then every case that was
/// NON-STRICT or FAILED.
pub fn markdown(agent: &str, outcomes: &[Outcome]) -> String {
    let (groups, all) = tally(outcomes);
    let mut s = format!(
        "## {agent}\n\n| group | cases | OK | NON-STRICT | INFORMATIONAL | FAILED |\n|---|---|---|---|---|---|\n"
    );
    for (g, name) in GROUPS {
        if let Some(t) = groups.get(&g) {
            let n = t.ok + t.non_strict + t.informational + t.failed;
            let _ = writeln!(
                s,
                "| {g} {name} | {n} | {} | {} | {} | {} |",
                t.ok, t.non_strict, t.informational, t.failed
            );
        }
    }
    let n = all.ok + all.non_strict + all.informational + all.failed;
    let _ = writeln!(
        s,
        "| **all** | **{n}** | **{}** | **{}** | **{}** | **{}** |",
        all.ok, all.non_strict, all.informational, all.failed
    );
    let timed: Vec<&Outcome> = outcomes.iter().filter(|o| group_of(&o.id) == 9).collect();
    if !timed.is_empty() {
        s.push_str("\n| case | limits and speed | verdict | ms |\n|---|---|---|---|\n");
        for o in timed {
            let _ = writeln!(
                s,
                "| {} | {} | {:?} | {} |",
                o.id, o.title, o.verdict, o.millis
            );
        }
    }
    let notable: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Failed | Verdict::NonStrict))
        .collect();
    if !notable.is_empty() {
        s.push_str("\n| case | verdict | title | expected | observed |\n|---|---|---|---|---|\n");
        for o in notable {
            let _ = writeln!(
                s,
                "| {} | {:?} | {} | {} | {} |",
                o.id, o.verdict, o.title, o.expected, o.observed
            );
        }
    }
    s
}

/// The JSON report.
///
/// # Errors
/// Never in practice (the outcomes are plain data).
pub fn json(agent: &str, outcomes: &[Outcome]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&serde_json::json!({ "agent": agent, "cases": outcomes }))
}
