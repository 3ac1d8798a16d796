//! Safe reading of the ZIPs OWLCMS sends: entry names are checked against path traversal,
//! and entry count and total uncompressed size are capped whatever the headers claim.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use zip::ZipArchive;

/// Caps applied to every ZIP.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most entries (files and folders) a ZIP may hold.
    pub max_entries: usize,
    /// Most bytes all entries may expand to, together.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // Real flags/pictures ZIPs hold hundreds to a few thousand files of a few MB in all;
        // these caps leave a wide margin and still stop a ZIP bomb.
        Limits { max_entries: 20_000, max_total_bytes: 512 * 1024 * 1024 }
    }
}

/// Why a ZIP was refused; nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a readable ZIP.
    #[error("not a valid ZIP archive: {0}")]
    NotZip(String),
    /// More entries than [`Limits::max_entries`].
    #[error("ZIP has {count} entries, more than the limit of {max}")]
    TooManyEntries {
        /// Entries found.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An entry name that is absolute or climbs out of the target folder.
    #[error("ZIP entry {0:?} has an unsafe path (absolute or containing '..')")]
    UnsafePath(String),
    /// Expands to more than [`Limits::max_total_bytes`].
    #[error("ZIP expands to more than the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: u64,
    },
    /// No entry with the expected name.
    #[error("ZIP has no {0} entry")]
    MissingEntry(String),
    /// Reading or writing failed.
    #[error("ZIP I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// A summary of an extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extracted {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<ZipArchive<Cursor<&'a [u8]>>, ArchiveError> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries { count: archive.len(), max: limits.max_entries });
    }
    Ok(archive)
}

/// Checks every entry name before anything is read, so a bad ZIP writes nothing.
fn safe_names(archive: &mut ZipArchive<Cursor<&'_ [u8]>>) -> Result<Vec<(PathBuf, bool)>, ArchiveError> {
    (0..archive.len())
        .map(|i| {
            let entry = archive.by_index_raw(i).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
            let raw = entry.name().to_owned();
            match entry.enclosed_name() {
                Some(path) if !raw.contains('\\') && !raw.contains('\0') => Ok((path, entry.is_dir())),
                _ => Err(ArchiveError::UnsafePath(raw)),
            }
        })
        .collect()
}

/// Reads at most `budget` bytes from an entry, failing if it holds more.
fn read_capped(reader: impl Read, budget: &mut u64, max: u64, out: &mut impl Write) -> Result<u64, ArchiveError> {
    let copied = std::io::copy(&mut reader.take(*budget + 1), out)?;
    if copied > *budget {
        return Err(ArchiveError::TooLarge { max });
    }
    *budget -= copied;
    Ok(copied)
}

/// Returns the content of the first entry named in `preferred`, else of the first `.json`.
pub fn read_json_entry(bytes: &[u8], preferred: &[&str], limits: &Limits) -> Result<(String, Vec<u8>), ArchiveError> {
    let mut archive = open(bytes, limits)?;
    let names = safe_names(&mut archive)?;
    let file_name = |p: &PathBuf| p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
    let index = preferred
        .iter()
        .find_map(|want| names.iter().position(|(p, dir)| !dir && file_name(p) == *want))
        .or_else(|| names.iter().position(|(p, dir)| !dir && file_name(p).ends_with(".json")))
        .ok_or_else(|| ArchiveError::MissingEntry(preferred.join(" or ")))?;
    let entry = archive.by_index(index).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let mut budget = limits.max_total_bytes;
    let mut data = Vec::with_capacity(entry.size().min(limits.max_total_bytes) as usize);
    read_capped(entry, &mut budget, limits.max_total_bytes, &mut data)?;
    Ok((file_name(&names[index].0), data))
}

/// Extracts every entry under `target` (which must not exist yet). On error the partly
/// written `target` is removed, so a refused ZIP leaves nothing behind.
pub fn extract_to(bytes: &[u8], target: &Path, limits: &Limits) -> Result<Extracted, ArchiveError> {
    let result = extract_inner(bytes, target, limits);
    if result.is_err() {
        let _ = fs::remove_dir_all(target);
    }
    result
}

fn extract_inner(bytes: &[u8], target: &Path, limits: &Limits) -> Result<Extracted, ArchiveError> {
    let mut archive = open(bytes, limits)?;
    let names = safe_names(&mut archive)?;
    fs::create_dir_all(target)?;
    let mut budget = limits.max_total_bytes;
    let mut summary = Extracted { files: 0, bytes: 0 };
    for (index, (relative, is_dir)) in names.iter().enumerate() {
        let path = target.join(relative);
        if *is_dir {
            fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let entry = archive.by_index(index).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
        let mut file = fs::File::create(&path)?;
        summary.bytes += read_capped(entry, &mut budget, limits.max_total_bytes, &mut file)?;
        summary.files += 1;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    use owlcms_simulator::wire::zip_of;

    #[test]
    fn extracts_names_with_spaces_and_accents() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = zip_of(&[("AK Bjørgvin.png", b"png"), ("sub/x.svg", b"<svg/>")]);
        let target = dir.path().join("flags");
        let done = extract_to(&bytes, &target, &Limits::default()).unwrap();
        assert_eq!(done, Extracted { files: 2, bytes: 9 });
        assert_eq!(fs::read(target.join("AK Bjørgvin.png")).unwrap(), b"png");
    }

    #[test]
    fn traversal_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = zip_of(&[("ok.png", b"1"), ("../evil.png", b"2")]);
        let target = dir.path().join("flags");
        let err = extract_to(&bytes, &target, &Limits::default()).unwrap_err();
        assert!(matches!(err, ArchiveError::UnsafePath(ref n) if n == "../evil.png"), "{err}");
        assert!(!target.exists());
        assert!(!dir.path().join("evil.png").exists());
        let abs = zip_of(&[("/etc/x", b"2")]);
        assert!(matches!(extract_to(&abs, &target, &Limits::default()), Err(ArchiveError::UnsafePath(_))));
    }

    #[test]
    fn size_and_count_caps_hold() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 64 * 1024];
        let bytes = zip_of(&[("a", &zeros), ("b", &zeros)]);
        let limits = Limits { max_entries: 10, max_total_bytes: 100 * 1024 };
        let target = dir.path().join("t");
        assert!(matches!(extract_to(&bytes, &target, &limits), Err(ArchiveError::TooLarge { .. })));
        assert!(!target.exists());
        let limits = Limits { max_entries: 1, max_total_bytes: 1 << 30 };
        assert!(matches!(extract_to(&bytes, &target, &limits), Err(ArchiveError::TooManyEntries { count: 2, .. })));
        assert!(matches!(read_json_entry(b"not a zip", &[], &limits), Err(ArchiveError::NotZip(_))));
    }

    #[test]
    fn json_entry_prefers_named_file() {
        let bytes = zip_of(&[("other.json", b"{}"), ("competition.json", b"{\"a\":1}")]);
        let (name, data) = read_json_entry(&bytes, &["competition.json"], &Limits::default()).unwrap();
        assert_eq!((name.as_str(), data.as_slice()), ("competition.json", &b"{\"a\":1}"[..]));
        let (name, _) = read_json_entry(&bytes, &["database.json"], &Limits::default()).unwrap();
        assert_eq!(name, "other.json");
        let none = zip_of(&[("a.txt", b"x")]);
        assert!(matches!(read_json_entry(&none, &["x.json"], &Limits::default()), Err(ArchiveError::MissingEntry(_))));
    }
}
