//! Per-FOP live frames: one task reads the hub's FOP events and builds each FOP's `clock` and
//! `decision` frames once, as bytes, into that FOP's own `watch` (one value each, so memory is
//! bounded by bytes whatever the burst, and a viewer of FOP B is never woken by FOP A). Also
//! the streams' shared heartbeat: one timer for every viewer, never reset per event.

use super::events;
use super::frames::sse;
use crate::hub::{FopSnapshot, HubEvent, HubHandle, now_ms};
use axum::body::Bytes;
use owlcms_contract::events::{ClockEvent, ClockFrame, DecisionEvent, StreamEvent};
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info_span, warn};

/// Comment lines keep proxies from closing idle streams.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);
/// More FOPs than any competition has; beyond it, a name gets a feed that never changes (a
/// client naming FOPs before OWLCMS announced any must not create unbounded state).
const MAX_FOPS: usize = 64;

/// The live frames of one FOP.
#[derive(Debug, Clone, Default)]
pub struct FopFrames {
    /// Grows with every clock change; 0 until the FOP's clocks are known.
    pub clock_seq: u64,
    /// The clocks after the last change (what a page holds once it merged every frame).
    pub clock: ClockEvent,
    /// The `clock` frame from version `clock_seq - 1` to `clock_seq`.
    pub clock_delta: Bytes,
    /// Grows with every decision change; 0 until known.
    pub decision_seq: u64,
    /// The decision lights after the last change.
    pub decision: DecisionEvent,
    /// The `decision` frame of `decision`.
    pub decision_frame: Bytes,
    /// The last full frame [`FopFrames::clock_now`] built: (clock_seq, built at, frame).
    /// Shared by the versions cloned from this one, hence checked against `clock_seq`.
    full: Arc<Mutex<Option<(u64, i64, Bytes)>>>,
}

/// How long a full clock frame is reused for viewers that skipped versions: at 10 000 viewers
/// most of them are behind at every change, and each would otherwise serialise its own. Its
/// `now` is then at most this old (pages estimate the server's time from it).
const FULL_REUSE_MS: i64 = 5;

impl FopFrames {
    /// A full `clock` frame as of now, for a viewer that holds no version or an older one
    /// (its `now` must be current: pages estimate the server's time from it).
    pub fn clock_now(&self) -> Bytes {
        let now = now_ms();
        if let Some((seq, at, frame)) = self.full.lock().as_ref()
            && *seq == self.clock_seq
            && (0..=FULL_REUSE_MS).contains(&(now - at))
        {
            return frame.clone();
        }
        let mut clock = self.clock.clone();
        let elapsed = now.saturating_sub(clock.server_time_ms).max(0);
        if clock.athlete.state == "running" {
            clock.athlete.remaining_ms = clock.athlete.remaining_ms.saturating_sub(elapsed);
        }
        if clock.break_clock.state == "running" {
            clock.break_clock.remaining_ms = clock.break_clock.remaining_ms.map(|r| r.saturating_sub(elapsed));
        }
        clock.server_time_ms = now;
        let full = frame(&ClockFrame::full(&clock));
        *self.full.lock() = Some((self.clock_seq, now, full.clone()));
        full
    }

    /// The `decision` frame as of now (same lights, current server time).
    pub fn decision_now(&self) -> Bytes {
        let decision = DecisionEvent { server_time_ms: now_ms(), ..self.decision.clone() };
        frame(&decision)
    }
}

fn frame<T: serde::Serialize + StreamEvent>(payload: &T) -> Bytes {
    sse(T::NAME, None, events::data(payload).as_bytes())
}

/// Counters of the streams (for `/metrics` and the tests that prove who was woken).
#[derive(Debug, Default)]
pub struct StreamStats {
    /// Times a viewer's stream woke up (any reason).
    pub wakeups: AtomicU64,
    /// Frames written to viewers.
    pub frames: AtomicU64,
    /// Bytes written to viewers.
    pub bytes: AtomicU64,
    /// Clock and decision frames built (once per change, whatever the number of viewers).
    pub built: AtomicU64,
}

/// Every FOP's live frames, and the heartbeat.
pub struct Feeds {
    fops: RwLock<HashMap<String, watch::Sender<Arc<FopFrames>>>>,
    /// Taken at shutdown: every stream's heartbeat then ends, and with it the stream (one
    /// wait fewer per viewer wake-up than a cancellation token of its own).
    heartbeat: Mutex<Option<watch::Sender<u64>>>,
    /// Stream counters.
    pub stats: StreamStats,
}

impl Feeds {
    /// Starts the task that keeps the frames current; it stops with `shutdown`.
    pub fn spawn(hub: HubHandle, shutdown: CancellationToken) -> Arc<Feeds> {
        let feeds = Arc::new(Feeds {
            fops: RwLock::default(),
            heartbeat: Mutex::new(Some(watch::Sender::new(0))),
            stats: StreamStats::default(),
        });
        tokio::spawn(feeds.clone().run(hub, shutdown).instrument(info_span!("feeds")));
        feeds
    }

    /// The heartbeat and counters only, for a node without a hub (a relay: its FOP frames
    /// come from NATS); it stops with `shutdown`.
    pub fn without_hub(shutdown: CancellationToken) -> Arc<Feeds> {
        let feeds = Arc::new(Feeds {
            fops: RwLock::default(),
            heartbeat: Mutex::new(Some(watch::Sender::new(0))),
            stats: StreamStats::default(),
        });
        let beating = feeds.clone();
        tokio::spawn(
            async move {
                let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
                beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                beat.tick().await;
                loop {
                    tokio::select! {
                        () = shutdown.cancelled() => return beating.stop(),
                        _ = beat.tick() => beating.beat(),
                    }
                }
            }
            .instrument(info_span!("feeds")),
        );
        feeds
    }

    /// The live frames of a FOP (created empty when the FOP is not known yet).
    pub fn watch(&self, fop: &str) -> watch::Receiver<Arc<FopFrames>> {
        self.sender(fop, MAX_FOPS).map_or_else(|| watch::Sender::new(Arc::default()).subscribe(), |tx| tx.subscribe())
    }

    /// The sender of a FOP's frames, created when there are fewer than `cap` FOPs.
    fn sender(&self, fop: &str, cap: usize) -> Option<watch::Sender<Arc<FopFrames>>> {
        if let Some(tx) = self.fops.read().get(fop) {
            return Some(tx.clone());
        }
        let mut fops = self.fops.write();
        if fops.len() >= cap && !fops.contains_key(fop) {
            return None;
        }
        Some(fops.entry(fop.to_owned()).or_insert_with(|| watch::Sender::new(Arc::default())).clone())
    }

    /// Ticks every 15 s for every stream at once; closed at shutdown (streams end).
    pub fn heartbeat(&self) -> watch::Receiver<u64> {
        // After shutdown: a receiver whose sender is gone, so a late stream ends at once.
        self.heartbeat.lock().as_ref().map_or_else(|| watch::channel(0).1, watch::Sender::subscribe)
    }

    fn beat(&self) {
        if let Some(tx) = self.heartbeat.lock().as_ref() {
            tx.send_modify(|n| *n += 1);
        }
    }

    fn stop(&self) {
        self.heartbeat.lock().take();
    }

    async fn run(self: Arc<Self>, hub: HubHandle, shutdown: CancellationToken) {
        let mut events = hub.events();
        self.refresh_all(&hub);
        let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        beat.tick().await;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return self.stop(),
                _ = beat.tick() => self.beat(),
                event = events.recv() => match event {
                    Ok(HubEvent::Fop { change, snapshot, .. }) => self.update(&snapshot, change.clock, change.decision),
                    Ok(HubEvent::Competition) => {}
                    Err(RecvError::Lagged(missed)) => {
                        warn!(missed, "live frames fell behind the hub; rebuilt from the latest state");
                        self.refresh_all(&hub);
                    }
                    Err(RecvError::Closed) => return,
                },
            }
        }
    }

    fn refresh_all(&self, hub: &HubHandle) {
        for name in &hub.state().fops {
            if let Some(fop) = hub.fop(name) {
                self.update(&fop, true, true);
            }
        }
    }

    /// Builds the frames of what changed in `fop`.
    fn update(&self, fop: &FopSnapshot, clock: bool, decision: bool) {
        // FOPs the hub knows always get a feed (the cap is for names clients make up).
        let Some(tx) = self.sender(&fop.name, usize::MAX) else { return };
        let current = tx.borrow().clone();
        let mut next = (*current).clone();
        let mut changed = false;
        if clock || current.clock_seq == 0 {
            let now = events::clock(fop);
            let delta = ClockFrame::delta(&current.clock, &now);
            // A timer frame that changed nothing a page shows is not sent.
            if current.clock_seq == 0 || delta != (ClockFrame { now: delta.now, ..ClockFrame::default() }) {
                next.clock_delta = frame(&delta);
                next.clock = now;
                next.clock_seq += 1;
                changed = true;
            }
        }
        if decision || current.decision_seq == 0 {
            let now = events::decision(fop);
            let same = DecisionEvent { server_time_ms: now.server_time_ms, ..current.decision.clone() } == now;
            if current.decision_seq == 0 || !same {
                next.decision_frame = frame(&now);
                next.decision = now;
                next.decision_seq += 1;
                changed = true;
            }
        }
        if changed {
            self.stats.built.fetch_add(1, Ordering::Relaxed);
            tx.send_replace(Arc::new(next));
        }
    }
}
