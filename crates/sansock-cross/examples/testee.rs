//! A Sansock client as the conformance tester's testee, on any adapter:
//!
//! ```sh
//! cargo run --release -p sansock-conformance -- client --listen 127.0.0.1:9002 &
//! cargo run --release -p sansock-cross --example testee -- tokio ws://127.0.0.1:9002
//! ```
//!
//! Adapters: `tokio`, `async-std`, `smol`, `blocking`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use sansock_cross::{Adapter, testee};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let adapter = match args.first().map(String::as_str) {
        Some("tokio") => Adapter::Tokio,
        Some("async-std") => Adapter::AsyncStd,
        Some("smol") => Adapter::Smol,
        Some("blocking") => Adapter::Blocking,
        _ => {
            eprintln!("usage: testee tokio|async-std|smol|blocking ws://HOST:PORT");
            std::process::exit(2);
        }
    };
    let base = args.get(1).map_or("ws://127.0.0.1:9002", String::as_str);
    match testee(adapter, base, &format!("sansock-{}", args[0])) {
        Ok(n) => println!("ran {n} cases"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
