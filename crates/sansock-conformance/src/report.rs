//! Reports: a JSON file with every outcome, a summary table per group — for the terminal and as
//! markdown — and Autobahn's report shape (`index.json` and a file per case) for the tools that
//! read Autobahn's.

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
    /// UNIMPLEMENTED.
    pub unimplemented: usize,
    /// FAILED.
    pub failed: usize,
    /// NON-STRICT under `--strict` (the stricter reading), counted apart.
    pub strict_non_strict: usize,
}

impl Tally {
    fn cases(&self) -> usize {
        self.ok + self.non_strict + self.informational + self.unimplemented + self.failed
    }
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

/// The group of an id, and whether it is one of the tester's own (`x1.3.1`).
fn group_of(id: &str) -> (bool, u32) {
    let own = id.starts_with('x');
    let group = id
        .trim_start_matches('x')
        .split('.')
        .next()
        .and_then(|g| g.parse().ok())
        .unwrap_or(0);
    (own, group)
}

/// Verdict counts per group (Autobahn's, then the tester's own), and in all.
pub fn tally(outcomes: &[Outcome]) -> (BTreeMap<(bool, u32), Tally>, Tally) {
    let mut groups: BTreeMap<(bool, u32), Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for o in outcomes {
        for t in [groups.entry(group_of(&o.id)).or_default(), &mut all] {
            match o.verdict {
                Verdict::Ok => t.ok += 1,
                Verdict::NonStrict => t.non_strict += 1,
                Verdict::Informational => t.informational += 1,
                Verdict::Unimplemented => t.unimplemented += 1,
                Verdict::Failed => t.failed += 1,
            }
            if o.strict == Verdict::NonStrict {
                t.strict_non_strict += 1;
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
        "## {agent}\n\nVerdicts by Autobahn's rules; the last column counts the cases NON-STRICT \
         under `--strict` (a connection failed without a close frame, RFC 6455 §7.1.7).\n\n\
         | group | cases | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | FAILED | strict: NON-STRICT |\n\
         |---|---|---|---|---|---|---|---|\n"
    );
    for own in [false, true] {
        for (g, name) in GROUPS {
            if let Some(t) = groups.get(&(own, g)) {
                let label = if own {
                    format!("x{g} {name} (own)")
                } else {
                    format!("{g} {name}")
                };
                let _ = writeln!(
                    s,
                    "| {label} | {} | {} | {} | {} | {} | {} | {} |",
                    t.cases(),
                    t.ok,
                    t.non_strict,
                    t.informational,
                    t.unimplemented,
                    t.failed,
                    t.strict_non_strict
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "| **all** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** |",
        all.cases(),
        all.ok,
        all.non_strict,
        all.informational,
        all.unimplemented,
        all.failed,
        all.strict_non_strict
    );
    let timed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| group_of(&o.id) == (false, 9))
        .collect();
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
