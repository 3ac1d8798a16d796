//! Fuzz target `text`: the property lives in checks/text.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/text.rs"]
mod text;

libfuzzer_sys::fuzz_target!(|data: &[u8]| text::check(data));
