//! Autobahn|Testsuite's files, read and written: its spec files (`fuzzingclient.json`,
//! `fuzzingserver.json`) as input, its report shape (`index.json`: agent → case → behavior,
//! behaviorClose, duration, remoteCloseCode, reportfile; and a JSON file per case) as output,
//! and its `index.json` read back (to compare with the results projects publish).

use crate::case::Case;
use crate::runner::{Behavior, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A server to test, as `fuzzingclient.json` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct SpecServer {
    /// Its name in the report.
    pub agent: String,
    /// Its URL.
    pub url: String,
}

/// An Autobahn spec file: `servers` (the tester as a client, testing them: fuzzingclient) or
/// `url` (the tester as a server where clients come to be tested: fuzzingserver).
#[derive(Debug, Clone, Deserialize)]
pub struct Spec {
    /// The servers to test.
    #[serde(default)]
    pub servers: Vec<SpecServer>,
    /// Where to listen for clients.
    pub url: Option<String>,
    /// Where the reports go.
    #[serde(default = "default_outdir")]
    pub outdir: String,
    /// Case ids or `*` globs.
    #[serde(default = "everything")]
    pub cases: Vec<String>,
    /// Case ids or globs left out.
    #[serde(default, rename = "exclude-cases")]
    pub exclude_cases: Vec<String>,
    /// Per agent, case ids or globs left out.
    #[serde(default, rename = "exclude-agent-cases")]
    pub exclude_agent_cases: BTreeMap<String, Vec<String>>,
}

fn default_outdir() -> String {
    "./reports".into()
}

fn everything() -> Vec<String> {
    vec!["*".into()]
}

impl Spec {
    /// Reads a spec file.
    ///
    /// # Errors
    /// A file that cannot be read or is not such JSON.
    pub fn read(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The cases for `agent` (all agents: `None`), from `catalogue`.
    pub fn cases(&self, catalogue: Vec<Case>, agent: Option<&str>) -> Vec<Case> {
        let mut exclude = self.exclude_cases.clone();
        if let Some(more) = agent.and_then(|a| self.exclude_agent_cases.get(a)) {
            exclude.extend(more.iter().cloned());
        }
        crate::cases::select(catalogue, &self.cases, &exclude)
    }
}

/// One case in `index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The case's behaviour.
    pub behavior: Behavior,
    /// Its closing behaviour.
    #[serde(rename = "behaviorClose")]
    pub behavior_close: Behavior,
    /// Milliseconds.
    pub duration: u64,
    /// The peer's close code.
    #[serde(rename = "remoteCloseCode")]
    pub remote_close_code: Option<u16>,
    /// The case's own report file.
    pub reportfile: String,
}

/// `index.json`: agent → case id → entry.
pub type Index = BTreeMap<String, BTreeMap<String, IndexEntry>>;

/// Reads an `index.json` (Autobahn's or ours).
///
/// # Errors
/// Text that is not such JSON.
pub fn read_index(text: &str) -> Result<Index, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// The agent's name as Autobahn puts it in file names: lower case, other than letters and
/// digits as `_`.
fn file_agent(agent: &str) -> String {
    agent
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Adds `agent`'s outcomes to `index` (as Autobahn's `index.json` has them).
pub fn add_to_index(index: &mut Index, agent: &str, outcomes: &[Outcome]) {
    let cases = index.entry(agent.to_string()).or_default();
    for o in outcomes {
        cases.insert(
            o.id.clone(),
            IndexEntry {
                behavior: o.behavior,
                behavior_close: o.behavior_close,
                duration: u64::try_from(o.millis).unwrap_or(u64::MAX),
                remote_close_code: o.remote_close_code,
                reportfile: format!("{}_case_{}.json", file_agent(agent), o.id.replace('.', "_")),
            },
        );
    }
}

/// Writes `index` as `dir/index.json`, and a report file per case of `agent`'s outcomes.
///
/// # Errors
/// A directory or file that cannot be written.
pub fn write(
    dir: &Path,
    index: &Index,
    agent: &str,
    outcomes: &[Outcome],
    cases: &[Case],
    testing_servers: bool,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(index).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("index.json"), json)?;
    for (n, o) in outcomes.iter().enumerate() {
        let case = cases.iter().find(|c| c.id == o.id);
        let report = serde_json::json!({
            "agent": agent,
            "behavior": o.behavior,
            "behaviorClose": o.behavior_close,
            "case": n + 1,
            "description": o.title,
            "duration": u64::try_from(o.millis).unwrap_or(u64::MAX),
            "expectation": o.expected,
            "id": o.id,
            "isServer": !testing_servers,
            "remoteCloseCode": o.remote_close_code,
            "result": o.observed,
            "strict": o.strict,
            "expectedClose": case.map(|c| serde_json::json!({
                "closedByMe": c.close.by_tester,
                "closeCode": c.close.codes,
                "requireClean": c.close.clean,
            })),
        });
        let name = format!("{}_case_{}.json", file_agent(agent), o.id.replace('.', "_"));
        let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autobahns_spec_files_read_as_they_are() {
        let client: Spec = serde_json::from_str(
            r#"{"outdir": "./autobahn/server", "servers": [{"agent": "Tungstenite",
                "url": "ws://127.0.0.1:9002"}], "cases": ["*"], "exclude-cases": ["9.*"],
                "exclude-agent-cases": {}}"#,
        )
        .unwrap();
        assert_eq!(client.servers[0].agent, "Tungstenite");
        assert_eq!(client.cases(crate::cases::autobahn(), None).len(), 517 - 54);
        let server: Spec = serde_json::from_str(
            r#"{"url": "ws://127.0.0.1:9001", "outdir": "./autobahn/client", "cases": ["1.*", "2.1"],
                "exclude-agent-cases": {"x": ["1.1.*"]}}"#,
        )
        .unwrap();
        assert_eq!(server.url.as_deref(), Some("ws://127.0.0.1:9001"));
        assert_eq!(
            server.cases(crate::cases::autobahn(), Some("x")).len(),
            17 - 8
        );
    }

    #[test]
    fn index_entries_as_autobahn_writes_them() {
        let text = r#"{"Tungstenite": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK",
            "duration": 1, "remoteCloseCode": 1000, "reportfile": "tungstenite_case_1_1_1.json"},
            "12.1.1": {"behavior": "UNIMPLEMENTED", "behaviorClose": "OK", "duration": 0,
            "remoteCloseCode": null, "reportfile": "tungstenite_case_12_1_1.json"}}}"#;
        let index = read_index(text).unwrap();
        let cases = &index["Tungstenite"];
        assert_eq!(cases["1.1.1"].behavior, Behavior::Ok);
        assert_eq!(cases["12.1.1"].behavior, Behavior::Unimplemented);
        assert_eq!(cases["12.1.1"].remote_close_code, None);
        let again = serde_json::to_string(&index).unwrap();
        assert_eq!(read_index(&again).unwrap(), index);
        assert_eq!(file_agent("Sansock 0.1/tokio"), "sansock_0_1_tokio");
    }
}
