//! Fuzz target `binary_header`: the property lives in checks/binary_header.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/binary_header.rs"]
mod binary_header;

libfuzzer_sys::fuzz_target!(|data: &[u8]| binary_header::check(data));
