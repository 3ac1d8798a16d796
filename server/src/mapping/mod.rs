//! The mapping engine: builds the one input document every plugin mapping receives (the FOP's
//! athletes in start and lifting order, scores, plates, records, the competition-wide roster
//! with ranks, team standings and medals), and caches what many views share (the roster, the
//! asset index). Scheduling views and sending their frames is `views`' job.

pub mod athlete;
pub mod input;
pub mod plates;
pub mod records;
pub mod roster;
pub mod scores;
mod teams;

use crate::assets::AssetStore;
use crate::assets::index::AssetIndex;
use crate::hub::{FopSnapshot, HubState};
use crate::plugins::values::{Input, SharedPart};
use roster::{Roster, RosterKey};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the document is requested for (the rest comes from the hub state).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Resolved options.
    pub options: &'a Value,
    /// Resolved locale.
    pub lang: &'a str,
    /// Whether the plugin requires the database (whole competition in the document).
    pub with_database: bool,
}

/// Builds mapping inputs, sharing the roster and the asset index between views.
pub struct Engine {
    /// The last roster; a tokio mutex so that views needing it at once wait for one build.
    roster: tokio::sync::Mutex<Option<Arc<Roster>>>,
    /// The asset folders, and what they held at the last look (by asset generation).
    assets: AssetStore,
    asset_index: tokio::sync::Mutex<(i64, Arc<AssetIndex>)>,
    /// Competition-wide rosters built (for health and tests).
    pub roster_builds: AtomicU64,
}

impl Engine {
    /// An engine reading flags and pictures from `assets`.
    pub fn new(assets: AssetStore) -> Engine {
        Engine {
            roster: tokio::sync::Mutex::default(),
            assets,
            asset_index: tokio::sync::Mutex::new((-1, Arc::default())),
            roster_builds: AtomicU64::new(0),
        }
    }

    /// The input document for `request` on `state` (and `fop`, for views of one FOP).
    pub async fn input(&self, request: Request<'_>, state: &HubState, fop: Option<&FopSnapshot>) -> Value {
        self.mapping_input(request, state, fop).await.to_json()
    }

    /// The same document as [`Engine::input`], as views run it: the parts built from the
    /// database and the roster alone are shared parts, converted once per thread and content.
    pub async fn mapping_input(&self, request: Request<'_>, state: &HubState, fop: Option<&FopSnapshot>) -> Input {
        let roster = self.roster(state).await;
        let assets = self.asset_index(state).await;
        let parts = input::InputParts {
            state,
            fop,
            options: request.options,
            lang: request.lang,
            with_database: request.with_database,
            roster: Some(&roster),
            assets: Some(&assets),
        };
        input::build_shared(&parts, &roster)
    }

    /// What the asset folders hold, rescanned only after a ZIP replaced one of them.
    pub async fn asset_index(&self, state: &HubState) -> Arc<AssetIndex> {
        let generation = asset_generation(state);
        let mut cached = self.asset_index.lock().await;
        if cached.0 != generation {
            let store = self.assets.clone();
            let scan = move || AssetIndex::scan(|kind| store.dir(kind));
            let index = tokio::task::spawn_blocking(scan).await.unwrap_or_default();
            *cached = (generation, Arc::new(index));
        }
        cached.1.clone()
    }

    /// What a roster built now would be built from.
    pub fn roster_key(&self, state: &HubState) -> RosterKey {
        RosterKey {
            database: state.database.as_ref().map(|d| d.checksum.clone()),
            results: state.results.revision,
            flags: Some(asset_generation(state)),
        }
    }

    /// The competition-wide athletes for the current state, built at most once per change
    /// (off the async threads: a national meet has a thousand athletes to score and rank).
    pub async fn roster(&self, state: &HubState) -> Arc<Roster> {
        let key = self.roster_key(state);
        let mut cached = self.roster.lock().await;
        if let Some(roster) = cached.as_ref().filter(|r| r.key == key) {
            return roster.clone();
        }
        let database = state.database.clone();
        let results = state.results.clone();
        let assets = self.asset_index(state).await;
        let build = move || Roster::build(key, database.as_deref(), &results, assets);
        let roster = Arc::new(tokio::task::spawn_blocking(build).await.unwrap_or_default());
        self.roster_builds.fetch_add(1, Ordering::Relaxed);
        *cached = Some(roster.clone());
        roster
    }
}

/// The `$tr` table of `lang` as a shared part: converted once per translations load and
/// language on each mapping thread, not on every run.
pub fn translations(state: &HubState, lang: &str) -> SharedPart {
    let Some(translations) = state.translations.clone() else {
        return SharedPart::new("translations/none", || json!({}));
    };
    let lang = lang.to_owned();
    let id = format!("translations/{}/{lang}", state.translations_revision);
    SharedPart::new(id, move || translations.locales.get(&lang).map_or_else(|| json!({}), |table| json!(table)))
}

/// Changes whenever an asset ZIP replaces a folder (the sum of the load times only grows).
pub fn asset_generation(state: &HubState) -> i64 {
    state.assets.values().map(|a| a.loaded_at_ms).sum()
}
