//! Operations on a client/server pair with permessage-deflate agreed (parameters from the
//! first field): every accepted message arrives intact, in order.
#![no_main]

use sansock_core::harness::{self, Op};

libfuzzer_sys::fuzz_target!(|input: (u8, Vec<Op>)| harness::deflate_pair_ops(input.0, &input.1));
