//! The handshake in the `http` crate's types: arbitrary request parts, HTTP/1.1 or an HTTP/2
//! extended CONNECT, through `UpgradeRequest::from_http` and the answer (HTTP/1.1: the same
//! verdict as the byte path).
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::http_request(data));
