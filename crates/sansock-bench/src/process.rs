//! The benchmark's command lines and processes: the servers (`bench-server`, pinned to CPU 0) and the
//! load (pinned to CPU 1), siblings of the running binary.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The command-line arguments, checked: `--help` prints `usage` and exits 0; a flag that is not
/// one of `with_value` (each followed by its value) or `switches` prints what is wrong and
/// `usage` and exits 2 — so a typo never runs a long default benchmark instead.
#[allow(clippy::print_stdout, clippy::print_stderr)] // a command line's help and errors
pub fn checked_args(usage: &str, with_value: &[&str], switches: &[&str]) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(wrong) = check(&args, with_value, switches) {
        if wrong.is_empty() {
            println!("{usage}");
            std::process::exit(0);
        }
        eprintln!("{wrong}\n\n{usage}");
        std::process::exit(2);
    }
    args
}

/// `Err("")` for a request for help, `Err(what is wrong)` for an unknown flag or a missing value.
fn check(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<(), String> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(String::new()),
            a if with_value.contains(&a) => {
                if rest.next().is_none() {
                    return Err(format!("{a} needs a value"));
                }
            }
            a if switches.contains(&a) => {}
            a => return Err(format!("unknown argument {a:?}")),
        }
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::check;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn flags_are_checked() {
        let ok = check(
            &strings(&["--secs", "2", "--memory"]),
            &["--secs"],
            &["--memory"],
        );
        assert_eq!(ok, Ok(()));
        assert_eq!(check(&strings(&["--help"]), &[], &[]), Err(String::new()));
        let typo = check(&strings(&["--sec", "2"]), &["--secs"], &[]);
        assert_eq!(typo, Err("unknown argument \"--sec\"".into()));
        let missing = check(&strings(&["--secs"]), &["--secs"], &[]);
        assert_eq!(missing, Err("--secs needs a value".into()));
    }
}
