//! The hub: the one task that owns competition state. Ingest sends it decoded inputs through a
//! bounded channel; readers get the latest state through `watch` channels (never lagging) and
//! FOP changes through a bounded `broadcast`.

pub mod clocks;
pub mod competition;
pub mod database;
pub mod decision;
pub mod display;
pub mod fop;
pub mod results;
pub mod translations;

mod diagnostics;
mod published;

pub use competition::{AssetInfo, AssetKind, Competition, Input, Outcome, ProtocolError};
pub use diagnostics::{ConnectionInfo, Diagnostics};
pub use fop::{FopChange, FopSnapshot};
pub use published::{HubEvent, HubState};

use crate::protocol::replies::{self, Resource};
use parking_lot::RwLock;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};

/// Hub input queue depth: OWLCMS sends a few messages per second; ingest waits when full.
const INPUT_CAPACITY: usize = 256;
/// FOP event fan-out depth. Its one reader on the serving path (the views' live-frame task)
/// only builds small frames; if it lags this far it rebuilds from the `watch` snapshots. Each
/// slot pins a whole FOP snapshot until overwritten, so the ring stays short.
const EVENT_CAPACITY: usize = 128;
/// Least time between two unsolicited requests for the same asset ZIP.
const ASSET_REQUEST_INTERVAL: Duration = Duration::from_secs(30);

/// Identifies one OWLCMS WebSocket connection.
pub type ConnId = u64;

/// Server time in epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Connection lifecycle and bookkeeping reported by ingest.
#[derive(Debug)]
pub enum Note {
    /// A connection opened; `outbox` carries unsolicited messages to OWLCMS.
    Opened {
        /// Connection id.
        id: ConnId,
        /// Remote address.
        peer: String,
        /// Queue of JSON messages to send on that connection.
        outbox: mpsc::Sender<Value>,
    },
    /// The connection proved the update key (or none is required).
    Authenticated(ConnId),
    /// The connection closed. State is kept (protocol P3).
    Closed(ConnId),
    /// A frame of this type arrived (for "last message" diagnostics).
    Received(String),
    /// OWLCMS announced this protocol version (sent when it changes).
    Version(String),
    /// A text frame had a wrong or missing update key.
    AuthFailure,
    /// A 428 was sent asking for these resources.
    Requested(Vec<Resource>),
    /// A frame was refused or failed (bad ZIP, bad database…).
    IngestError(String),
}

enum Command {
    Apply { input: Input, reply: Option<oneshot::Sender<Outcome>> },
    Note(Note),
    RequestResources { resources: Vec<Resource>, reply: oneshot::Sender<bool> },
}

struct Shared {
    state: watch::Sender<Arc<HubState>>,
    diagnostics: watch::Sender<Arc<Diagnostics>>,
    /// Per FOP: the latest snapshot. Receivers are notified only when its data changes (clock
    /// and decision changes reach readers through `events`), so timer frames wake no view.
    fops: RwLock<BTreeMap<String, watch::Sender<Arc<FopSnapshot>>>>,
    events: broadcast::Sender<HubEvent>,
}

/// Cheap, cloneable access to the hub for ingest and readers.
#[derive(Clone)]
pub struct HubHandle {
    tx: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

/// The hub is gone (shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the hub has stopped")]
pub struct HubClosed;

impl HubHandle {
    /// Starts the hub task; it stops when `shutdown` is cancelled.
    pub fn spawn(shutdown: CancellationToken) -> HubHandle {
        let (tx, rx) = mpsc::channel(INPUT_CAPACITY);
        let shared = Arc::new(Shared {
            state: watch::Sender::new(Arc::default()),
            diagnostics: watch::Sender::new(Arc::default()),
            fops: RwLock::default(),
            events: broadcast::Sender::new(EVENT_CAPACITY),
        });
        let hub = Hub {
            competition: Competition::default(),
            diagnostics: Diagnostics::default(),
            outboxes: HashMap::new(),
            last_asset_request: HashMap::new(),
            shared: shared.clone(),
        };
        tokio::spawn(hub.run(rx, shutdown).instrument(info_span!("hub")));
        HubHandle { tx, shared }
    }

    /// Applies an input and returns what it changed and what is missing.
    pub async fn apply(&self, input: Input) -> Result<Outcome, HubClosed> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::Apply { input, reply: Some(reply) }).await.map_err(|_| HubClosed)?;
        rx.await.map_err(|_| HubClosed)
    }

    /// Reports a connection event or a diagnostic note.
    pub async fn note(&self, note: Note) {
        // Dropped only when the hub has stopped, where nobody reads diagnostics any more.
        let _ = self.tx.send(Command::Note(note)).await;
    }

    /// Asks OWLCMS for asset ZIPs (flags, logos, pictures) on the latest authenticated
    /// connection. Returns false when no connection can take the request or it was asked
    /// recently.
    pub async fn request_resources(&self, resources: Vec<Resource>) -> bool {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Command::RequestResources { resources, reply }).await.is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// The latest competition-wide state.
    pub fn state(&self) -> Arc<HubState> {
        self.shared.state.borrow().clone()
    }

    /// A receiver of competition-wide state changes.
    pub fn watch_state(&self) -> watch::Receiver<Arc<HubState>> {
        self.shared.state.subscribe()
    }

    /// Connections, counters and last-message times.
    pub fn diagnostics(&self) -> Arc<Diagnostics> {
        self.shared.diagnostics.borrow().clone()
    }

    /// The latest snapshot of a FOP (data, clock and decision).
    pub fn fop(&self, name: &str) -> Option<Arc<FopSnapshot>> {
        self.shared.fops.read().get(name).map(|tx| tx.borrow().clone())
    }

    /// A receiver of a FOP's snapshots, sent when its data changes (not its clock or
    /// decision), if the FOP is known.
    pub fn watch_fop(&self, name: &str) -> Option<watch::Receiver<Arc<FopSnapshot>>> {
        self.shared.fops.read().get(name).map(watch::Sender::subscribe)
    }

    /// How many competition-wide states have been published (each wakes every state reader):
    /// the state's revision.
    pub fn state_publishes(&self) -> u64 {
        self.shared.state.borrow().revision
    }

    /// A receiver of FOP and competition events.
    pub fn events(&self) -> broadcast::Receiver<HubEvent> {
        self.shared.events.subscribe()
    }
}

struct Hub {
    competition: Competition,
    diagnostics: Diagnostics,
    outboxes: HashMap<ConnId, mpsc::Sender<Value>>,
    last_asset_request: HashMap<Resource, Instant>,
    shared: Arc<Shared>,
}

impl Hub {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>, shutdown: CancellationToken) {
        info!("hub started");
        loop {
            let command = tokio::select! {
                command = rx.recv() => command,
                () = shutdown.cancelled() => None,
            };
            let Some(command) = command else { break };
            self.handle(command);
        }
        info!("hub stopped");
    }

    fn handle(&mut self, command: Command) {
        let now = now_ms();
        let mut competition_changed = false;
        match command {
            Command::Apply { input, reply } => {
                let mut counted = false;
                if let Input::ProtocolMismatch { received, reason } = &input {
                    warn!(?received, %reason, "protocol version mismatch");
                    self.diagnostics.protocol_errors += 1;
                    counted = true;
                }
                let outcome = self.competition.apply(input, now);
                // Results change only with an update (which publishes its FOP) or with a database load.
                competition_changed = outcome.competition;
                if let Some((name, _)) = &outcome.fop {
                    self.diagnostics.fop_seen(name, now);
                    counted = true;
                }
                if counted {
                    self.publish_diagnostics();
                }
                // State (with the merged results) before the FOP, and once: a view woken by the
                // FOP's change must find the results that change produced.
                self.publish_state();
                if let Some((name, change)) = &outcome.fop {
                    competition_changed |= self.publish_fop(name, *change);
                }
                if outcome.competition {
                    // FOPs named by a newly loaded database become watchable at once.
                    let names: Vec<String> = self.competition.fops.keys().cloned().collect();
                    for name in names {
                        competition_changed |= self.publish_fop(&name, FopChange::default());
                    }
                }
                if let Some(reply) = reply {
                    let _ = reply.send(outcome);
                }
            }
            Command::Note(note) => {
                if let Note::Opened { id, outbox, .. } = &note {
                    self.outboxes.insert(*id, outbox.clone());
                }
                if let Note::Closed(id) = &note {
                    self.outboxes.remove(id);
                }
                competition_changed = self.diagnostics.record(note, now);
                self.publish_diagnostics();
                if competition_changed {
                    // The connection list changed: whether OWLCMS is connected may have too.
                    self.publish_state();
                }
            }
            Command::RequestResources { resources, reply } => {
                let _ = reply.send(self.request_resources(resources));
                self.publish_diagnostics();
            }
        }
        if competition_changed {
            let _ = self.shared.events.send(HubEvent::Competition);
        }
    }

    /// Publishes a FOP snapshot; returns true when the FOP is new.
    fn publish_fop(&mut self, name: &str, change: FopChange) -> bool {
        let Some(fop) = self.competition.fops.get(name) else { return false };
        let mut fops = self.shared.fops.write();
        let is_new = !fops.contains_key(name);
        if !is_new && change == FopChange::default() {
            return false;
        }
        let snapshot = Arc::new(fop.clone());
        if let Some(tx) = fops.get(name) {
            tx.send_if_modified(|latest| {
                *latest = snapshot.clone();
                change.data
            });
        } else {
            fops.insert(name.to_owned(), watch::Sender::new(snapshot.clone()));
        }
        drop(fops);
        if change != FopChange::default() {
            let _ = self.shared.events.send(HubEvent::Fop { change, snapshot });
        }
        is_new
    }

    /// Publishes the competition-wide state if it differs from the last one published.
    fn publish_state(&self) {
        let c = &self.competition;
        let mut state = HubState {
            revision: 0,
            database: c.database.clone(),
            announced_checksum: c.announced_checksum.clone(),
            translations: c.translations.clone(),
            translations_revision: c.translations_revision,
            fops: c.fops.keys().cloned().collect(),
            assets: c.assets.clone(),
            protocol_error: c.protocol_error.clone(),
            results: c.results.clone(),
            database_stale: c.database_is_stale(),
            database_loaded_at_ms: c.database_loaded_at_ms,
            owlcms_connected: !self.diagnostics.connections.is_empty(),
        };
        self.shared.state.send_if_modified(|current| {
            if current.same_as(&state) {
                return false;
            }
            state.revision = current.revision + 1;
            *current = Arc::new(state);
            true
        });
    }

    /// Publishes the counters; only diagnostic pages read them.
    fn publish_diagnostics(&self) {
        self.shared.diagnostics.send_replace(Arc::new(self.diagnostics.clone()));
    }

    fn request_resources(&mut self, resources: Vec<Resource>) -> bool {
        let now = Instant::now();
        let due: Vec<Resource> = resources
            .into_iter()
            .filter(|r| self.last_asset_request.get(r).is_none_or(|t| now.duration_since(*t) >= ASSET_REQUEST_INTERVAL))
            .collect();
        let Some((id, outbox)) =
            self.diagnostics.latest_authenticated().and_then(|id| Some((id, self.outboxes.get(&id)?)))
        else {
            debug!(?due, "no authenticated OWLCMS connection to ask for resources");
            return false;
        };
        if due.is_empty() {
            return false;
        }
        if outbox.try_send(replies::missing(&due, true)).is_err() {
            warn!(connection = id, "OWLCMS connection outbox full; resource request dropped");
            return false;
        }
        info!(connection = id, resources = ?due, "asked OWLCMS for resources");
        for r in &due {
            self.last_asset_request.insert(*r, now);
        }
        self.diagnostics.record(Note::Requested(due), now_ms());
        true
    }
}
