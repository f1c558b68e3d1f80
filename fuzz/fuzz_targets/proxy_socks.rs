//! A SOCKS5 or SOCKS4a proxy handshake on arbitrary answer bytes, arbitrarily chunked.
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::proxy_answer(true, data));
