//! Fuzz target `plugin_config`: the property lives in checks/plugin_config.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/plugin_config.rs"]
mod plugin_config;

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugin_config::check(data));
