//! Asset folders filled from OWLCMS ZIPs (flags, logos, pictures, and the GAMX tables of
//! `gamx_zip`) under the local directory.
//! Each ZIP is extracted into a fresh generation folder, then a symlink is renamed over the
//! served path, so viewers never see a half-written or missing folder. Replacements run one at
//! a time: a replacement deletes the other generations of its kind, which must not be one that
//! a concurrent replacement is still writing or has just made the served one. [`index`] knows what
//! the folders hold, resolves flag and picture URLs and loads the GAMX tables.

pub mod index;

use crate::hub::AssetKind;
use crate::protocol::archive::{self, ArchiveError, Extracted, Limits};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The local directory holding the served asset folders.
#[derive(Debug, Clone)]
pub struct AssetStore {
    root: PathBuf,
    /// Held for a whole replacement (extract, swap, clean up); shared by every clone.
    replacing: Arc<parking_lot::Mutex<()>>,
}

impl AssetStore {
    /// Opens (and creates) the local directory.
    pub fn new(root: impl Into<PathBuf>) -> io::Result<AssetStore> {
        let root = root.into();
        fs::create_dir_all(root.join(".store"))?;
        Ok(AssetStore { root, replacing: Arc::default() })
    }

    /// The served folder of a kind (`<local>/flags`, …).
    pub fn dir(&self, kind: AssetKind) -> PathBuf {
        self.root.join(kind.dir())
    }

    /// Extracts a ZIP and makes it the served folder of `kind`, replacing the previous one
    /// atomically. Blocking: call from `spawn_blocking`. A refused ZIP changes nothing.
    /// Concurrent calls (several OWLCMS connections sending their flags at once) wait for
    /// each other; the last one to run is served.
    pub fn replace(&self, kind: AssetKind, zip: &[u8], limits: &Limits) -> Result<Extracted, ArchiveError> {
        let _one_at_a_time = self.replacing.lock();
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let generation = format!("{}-{stamp}", kind.dir());
        let target = self.root.join(".store").join(&generation);
        let extracted = archive::extract_to(zip, &target, limits)?;
        let link_tmp = self.root.join(format!(".{generation}.link"));
        let served = self.dir(kind);
        let swap = || -> io::Result<()> {
            std::os::unix::fs::symlink(Path::new(".store").join(&generation), &link_tmp)?;
            if fs::symlink_metadata(&served).is_ok_and(|m| m.is_dir()) {
                // A real folder (left by an operator or an older version) cannot be renamed over.
                fs::remove_dir_all(&served)?;
            }
            fs::rename(&link_tmp, &served)
        };
        if let Err(e) = swap() {
            let _ = fs::remove_file(&link_tmp);
            let _ = fs::remove_dir_all(&target);
            return Err(e.into());
        }
        self.remove_old_generations(kind, &generation);
        Ok(extracted)
    }

    fn remove_old_generations(&self, kind: AssetKind, keep: &str) {
        let prefix = format!("{}-", kind.dir());
        let Ok(entries) = fs::read_dir(self.root.join(".store")) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name != keep {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
        owlcms_simulator::wire::zip_of(&[(name, data)])
    }

    #[test]
    fn replacing_swaps_the_whole_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let store = AssetStore::new(tmp.path()).unwrap();
        store.replace(AssetKind::Flags, &zip_of("old.svg", b"1"), &Limits::default()).unwrap();
        store.replace(AssetKind::Flags, &zip_of("Bjørgvin IL.svg", b"2"), &Limits::default()).unwrap();
        let dir = store.dir(AssetKind::Flags);
        assert!(!dir.join("old.svg").exists());
        assert_eq!(fs::read(dir.join("Bjørgvin IL.svg")).unwrap(), b"2");
        assert_eq!(fs::read_dir(tmp.path().join(".store")).unwrap().count(), 1);
        let bad = zip_of("../x.svg", b"3");
        assert!(store.replace(AssetKind::Flags, &bad, &Limits::default()).is_err());
        assert_eq!(fs::read(dir.join("Bjørgvin IL.svg")).unwrap(), b"2", "a refused ZIP keeps the old folder");
    }

    /// Reconnecting OWLCMS instances (a reconnect storm) send their flags at the same moment.
    /// Each replacement must succeed whole, and the served folder must end up holding the
    /// files: no replacement may delete another's generation while it is extracted or served.
    #[test]
    fn concurrent_replacements_neither_fail_nor_leave_a_dangling_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let store = AssetStore::new(tmp.path()).unwrap();
        let files: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("club {i}.svg"), vec![b'x'; 2_000])).collect();
        let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        let zip = owlcms_simulator::wire::zip_of(&entries);
        let failures: Vec<String> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..10)
                            .filter_map(|_| store.replace(AssetKind::Flags, &zip, &Limits::default()).err())
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
        });
        assert!(failures.is_empty(), "{} of 80 replacements failed, first: {}", failures.len(), failures[0]);
        let dir = store.dir(AssetKind::Flags);
        for (name, data) in &files {
            assert_eq!(fs::read(dir.join(name)).as_ref().ok(), Some(data), "{name} is served");
        }
        assert_eq!(fs::read_dir(tmp.path().join(".store")).unwrap().count(), 1, "one generation kept");
    }
}
