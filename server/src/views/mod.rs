//! Views: for each distinct (plugin, FOP, language, canonical options) that someone watches, one
//! task runs the plugin's mapping when the FOP's data, the plugin, the database or the
//! translations change (never on clock or decision events), serialises the result once, and
//! shares the same bytes with every viewer. A view nobody watches is released.
//!
//! Views of plugins that require the database show the whole competition: they run when the
//! merged session results change (a new state revision), which every FOP's data change that
//! matters to them produces. The input documents come from the mapping engine
//! ([`crate::mapping`]), which shares the competition-wide roster between views.
//!
//! A task wakes only for its inputs: the catalogue, a new competition state revision, or a
//! data change of its own FOP (clock and decision frames wake no view).

pub mod events;
pub mod feeds;
pub mod frames;
mod freshness;
pub mod multi;
pub mod stream;
pub mod worker;

use crate::assets::AssetStore;
use crate::hub::{AssetKind, FopSnapshot, HubHandle, HubState};
use crate::mapping::roster::RosterKey;
use crate::mapping::{self, Engine};
use crate::plugins::manifest::Requirement;
use crate::plugins::registry::{Catalog, Plugin, Registry};
use crate::plugins::values::Input;
use crate::throttle::Throttle;
use axum::body::Bytes;
use feeds::Feeds;
use frames::Published;
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info_span, warn};
use worker::Workers;

/// Identity of a view. Options are canonical: every schema key, typed, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewKey {
    /// Plugin id.
    pub plugin: String,
    /// FOP name, for plugins that need one.
    pub fop: Option<String>,
    /// Resolved locale id.
    pub lang: String,
    /// Canonical options as JSON text.
    pub options: String,
}

/// The latest result of a view.
#[derive(Debug, Clone, Default)]
pub struct ViewFrame {
    /// The view serialised once for every viewer (body, SSE frames, patch); `None` until the
    /// mapping first succeeds.
    pub view: Option<Arc<Published>>,
    /// The last mapping error; the previous view keeps serving meanwhile.
    pub error: Option<String>,
    /// The `status` event data for this view's viewers (feed, protocol, plugin errors),
    /// computed here once rather than by each viewer.
    pub status: Arc<str>,
    /// `status` as an SSE frame.
    pub status_frame: Bytes,
    /// How long the last run took (for the plugin workbench).
    pub timings: Option<RunTimings>,
}

/// A request for one view more than the cap allows.
#[derive(Debug, thiserror::Error)]
#[error("this server already keeps {max} distinct views live (its MAX_VIEWS); try again when viewers leave")]
pub struct ViewsFull {
    /// The cap.
    pub max: usize,
}

/// Durations of a view's last run, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunTimings {
    /// Building the mapping input document.
    pub input_ms: f64,
    /// Running the mapping (on its worker thread, queueing excluded).
    pub mapping_ms: f64,
    /// Serialising the view once for every viewer.
    pub serialize_ms: f64,
    /// Server time of the run.
    pub at_ms: i64,
}

fn ms_since(start: std::time::Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

/// Counters for health and tests.
#[derive(Debug, Default)]
pub struct ViewStats {
    /// Mapping runs since start.
    pub mapping_runs: AtomicU64,
    /// Mapping runs that failed.
    pub mapping_errors: AtomicU64,
    /// Times a view task woke up to look at its inputs (a wake-up that finds nothing changed
    /// still costs a task switch per view).
    pub wakeups: AtomicU64,
    /// Requests refused because the cap on live views was reached.
    pub refused: AtomicU64,
}

/// The view cache.
pub struct Views {
    hub: HubHandle,
    registry: Arc<Registry>,
    workers: Workers,
    entries: Mutex<HashMap<ViewKey, watch::Sender<Arc<ViewFrame>>>>,
    /// Last runtime error per plugin, cleared by its next successful run.
    runtime_errors: Mutex<BTreeMap<String, String>>,
    /// Plugins whose mapping ran out of time, with the revision that did and the message.
    stopped: Mutex<HashMap<String, (u64, String)>>,
    /// Counters.
    pub stats: ViewStats,
    shutdown: CancellationToken,
    engine: Engine,
    feeds: Arc<Feeds>,
    max_views: usize,
    refusals: Throttle,
}

/// What a view's inputs looked like when it last ran; a run is needed when this changes.
#[derive(PartialEq)]
struct Inputs {
    plugin_revision: u64,
    fop_data_version: u64,
    database: Option<String>,
    translations: u64,
    /// Asset generation: flag and picture URLs change when a ZIP arrives.
    assets: i64,
    /// For plugins that require the database: every FOP's data version and the flags.
    competition: Option<RosterKey>,
}

impl Views {
    /// Creates the cache (at most `max_views` views live at once); `assets` holds the folders
    /// OWLCMS's ZIPs are extracted to.
    pub fn new(
        hub: HubHandle,
        registry: Arc<Registry>,
        assets: AssetStore,
        max_views: usize,
        shutdown: CancellationToken,
    ) -> Arc<Views> {
        Arc::new(Views {
            feeds: Feeds::spawn(hub.clone(), shutdown.clone()),
            max_views,
            refusals: Throttle::new(),
            hub,
            registry,
            workers: Workers::start(2, Duration::from_secs(5)),
            entries: Mutex::default(),
            runtime_errors: Mutex::default(),
            stopped: Mutex::default(),
            stats: ViewStats::default(),
            shutdown,
            engine: Engine::new(assets),
        })
    }

    /// The per-FOP live frames (clock, decision) and the streams' heartbeat and counters.
    pub fn feeds(&self) -> &Arc<Feeds> {
        &self.feeds
    }

    /// The mapping engine the views build their inputs with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The mapping input of a view as of now: the same document its mapping receives (for
    /// `?debug=input` and the workbench). `None` for an unknown plugin.
    pub async fn input_for(&self, key: &ViewKey) -> Option<Value> {
        let catalog = self.registry.catalog();
        let plugin = catalog.plugin(&key.plugin)?;
        let state = self.hub.state();
        let fop = key.fop.as_deref().and_then(|f| self.hub.fop(f));
        let options: Value = serde_json::from_str(&key.options).unwrap_or_default();
        Some(self.input_at(key, plugin, &options, &state, fop.as_deref()).await.to_json())
    }

    /// The mapping input of a view for the given state (what its task runs on).
    async fn input_at(
        &self,
        key: &ViewKey,
        plugin: &Plugin,
        options: &Value,
        state: &HubState,
        fop: Option<&FopSnapshot>,
    ) -> Input {
        let with_database = plugin.config.requires.contains(&Requirement::Database);
        let request = mapping::Request { options, lang: &key.lang, with_database };
        self.engine.mapping_input(request, state, fop).await
    }

    /// Subscribes to a view, starting its task if nobody watches it yet; refused when that
    /// would make more live views than the cap.
    pub fn subscribe(self: &Arc<Self>, key: ViewKey) -> Result<watch::Receiver<Arc<ViewFrame>>, ViewsFull> {
        let mut entries = self.entries.lock();
        if let Some(tx) = entries.get(&key) {
            return Ok(tx.subscribe());
        }
        if entries.len() >= self.max_views {
            drop(entries);
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
            if let Some(count) = self.refusals.due() {
                warn!(max = self.max_views, refused = count, plugin = %key.plugin, "a new view was refused: the cap on live views is reached (MAX_VIEWS)");
            }
            return Err(ViewsFull { max: self.max_views });
        }
        let (tx, rx) = watch::channel(Arc::new(ViewFrame::default()));
        entries.insert(key.clone(), tx.clone());
        drop(entries);
        let span = info_span!("view", plugin = %key.plugin, fop = ?key.fop, lang = %key.lang);
        tokio::spawn(self.clone().run(key, tx).instrument(span));
        Ok(rx)
    }

    /// Number of views being watched.
    pub fn active(&self) -> usize {
        self.entries.lock().len()
    }

    /// Viewers of each view being watched.
    pub fn viewers(&self) -> Vec<(ViewKey, usize)> {
        let mut out: Vec<(ViewKey, usize)> =
            self.entries.lock().iter().map(|(k, tx)| (k.clone(), tx.receiver_count())).collect();
        out.sort();
        out
    }

    /// Last runtime error per plugin.
    pub fn runtime_errors(&self) -> BTreeMap<String, String> {
        self.runtime_errors.lock().clone()
    }

    async fn run(self: Arc<Self>, key: ViewKey, tx: watch::Sender<Arc<ViewFrame>>) {
        let mut catalog_rx = self.registry.watch();
        let mut state_rx = self.hub.watch_state();
        let mut fop_rx = key.fop.as_deref().and_then(|f| self.hub.watch_fop(f));
        let mut last: Option<Inputs> = None;
        let options: Value = serde_json::from_str(&key.options).unwrap_or_default();
        loop {
            let catalog = catalog_rx.borrow_and_update().clone();
            let state = state_rx.borrow_and_update().clone();
            let fop = fop_rx.as_mut().map(|rx| rx.borrow_and_update().clone());
            if fop_rx.is_none() && key.fop.is_some() {
                // The FOP appeared after the view was opened.
                fop_rx = key.fop.as_deref().and_then(|f| self.hub.watch_fop(f));
            }
            if let Some(plugin) = catalog.plugin(&key.plugin) {
                let wide = plugin.config.requires.contains(&Requirement::Database);
                let inputs = Inputs {
                    plugin_revision: plugin.revision,
                    fop_data_version: fop.as_ref().map_or(0, |f| f.data_version),
                    database: state.database.as_ref().map(|d| d.checksum.clone()),
                    translations: state.translations_revision,
                    assets: mapping::asset_generation(&state),
                    competition: wide.then(|| self.engine.roster_key(&state)),
                };
                let previous = tx.borrow().clone();
                let mut frame = (*previous).clone();
                let mut changed = false;
                if last.as_ref() != Some(&inputs) {
                    let state = self.fresh_for_document(plugin, state.clone(), &mut state_rx).await;
                    frame = self.compute(&key, &catalog, &state, fop.as_deref(), &options, &previous).await;
                    last = Some(inputs);
                    changed = true;
                }
                let problem = catalog.entries.get(&key.plugin).and_then(|e| e.problem.as_ref()).map(|p| p.to_string());
                let status = events::data(&events::status(
                    &state,
                    fop.as_deref(),
                    problem.or_else(|| frame.error.clone()).as_deref(),
                ));
                if *frame.status != *status {
                    frame.status_frame = frames::status(&status);
                    frame.status = status.into();
                    changed = true;
                }
                if changed {
                    tx.send_replace(Arc::new(frame));
                }
            }
            tokio::select! {
                () = tx.closed() => {
                    let mut entries = self.entries.lock();
                    if tx.receiver_count() == 0 {
                        entries.remove(&key);
                        debug!("view released");
                        return;
                    }
                }
                changed = catalog_rx.changed() => if changed.is_err() { return },
                changed = state_rx.changed() => if changed.is_err() { return },
                Some(()) = async { match fop_rx.as_mut() { Some(rx) => rx.changed().await.ok(), None => std::future::pending().await } } => {}
                () = self.shutdown.cancelled() => return,
            }
            self.stats.wakeups.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn compute(
        &self,
        key: &ViewKey,
        catalog: &Catalog,
        state: &HubState,
        fop: Option<&FopSnapshot>,
        options: &Value,
        previous: &ViewFrame,
    ) -> ViewFrame {
        let Some(plugin) = catalog.plugin(&key.plugin).cloned() else { return previous.clone() };
        self.request_assets(&plugin.config.requires, state).await;
        let started = std::time::Instant::now();
        let input = self.input_at(key, &plugin, options, state, fop).await;
        let input_ms = ms_since(started);
        let translations = mapping::translations(state, &key.lang);
        let (lang, opts) = (key.lang.clone(), options.clone());
        let job_plugin = plugin.clone();
        let mut timings = RunTimings { input_ms, at_ms: crate::hub::now_ms(), ..RunTimings::default() };
        // A mapping stopped for running too long is not run again until its plugin changes:
        // each rerun would hold a mapping thread for the whole limit.
        let stopped = self.stopped.lock().get(&key.plugin).filter(|(rev, _)| *rev == plugin.revision).cloned();
        let view = if let Some((_, message)) = stopped {
            Err(message)
        } else {
            self.stats.mapping_runs.fetch_add(1, Ordering::Relaxed);
            let result = self
                .workers
                .run(move || {
                    let started = std::time::Instant::now();
                    let result = job_plugin.mapping.run_input(&input, &opts, &translations, &lang);
                    (result, ms_since(started))
                })
                .await;
            let result = result.map(|(view, ms)| {
                timings.mapping_ms = ms;
                view
            });
            let out_of_time = matches!(&result, Ok(Err(e)) if e.is_out_of_time())
                || matches!(result, Err(worker::WorkerError::Timeout(_)));
            let view = match result {
                Ok(Ok(view)) if view.is_object() => Ok(view),
                Ok(Ok(other)) => Err(format!("the mapping must produce a JSON object, not {}", kind_of(&other))),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let (true, Err(message)) = (out_of_time, &view) {
                let message = format!("{message}; it runs again when the plugin is edited");
                self.stopped.lock().insert(key.plugin.clone(), (plugin.revision, message));
            }
            view
        };
        match view {
            Ok(view) => {
                self.runtime_errors.lock().remove(&key.plugin);
                let envelope = owlcms_contract::ViewEnvelope {
                    plugin: key.plugin.clone(),
                    page: plugin.config.page,
                    fop: key.fop.clone(),
                    lang: key.lang.clone(),
                    options: options.clone(),
                    view,
                };
                let started = std::time::Instant::now();
                let published = frames::publish(&envelope, previous.view.as_deref());
                timings.serialize_ms = ms_since(started);
                ViewFrame { view: Some(Arc::new(published)), error: None, timings: Some(timings), ..previous.clone() }
            }
            Err(message) => {
                self.stats.mapping_errors.fetch_add(1, Ordering::Relaxed);
                let message = format!("{}/{}/mapping.jq: {message}", self.registry.dir().display(), key.plugin);
                warn!(error = %message, "mapping failed; the previous view keeps serving");
                self.runtime_errors.lock().insert(key.plugin.clone(), message.clone());
                ViewFrame { error: Some(message), timings: Some(timings), ..previous.clone() }
            }
        }
    }
}

impl Views {
    /// Asks OWLCMS for the flags, logos, pictures or GAMX tables a plugin needs and the tracker lacks (the
    /// hub spaces repeated requests out).
    async fn request_assets(&self, requires: &[Requirement], state: &HubState) {
        let missing: Vec<_> = requires
            .iter()
            .filter_map(|r| match r {
                Requirement::Flags => Some(AssetKind::Flags),
                Requirement::Logos => Some(AssetKind::Logos),
                Requirement::Pictures => Some(AssetKind::Pictures),
                Requirement::Gamx => Some(AssetKind::Gamx),
                Requirement::Database => None,
            })
            .filter(|kind| !state.assets.contains_key(kind))
            .map(AssetKind::resource)
            .collect();
        if !missing.is_empty() && state.owlcms_connected {
            self.hub.request_resources(missing).await;
        }
    }
}

/// "an object", "a string" …: what a mapping produced, for error messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
