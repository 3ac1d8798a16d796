//! A relay node's state: the views its viewers want (each followed in the views bucket, its
//! lease renewed while someone watches), every FOP's live frames (followed in the FOPs
//! bucket), and the NATS link, whose loss is shown to viewers as a status.

use super::follow::{RETRY, each_entry};
use super::wire::{FopRecord, ViewRecord};
use super::{Buckets, NatsOptions, RENEW_EVERY};
use crate::views::ViewFrame;
use crate::views::feeds::{Feeds, FopFrames};
use crate::views::frames::{self, PatchFrame, Published};
use async_nats::jetstream::kv::{Entry, Operation, Watch};
use axum::body::Bytes;
use futures_util::StreamExt;
use owlcms_contract::events::StreamEvent;
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info_span, warn};

/// Most distinct views a relay follows (as the ingest node's MAX_VIEWS).
pub const MAX_WANTED: usize = 512;
/// Most FOPs followed.
const MAX_FOPS: usize = 64;

/// What the handlers need besides the frames: whether the ingest node answered, and how.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// A record arrived.
    pub received: bool,
    /// The resolved FOP.
    pub fop: Option<String>,
    /// The ingest node's error response, when the query names no view.
    pub error: Option<(u16, Bytes)>,
}

/// One wanted view.
struct Wanted {
    frames: watch::Sender<Arc<ViewFrame>>,
    meta: watch::Sender<Meta>,
}

/// A relay node's shared state.
pub struct Node {
    /// This relay's id in lease keys.
    pub id: String,
    /// The buckets, once NATS answered.
    buckets: watch::Receiver<Option<Buckets>>,
    /// Whether the NATS link is up.
    pub linked: watch::Receiver<bool>,
    /// The heartbeat and stream counters the pumps use (no hub: nothing is ingested here).
    pub feeds: Arc<Feeds>,
    /// The ingest node's catalogue answers.
    pub catalog: Arc<super::catalog::Catalog>,
    wanted: Mutex<HashMap<String, Wanted>>,
    fops: Mutex<HashMap<String, watch::Sender<Arc<FopFrames>>>>,
    /// Cancelled when the relay stops.
    pub shutdown: CancellationToken,
}

/// Too many distinct views wanted.
#[derive(Debug, thiserror::Error)]
#[error("this relay already follows {MAX_WANTED} distinct views; try again when viewers leave")]
pub struct WantedFull;

impl Node {
    /// Connects (in the background: the relay serves from its first second) and follows the
    /// FOPs, the catalogue and the files (mirrored under `mirror`). `client` is a connection
    /// already made, when the caller checked the credentials first.
    pub fn start(
        options: NatsOptions,
        client: Option<async_nats::Client>,
        linked: (watch::Sender<bool>, watch::Receiver<bool>),
        id: String,
        mirror: std::path::PathBuf,
        shutdown: CancellationToken,
    ) -> Arc<Node> {
        let (linked_tx, linked) = linked;
        let (buckets_tx, buckets) = watch::channel(None);
        let node = Arc::new(Node {
            id,
            buckets,
            linked,
            feeds: Feeds::without_hub(shutdown.clone()),
            catalog: Arc::default(),
            wanted: Mutex::default(),
            fops: Mutex::default(),
            shutdown,
        });
        let catalog = node.catalog.clone();
        let (rx, token) = (node.buckets.clone(), node.shutdown.clone());
        tokio::spawn(async move { catalog.follow(rx, token).await }.instrument(info_span!("relay-catalog")));
        let (rx, token) = (node.buckets.clone(), node.shutdown.clone());
        tokio::spawn(super::files::follow(mirror, rx, token).instrument(info_span!("relay-files")));
        let connecting = node.clone();
        tokio::spawn(
            async move {
                let name = format!("owlcms-tracker relay {}", connecting.id);
                let client = match client {
                    Some(client) => client,
                    None => match super::connect(&options, &name, linked_tx).await {
                        Ok(client) => client,
                        Err(error) => return warn!(%error, "this relay has nothing to serve"),
                    },
                };
                loop {
                    match super::buckets(&client).await {
                        Ok(b) => {
                            buckets_tx.send_replace(Some(b));
                            break;
                        }
                        Err(error) => warn!(%error, "retrying"),
                    };
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                connecting.follow_fops().await;
            }
            .instrument(info_span!("relay")),
        );
        node
    }

    async fn buckets(&self) -> Option<Buckets> {
        let mut rx = self.buckets.clone();
        let ready = rx.wait_for(Option::is_some);
        tokio::select! {
            () = self.shutdown.cancelled() => None,
            b = ready => b.ok().and_then(|b| b.clone()),
        }
    }

    /// The frames and meta of the view `query` names, followed from now on if nobody here
    /// watched it yet.
    pub fn want(
        self: &Arc<Self>,
        query: &BTreeMap<String, String>,
    ) -> Result<(watch::Receiver<Arc<ViewFrame>>, watch::Receiver<Meta>), WantedFull> {
        let id = super::demand_id(query);
        let mut wanted = self.wanted.lock();
        if let Some(w) = wanted.get(&id) {
            return Ok((w.frames.subscribe(), w.meta.subscribe()));
        }
        if wanted.len() >= MAX_WANTED {
            return Err(WantedFull);
        }
        let (frames, rx) = watch::channel(Arc::new(ViewFrame::default()));
        let (meta, meta_rx) = watch::channel(Meta::default());
        wanted.insert(id.clone(), Wanted { frames: frames.clone(), meta: meta.clone() });
        drop(wanted);
        let query = serde_json::to_vec(query).unwrap_or_default();
        let span = info_span!("relay-view", %id);
        tokio::spawn(self.clone().follow_view(id, Bytes::from(query), frames, meta).instrument(span));
        Ok((rx, meta_rx))
    }

    /// The live frames of a FOP (empty until its record arrives).
    pub fn fop(&self, name: &str) -> watch::Receiver<Arc<FopFrames>> {
        let mut fops = self.fops.lock();
        if fops.len() >= MAX_FOPS && !fops.contains_key(name) {
            return watch::Sender::new(Arc::default()).subscribe();
        }
        fops.entry(name.to_owned()).or_insert_with(|| watch::Sender::new(Arc::default())).subscribe()
    }

    /// Views followed.
    pub fn wanted(&self) -> usize {
        self.wanted.lock().len()
    }

    async fn follow_view(
        self: Arc<Self>,
        id: String,
        query: Bytes,
        frames: watch::Sender<Arc<ViewFrame>>,
        meta: watch::Sender<Meta>,
    ) {
        let Some(buckets) = self.buckets().await else { return };
        let lease = format!("{id}.{}", self.id);
        let mut renew = tokio::time::interval(RENEW_EVERY);
        let mut linked = self.linked.clone();
        let mut watch: Option<Watch> = None;
        let mut revision = 0u64;
        // The ingest node's own frame; what viewers get differs only in the status while the
        // link is down.
        let mut received: Option<ViewFrame> = None;
        loop {
            if watch.is_none() {
                watch = buckets.views.watch_with_history(&id).await.ok();
                // A reopened watch starts with the current value, whatever its revision.
                revision = 0;
            }
            tokio::select! {
                () = frames.closed() => {
                    let released = {
                        let mut wanted = self.wanted.lock();
                        let released = frames.receiver_count() == 0;
                        if released {
                            wanted.remove(&id);
                        }
                        released
                    };
                    if released {
                        let _ = buckets.demand.delete(&lease).await;
                        debug!("view released");
                        return;
                    }
                }
                () = self.shutdown.cancelled() => return,
                _ = renew.tick() => {
                    if let Err(error) = buckets.demand.put(&lease, query.clone()).await {
                        debug!(%error, "lease not renewed; next try in {RENEW_EVERY:?}");
                    }
                }
                changed = linked.changed() => if changed.is_err() { return },
                entry = async { match watch.as_mut() { Some(w) => w.next().await, None => { tokio::time::sleep(RETRY).await; None } } } => match entry {
                    Some(Ok(entry)) if entry.operation == Operation::Put && entry.revision > revision => {
                        revision = entry.revision;
                        match ViewRecord::decode(&entry.value) {
                            Ok(record) => {
                                meta.send_replace(Meta {
                                    received: true,
                                    fop: record.header.fop.clone(),
                                    error: record.header.http_status.map(|s| (s, record.body.clone())),
                                });
                                received = Some(frame_of(record, received.as_ref()));
                            }
                            Err(error) => warn!(%error, "record ignored"),
                        }
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => { debug!(%error, "view watch failed; reopening"); watch = None; continue }
                    None => { watch = None; continue }
                },
            }
            if let Some(frame) = &received {
                let shown = if *linked.borrow() { frame.clone() } else { unlinked(frame) };
                let current = frames.borrow().clone();
                let same_view = current.view.as_ref().map(|v| &v.id) == shown.view.as_ref().map(|v| &v.id);
                if !same_view || current.status != shown.status || current.error != shown.error {
                    frames.send_replace(Arc::new(shown));
                }
            }
        }
    }

    async fn follow_fops(self: Arc<Self>) {
        let Some(buckets) = self.buckets().await else { return };
        // Per FOP: the last ingest epoch and versions seen.
        let mut seen: HashMap<String, (u64, u64, u64)> = HashMap::new();
        each_entry(&buckets.fops, "FOP", &self.shutdown, |entry| {
            self.take_fop(&entry, &mut seen);
            std::future::ready(())
        })
        .await;
    }

    /// Lays a FOP record over that FOP's frames.
    fn take_fop(&self, entry: &Entry, seen: &mut HashMap<String, (u64, u64, u64)>) {
        if entry.operation != Operation::Put {
            return;
        }
        let Some(name) = super::wire::text_of_key(&entry.key) else { return };
        let Ok(record) = FopRecord::decode(&entry.value) else { return };
        let tx = {
            let _ = self.fop(&name);
            self.fops.lock().get(&name).cloned()
        };
        let Some(tx) = tx else { return };
        let last = seen.get(&name).copied();
        tx.send_modify(|frames| {
            let next = Arc::make_mut(frames);
            apply(next, &record, last);
        });
        seen.insert(name, (record.header.epoch, record.header.clock_seq, record.header.decision_seq));
    }
}

/// Local versions: one more when the record follows the previous one of the same ingest
/// start (its delta frame is then right for a viewer one version behind), two more otherwise
/// (every viewer then gets a full frame).
fn apply(frames: &mut FopFrames, record: &FopRecord, last: Option<(u64, u64, u64)>) {
    let h = &record.header;
    let same_epoch = last.filter(|l| l.0 == h.epoch);
    if same_epoch.is_none_or(|l| l.1 != h.clock_seq) {
        let step = if same_epoch.is_some_and(|l| l.1 + 1 == h.clock_seq) { 1 } else { 2 };
        frames.clock_seq += step;
        frames.clock = h.clock.clone();
        frames.clock_delta = record.clock_delta.clone();
    }
    if same_epoch.is_none_or(|l| l.2 != h.decision_seq) {
        let step = if same_epoch.is_some_and(|l| l.2 + 1 == h.decision_seq) { 1 } else { 2 };
        frames.decision_seq += step;
        frames.decision = h.decision.clone();
        frames.decision_frame = record.decision_frame.clone();
    }
}

/// The frame viewers get from a record: the same bytes the ingest node's viewers get.
fn frame_of(record: ViewRecord, previous: Option<&ViewFrame>) -> ViewFrame {
    let status = String::from_utf8_lossy(&record.status).into_owned();
    let view = match record.header.id {
        Some(id) if previous.and_then(|p| p.view.as_ref()).is_some_and(|v| v.id == id) => {
            previous.and_then(|p| p.view.clone())
        }
        Some(id) => Some(Arc::new({
            let patch = record.header.base.map(|base| PatchFrame { base, frame: record.patch.clone() });
            // A relay keeps the same short history of patches as the ingest node.
            let chain = frames::chain_after(previous.and_then(|p| p.view.as_deref()), patch.as_ref());
            Published {
                full: frames::sse(<owlcms_contract::ViewEnvelope as StreamEvent>::NAME, Some(&id), &record.body),
                chain,
                body: record.body,
                // Only the ingest node builds patches.
                value: Arc::new(Value::Null),
                id,
            }
        })),
        None => None,
    };
    ViewFrame {
        view,
        error: record.header.error,
        status_frame: frames::status(&status),
        status: status.into(),
        timings: None,
    }
}

/// The status while the link to NATS is down: the last boards keep showing, and say so.
fn unlinked(frame: &ViewFrame) -> ViewFrame {
    let mut status: Value = serde_json::from_str(&frame.status).unwrap_or_else(|_| serde_json::json!({}));
    status["state"] = "waiting".into();
    status["message"] = "The link to the results server is interrupted; these are the last results received.".into();
    let text = status.to_string();
    ViewFrame { status_frame: frames::status(&text), status: text.into(), ..frame.clone() }
}
