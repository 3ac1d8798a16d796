//! State that survives restarts: the last database, translations, asset index, FOP
//! snapshots and the session results merged since the database are written to the data directory (atomically, at most once a second, and on
//! shutdown) and read back at start, so boards show the last known state before OWLCMS
//! reconnects. A corrupt or partial file is reported and ignored, never fatal.

use crate::hub::database::Database;
use crate::hub::results::SessionResults;
use crate::hub::translations::Translations;
use crate::hub::{AssetInfo, AssetKind, FopSnapshot, HubHandle, Input};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

/// Least time between two writes.
const INTERVAL: Duration = Duration::from_secs(1);

const DATABASE: &str = "database.json";
const TRANSLATIONS: &str = "translations.json";
const STATE: &str = "state.json";

/// What a restore found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// A database was restored.
    pub database: bool,
    /// Translations were restored.
    pub translations: bool,
    /// FOP snapshots restored.
    pub fops: usize,
    /// Files that could not be used.
    pub problems: Vec<String>,
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file under the real name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Reads the data directory into the hub. Call before serving.
pub async fn restore(hub: &HubHandle, dir: &Path) -> Restored {
    let mut report = Restored::default();
    let read = |name: &str| -> Option<Vec<u8>> { std::fs::read(dir.join(name)).ok() };
    let mut problem = |name: &str, error: String| {
        warn!(file = %dir.join(name).display(), %error, "saved state ignored");
        report.problems.push(format!("{name}: {error}"));
    };
    if let Some(bytes) = read(DATABASE) {
        let parsed: Result<Value, _> = serde_json::from_slice(&bytes);
        match parsed.map_err(|e| e.to_string()).and_then(|v| {
            let checksum = v["checksum"].as_str().map(str::to_owned);
            Database::from_value(
                v["database"].clone(),
                checksum,
                v["bytesHash"].as_str().unwrap_or_default().to_owned(),
            )
            .map_err(|e| e.to_string())
        }) {
            Ok(db) => {
                let _ = hub.apply(Input::DatabaseLoaded(Arc::new(db))).await;
                report.database = true;
            }
            Err(e) => problem(DATABASE, e),
        }
    }
    if let Some(bytes) = read(TRANSLATIONS) {
        match Translations::parse(&bytes) {
            Ok(t) => {
                let _ = hub.apply(Input::TranslationsLoaded(Arc::new(t))).await;
                report.translations = true;
            }
            Err(e) => problem(TRANSLATIONS, e.to_string()),
        }
    }
    if let Some(bytes) = read(STATE) {
        #[derive(serde::Deserialize)]
        struct Saved {
            fops: Vec<FopSnapshot>,
            assets: BTreeMap<AssetKind, AssetInfo>,
            /// Absent in files written before results were merged.
            #[serde(default)]
            results: Option<SessionResults>,
        }
        match serde_json::from_slice::<Saved>(&bytes) {
            Ok(saved) => {
                for (kind, info) in saved.assets {
                    let _ = hub.apply(Input::AssetsReplaced(kind, info)).await;
                }
                for fop in saved.fops {
                    let _ = hub.apply(Input::RestoreFop(Box::new(fop))).await;
                    report.fops += 1;
                }
                if let Some(results) = saved.results {
                    let _ = hub.apply(Input::RestoreResults(Box::new(results))).await;
                }
            }
            Err(e) => problem(STATE, e.to_string()),
        }
    }
    if report.database || report.fops > 0 {
        info!(
            database = report.database,
            translations = report.translations,
            fops = report.fops,
            "restored the last known state"
        );
    }
    report
}

/// Starts the writer; the handle finishes after a last write once `shutdown` is cancelled.
pub fn spawn(hub: HubHandle, dir: PathBuf, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(
        async move {
            let mut writer = Writer { hub, dir, written: HashMap::new() };
            loop {
                let stop = tokio::select! {
                    () = tokio::time::sleep(INTERVAL) => false,
                    () = shutdown.cancelled() => true,
                };
                // File writes are small and rare; the blocking pool keeps them off the runtime.
                let done = tokio::task::spawn_blocking(move || {
                    let result = writer.write_inner();
                    (writer, result)
                });
                writer = match done.await {
                    Ok((w, result)) => {
                        if let Err(error) = result {
                            warn!(%error, "could not save the state");
                        }
                        w
                    }
                    Err(_) => return,
                };
                if stop {
                    info!("state saved");
                    return;
                }
            }
        }
        .instrument(info_span!("persist")),
    )
}

struct Writer {
    hub: HubHandle,
    dir: PathBuf,
    /// What was last written, per file, to skip unchanged writes.
    written: HashMap<&'static str, String>,
}

impl Writer {
    fn changed(&mut self, file: &'static str, identity: String) -> bool {
        if self.written.get(file) == Some(&identity) {
            return false;
        }
        self.written.insert(file, identity);
        true
    }

    fn write_inner(&mut self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let state = self.hub.state();
        if let Some(db) = &state.database
            && self.changed(DATABASE, db.checksum.clone())
        {
            let body = json!({"checksum": db.checksum, "bytesHash": db.bytes_hash, "database": db.raw});
            write_atomic(&self.dir.join(DATABASE), &serde_json::to_vec(&body)?)?;
        }
        if let Some(t) = &state.translations
            && self.changed(TRANSLATIONS, state.translations_revision.to_string())
        {
            let body = json!({"locales": t.locales, "translationsChecksum": t.checksum});
            write_atomic(&self.dir.join(TRANSLATIONS), &serde_json::to_vec(&body)?)?;
        }
        let fops: Vec<Arc<FopSnapshot>> = state.fops.iter().filter_map(|name| self.hub.fop(name)).collect();
        let identity = format!(
            "{:?}{:?}{}",
            fops.iter().map(|f| (&f.name, f.version)).collect::<Vec<_>>(),
            state.assets,
            state.results.revision
        );
        if self.changed(STATE, identity) {
            let body = json!({"fops": fops, "assets": state.assets, "results": state.results});
            write_atomic(&self.dir.join(STATE), &serde_json::to_vec(&body)?)?;
        }
        Ok(())
    }
}
