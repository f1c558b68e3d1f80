//! Turning runs into tables and a plot: medians and spread per point and server, every server's
//! ratio to Sansock on tokio, memory per idle connection and at peak, and an SVG bar chart of
//! the headline points relative to the raw-TCP ceiling.

use crate::{Measured, Point};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Every repeat of one server at one point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Runs {
    /// The point.
    pub point: Point,
    /// The server's name.
    pub server: String,
    /// One measurement per repeat.
    pub runs: Vec<Measured>,
}

impl Runs {
    /// Median messages per second.
    pub fn median(&self) -> f64 {
        median(self.runs.iter().map(|m| m.msgs_per_sec).collect())
    }

    /// Half the range, relative to the median (the ± of the tables).
    pub fn spread(&self) -> f64 {
        let (lo, hi) = self.runs.iter().fold((f64::MAX, 0f64), |(lo, hi), m| {
            (lo.min(m.msgs_per_sec), hi.max(m.msgs_per_sec))
        });
        let med = self.median();
        if med > 0.0 && hi >= lo {
            (hi - lo) / 2.0 / med
        } else {
            0.0
        }
    }

    /// Median messages per second of server CPU (0 where the server's CPU was not measured).
    pub fn per_server_cpu(&self) -> f64 {
        median(
            self.runs
                .iter()
                .filter(|m| m.server_cpu > 0.0)
                .map(|m| m.msgs_per_sec / m.server_cpu)
                .collect(),
        )
    }

    /// The server's median CPU use in these runs (1.0: its core busy).
    pub fn server_cpu(&self) -> f64 {
        let mut v: Vec<f64> = self.runs.iter().map(|m| m.server_cpu).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }

    /// The load generator's highest CPU use in these runs.
    pub fn load_cpu(&self) -> f64 {
        self.runs.iter().map(|m| m.load_cpu).fold(0.0, f64::max)
    }
}

/// The median of `v` (0 when empty).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Memory of one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Memory {
    /// The server's name.
    pub server: String,
    /// Idle connections held open for the measure.
    pub idle_conns: usize,
    /// RSS growth per idle connection, bytes.
    pub idle_bytes_per_conn: f64,
    /// Peak RSS (VmHWM) while echoing 1 MiB messages on 100 connections, KiB.
    pub peak_kib: u64,
}

/// The reference every ratio is taken against.
pub const REFERENCE: &str = "sansock-tokio";

fn rate(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// ` (0.87×)`: `value` to the reference's in the same run; nothing when the run had no reference.
fn ratio(value: f64, reference: f64) -> String {
    if reference > 0.0 {
        format!(" ({:.2}×)", value / reference)
    } else {
        String::new()
    }
}

/// The throughput table: messages per second (median ± spread) and, below each, the ratio to
/// [`REFERENCE`] in the same run.
pub fn markdown(all: &[Runs], servers: &[&str]) -> String {
    let mut points: Vec<Point> = Vec::new();
    for r in all {
        if !points.contains(&r.point) {
            points.push(r.point);
        }
    }
    let mut s = format!("| point | {} | client CPU |\n|---|", servers.join(" | "));
    s.push_str(&"---:|".repeat(servers.len() + 1));
    s.push('\n');
    for p in points {
        let find = |name: &str| all.iter().find(|r| r.point == p && r.server == name);
        let reference = find(REFERENCE).map(Runs::median).unwrap_or(0.0);
        let _ = write!(s, "| {} |", p.label());
        let mut cpu = 0f64;
        for name in servers {
            match find(name) {
                Some(r) => {
                    cpu = cpu.max(r.load_cpu());
                    let _ = write!(
                        s,
                        " {} ±{:.0}%{} |",
                        rate(r.median()),
                        r.spread() * 100.0,
                        ratio(r.median(), reference)
                    );
                }
                None => s.push_str(" – |"),
            }
        }
        let _ = writeln!(s, " ≤{:.0}% |", cpu * 100.0);
    }
    s
}

/// The server-CPU table: messages per second of server CPU (median) with the server's CPU use,
/// and the ratio to [`REFERENCE`] in the same run.
pub fn cpu_markdown(all: &[Runs], servers: &[&str]) -> String {
    let mut points: Vec<Point> = Vec::new();
    for r in all {
        if !points.contains(&r.point) {
            points.push(r.point);
        }
    }
    let mut s = format!("| point | {} |\n|---|", servers.join(" | "));
    s.push_str(&"---:|".repeat(servers.len()));
    s.push('\n');
    for p in points {
        let find = |name: &str| all.iter().find(|r| r.point == p && r.server == name);
        let reference = find(REFERENCE).map(Runs::per_server_cpu).unwrap_or(0.0);
        let _ = write!(s, "| {} |", p.label());
        for name in servers {
            match find(name) {
                Some(r) if r.per_server_cpu() > 0.0 => {
                    let _ = write!(
                        s,
                        " {} @{:.0}%{} |",
                        rate(r.per_server_cpu()),
                        r.server_cpu() * 100.0,
                        ratio(r.per_server_cpu(), reference)
                    );
                }
                _ => s.push_str(" – |"),
            }
        }
        s.push('\n');
    }
    s
}

/// The memory table.
pub fn memory_markdown(memory: &[Memory]) -> String {
    let mut s = String::from(
        "| server | per idle connection | peak RSS, 1 MiB echoes × 100 connections |\n|---|---:|---:|\n",
    );
    for m in memory {
        let _ = writeln!(
            s,
            "| {} | {:.1} KiB | {:.1} MiB |",
            m.server,
            m.idle_bytes_per_conn / 1024.0,
            m.peak_kib as f64 / 1024.0
        );
    }
    s
}

/// A grouped bar chart: for each of `points`, each server's median as a share of the `raw`
/// ceiling's.
pub fn svg(all: &[Runs], servers: &[&str], points: &[Point]) -> String {
    const COLORS: [&str; 8] = [
        "#1b6ca8", "#3d9be0", "#86c5f0", "#d1495b", "#edae49", "#66a182", "#555555", "#8e6c8a",
    ];
    let (bar, gap, top, left, height) = (14.0, 26.0, 40.0, 60.0, 220.0);
    let group = bar * servers.len() as f64 + gap;
    let width = left + group * points.len() as f64 + 220.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n",
        top + height + 90.0
    );
    let _ = writeln!(
        s,
        "<text x=\"{left}\" y=\"20\" font-size=\"13\">Echo throughput as a share of the raw-TCP ceiling (median of the runs; bars stop at 100%)</text>"
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = top + height * (1.0 - tick);
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.0}%</text>",
            left + group * points.len() as f64,
            left - 6.0,
            y + 4.0,
            tick * 100.0
        );
    }
    for (i, p) in points.iter().enumerate() {
        let find = |name: &str| all.iter().find(|r| r.point == *p && r.server == name);
        let ceiling = find("raw").map(Runs::median).unwrap_or(0.0);
        let x0 = left + group * i as f64 + gap / 2.0;
        for (j, name) in servers.iter().enumerate() {
            let share = match (find(name), ceiling > 0.0) {
                (Some(r), true) => (r.median() / ceiling).min(1.2),
                _ => 0.0,
            };
            let h = height * share.min(1.0);
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"{}\"><title>{name}: {:.0}%</title></rect>",
                x0 + bar * j as f64,
                top + height - h,
                bar - 2.0,
                COLORS[j % COLORS.len()],
                share * 100.0
            );
        }
        let label = p.label();
        let (first, second) = label.split_once(" × ").unwrap_or((&label, ""));
        let cx = x0 + bar * servers.len() as f64 / 2.0;
        let _ = writeln!(
            s,
            "<text x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\">{first}</text><text x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
            top + height + 16.0,
            top + height + 30.0,
            second.replace(", ", " · ")
        );
    }
    let lx = left + group * points.len() as f64 + 20.0;
    for (j, name) in servers.iter().enumerate() {
        let y = top + 14.0 * j as f64;
        let _ = writeln!(
            s,
            "<rect x=\"{lx}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{name}</text>",
            COLORS[j % COLORS.len()],
            lx + 16.0,
            y + 9.0
        );
    }
    s.push_str("</svg>\n");
    s
}
