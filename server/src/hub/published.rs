//! What the hub publishes: the competition-wide state (a new revision only when it changed)
//! and the events of FOP changes that readers react to.

use super::competition::{AssetInfo, AssetKind, ProtocolError};
use super::database::Database;
use super::fop::{FopChange, FopSnapshot};
use super::results;
use super::translations::Translations;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A change readers may want to react to.
#[derive(Debug, Clone)]
pub enum HubEvent {
    /// A FOP changed (data, clock and/or decision); the snapshot is the new state.
    Fop {
        /// What changed.
        change: FopChange,
        /// The FOP after the change.
        snapshot: Arc<FopSnapshot>,
    },
    /// Database, translations, assets, connections or the protocol latch changed.
    Competition,
}

/// Competition-wide state, published only when it changed (connection counters and times
/// live in [`Diagnostics`], on their own channel, so they never wake the views).
#[derive(Debug, Clone, Default)]
pub struct HubState {
    /// Grows by one with every published change; readers compare it instead of pointers.
    pub revision: u64,
    /// Loaded database.
    pub database: Option<Arc<Database>>,
    /// Checksum announced by `database_metadata`, not yet consumed.
    pub announced_checksum: Option<String>,
    /// Loaded translations.
    pub translations: Option<Arc<Translations>>,
    /// Grows with every translation load.
    pub translations_revision: u64,
    /// Known FOP names.
    pub fops: Vec<String>,
    /// Filled asset folders.
    pub assets: BTreeMap<AssetKind, AssetInfo>,
    /// Latched protocol mismatch.
    pub protocol_error: Option<ProtocolError>,
    /// Session results merged since the database was loaded, and finished sessions.
    pub results: Arc<results::SessionResults>,
    /// The database predates the last session change (documents ask for a fresh one, R2.6).
    pub database_stale: bool,
    /// When the database was last (re)sent, server epoch ms.
    pub database_loaded_at_ms: i64,
    /// At least one OWLCMS connection is open.
    pub owlcms_connected: bool,
}

impl HubState {
    /// Database and translations both loaded.
    pub fn is_ready(&self) -> bool {
        self.database.is_some() && self.translations.is_some()
    }

    /// Same content as `other`, revision aside (Arcs compared by identity: the hub replaces
    /// them whenever their content changes).
    pub(super) fn same_as(&self, other: &HubState) -> bool {
        fn same<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        same(&self.database, &other.database)
            && self.announced_checksum == other.announced_checksum
            && same(&self.translations, &other.translations)
            && self.translations_revision == other.translations_revision
            && self.fops == other.fops
            && self.assets == other.assets
            && self.protocol_error == other.protocol_error
            && Arc::ptr_eq(&self.results, &other.results)
            && self.database_stale == other.database_stale
            && self.database_loaded_at_ms == other.database_loaded_at_ms
            && self.owlcms_connected == other.owlcms_connected
    }
}
