//! The four short examples people copy run as the README says: each echo server started as a
//! process on a free port (stopped by its pid), and the `tokio_client` example run against it —
//! its messages come back, and it closes with 1000.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Process, example, free_port};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Starts `name` on a free port; gives it and the URL its first line announces.
fn start(name: &str) -> (Process, String) {
    let port = free_port();
    let mut child = Command::new(example(name))
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.split_whitespace().last().unwrap().to_string();
    assert!(url.contains(&port.to_string()), "{name}: {line:?}");
    let addr = format!("127.0.0.1:{port}");
    (Process { child, addr }, url)
}

fn client_against(server: &str) {
    let (_server, url) = start(server);
    let out = Command::new(example("tokio_client"))
        .args([url.as_str(), "hello", "world"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{server}: {text}");
    assert_eq!(text, "< hello\n< world\nclosed with 1000\n", "{server}");
}

#[test]
fn tokio_echo_with_the_tokio_client() {
    client_against("tokio_echo");
}

#[test]
fn axum_echo_with_the_tokio_client() {
    client_against("axum_echo");
}

#[test]
fn blocking_echo_with_the_tokio_client() {
    client_against("blocking_echo");
}
