//! The server handshake on arbitrary request bytes, arbitrarily chunked.
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::server_handshake(data));
