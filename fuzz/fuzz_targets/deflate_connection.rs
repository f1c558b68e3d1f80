//! A server-role connection with permessage-deflate agreed, fed arbitrary bytes (hostile
//! compressed data: corrupt streams, bombs, RSV1 where it may not be).
#![no_main]

use sansock_core::harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::deflate_connection(data));
