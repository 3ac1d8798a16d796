//! Discovery and live reload of plugin folders. The catalog is published on a `watch`
//! channel; a folder that fails to load keeps serving its last good version, with the
//! problem attached for the log, the API and the open pages.

use super::check::PluginFiles;
use super::manifest::PluginConfig;
use super::mapping::Mapping;
use crate::hash::sha256_hex;
use notify::{RecursiveMode, Watcher};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

/// jq definitions shared by every mapping, at the root of the plugins folder.
pub const SHARED_FILE: &str = "shared.jq";

/// Editors write files in several steps; changes closer than this are applied together.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// A loaded plugin.
#[derive(Debug)]
pub struct Plugin {
    /// Folder name.
    pub id: String,
    /// Parsed `config.json`.
    pub config: PluginConfig,
    /// Compiled `mapping.jq`.
    pub mapping: Mapping,
    /// Whether the folder has a `style.css`.
    pub has_style: bool,
    /// Bumped each time this plugin is (re)loaded.
    pub revision: u64,
    content_hash: String,
}

/// Why a plugin folder could not be (re)loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginProblem {
    /// File path, e.g. `plugins/lifting-order/mapping.jq`.
    pub file: String,
    /// Line, when known.
    pub line: Option<usize>,
    /// Column, when known (jq compile errors).
    pub column: Option<usize>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for PluginProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl PluginProblem {
    /// A file that cannot be read.
    pub fn unreadable(file: String, error: &std::io::Error) -> PluginProblem {
        PluginProblem { file, line: None, column: None, message: format!("cannot read: {error}") }
    }
}

/// A plugin folder: its last good version and its current problem, if any.
#[derive(Debug, Clone)]
pub struct PluginEntry {
    /// Last version that loaded.
    pub active: Option<Arc<Plugin>>,
    /// Why the files on disk do not load now.
    pub problem: Option<PluginProblem>,
    failed_hash: Option<String>,
}

/// All plugin folders.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Entries by folder name.
    pub entries: BTreeMap<String, PluginEntry>,
}

impl Catalog {
    /// The active version of a plugin.
    pub fn plugin(&self, id: &str) -> Option<&Arc<Plugin>> {
        self.entries.get(id)?.active.as_ref()
    }

    /// Ids of the plugins that can serve views.
    pub fn ids(&self) -> Vec<&str> {
        self.entries.iter().filter(|(_, e)| e.active.is_some()).map(|(id, _)| id.as_str()).collect()
    }
}

/// The plugins shipped inside the binary, used when the plugins folder does not exist
/// (a folder on disk always wins).
#[derive(rust_embed::RustEmbed)]
#[folder = "../plugins"]
pub struct BuiltIn;

/// Where plugin files come from.
enum Source {
    /// A folder on disk, watched for changes.
    Disk,
    /// The copy compiled into the binary.
    Embedded,
}

impl Source {
    fn read(&self, dir: &Path, relative: &str) -> std::io::Result<String> {
        match self {
            Source::Disk => std::fs::read_to_string(dir.join(relative)),
            Source::Embedded => BuiltIn::get(relative)
                .map(|f| String::from_utf8_lossy(&f.data).into_owned())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not built in")),
        }
    }

    fn exists(&self, dir: &Path, relative: &str) -> bool {
        match self {
            Source::Disk => dir.join(relative).is_file(),
            Source::Embedded => BuiltIn::get(relative).is_some(),
        }
    }

    fn folders(&self, dir: &Path) -> Vec<String> {
        match self {
            Source::Disk => plugin_folders(dir).into_iter().map(|(id, _)| id).collect(),
            Source::Embedded => {
                let mut ids: Vec<String> =
                    BuiltIn::iter().filter_map(|path| path.split_once('/').map(|(id, _)| id.to_owned())).collect();
                ids.sort();
                ids.dedup();
                ids
            }
        }
    }
}

/// The plugin folder registry.
pub struct Registry {
    dir: PathBuf,
    source: Source,
    catalog: watch::Sender<Arc<Catalog>>,
    revision: AtomicU64,
    // Scans run on the blocking pool; this keeps two of them from interleaving.
    scan_lock: Mutex<()>,
}

impl Registry {
    /// Loads every plugin folder under `dir`, or the built-in plugins when `dir` does not exist.
    pub fn load(dir: impl Into<PathBuf>) -> Arc<Registry> {
        let dir = dir.into();
        let source = if dir.is_dir() {
            Source::Disk
        } else {
            info!(dir = %dir.display(), "no plugins folder: serving the built-in plugins");
            Source::Embedded
        };
        let registry = Arc::new(Registry {
            dir,
            source,
            catalog: watch::Sender::new(Arc::default()),
            revision: AtomicU64::new(0),
            scan_lock: Mutex::new(()),
        });
        registry.rescan();
        registry
    }

    /// The plugins folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True when the plugins come from the binary (no folder on disk).
    pub fn is_built_in(&self) -> bool {
        matches!(self.source, Source::Embedded)
    }

    /// The current catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.borrow().clone()
    }

    /// A receiver of catalog changes.
    pub fn watch(&self) -> watch::Receiver<Arc<Catalog>> {
        self.catalog.subscribe()
    }

    /// Re-reads every folder and publishes a new catalog if anything changed. Blocking.
    pub fn rescan(&self) {
        let _scan = self.scan_lock.lock();
        let old = self.catalog();
        // Definitions every mapping can use (optional).
        let shared = self.source.read(&self.dir, SHARED_FILE).unwrap_or_default();
        let mut entries = BTreeMap::new();
        let mut changed = false;
        for id in self.source.folders(&self.dir) {
            let previous = old.entries.get(&id);
            let entry = self.load_folder(&id, previous, &shared);
            changed |= previous.is_none_or(|p| !same_entry(p, &entry));
            entries.insert(id, entry);
        }
        for id in old.entries.keys().filter(|id| !entries.contains_key(*id)) {
            info!(plugin = %id, "plugin folder removed");
            changed = true;
        }
        if changed {
            self.catalog.send_replace(Arc::new(Catalog { entries }));
        }
    }

    fn load_folder(&self, id: &str, previous: Option<&PluginEntry>, shared: &str) -> PluginEntry {
        let display = |file: &str| format!("{}/{id}/{file}", self.dir.display());
        let read = |file: &str| self.source.read(&self.dir, &format!("{id}/{file}"));
        let (config_text, mapping_text) = match (read("config.json"), read("mapping.jq")) {
            (Ok(c), Ok(m)) => (c, m),
            (Err(e), _) => {
                return self.failed(id, previous, None, PluginProblem::unreadable(display("config.json"), &e));
            }
            (_, Err(e)) => {
                return self.failed(id, previous, None, PluginProblem::unreadable(display("mapping.jq"), &e));
            }
        };
        let has_style = self.source.exists(&self.dir, &format!("{id}/style.css"));
        let hash = sha256_hex(format!("{config_text}\0{mapping_text}\0{has_style}\0{shared}").as_bytes());
        if let Some(previous) = previous {
            if previous.active.as_ref().is_some_and(|p| p.content_hash == hash) {
                return PluginEntry { active: previous.active.clone(), problem: None, failed_hash: None };
            }
            if previous.failed_hash.as_deref() == Some(&hash) {
                return previous.clone();
            }
        }
        let shared_file = format!("{}/{SHARED_FILE}", self.dir.display());
        let files = PluginFiles { config: &config_text, mapping: &mapping_text, shared };
        let (config, mapping) = match files.load(&display("config.json"), &display("mapping.jq"), &shared_file) {
            Ok(loaded) => loaded,
            Err(problem) => return self.failed(id, previous, Some(hash), problem),
        };
        let revision = self.revision.fetch_add(1, Ordering::Relaxed) + 1;
        info!(plugin = %id, revision, "plugin loaded");
        let plugin = Plugin { id: id.to_owned(), config, mapping, has_style, revision, content_hash: hash };
        PluginEntry { active: Some(Arc::new(plugin)), problem: None, failed_hash: None }
    }

    fn failed(
        &self,
        id: &str,
        previous: Option<&PluginEntry>,
        hash: Option<String>,
        problem: PluginProblem,
    ) -> PluginEntry {
        let active = previous.and_then(|p| p.active.clone());
        warn!(plugin = %id, problem = %problem, keeps_serving = active.is_some(), "plugin failed to load");
        PluginEntry { active, problem: Some(problem), failed_hash: hash }
    }

    /// Watches the folder and rescans on changes until `shutdown`.
    pub fn watch_folder(self: &Arc<Self>, shutdown: CancellationToken) -> notify::Result<()> {
        if self.is_built_in() {
            return Ok(());
        }
        let (tx, mut rx) = mpsc::channel::<()>(1);
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // inotify also reports files being opened or read (notify asks for IN_OPEN): the
            // rescan's own reads, an editor, or a browser fetching a plugin's style.css would
            // each trigger a full rescan. Only a change to the folder is a reason.
            if event.is_ok_and(|e| !matches!(e.kind, notify::EventKind::Access(_))) {
                // A full channel already means "rescan pending".
                let _ = tx.try_send(());
            }
        })?;
        watcher.watch(&self.dir, RecursiveMode::Recursive)?;
        let registry = self.clone();
        tokio::spawn(
            async move {
                let _watcher = watcher;
                loop {
                    tokio::select! {
                        event = rx.recv() => if event.is_none() { break },
                        () = shutdown.cancelled() => break,
                    }
                    tokio::time::sleep(DEBOUNCE).await;
                    while rx.try_recv().is_ok() {}
                    let registry = registry.clone();
                    let _ = tokio::task::spawn_blocking(move || registry.rescan()).await;
                }
            }
            .instrument(info_span!("plugins")),
        );
        info!(dir = %self.dir.display(), "watching plugins for changes");
        Ok(())
    }
}

fn same_entry(a: &PluginEntry, b: &PluginEntry) -> bool {
    let same_active = match (&a.active, &b.active) {
        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
        (None, None) => true,
        _ => false,
    };
    same_active && a.problem == b.problem
}

/// Sub-folders that look like plugins (hidden folders are skipped).
fn plugin_folders(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut folders: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Some((e.file_name().to_str()?.to_owned(), e.path())))
        .filter(|(name, _)| {
            !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect();
    folders.sort();
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, id: &str, config: &str, mapping: &str) {
        std::fs::create_dir_all(dir.join(id)).unwrap();
        std::fs::write(dir.join(id).join("config.json"), config).unwrap();
        std::fs::write(dir.join(id).join("mapping.jq"), mapping).unwrap();
    }

    const CONFIG: &str = r#"{"name": "T", "page": "generic-table"}"#;

    #[test]
    fn last_good_version_survives_a_broken_edit() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "t", CONFIG, "{a: 1}");
        let registry = Registry::load(tmp.path());
        let first = registry.catalog().plugin("t").unwrap().clone();
        write(tmp.path(), "t", CONFIG, "{a: 1\n| oops(");
        registry.rescan();
        let catalog = registry.catalog();
        let entry = &catalog.entries["t"];
        assert!(Arc::ptr_eq(entry.active.as_ref().unwrap(), &first), "old version keeps serving");
        let problem = entry.problem.as_ref().unwrap();
        assert!(problem.file.ends_with("t/mapping.jq") && problem.line.is_some(), "{problem}");
        write(tmp.path(), "t", CONFIG, "{a: 2}");
        registry.rescan();
        let catalog = registry.catalog();
        assert!(catalog.entries["t"].problem.is_none());
        assert!(catalog.plugin("t").unwrap().revision > first.revision);
    }

    #[test]
    fn the_built_in_plugins_serve_when_the_folder_is_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let registry = Registry::load(tmp.path().join("absent"));
        assert!(registry.is_built_in());
        let catalog = registry.catalog();
        assert_eq!(
            catalog.ids(),
            [
                "athlete-decisions",
                "attempt-bar",
                "attempt-board",
                "client-texts",
                "jury-board",
                "lifting-order",
                "lower-third",
                "medal-count",
                "medals-per-session",
                "rankings",
                "referee-assignments",
                "results-protocol",
                "start-order",
                "team-rankings",
                "team-scoreboard",
                "top-scores"
            ]
        );
        assert!(catalog.entries.values().all(|e| e.problem.is_none()));
    }

    #[test]
    fn unchanged_files_do_not_publish_and_removed_folders_go() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "a", CONFIG, ".");
        write(tmp.path(), "b", CONFIG, ".");
        std::fs::create_dir_all(tmp.path().join(".hidden")).unwrap();
        let registry = Registry::load(tmp.path());
        let mut rx = registry.watch();
        rx.mark_unchanged();
        registry.rescan();
        assert!(!rx.has_changed().unwrap());
        std::fs::remove_dir_all(tmp.path().join("b")).unwrap();
        registry.rescan();
        assert_eq!(registry.catalog().ids(), ["a"]);
        write(tmp.path(), "c", "{", ".");
        registry.rescan();
        let catalog = registry.catalog();
        assert!(catalog.entries["c"].active.is_none());
        assert_eq!(catalog.entries["c"].problem.as_ref().unwrap().line, Some(1));
    }
}
