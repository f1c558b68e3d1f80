//! The command line as a project's CI runs it: Autobahn's own spec files, unchanged
//! (`fuzzingclient.json` with `servers`, `cases` and `exclude-cases` globs; `fuzzingserver.json`
//! with the `url` the tester listens on for a client), and Autobahn's report shape
//! (`index.json` and a file per case) in the spec's `outdir`; `--strict` apart.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use sansock_conformance::autobahn::read_index;
use sansock_conformance::runner::Behavior;
use std::process::Command;

#[test]
fn an_autobahn_spec_file_runs_unchanged_and_reports_in_autobahns_shape() {
    let url = common::echo_server_thread();
    let dir = std::env::temp_dir().join(format!("sansock-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let outdir = dir.join("reports");
    let spec = dir.join("fuzzingclient.json");
    std::fs::write(
        &spec,
        format!(
            r#"{{
	"outdir": "{}",
	"servers": [{{"agent": "Tungstenite", "url": "{url}"}}],
	"cases": ["1.1.*", "3.*", "12.1.1"],
	"exclude-cases": ["1.1.8"],
	"exclude-agent-cases": {{}}
}}"#,
            outdir.display()
        ),
    )
    .unwrap();
    let run = |strict: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sansock-conformance"));
        cmd.arg("--spec").arg(&spec);
        if strict {
            cmd.arg("--strict");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let index = read_index(&std::fs::read_to_string(outdir.join("index.json")).unwrap()).unwrap();
    let cases = &index["Tungstenite"];
    // 1.1.1–1.1.7, 3.1–3.7 and 12.1.1.
    assert_eq!(cases.len(), 15, "{:?}", cases.keys());
    assert_eq!(cases["1.1.1"].behavior, Behavior::Ok);
    assert_eq!(cases["1.1.1"].remote_close_code, Some(1000));
    assert_eq!(cases["12.1.1"].behavior, Behavior::Unimplemented);
    for entry in cases.values() {
        assert!(
            outdir.join(&entry.reportfile).exists(),
            "{}",
            entry.reportfile
        );
    }
    let case_file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(outdir.join("tungstenite_case_3_1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(case_file["behavior"], "OK");
    assert_eq!(case_file["strict"], "NON-STRICT"); // failed by dropping TCP, no close frame
    // Under --strict the drops are NON-STRICT, still not FAILED: the exit code stays 0.
    let strict = run(true);
    assert!(strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stdout).contains("NonStrict"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fuzzingserver_spec_listens_for_the_client_and_names_it_by_its_agent() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("sansock-cli-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let outdir = dir.join("client");
    let spec = dir.join("fuzzingserver.json");
    std::fs::write(
        &spec,
        format!(
            r#"{{"url": "ws://127.0.0.1:{port}", "outdir": "{}", "cases": ["2.*", "7.7.*"],
                "exclude-cases": ["2.11"], "exclude-agent-cases": {{}}}}"#,
            outdir.display()
        ),
    )
    .unwrap();
    let mut tester = Command::new(env!("CARGO_BIN_EXE_sansock-conformance"))
        .arg("--spec")
        .arg(&spec)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < end, "the tester never listened");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(common::testee(&format!("ws://127.0.0.1:{port}")));
    assert!(tester.wait().unwrap().success());
    let index = read_index(&std::fs::read_to_string(outdir.join("index.json")).unwrap()).unwrap();
    let cases = &index["Tungstenite"];
    assert_eq!(cases.len(), 10 + 13, "{:?}", cases.keys());
    assert!(
        cases.values().all(|e| e.behavior == Behavior::Ok),
        "{cases:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
