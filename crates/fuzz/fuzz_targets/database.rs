//! Fuzz target `database`: the property lives in checks/database.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/database.rs"]
mod database;

libfuzzer_sys::fuzz_target!(|data: &[u8]| database::check(data));
