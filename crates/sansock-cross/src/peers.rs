//! The real peers of `tests/interop/` (Node's `ws`, Python's `websockets`, installed by
//! `scripts/interop-setup.sh`): the command that runs one of their scripts, and a scripted
//! server started on a free port and stopped (killed by its process id) when dropped.

use crate::{root, setup};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The command that runs `script` of `tests/interop/` with its interpreter (Node for `.mjs`,
/// the interop venv's Python for `.py`).
pub fn peer(script: &str) -> Command {
    let path = root().join("tests/interop").join(script);
    let mut cmd = if script.ends_with(".py") {
        Command::new(root().join("target/interop-venv/bin/python"))
    } else {
        Command::new("node")
    };
    cmd.arg(path);
    cmd
}

/// A peer's server process; killed when dropped.
#[derive(Debug)]
pub struct PeerServer {
    child: Child,
    /// `ws://127.0.0.1:PORT`.
    pub base: String,
}

impl PeerServer {
    /// Installs the peers if needed, starts `script` and waits for its `listening PORT` line.
    ///
    /// # Panics
    /// If the script does not start or prints something else first.
    pub fn start(script: &str) -> Self {
        setup("interop-setup.sh");
        let mut child = peer(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the peer server starts");
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let Some(port) = line.trim().strip_prefix("listening ") else {
            let _ = child.kill();
            panic!("{script}: {line:?}");
        };
        let base = format!("ws://127.0.0.1:{port}");
        PeerServer { child, base }
    }
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
