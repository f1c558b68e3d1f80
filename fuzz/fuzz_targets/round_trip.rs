//! Arbitrary messages, fragment sizes and masks: encode then decode gives them back.
#![no_main]

use sansock_core::harness::{self, Outgoing};

libfuzzer_sys::fuzz_target!(
    |input: (u64, Option<u16>, Vec<Outgoing>)| harness::round_trip(input.0, input.1, &input.2)
);
