//! Fuzz target `archive`: the property lives in checks/archive.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/archive.rs"]
mod archive;

libfuzzer_sys::fuzz_target!(|data: &[u8]| archive::check(data));
