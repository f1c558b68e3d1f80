//! Memory and CPU time of a process, from `/proc` (Linux).

use std::time::Duration;

/// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`…).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// User plus system CPU time of this process so far.
pub fn own_cpu_time() -> Duration {
    cpu_time("self")
}

/// User plus system CPU time of process `pid` so far (zero when it cannot be read).
pub fn cpu_time_of(pid: u32) -> Duration {
    cpu_time(&pid.to_string())
}

fn cpu_time(pid: &str) -> Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may contain spaces) end at ')'.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = f.get(11)?.parse().ok()?;
            let stime: u64 = f.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .unwrap_or(0);
    // USER_HZ is 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}
