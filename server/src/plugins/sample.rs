//! The sample competition bundled for offline checks: the real database and lifting-order
//! update of `samples/owlcms/ws-2025-12/` (FOP `A`, session `P4.3`) and OWLCMS's translation
//! table, applied to a hub of its own as OWLCMS would send them, so that the mapping input is
//! built by the same code as the server's.

use crate::hash::sha256_hex;
use crate::hub::database::Database;
use crate::hub::translations::Translations;
use crate::hub::{FopSnapshot, HubHandle, HubState, Input};
use crate::mapping::input::{self, InputParts};
use crate::mapping::roster::{Roster, RosterKey};
use crate::plugins::values::Input as SharedInput;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio_util::sync::{CancellationToken, DropGuard};

/// The FOP of the sample competition.
pub const SAMPLE_FOP: &str = "A";
const DATABASE: &str = include_str!("../../../samples/owlcms/ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json");
const UPDATE: &str =
    include_str!("../../../samples/owlcms/ws-2025-12/2025-12-18T14-05-16-672-UPDATE-LIFTINGORDERUPDATED.json");
/// OWLCMS's translation table: one row per key, one column per locale.
const TRANSLATION_TABLE: &str = include_str!("../../../samples/owlcms/translation4.csv");

/// `translations.json` as OWLCMS builds it from its table: every locale, regional maps merged
/// over their base language, and a checksum. The simulator (OWLCMS's side) builds the same
/// document for what it sends; server/tests/simulator.rs checks that the two agree.
pub fn translations_json() -> Value {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(TRANSLATION_TABLE.as_bytes());
    let headers: Vec<String> = reader.headers().map(|h| h.iter().map(str::to_owned).collect()).unwrap_or_default();
    let locales: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut tables: HashMap<String, Map<String, Value>> = HashMap::new();
    for record in reader.records().flatten() {
        let Some(key) = record.get(0).filter(|k| !k.is_empty()) else { continue };
        for (i, locale) in &locales {
            if let Some(text) = record.get(*i).filter(|t| !t.is_empty()) {
                tables.entry(locale.clone()).or_default().insert(key.to_owned(), json!(text));
            }
        }
    }
    let mut merged = Map::new();
    for (_, locale) in &locales {
        let base = locale.split('_').next().unwrap_or(locale);
        let mut table = tables.get(base).cloned().unwrap_or_default();
        table.extend(tables.get(locale).cloned().unwrap_or_default());
        merged.insert(locale.clone(), Value::Object(table));
    }
    json!({"locales": merged, "translationsChecksum": sha256_hex(TRANSLATION_TABLE.as_bytes())})
}

/// The hub state of the sample competition.
pub struct SampleData {
    state: Arc<HubState>,
    fop: Option<Arc<FopSnapshot>>,
    _hub: DropGuard,
}

impl SampleData {
    /// Feeds the sample payloads to a new hub (stopped when this is dropped).
    pub async fn load() -> SampleData {
        let shutdown = CancellationToken::new();
        let hub = HubHandle::spawn(shutdown.clone());
        let mut inputs = Vec::new();
        match Database::parse(DATABASE.as_bytes(), None) {
            Ok(db) => inputs.push(Input::DatabaseLoaded(Arc::new(db))),
            Err(e) => tracing::warn!("the sample database does not load: {e}"),
        }
        let translations = translations_json().to_string();
        if let Ok(t) = Translations::parse(translations.as_bytes()) {
            inputs.push(Input::TranslationsLoaded(Arc::new(t)));
        }
        if let Ok(update) = serde_json::from_str::<Map<String, Value>>(UPDATE) {
            inputs.push(Input::Update(update));
        }
        for input in inputs {
            let _ = hub.apply(input).await;
        }
        SampleData { state: hub.state(), fop: hub.fop(SAMPLE_FOP), _hub: shutdown.drop_guard() }
    }

    /// The locales of the sample translations.
    pub fn languages(&self) -> Vec<String> {
        self.state.translations.as_ref().map(|t| t.locales.keys().cloned().collect()).unwrap_or_default()
    }

    /// One locale's translation table as the mapping's `$tr`.
    pub fn translations(&self, lang: &str) -> Value {
        self.state.translations.as_ref().and_then(|t| t.locales.get(lang)).map_or_else(|| json!({}), |t| json!(t))
    }

    /// The mapping input for the sample FOP (or none, for plugins without a FOP).
    pub async fn input(&self, fop: Option<&str>, options: &Value, with_database: bool) -> Value {
        let (fop, roster) = self.fop_and_roster(fop).await;
        build_input(&self.state, fop.as_deref(), &roster, options, with_database)
    }

    /// The same input as [`SampleData::input`], as the server's views run it: with the parts
    /// built from the database and the roster held apart as shared parts.
    pub async fn shared_input(&self, fop: Option<&str>, options: &Value, with_database: bool) -> SharedInput {
        let (fop, roster) = self.fop_and_roster(fop).await;
        let parts = parts(&self.state, fop.as_deref(), &roster, options, with_database);
        input::build_shared(&parts, &roster)
    }

    async fn fop_and_roster(&self, fop: Option<&str>) -> (Option<Arc<FopSnapshot>>, Arc<Roster>) {
        let fop = fop.and(self.fop.clone());
        let key = RosterKey {
            database: self.state.database.as_ref().map(|d| d.checksum.clone()),
            results: self.state.results.revision,
            flags: None,
        };
        let (database, results) = (self.state.database.clone(), self.state.results.clone());
        let built =
            tokio::task::spawn_blocking(move || Roster::build(key, database.as_deref(), &results, Arc::default()));
        (fop, Arc::new(built.await.unwrap_or_default()))
    }

    /// The mapping input of a view opened before OWLCMS sent anything.
    pub fn empty_input(options: &Value, with_database: bool) -> Value {
        let state = HubState::default();
        let roster = Roster::build(RosterKey::default(), None, &state.results, Arc::default());
        build_input(&state, None, &roster, options, with_database)
    }
}

/// The mapping input in English, as the server builds it (no asset folders offline).
fn build_input(
    state: &HubState,
    fop: Option<&FopSnapshot>,
    roster: &Roster,
    options: &Value,
    with_database: bool,
) -> Value {
    input::build(&parts(state, fop, roster, options, with_database))
}

fn parts<'a>(
    state: &'a HubState,
    fop: Option<&'a FopSnapshot>,
    roster: &'a Roster,
    options: &'a Value,
    with_database: bool,
) -> InputParts<'a> {
    InputParts { state, fop, options, lang: "en", with_database, roster: Some(roster), assets: None }
}
