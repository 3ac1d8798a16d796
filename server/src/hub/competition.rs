//! The whole competition as the tracker knows it, and its pure transitions:
//! `Competition::apply(input, now) -> Outcome`. No I/O, no clocks, no channels.

use super::database::Database;
use super::fop::{FopChange, FopSnapshot, fop_name};
use super::results::SessionResults;
use super::translations::Translations;
use crate::protocol::replies::Resource;
use crate::protocol::scalar::as_string;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The folders OWLCMS fills from ZIPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AssetKind {
    /// `flags_zip` → `/local/flags`.
    Flags,
    /// `logos_zip` → `/local/logos`.
    Logos,
    /// `pictures_zip` → `/local/pictures`.
    Pictures,
    /// `gamx_zip` → `<local>/gamx`, read by the scoring engine (not served).
    Gamx,
}

impl AssetKind {
    /// The kinds served under `/local` (GAMX tables are only read by the engine).
    pub const ALL: [AssetKind; 3] = [AssetKind::Flags, AssetKind::Logos, AssetKind::Pictures];

    /// Folder name under the local directory and URL segment under `/local`.
    pub fn dir(self) -> &'static str {
        match self {
            AssetKind::Flags => "flags",
            AssetKind::Logos => "logos",
            AssetKind::Pictures => "pictures",
            AssetKind::Gamx => "gamx",
        }
    }

    /// The resource name that asks OWLCMS for this kind.
    pub fn resource(self) -> Resource {
        match self {
            AssetKind::Flags => Resource::FlagsZip,
            AssetKind::Logos => Resource::LogosZip,
            AssetKind::Pictures => Resource::PicturesZip,
            AssetKind::Gamx => Resource::GamxZip,
        }
    }
}

/// An asset folder that has been filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetInfo {
    /// Files extracted.
    pub files: usize,
    /// Bytes extracted.
    pub bytes: u64,
    /// Server epoch milliseconds.
    pub loaded_at_ms: i64,
}

/// A latched protocol mismatch (cleared by the next valid message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolError {
    /// Version the sender claimed, if any.
    pub received: Option<String>,
    /// Human-readable reason.
    pub reason: String,
    /// Server epoch milliseconds.
    pub at_ms: i64,
}

/// One input to the competition state, already decoded and parsed.
#[derive(Debug)]
pub enum Input {
    /// `update` payload.
    Update(Map<String, Value>),
    /// `timer` payload.
    Timer(Map<String, Value>),
    /// `decision` payload.
    Decision(Map<String, Value>),
    /// `database_metadata`: the checksum of the database about to follow.
    DatabaseMetadata(String),
    /// A parsed database.
    DatabaseLoaded(Arc<Database>),
    /// A database is arriving with this checksum (`None`: the one `database_metadata`
    /// announced). The hub decides whether it is the loaded one ([`Outcome::database`]); if so
    /// it counts as freshly sent and need not be parsed.
    DatabaseOffered(Option<String>),
    /// Parsed translations.
    TranslationsLoaded(Arc<Translations>),
    /// An asset folder was replaced.
    AssetsReplaced(AssetKind, AssetInfo),
    /// A frame passed the version check (clears a latched mismatch).
    ProtocolOk,
    /// A FOP snapshot saved before a restart (only applied while the FOP has no newer data).
    RestoreFop(Box<FopSnapshot>),
    /// Session results saved before a restart (only applied over the same database).
    RestoreResults(Box<SessionResults>),
    /// A frame failed the version check.
    ProtocolMismatch {
        /// Version the sender claimed.
        received: Option<String>,
        /// Why it failed.
        reason: String,
    },
}

/// What an input changed, for publishing, and what is still missing for a reply.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// FOP changed, with what changed in it.
    pub fop: Option<(String, FopChange)>,
    /// Competition-wide state changed (database, translations, assets, protocol latch).
    pub competition: bool,
    /// Data OWLCMS should send (database, translations, or assets the data refers to).
    pub missing: Vec<Resource>,
    /// The merged session results changed.
    pub results: bool,
    /// What became of an offered or loaded database.
    pub database: Option<Loaded>,
    /// What became of loaded translations.
    pub translations: Option<Loaded>,
}

/// What the hub did with a database or translations that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// Installed: it differs from what was loaded.
    New,
    /// The same as the loaded one (checksum or bytes): kept, counted as freshly sent.
    Unchanged,
}

/// The single-writer competition state.
#[derive(Debug, Default)]
pub struct Competition {
    /// Loaded database.
    pub database: Option<Arc<Database>>,
    /// Checksum announced by `database_metadata` for the next `database_zip`.
    pub announced_checksum: Option<String>,
    /// Loaded translations.
    pub translations: Option<Arc<Translations>>,
    /// FOP snapshots by name.
    pub fops: BTreeMap<String, FopSnapshot>,
    /// Filled asset folders.
    pub assets: BTreeMap<AssetKind, AssetInfo>,
    /// Latched protocol mismatch.
    pub protocol_error: Option<ProtocolError>,
    /// Session athletes merged since the database was loaded, and finished sessions (R1).
    pub results: Arc<SessionResults>,
    /// When OWLCMS last sent a database (a skipped identical one counts: it is as fresh).
    pub database_loaded_at_ms: i64,
    /// When a platform last moved to another session or finished one (R2: a database older
    /// than this lacks results that documents need).
    pub session_changed_at_ms: i64,
    /// Counts translation loads (views re-run when it changes).
    pub translations_revision: u64,
}

impl Competition {
    /// Applies one input at server time `now_ms`.
    pub fn apply(&mut self, input: Input, now_ms: i64) -> Outcome {
        let mut outcome = Outcome::default();
        if !matches!(input, Input::ProtocolMismatch { .. }) && self.protocol_error.take().is_some() {
            outcome.competition = true;
        }
        match input {
            Input::Update(payload) => {
                let refers_to_flags = refers_to_flags(&payload);
                let name = fop_name(&payload);
                let fop = self.fop_mut(&name);
                let (session_before, done_before) = (fop.session.session_name.clone(), fop.session.is_done);
                let change = fop.apply_update(payload, now_ms);
                let moved = session_before.is_some() && fop.session.session_name != session_before;
                if moved || (fop.session.is_done && !done_before) {
                    self.session_changed_at_ms = now_ms;
                }
                outcome.results = self.merge_results(&name);
                outcome.fop = Some((name, change));
                if refers_to_flags && !self.assets.contains_key(&AssetKind::Flags) {
                    outcome.missing.push(Resource::FlagsZip);
                }
            }
            Input::Timer(payload) => {
                let name = fop_name(&payload);
                outcome.fop = Some((name.clone(), self.fop_mut(&name).apply_timer(payload, now_ms)));
            }
            Input::Decision(payload) => {
                let name = fop_name(&payload);
                outcome.fop = Some((name.clone(), self.fop_mut(&name).apply_decision(payload, now_ms)));
            }
            Input::DatabaseMetadata(checksum) => self.announced_checksum = Some(checksum),
            Input::DatabaseOffered(checksum) => {
                let offered = checksum.or_else(|| self.announced_checksum.clone());
                if offered.is_some() && self.database.as_ref().map(|db| &db.checksum) == offered.as_ref() {
                    self.database_resent(now_ms, &mut outcome);
                }
            }
            Input::DatabaseLoaded(db) if self.database.as_ref().is_some_and(|old| old.bytes_hash == db.bytes_hash) => {
                self.database_resent(now_ms, &mut outcome);
            }
            Input::DatabaseLoaded(db) => {
                for name in &db.fop_names {
                    self.fop_mut(name);
                }
                // A new export holds everything merged so far (R1.7); the running sessions'
                // athletes are laid over it again at once, as their next update would.
                self.results = Arc::new(SessionResults::for_database(Some(db.checksum.clone())));
                self.database = Some(db);
                self.database_loaded_at_ms = now_ms;
                self.announced_checksum = None;
                let names: Vec<String> = self.fops.keys().cloned().collect();
                for name in names {
                    self.merge_results(&name);
                }
                outcome.competition = true;
                outcome.results = true;
                outcome.database = Some(Loaded::New);
            }
            Input::ProtocolOk => {}
            Input::RestoreFop(snapshot) => {
                let name = snapshot.name.clone();
                if self.fops.get(&name).is_none_or(|f| f.data_version == 0) {
                    self.fops.insert(name.clone(), *snapshot);
                    outcome.fop = Some((name, FopChange { data: true, clock: true, decision: true }));
                }
                // A restored snapshot is not OWLCMS asking for anything.
                return outcome;
            }
            Input::RestoreResults(results) => {
                let same_database = results.database == self.database.as_ref().map(|db| db.checksum.clone());
                if same_database && self.results.revision == 0 {
                    self.results = Arc::new(*results);
                    outcome.results = true;
                    outcome.competition = true;
                }
                return outcome;
            }
            Input::TranslationsLoaded(translations)
                if translations.checksum.is_some()
                    && self.translations.as_ref().and_then(|t| t.checksum.as_ref())
                        == translations.checksum.as_ref() =>
            {
                outcome.translations = Some(Loaded::Unchanged);
            }
            Input::TranslationsLoaded(translations) => {
                self.translations = Some(translations);
                self.translations_revision += 1;
                outcome.competition = true;
                outcome.translations = Some(Loaded::New);
            }
            Input::AssetsReplaced(kind, info) => {
                self.assets.insert(kind, info);
                outcome.competition = true;
            }
            Input::ProtocolMismatch { received, reason } => {
                self.protocol_error = Some(ProtocolError { received, reason, at_ms: now_ms });
                outcome.competition = true;
            }
        }
        if outcome.fop.is_some() {
            outcome.missing.splice(0..0, self.missing_essentials());
        }
        outcome
    }

    /// OWLCMS sent the loaded database again: nothing to reload, but it is as fresh as a new one.
    fn database_resent(&mut self, now_ms: i64, outcome: &mut Outcome) {
        self.announced_checksum = None;
        self.database_loaded_at_ms = now_ms;
        outcome.competition = true;
        outcome.database = Some(Loaded::Unchanged);
    }

    /// Database and translations, when not loaded yet.
    pub fn missing_essentials(&self) -> Vec<Resource> {
        let mut missing = Vec::new();
        if self.database.is_none() {
            missing.push(Resource::Database);
        }
        if self.translations.is_none() {
            missing.push(Resource::TranslationsZip);
        }
        missing
    }

    /// Merges a FOP's session athletes into the results and notes a finished session; true
    /// when the results changed. Only updates carry new athletes: timer and decision frames
    /// would repeat the last update's (R1.1), so they are not merged again.
    fn merge_results(&mut self, fop: &str) -> bool {
        let Some(snapshot) = self.fops.get(fop) else { return false };
        let athletes = snapshot.data.get("sessionAthletes");
        let done = snapshot.session.is_done.then(|| snapshot.session.session_name.clone()).flatten();
        let mut results = (*self.results).clone();
        let mut changed = results.merge_session_athletes(athletes);
        if let Some(session) = done {
            changed |= results.mark_done(&session);
        }
        if changed {
            self.results = Arc::new(results);
        }
        changed
    }

    /// The snapshot of a FOP, created empty on first use.
    fn fop_mut(&mut self, name: &str) -> &mut FopSnapshot {
        self.fops.entry(name.to_owned()).or_insert_with(|| FopSnapshot::empty(name))
    }

    /// Whether the database predates the last session change (R2.6).
    pub fn database_is_stale(&self) -> bool {
        self.database.is_some() && self.session_changed_at_ms > self.database_loaded_at_ms
    }

    /// Checksum of the loaded database.
    pub fn loaded_checksum(&self) -> Option<&str> {
        self.database.as_ref().map(|db| db.checksum.as_str())
    }
}

fn refers_to_flags(payload: &Map<String, Value>) -> bool {
    payload.get("sessionAthletes").and_then(Value::as_array).is_some_and(|athletes| {
        athletes.iter().any(|a| as_string(a.pointer("/displayInfo/flagURL")).is_some_and(|u| !u.is_empty()))
    })
}

#[cfg(test)]
#[path = "competition_tests.rs"]
mod tests;
