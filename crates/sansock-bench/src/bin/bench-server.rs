//! `bench-server NAME PORT`: one echo server of `sansock_bench::servers`, until killed.
#![allow(clippy::print_stderr)]

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(port)) = (args.get(1), args.get(2).and_then(|p| p.parse().ok())) else {
        eprintln!(
            "usage: bench-server NAME PORT ({})",
            sansock_bench::servers::NAMES.join(", ")
        );
        std::process::exit(2);
    };
    if let Err(e) = sansock_bench::servers::run(name, port) {
        eprintln!("bench-server {name}: {e}");
        std::process::exit(1);
    }
}
