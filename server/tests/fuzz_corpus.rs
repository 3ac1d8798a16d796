//! Stable replay of the fuzz targets (crates/fuzz, nightly): every seed built from the real
//! samples and every committed input under crates/fuzz/seeds/<target>/ (the fuzzers' findings,
//! kept as regressions) goes through the same check function the fuzz target calls.
//!
//! `FUZZ_SEEDS_OUT=<dir>` also writes the generated seeds to `<dir>/<target>/` (how
//! `scripts/fuzz` makes its starting corpora); `FUZZ_EXTRA_SAMPLES=<dir>` adds a folder of
//! captured OWLCMS payloads to the samples the seeds come from.

// The check modules are `pub` for the fuzz crate's targets, which call them from other crates.
#![allow(unreachable_pub)]

#[path = "../../crates/fuzz/checks/archive.rs"]
mod archive;
#[path = "../../crates/fuzz/checks/binary_header.rs"]
mod binary_header;
#[path = "../../crates/fuzz/checks/competition.rs"]
mod competition;
#[path = "../../crates/fuzz/checks/database.rs"]
mod database;
#[path = "../../crates/fuzz/checks/plugin_config.rs"]
mod plugin_config;
#[path = "../../crates/fuzz/checks/query.rs"]
mod query;
#[path = "../../crates/fuzz/checks/seeds.rs"]
mod seeds;
#[path = "../../crates/fuzz/checks/text.rs"]
mod text;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The inputs of one target: generated seeds, then the committed ones. Writes the generated
/// ones out when asked. Fails when a target has no input at all, so the replay cannot be empty.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let extra = std::env::var_os("FUZZ_EXTRA_SAMPLES").map(PathBuf::from);
    let mut seeds = seeds::of(target, &root(), extra.as_deref()).expect("a seed set per target");
    if let Some(out) = std::env::var_os("FUZZ_SEEDS_OUT") {
        let dir = Path::new(&out).join(target);
        std::fs::create_dir_all(&dir).expect("seed folder");
        for (name, bytes) in seeds.iter().filter(|(name, _)| !name.starts_with("full-")) {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write seed");
        }
    }
    let committed = root().join("crates/fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&committed).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).expect("read committed seed");
        seeds.push((path.display().to_string(), bytes));
    }
    assert!(seeds.len() >= 2, "{target}: too few inputs to replay ({})", seeds.len());
    seeds
}

/// Runs `check` on every input, naming the input that fails.
fn replay(target: &str, check: impl Fn(&[u8])) {
    for (name, bytes) in inputs(target) {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes))).is_err() {
            panic!("fuzz target {target}: input {name} fails its check");
        }
    }
}

#[test]
fn replay_text() {
    replay("text", text::check);
}

#[test]
fn replay_binary_header() {
    replay("binary_header", binary_header::check);
}

#[test]
fn replay_archive() {
    replay("archive", archive::check);
}

#[test]
fn replay_database() {
    replay("database", database::check);
}

#[test]
fn replay_competition() {
    replay("competition", competition::check);
}

#[test]
fn replay_query() {
    let context = query::Context::load(&root());
    replay("query", |data| context.check(data));
}

#[test]
fn replay_plugin_config() {
    replay("plugin_config", plugin_config::check);
}
