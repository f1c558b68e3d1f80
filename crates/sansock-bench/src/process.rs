//! The benchmark's command lines and processes: the servers (`bench-server`, pinned to CPU 0) and the
//! load (pinned to CPU 1), siblings of the running binary.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The value after `name` among the command-line `args`.
pub fn flag(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

/// The `names` a comma-separated `--servers` list `chosen` keeps (all without one).
pub fn chosen<'a>(names: &[&'a str], chosen: Option<&str>) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| chosen.is_none_or(|c| c.split(',').any(|x| x == *n)))
        .collect()
}

/// The path of the binary `name` beside the running one.
pub fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name(name)
}

/// A command pinned to `cpu` (when `taskset` exists), with a high open-files limit.
pub fn pinned(cpu: usize, program: PathBuf, args: &[String]) -> Command {
    let mut inner = vec![program.to_string_lossy().into_owned()];
    inner.extend(args.iter().cloned());
    let taskset = Command::new("taskset").arg("-V").output().is_ok();
    let mut script = String::from("ulimit -n 65536 2>/dev/null; exec ");
    if taskset {
        script.push_str(&format!("taskset -c {cpu} "));
    }
    script.push_str("\"$@\"");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg("sh").args(inner);
    cmd
}

/// A `bench-server` process, killed when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Server {
    /// Starts server `name` on `port`, pinned to CPU 0, and waits until it listens.
    ///
    /// # Errors
    /// When it cannot be started or does not listen within 5 s.
    pub fn start(name: &str, port: u16) -> std::io::Result<Server> {
        let child = pinned(0, sibling("bench-server"), &[name.into(), port.to_string()])
            .stdin(Stdio::null())
            .spawn()?;
        let end = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > end {
                return Err(std::io::Error::other(format!("{name} did not start")));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(Server { child, port })
    }

    /// The server's own pid (`sh` exec'd into taskset, which exec'd into the server).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free now on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9300)
}
