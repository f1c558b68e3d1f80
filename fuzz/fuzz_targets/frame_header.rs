//! Frame header parsing and masking on arbitrary bytes.
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::frame_header(data));
