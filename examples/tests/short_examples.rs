//! The four short examples people copy run as the README says: each echo server started as a
//! process on a free port (stopped by its pid), and the `tokio_client` example run against it —
//! its messages come back, and it closes with 1000.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// A server example on a free port, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `name` on a free port; gives it and the URL its first line announces.
fn start(name: &str) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
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
    (Server(child), url)
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
