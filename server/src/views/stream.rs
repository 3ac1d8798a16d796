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

/// Browsers reconnect this long after a dropped stream.
const RETRY: Duration = Duration::from_secs(2);

/// The frames one viewer still has to receive, and what it holds.
pub struct Pump {
    view_rx: watch::Receiver<Arc<ViewFrame>>,
    fop_rx: Option<watch::Receiver<Arc<FopFrames>>>,
    /// `None` on a multiplexed connection, which has one heartbeat for all its boards.
    heartbeat: Option<watch::Receiver<u64>>,
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
    ) -> Pump {
        let mut pump = Pump {
            view_rx,
            fop_rx,
            heartbeat: Some(feeds.heartbeat()),
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

    /// This pump as one board of a multiplexed connection ([`super::multi`]): no heartbeat and
    /// no `retry:` line of its own (the connection has one of each), so every frame it gives
    /// is an `event:` block.
    pub fn multiplexed(mut self) -> Pump {
        self.heartbeat = None;
        self.first = false;
        self
    }

    /// The next frame to write; `None` when the stream should end (view gone; at shutdown the
    /// heartbeat ends, which a multiplexed pump leaves to its connection).
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
            let heartbeat = self.heartbeat.as_mut();
            let wake = tokio::select! {
                changed = self.view_rx.changed() => Wake::View(changed.is_ok()),
                Some(live) = async {
                    match fop_rx {
                        Some(rx) => match rx.changed().await { Ok(()) => Some(rx.borrow_and_update().clone()), Err(_) => None },
                        None => std::future::pending().await,
                    }
                } => Wake::Live(live),
                changed = async {
                    match heartbeat {
                        Some(rx) => rx.changed().await,
                        None => std::future::pending().await,
                    }
                } => Wake::Heartbeat(changed.is_ok()),
            };
            match wake {
                Wake::View(true) => self.view_changed(false),
                Wake::Live(live) => self.live_changed(&live),
                // Heartbeats (every 15 s) are not counted as wake-ups: they are not caused by data.
                Wake::Heartbeat(true) => {
                    self.pending.push_back(Bytes::from_static(HEARTBEAT));
                    continue;
                }
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
        let mut view = Vec::new();
        if let Some(published) = frame.view.as_ref().filter(|v| self.sent_view.as_deref() != Some(v.id.as_str())) {
            match published.patches_from(self.sent_view.as_deref()) {
                Some(steps) => view.extend(steps.cloned()),
                None => view.push(published.full.clone()),
            }
            self.sent_view = Some(published.id.clone());
        }
        if view_first {
            self.pending.extend(view);
            self.pending.extend(status);
        } else {
            self.pending.extend(status);
            self.pending.extend(view);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::HubHandle;
    use crate::views::frames::publish;
    use owlcms_contract::{PageKind, ViewEnvelope};
    use serde_json::json;
    use tokio_util::sync::CancellationToken;

    fn version(rows: &[&str], previous: Option<&frames::Published>) -> frames::Published {
        // Twelve fixed rows after the moving ones: patches are much smaller than the view.
        let fixed = (0..12).map(|i| json!({"name": format!("Fixed {i}"), "team": "A club with a long name"}));
        let moving = rows.iter().map(|r| json!({"name": r, "team": "A club with a long name"}));
        let view = json!({"rows": moving.chain(fixed).collect::<Vec<_>>()});
        let envelope = ViewEnvelope {
            plugin: "p".into(),
            page: PageKind::StandardGrid,
            fop: None,
            lang: "en".into(),
            options: json!({}),
            view,
        };
        publish(&envelope, previous)
    }

    fn frame(view: &frames::Published) -> Arc<ViewFrame> {
        Arc::new(ViewFrame { view: Some(Arc::new(view.clone())), ..ViewFrame::default() })
    }

    fn kind(frame: &Bytes) -> &str {
        std::str::from_utf8(frame).unwrap().lines().find_map(|l| l.strip_prefix("event: ")).unwrap()
    }

    #[tokio::test]
    async fn the_next_version_goes_as_a_patch_a_skipped_one_as_the_whole_view() {
        let shutdown = CancellationToken::new();
        let feeds = Feeds::spawn(HubHandle::spawn(shutdown.clone()), shutdown.clone());
        let v1 = version(&["A", "B", "C", "D"], None);
        let (tx, rx) = watch::channel(frame(&v1));
        let mut pump = Pump::new(rx, None, feeds, None);
        let first = pump.next().await.unwrap();
        assert!(first.starts_with(b"retry: 2000\nevent: view\n"), "{first:?}");
        let v2 = version(&["B", "A", "C", "D"], Some(&v1));
        tx.send_replace(frame(&v2));
        assert_eq!(kind(&pump.next().await.unwrap()), "patch");
        // Two versions while the viewer was not reading: both patches, in order.
        let v3 = version(&["B", "C", "A", "D"], Some(&v2));
        let v4 = version(&["B", "C", "D", "A"], Some(&v3));
        tx.send_replace(frame(&v3));
        tx.send_replace(frame(&v4));
        assert_eq!(pump.next().await.unwrap(), v3.patch().unwrap().frame);
        assert_eq!(pump.next().await.unwrap(), v4.patch().unwrap().frame);
        // A version reached without a patch (a rewrite) goes whole.
        let v5 = version(&["Z"; 1], Some(&v4));
        let v6 = version(&["Y"; 1], Some(&v5));
        tx.send_replace(frame(&v6));
        let next = pump.next().await.unwrap();
        assert_eq!(kind(&next), "view");
        assert_eq!(next, v6.full);
        // Resuming with the id of v3 (Last-Event-ID): the patch to v4.
        let (_tx, rx) = watch::channel(frame(&v4));
        let feeds = Feeds::spawn(HubHandle::spawn(shutdown.clone()), shutdown.clone());
        let mut resumed = Pump::new(rx, None, feeds, Some(v3.id.clone()));
        let resumed_first = resumed.next().await.unwrap();
        assert!(resumed_first.ends_with(&v4.patch().unwrap().frame), "{resumed_first:?}");
        shutdown.cancel();
        assert!(resumed.next().await.is_none(), "the stream ends at shutdown");
    }
}
