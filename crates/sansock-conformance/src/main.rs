//! The command line:
//!
//! ```text
//! sansock-conformance server [--http2] ws://127.0.0.1:9001/ [--cases 1.,6.4] [--report DIR] [--agent NAME]
//! sansock-conformance client --listen 127.0.0.1:9002 [--cases …] [--report DIR] [--agent NAME]
//! ```
//!
//! Exits 1 if any case FAILED.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes, report};
use std::time::Duration;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut all = cases::all();
    if let Some(prefixes) = flag(&args, "--cases") {
        let prefixes: Vec<&str> = prefixes.split(',').collect();
        all.retain(|c| prefixes.iter().any(|p| c.id.starts_with(p) || c.id == *p));
    }
    let print = &mut |o: &Outcome| {
        if matches!(o.verdict, Verdict::Failed | Verdict::NonStrict) {
            println!(
                "{:>8} {:<11?} {} — expected {}; observed {}",
                o.id, o.verdict, o.title, o.expected, o.observed
            );
        }
    };
    let (agent, outcomes) = match args.first().map(String::as_str) {
        Some("server") => {
            // `--http2`: every case over an extended CONNECT stream (h2c for ws://, h2 for wss://).
            let http2 = args.iter().any(|a| a == "--http2");
            let Some(url) = args.iter().skip(1).find(|a| a.starts_with("ws")) else {
                return usage();
            };
            let agent = flag(&args, "--agent").unwrap_or_else(|| url.clone());
            let tested = if http2 {
                modes::test_server_http2(url, &all, print)
            } else {
                modes::test_server(url, &all, print)
            };
            match tested {
                Ok(o) => (agent, o),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
        Some("client") => {
            let Some(addr) = flag(&args, "--listen") else {
                return usage();
            };
            let listener = match std::net::TcpListener::bind(&addr) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("cannot listen on {addr}: {e}");
                    std::process::exit(2);
                }
            };
            println!(
                "waiting for the client under test on ws://{addr}/ ({} cases)",
                all.len()
            );
            let agent = flag(&args, "--agent").unwrap_or_else(|| "client".into());
            match modes::test_client(&listener, &all, Duration::from_secs(30), print) {
                Ok(results) => {
                    let ran: Vec<Outcome> = results
                        .into_iter()
                        .zip(&all)
                        .map(|(r, c)| r.unwrap_or_else(|| never_ran(c)))
                        .collect();
                    (agent, ran)
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
        _ => return usage(),
    };
    let table = report::markdown(&agent, &outcomes);
    println!("\n{table}");
    if let Some(dir) = flag(&args, "--report") {
        let _ = std::fs::create_dir_all(&dir);
        let name: String = agent
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let json = report::json(&agent, &outcomes).unwrap_or_default();
        let _ = std::fs::write(format!("{dir}/{name}.json"), json);
        let _ = std::fs::write(format!("{dir}/{name}.md"), &table);
    }
    if outcomes.iter().any(|o| o.verdict == Verdict::Failed) {
        std::process::exit(1);
    }
}

fn never_ran(case: &sansock_conformance::case::Case) -> Outcome {
    Outcome {
        id: case.id.clone(),
        title: case.title.clone(),
        verdict: Verdict::Failed,
        expected: "the client to run this case".into(),
        observed: "the client never asked for it".into(),
        millis: 0,
    }
}

fn usage() {
    eprintln!(
        "usage: sansock-conformance server [--http2] ws[s]://HOST:PORT/PATH [--cases PREFIXES] [--report DIR] [--agent NAME]\n       \
         sansock-conformance client --listen HOST:PORT [--cases PREFIXES] [--report DIR] [--agent NAME]"
    );
    std::process::exit(2);
}
