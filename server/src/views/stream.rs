//! One viewer's event stream, as frames: on connect the view (or, after `Last-Event-ID`, the
//! patch from the version the browser holds), the status, the clocks and the decision; then
//! whatever changed, as the shared bytes the view task and the FOP feed built. A viewer that
//! missed a version gets the full frame. Nothing here reads the hub: it pumps what the views
//! layer publishes, so another node can serve the same frames.

use super::ViewFrame;
use super::feeds::{Feeds, FopFrames, StreamStats};
use super::frames::{self, HEARTBEAT};
use axum::body::Bytes;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Browsers reconnect this long after a dropped stream.
const RETRY: Duration = Duration::from_secs(2);

/// The frames one viewer still has to receive, and what it holds.
pub struct Pump {
    view_rx: watch::Receiver<Arc<ViewFrame>>,
    fop_rx: Option<watch::Receiver<Arc<FopFrames>>>,
    heartbeat: watch::Receiver<u64>,
    shutdown: CancellationToken,
    feeds: Arc<Feeds>,
    /// The view version the viewer holds.
    sent_view: Option<String>,
    sent_status: Arc<str>,
    sent_clock: u64,
    sent_decision: u64,
    pending: VecDeque<Bytes>,
    /// Nothing written yet: the first frame also carries the `retry:` line.
    first: bool,
}

enum Wake {
    View(bool),
    Live(Arc<FopFrames>),
    Heartbeat(bool),
}

impl Pump {
    /// A pump for a viewer of `view_rx` (and of its FOP's frames) that holds version
    /// `last_event_id` of the view, if it said so.
    pub fn new(
        view_rx: watch::Receiver<Arc<ViewFrame>>,
        fop_rx: Option<watch::Receiver<Arc<FopFrames>>>,
        feeds: Arc<Feeds>,
        last_event_id: Option<String>,
        shutdown: CancellationToken,
    ) -> Pump {
        let mut pump = Pump {
            view_rx,
            fop_rx,
            heartbeat: feeds.heartbeat(),
            shutdown,
            feeds,
            sent_view: last_event_id,
            sent_status: Arc::from(""),
            sent_clock: 0,
            sent_decision: 0,
            pending: VecDeque::with_capacity(4),
            first: true,
        };
        pump.view_changed(true);
        if let Some(rx) = pump.fop_rx.as_mut() {
            let live = rx.borrow_and_update().clone();
            pump.live_changed(&live);
        }
        pump
    }

    /// The next frame to write; `None` when the stream should end (view gone, shutdown).
    pub async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(mut frame) = self.pending.pop_front() {
                if std::mem::take(&mut self.first) {
                    // One copy per connection: the browser learns how soon to reconnect.
                    let mut with_retry = frames::retry(RETRY.as_millis() as u64).to_vec();
                    with_retry.extend_from_slice(&frame);
                    frame = Bytes::from(with_retry);
                }
                let stats: &StreamStats = &self.feeds.stats;
                stats.frames.fetch_add(1, Ordering::Relaxed);
                stats.bytes.fetch_add(frame.len() as u64, Ordering::Relaxed);
                return Some(frame);
            }
            let fop_rx = self.fop_rx.as_mut();
            let wake = tokio::select! {
                () = self.shutdown.cancelled() => return None,
                changed = self.view_rx.changed() => Wake::View(changed.is_ok()),
                Some(live) = async {
                    match fop_rx {
                        Some(rx) => match rx.changed().await { Ok(()) => Some(rx.borrow_and_update().clone()), Err(_) => None },
                        None => std::future::pending().await,
                    }
                } => Wake::Live(live),
                changed = self.heartbeat.changed() => Wake::Heartbeat(changed.is_ok()),
            };
            match wake {
                Wake::View(true) => self.view_changed(false),
                Wake::Live(live) => self.live_changed(&live),
                Wake::Heartbeat(true) => self.pending.push_back(Bytes::from_static(HEARTBEAT)),
                // The view or the server is going away.
                Wake::View(false) | Wake::Heartbeat(false) => return None,
            }
            self.feeds.stats.wakeups.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Queues what changed in the view: on connect the view first, later the status first
    /// (a page learns of a feed problem before it sees the view it explains).
    fn view_changed(&mut self, view_first: bool) {
        let frame = self.view_rx.borrow_and_update().clone();
        let status = (!frame.status.is_empty() && frame.status != self.sent_status).then(|| {
            self.sent_status = frame.status.clone();
            frame.status_frame.clone()
        });
        let view = frame.view.as_ref().filter(|v| self.sent_view.as_deref() != Some(v.id.as_str())).map(|view| {
            let patch = view.patch.as_ref().filter(|p| self.sent_view.as_deref() == Some(p.base.as_str()));
            self.sent_view = Some(view.id.clone());
            patch.map_or_else(|| view.full.clone(), |p| p.frame.clone())
        });
        let (a, b) = if view_first { (view, status) } else { (status, view) };
        self.pending.extend(a.into_iter().chain(b));
    }

    fn live_changed(&mut self, live: &FopFrames) {
        if live.clock_seq != self.sent_clock {
            let next_one = self.sent_clock > 0 && live.clock_seq == self.sent_clock + 1;
            self.pending.push_back(if next_one { live.clock_delta.clone() } else { live.clock_now() });
            self.sent_clock = live.clock_seq;
        }
        if live.decision_seq != self.sent_decision {
            let next_one = self.sent_decision > 0 && live.decision_seq == self.sent_decision + 1;
            self.pending.push_back(if next_one { live.decision_frame.clone() } else { live.decision_now() });
            self.sent_decision = live.decision_seq;
        }
    }
}
