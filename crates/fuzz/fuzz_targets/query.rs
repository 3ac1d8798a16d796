//! Fuzz target `query`: the property lives in checks/query.rs (shared with the stable replay test).
#![no_main]

#[path = "../checks/query.rs"]
mod query;

use std::sync::LazyLock;

// The real plugin schemas, read once: every input is resolved against all of them.
static CONTEXT: LazyLock<query::Context> =
    LazyLock::new(|| query::Context::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../..").as_ref()));

libfuzzer_sys::fuzz_target!(|data: &[u8]| CONTEXT.check(data));
