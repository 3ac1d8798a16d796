//! Fuzz property of the ZIP reader (`protocol::archive`): limits and entry names.

use owlcms_tracker::protocol::archive::{ArchiveError, Limits, extract_to, read_json_entry};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Small caps, so that inputs of a few KB can reach them.
pub const LIMITS: Limits = Limits { max_entries: 64, max_total_bytes: 256 * 1024 };

/// The names the database loader prefers.
const PREFERRED: [&str; 2] = ["competition.json", "database.json"];

/// A folder of this process where ZIPs are extracted: in memory (`/dev/shm`) when it exists.
fn sandbox() -> &'static Path {
    static SANDBOX: OnceLock<PathBuf> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let base = Path::new("/dev/shm");
        let base = if base.is_dir() { base.to_path_buf() } else { std::env::temp_dir() };
        let dir = base.join(format!("owlcms-fuzz-archive-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("sandbox folder");
        dir
    })
}

/// Reads `data` as a ZIP both ways the ingest does. A JSON entry read respects the size cap; an
/// extraction writes only inside its target and within the caps, and a refused one leaves nothing.
pub fn check(data: &[u8]) {
    if let Ok((name, json)) = read_json_entry(data, &PREFERRED, &LIMITS) {
        assert!(json.len() as u64 <= LIMITS.max_total_bytes, "entry read beyond the size cap");
        assert!(PREFERRED.contains(&name.as_str()) || name.ends_with(".json"), "entry {name:?}");
    }
    let sandbox = sandbox();
    let target = sandbox.join("target");
    match extract_to(data, &target, &LIMITS) {
        Ok(done) => {
            assert!(done.bytes <= LIMITS.max_total_bytes && done.files <= LIMITS.max_entries, "{done:?}");
            let (files, bytes) = walk(&target);
            // Entries with the same name overwrite each other, so the disk may hold fewer.
            assert!(files <= done.files && bytes <= done.bytes, "{done:?} but {files} files, {bytes} bytes on disk");
            std::fs::remove_dir_all(&target).expect("remove the extraction");
        }
        Err(error) => {
            assert!(!target.exists(), "a refused ZIP ({error}) left its target behind");
            if let ArchiveError::TooManyEntries { count, max } = error {
                assert!(count > max);
            }
        }
    }
    let left: Vec<_> = std::fs::read_dir(sandbox).expect("sandbox").flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "written outside the target: {left:?}");
}

/// Files and bytes under `dir`; every entry must be a plain file or folder.
fn walk(dir: &Path) -> (usize, u64) {
    let mut totals = (0, 0);
    for entry in std::fs::read_dir(dir).expect("extracted folder").flatten() {
        let kind = entry.file_type().expect("file type");
        assert!(!kind.is_symlink(), "an extraction created a link: {}", entry.path().display());
        if kind.is_dir() {
            let (files, bytes) = walk(&entry.path());
            totals = (totals.0 + files, totals.1 + bytes);
        } else {
            totals = (totals.0 + 1, totals.1 + entry.metadata().expect("metadata").len());
        }
    }
    totals
}
