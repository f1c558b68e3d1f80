//! The client handshake on arbitrary response bytes, arbitrarily chunked.
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::client_handshake(data));
