//! The ingest node's side: with `--nats-url`, the views the relays ask for (leases in the
//! demand bucket) are opened here like any viewer's, and each new frame is put into the views
//! bucket; every FOP's clock and decision frames go into the FOPs bucket. Nothing is read back
//! from NATS but the leases: a relay has no write path to the hub.

use super::wire::{FopHeader, FopRecord, ViewHeader, ViewRecord, key_of};
use super::{Buckets, LEASE, NatsOptions};
use crate::AppState;
use crate::error::AppError;
use crate::views::ViewFrame;
use crate::web::request::resolve;
use axum::body::Bytes;
use axum::response::IntoResponse;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

/// Wait before retrying a failed put or a lost watch.
const RETRY: Duration = Duration::from_millis(500);
/// Most distinct views the relays can have opened here (beyond it, their leases are ignored
/// until some expire; the views cache has its own cap too).
const MAX_DEMANDS: usize = 512;
/// Largest error body kept.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Starts publishing; runs until `app.shutdown`.
pub fn spawn(app: Arc<AppState>, options: NatsOptions) {
    tokio::spawn(run(app, options).instrument(info_span!("nats-publish")));
}

async fn run(app: Arc<AppState>, options: NatsOptions) {
    let (linked, _) = watch::channel(false);
    let client = match super::connect(&options, "owlcms-tracker ingest", linked).await {
        Ok(client) => client,
        Err(error) => return error!(%error, "relays get nothing from this node"),
    };
    let buckets = loop {
        match super::buckets(&client).await {
            Ok(buckets) => break buckets,
            Err(error) => warn!(%error, "retrying"),
        }
        tokio::select! {
            () = app.shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    };
    info!(url = %options.url, "publishing to NATS for relay nodes");
    // Distinguishes this start's sequence numbers from the previous one's.
    let epoch = crate::hub::now_ms() as u64;
    tokio::spawn(publish_fops(app.clone(), buckets.clone(), epoch).in_current_span());
    tokio::spawn(super::mirror::publish_catalog(app.clone(), buckets.clone()).in_current_span());
    let max_payload = client.server_info().max_payload;
    tokio::spawn(super::mirror::publish_files(app.clone(), buckets.clone(), max_payload).in_current_span());
    follow_demand(app, buckets).await;
}

/// One wanted view: who wants it (relay id → last renewal), and its publisher.
struct Demand {
    relays: HashMap<String, Instant>,
    stop: CancellationToken,
}

async fn follow_demand(app: Arc<AppState>, buckets: Buckets) {
    let mut demands: HashMap<String, Demand> = HashMap::new();
    let mut sweep = tokio::time::interval(Duration::from_secs(2));
    loop {
        // The whole bucket, current leases first: a restarted ingest node reopens every view
        // the relays still want.
        let mut watch = match buckets.demand.watch_with_history(">").await {
            Ok(watch) => watch,
            Err(error) => {
                debug!(%error, "demand watch not open yet");
                tokio::select! {
                    () = app.shutdown.cancelled() => break,
                    () = tokio::time::sleep(RETRY) => continue,
                }
            }
        };
        loop {
            tokio::select! {
                () = app.shutdown.cancelled() => break,
                _ = sweep.tick() => {
                    let now = Instant::now();
                    demands.retain(|id, demand| {
                        demand.relays.retain(|_, seen| now.duration_since(*seen) < LEASE);
                        let keep = !demand.relays.is_empty();
                        if !keep {
                            debug!(%id, "no relay wants this view any more");
                            demand.stop.cancel();
                        }
                        keep
                    });
                }
                entry = watch.next() => match entry {
                    Some(Ok(entry)) => on_lease(&app, &buckets, &mut demands, entry),
                    Some(Err(error)) => { debug!(%error, "demand watch failed; reopening"); break }
                    None => break,
                },
            }
        }
        if app.shutdown.is_cancelled() {
            break;
        }
        tokio::time::sleep(RETRY).await;
    }
    for demand in demands.values() {
        demand.stop.cancel();
    }
}

fn on_lease(
    app: &Arc<AppState>,
    buckets: &Buckets,
    demands: &mut HashMap<String, Demand>,
    entry: async_nats::jetstream::kv::Entry,
) {
    let Some((id, relay)) = entry.key.split_once('.') else { return };
    let (id, relay) = (id.to_owned(), relay.to_owned());
    if entry.operation != async_nats::jetstream::kv::Operation::Put {
        if let Some(demand) = demands.get_mut(&id) {
            demand.relays.remove(&relay);
        }
        return;
    }
    if let Some(demand) = demands.get_mut(&id) {
        demand.relays.insert(relay, Instant::now());
        return;
    }
    if demands.len() >= MAX_DEMANDS {
        return warn!(max = MAX_DEMANDS, "relays want more views than this node publishes; lease ignored");
    }
    let Ok(query) = serde_json::from_slice::<BTreeMap<String, String>>(&entry.value) else {
        return warn!(%relay, "a lease without a readable query was ignored");
    };
    // The key must be the query's own id: a lease cannot overwrite another view's record.
    if super::demand_id(&query) != id {
        return warn!(%relay, "a lease whose key is not its query's id was ignored");
    }
    let stop = app.shutdown.child_token();
    let span = info_span!("relay-view", %id);
    tokio::spawn(publish_view(app.clone(), buckets.clone(), id.clone(), query, stop.clone()).instrument(span));
    demands.insert(id, Demand { relays: HashMap::from([(relay, Instant::now())]), stop });
}

/// The record of a query that names no view (the ingest node's own error response).
async fn error_record(error: AppError) -> ViewRecord {
    let response = error.into_response();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), MAX_ERROR_BODY).await.unwrap_or_default();
    ViewRecord {
        header: ViewHeader { http_status: Some(status), ..ViewHeader::default() },
        body,
        ..ViewRecord::default()
    }
}

fn view_record(frame: &ViewFrame, fop: Option<&String>) -> ViewRecord {
    let view = frame.view.as_deref();
    ViewRecord {
        header: ViewHeader {
            id: view.map(|v| v.id.clone()),
            base: view.and_then(|v| v.patch()).map(|p| p.base.clone()),
            fop: fop.cloned(),
            error: frame.error.clone(),
            http_status: None,
        },
        body: view.map(|v| v.body.clone()).unwrap_or_default(),
        patch: view.and_then(|v| v.patch()).map(|p| p.frame.clone()).unwrap_or_default(),
        status: Bytes::copy_from_slice(frame.status.as_bytes()),
    }
}

/// Keeps the record of one wanted view current until no relay wants it.
async fn publish_view(
    app: Arc<AppState>,
    buckets: Buckets,
    id: String,
    query: BTreeMap<String, String>,
    stop: CancellationToken,
) {
    let mut last: Option<Bytes> = None;
    // A query that names no view yet (a FOP OWLCMS has not announced) may name one later.
    let (mut rx, fop) = loop {
        let opened = resolve(&app, &query).and_then(|r| Ok((app.views.subscribe(r.key.clone())?, r.key.fop)));
        match opened {
            Ok(opened) => break opened,
            Err(error) => {
                let bytes = error_record(error).await.encode();
                if last.as_ref() != Some(&bytes) && buckets.views.put(&id, bytes.clone()).await.is_ok() {
                    last = Some(bytes);
                }
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        }
    };
    debug!("view opened for relays");
    loop {
        let frame = rx.borrow_and_update().clone();
        if frame.view.is_some() || frame.error.is_some() {
            let bytes = view_record(&frame, fop.as_ref()).encode();
            if last.as_ref() != Some(&bytes) {
                match buckets.views.put(&id, bytes.clone()).await {
                    Ok(_) => last = Some(bytes),
                    Err(error) => {
                        // NATS is away: try again with whatever is newest then.
                        debug!(%error, "view put failed; retrying");
                        tokio::select! {
                            () = stop.cancelled() => return,
                            () = tokio::time::sleep(RETRY) => continue,
                        }
                    }
                }
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            changed = rx.changed() => if changed.is_err() { return },
        }
    }
}

/// Every FOP's clock and decision frames, as they change.
async fn publish_fops(app: Arc<AppState>, buckets: Buckets, epoch: u64) {
    let mut state_rx = app.hub.watch_state();
    let mut started: HashMap<String, ()> = HashMap::new();
    loop {
        let fops = state_rx.borrow_and_update().fops.clone();
        for fop in fops {
            if started.len() < 64 && started.insert(fop.clone(), ()).is_none() {
                let rx = app.views.feeds().watch(&fop);
                let span = info_span!("relay-fop", %fop);
                tokio::spawn(publish_fop(buckets.clone(), fop, rx, epoch, app.shutdown.clone()).instrument(span));
            }
        }
        tokio::select! {
            () = app.shutdown.cancelled() => return,
            changed = state_rx.changed() => if changed.is_err() { return },
        }
    }
}

async fn publish_fop(
    buckets: Buckets,
    fop: String,
    mut rx: watch::Receiver<Arc<crate::views::feeds::FopFrames>>,
    epoch: u64,
    shutdown: CancellationToken,
) {
    let key = key_of(&fop);
    let mut last: Option<(u64, u64)> = None;
    loop {
        let frames = rx.borrow_and_update().clone();
        let versions = (frames.clock_seq, frames.decision_seq);
        if frames.clock_seq > 0 && last != Some(versions) {
            let record = FopRecord {
                header: FopHeader {
                    epoch,
                    clock_seq: frames.clock_seq,
                    decision_seq: frames.decision_seq,
                    clock: frames.clock.clone(),
                    decision: frames.decision.clone(),
                },
                clock_delta: frames.clock_delta.clone(),
                decision_frame: frames.decision_frame.clone(),
            };
            match buckets.fops.put(&key, record.encode()).await {
                Ok(_) => last = Some(versions),
                Err(error) => {
                    debug!(%error, "FOP put failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(RETRY) => continue,
                    }
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            changed = rx.changed() => if changed.is_err() { return },
        }
    }
}
