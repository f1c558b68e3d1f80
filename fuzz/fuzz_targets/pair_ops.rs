//! A client/server pair driven by arbitrary operations: what is sent arrives intact.
#![no_main]

use sansock_core::harness::{self, Op};

libfuzzer_sys::fuzz_target!(|ops: Vec<Op>| harness::pair_ops(&ops));
