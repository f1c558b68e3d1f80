//! Replays every file of the checked-in fuzz corpora (`fuzz/corpus/<target>/`) through the same
//! harness the fuzz target runs, under stable `cargo test`: every input a fuzzer ever found
//! interesting (and every crash, once fixed) stays a regression test.
#![allow(clippy::unwrap_used, clippy::panic)]

use arbitrary::{Arbitrary, Unstructured};
use sansock_core::Role;
use sansock_core::harness::{self, Op, Outgoing};
use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// Runs `run` on every file of `target`'s corpus, naming the file if it panics.
fn replay(target: &str, run: impl Fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&bytes)));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

/// Decodes a structured input the way `libfuzzer_sys::fuzz_target!` does.
fn take_rest<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}

#[test]
fn frame_header() {
    replay("frame_header", harness::frame_header);
}

#[test]
fn server_handshake() {
    replay("server_handshake", harness::server_handshake);
}

#[cfg(feature = "http")]
#[test]
fn http_request() {
    replay("http_request", harness::http_request);
}

#[test]
fn client_handshake() {
    replay("client_handshake", harness::client_handshake);
}

#[test]
fn server_connection() {
    replay("server_connection", |d| {
        harness::connection(Role::Server, d)
    });
}

#[test]
fn client_connection() {
    replay("client_connection", |d| {
        harness::connection(Role::Client, d)
    });
}

#[test]
fn pair_ops() {
    replay("pair_ops", |d| {
        if let Some(ops) = take_rest::<Vec<Op>>(d) {
            harness::pair_ops(&ops);
        }
    });
}

#[test]
fn round_trip() {
    replay("round_trip", |d| {
        if let Some((seed, size, messages)) = take_rest::<(u64, Option<u16>, Vec<Outgoing>)>(d) {
            harness::round_trip(seed, size, &messages);
        }
    });
}

#[test]
fn deflate_connection() {
    replay("deflate_connection", harness::deflate_connection);
}

#[test]
fn deflate_pair_ops() {
    replay("deflate_pair_ops", |d| {
        if let Some((params, ops)) = take_rest::<(u8, Vec<Op>)>(d) {
            harness::deflate_pair_ops(params, &ops);
        }
    });
}

#[test]
fn proxy_http_connect() {
    replay("proxy_http_connect", |data| {
        harness::proxy_answer(false, data)
    });
}

#[test]
fn proxy_socks() {
    replay("proxy_socks", |data| harness::proxy_answer(true, data));
}
