//! The command line:
//!
//! ```text
//! sansock-conformance server [--http2] ws://127.0.0.1:9001/ [options]
//! sansock-conformance client --listen 127.0.0.1:9002 [options]
//! sansock-conformance --spec fuzzingclient.json | fuzzingserver.json [--strict]
//!
//! options: --cases 1.,6.4.*,x   ids, prefixes or `*` globs (default: Autobahn's 517)
//!          --all                 Autobahn's cases and the tester's own (`x…`)
//!          --autobahn-data DIR   groups 12 and 13 on Autobahn's own data files (its
//!                                `testdata`; scripts/autobahn-data.sh fetches them from PyPI),
//!                                1000 messages a case as Autobahn sends them
//!          --compression-messages N  at most N messages a compression case (quick runs)
//!          --strict              verdicts by the stricter reading of RFC 6455 §7.1.7
//!          --report DIR          write the report there
//!          --report-format F     `sansock` (JSON and markdown, the default) or `autobahn`
//!                                (index.json and a file per case, as Autobahn writes them)
//!          --agent NAME          the name in the report
//! ```
//!
//! A spec file is Autobahn's: with `servers`, each is tested (the tester as a client); with
//! `url`, the tester listens there for clients. Its `cases`, `exclude-cases` and
//! `exclude-agent-cases` choose the cases; its `outdir` gets the report in Autobahn's shape.
//!
//! Exits 1 if any case FAILED, 2 on a usage or setup error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_conformance::autobahn::{self, Index, Spec};
use sansock_conformance::case::Case;
use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes, report};
use std::path::Path;
use std::time::Duration;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

fn has(args: &[String], name: &str) -> bool {
    args.iter().any(|a| a == name)
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(2);
}

/// The cases the command line asks for.
fn chosen(args: &[String]) -> Vec<Case> {
    let catalogue = if has(args, "--all") || flag(args, "--cases").is_some() {
        cases::all()
    } else {
        cases::autobahn()
    };
    match flag(args, "--cases") {
        None => catalogue,
        Some(list) => {
            // A pattern without `*` is a prefix (`1.` or `6.4`), as before globs.
            let patterns: Vec<String> = list
                .split(',')
                .map(|p| {
                    if p.contains('*') {
                        p.to_string()
                    } else {
                        format!("{p}*")
                    }
                })
                .collect();
            cases::select(catalogue, &patterns, &[])
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let strict = has(&args, "--strict");
    if let Some(dir) = flag(&args, "--autobahn-data") {
        sansock_conformance::corpus::use_autobahn_data(Path::new(&dir))
            .unwrap_or_else(|e| fail(&e));
    }
    if let Some(n) = flag(&args, "--compression-messages") {
        let n = n
            .parse()
            .unwrap_or_else(|_| fail("--compression-messages takes a number"));
        sansock_conformance::corpus::cap_messages(n);
    }
    if let Some(spec) = flag(&args, "--spec") {
        let spec = Spec::read(Path::new(&spec)).unwrap_or_else(|e| fail(&e));
        std::process::exit(run_spec(&spec, strict));
    }
    let all = chosen(&args);
    let mut print = printer(strict);
    let (agent, outcomes, testing_servers) = match args.first().map(String::as_str) {
        Some("server") => {
            let http2 = has(&args, "--http2");
            let Some(url) = args.iter().skip(1).find(|a| a.starts_with("ws")) else {
                return usage();
            };
            let agent = flag(&args, "--agent").unwrap_or_else(|| url.clone());
            let tested = if http2 {
                modes::test_server_http2(url, &all, &mut print)
            } else {
                modes::test_server(url, &all, &mut print)
            };
            (agent, tested.unwrap_or_else(|e| fail(&e)), true)
        }
        Some("client") => {
            let Some(addr) = flag(&args, "--listen") else {
                return usage();
            };
            let (agent, outcomes) = test_clients(&addr, &all, &mut print);
            (flag(&args, "--agent").unwrap_or(agent), outcomes, false)
        }
        _ => return usage(),
    };
    let table = report::markdown(&agent, &outcomes);
    println!("\n{table}");
    if let Some(dir) = flag(&args, "--report") {
        let dir = Path::new(&dir);
        let written = if flag(&args, "--report-format").as_deref() == Some("autobahn") {
            let mut index = Index::new();
            autobahn::add_to_index(&mut index, &agent, &outcomes);
            autobahn::write(dir, &index, &agent, &outcomes, &all, testing_servers)
                .and_then(|()| std::fs::write(dir.join("index.md"), &table))
        } else {
            write_sansock(dir, &agent, &outcomes, &table)
        };
        if let Err(e) = written {
            fail(&format!("{}: {e}", dir.display()));
        }
    }
    std::process::exit(exit_code(&outcomes, strict));
}

fn write_sansock(
    dir: &Path,
    agent: &str,
    outcomes: &[Outcome],
    table: &str,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name: String = agent
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let json = report::json(agent, outcomes).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(format!("{name}.json")), json)?;
    std::fs::write(dir.join(format!("{name}.md")), table)
}

/// Prints each case that is not OK (under the chosen reading) as it ends.
fn printer(strict: bool) -> impl FnMut(&Outcome) {
    move |o: &Outcome| {
        let verdict = o.verdict(strict);
        if matches!(verdict, Verdict::Failed | Verdict::NonStrict) {
            println!(
                "{:>8} {:<11?} {} — expected {}; observed {}",
                o.id, verdict, o.title, o.expected, o.observed
            );
        }
    }
}

fn exit_code(outcomes: &[Outcome], strict: bool) -> i32 {
    i32::from(
        outcomes
            .iter()
            .any(|o| o.verdict(strict) == Verdict::Failed),
    )
}

/// Listens on `addr` for a client following the testee protocol; its agent (from its
/// requests) and the outcomes.
fn test_clients(
    addr: &str,
    all: &[Case],
    print: &mut dyn FnMut(&Outcome),
) -> (String, Vec<Outcome>) {
    let listener = std::net::TcpListener::bind(addr)
        .unwrap_or_else(|e| fail(&format!("cannot listen on {addr}: {e}")));
    println!(
        "waiting for the client under test on ws://{addr}/ ({} cases)",
        all.len()
    );
    let mut agent = None;
    let results = modes::test_client_as(&listener, all, Duration::from_secs(30), print, &mut agent)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let ran = results
        .into_iter()
        .zip(all)
        .map(|(r, c)| r.unwrap_or_else(|| never_ran(c)))
        .collect();
    (agent.unwrap_or_else(|| "client".into()), ran)
}

/// Runs an Autobahn spec file; the exit code.
fn run_spec(spec: &Spec, strict: bool) -> i32 {
    let dir = Path::new(&spec.outdir);
    let mut index = Index::new();
    let mut code = 0;
    let mut print = printer(strict);
    let mut record = |agent: &str, outcomes: &[Outcome], cases: &[Case], servers: bool| {
        autobahn::add_to_index(&mut index, agent, outcomes);
        let table = report::markdown(agent, outcomes);
        println!("\n{table}");
        if let Err(e) = autobahn::write(dir, &index, agent, outcomes, cases, servers) {
            fail(&format!("{}: {e}", dir.display()));
        }
        code = code.max(exit_code(outcomes, strict));
    };
    if let Some(url) = &spec.url {
        let addr = url
            .strip_prefix("ws://")
            .map(|rest| rest.split('/').next().unwrap_or(rest))
            .unwrap_or_else(|| fail(&format!("{url}: only ws:// URLs")));
        let cases = spec.cases(cases::all(), None);
        let (agent, outcomes) = test_clients(addr, &cases, &mut print);
        record(&agent, &outcomes, &cases, false);
    }
    for server in &spec.servers {
        let cases = spec.cases(cases::all(), Some(&server.agent));
        let url = if server.url.ends_with('/') || server.url[5..].contains('/') {
            server.url.clone()
        } else {
            format!("{}/", server.url)
        };
        let outcomes = modes::test_server(&url, &cases, &mut print).unwrap_or_else(|e| fail(&e));
        record(&server.agent, &outcomes, &cases, true);
    }
    code
}

fn never_ran(case: &Case) -> Outcome {
    Outcome::plain(
        &case.id,
        &case.title,
        Verdict::Failed,
        "the client to run this case",
        "the client never asked for it",
        0,
    )
}

fn usage() {
    eprintln!(
        "usage: sansock-conformance server [--http2] ws[s]://HOST:PORT/PATH [options]\n       \
         sansock-conformance client --listen HOST:PORT [options]\n       \
         sansock-conformance --spec FILE.json [--strict]\n\
         options: --cases LIST --all --strict --report DIR --report-format sansock|autobahn --agent NAME\n         \
         --autobahn-data DIR --compression-messages N"
    );
    std::process::exit(2);
}
