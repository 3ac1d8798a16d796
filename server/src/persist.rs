//! State that survives restarts: the last database, translations, asset index, FOP
//! snapshots and the session results merged since the database are written to the data directory (atomically, at most once a second, and on
//! shutdown) and read back at start, so boards show the last known state before OWLCMS
//! reconnects. A corrupt or partial file is reported and ignored, never fatal.

use crate::hub::database::Database;
use crate::hub::results::SessionResults;
use crate::hub::translations::Translations;
use crate::hub::{AssetInfo, AssetKind, FopSnapshot, HubHandle, Input};
use crate::protocol::key::{KEY_MEMBERS, REDACTED};
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

/// Writes `bytes` to `path` through a temporary file, flushed to disk, and a rename, so a crash
/// or a power cut never leaves a half-written file under the real name (the rename is flushed
/// too, so the new name survives). A failed write removes its temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
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
            let mut writer = Writer { hub, dir, written: HashMap::new(), failing: None };
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
                    Ok((mut w, result)) => {
                        w.report(result);
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

/// The update key OWLCMS sent stays in memory: the saved FOP data carries a placeholder (still
/// telling diagnostics that OWLCMS sends a key), since data folders get copied around.
fn redact_keys(body: &mut Value) {
    for fop in body["fops"].as_array_mut().into_iter().flatten() {
        let Some(data) = fop.get_mut("data").and_then(Value::as_object_mut) else { continue };
        for member in KEY_MEMBERS {
            if let Some(key) = data.get_mut(member).filter(|k| k.is_string()) {
                *key = json!(REDACTED);
            }
        }
    }
}

struct Writer {
    hub: HubHandle,
    dir: PathBuf,
    /// What was last written, per file, to skip unchanged writes.
    written: HashMap<&'static str, String>,
    /// The error of the last write, while writes fail (logged once, not every second).
    failing: Option<String>,
}

impl Writer {
    fn changed(&self, file: &'static str, identity: &str) -> bool {
        self.written.get(file).map(String::as_str) != Some(identity)
    }

    /// Writes `file` and remembers its identity, only once it is on disk: a failed write is
    /// retried on the next round even when nothing changed.
    fn save(&mut self, file: &'static str, identity: String, body: &Value) -> std::io::Result<()> {
        write_atomic(&self.dir.join(file), &serde_json::to_vec(body)?)?;
        self.written.insert(file, identity);
        Ok(())
    }

    /// One log line when saving starts failing (read-only or full disk), one when it works again.
    fn report(&mut self, result: std::io::Result<()>) {
        match (result, self.failing.is_some()) {
            (Ok(()), true) => {
                self.failing = None;
                info!(dir = %self.dir.display(), "state saved again");
            }
            (Ok(()), false) => {}
            (Err(error), _) => {
                let error = error.to_string();
                if self.failing.as_deref() != Some(error.as_str()) {
                    warn!(
                        dir = %self.dir.display(),
                        %error,
                        "cannot save the state; serving continues from memory, retrying every second"
                    );
                }
                self.failing = Some(error);
            }
        }
    }

    fn write_inner(&mut self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let state = self.hub.state();
        if let Some(db) = &state.database
            && self.changed(DATABASE, &db.checksum)
        {
            let body = json!({"checksum": db.checksum, "bytesHash": db.bytes_hash, "database": db.raw});
            self.save(DATABASE, db.checksum.clone(), &body)?;
        }
        if let Some(t) = &state.translations {
            let identity = state.translations_revision.to_string();
            if self.changed(TRANSLATIONS, &identity) {
                let body = json!({"locales": t.locales, "translationsChecksum": t.checksum});
                self.save(TRANSLATIONS, identity, &body)?;
            }
        }
        let fops: Vec<Arc<FopSnapshot>> = state.fops.iter().filter_map(|name| self.hub.fop(name)).collect();
        let identity = format!(
            "{:?}{:?}{}",
            fops.iter().map(|f| (&f.name, f.version)).collect::<Vec<_>>(),
            state.assets,
            state.results.revision
        );
        if self.changed(STATE, &identity) {
            let mut body = json!({"fops": fops, "assets": state.assets, "results": state.results});
            redact_keys(&mut body);
            self.save(STATE, identity, &body)?;
        }
        Ok(())
    }
}
