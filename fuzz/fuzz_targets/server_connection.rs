//! A server-role connection fed arbitrary bytes in arbitrary chunks.
#![no_main]

use sansock_core::{Role, harness};

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::connection(Role::Server, data));
