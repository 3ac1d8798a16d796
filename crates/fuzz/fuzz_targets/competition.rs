//! Fuzz target `competition`: the property lives in checks/competition.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/competition.rs"]
mod competition;

libfuzzer_sys::fuzz_target!(|data: &[u8]| competition::check(data));
