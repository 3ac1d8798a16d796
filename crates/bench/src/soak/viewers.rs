//! The soak's viewers: real SSE clients of `/api/stream` on many boards (plugins, FOPs,
//! languages), each keeping its current [`Board`]; they join and leave during the run, and at
//! the end every board is compared with `/api/view` for its URL.

use super::board::{Board, BoardError, PATCH, VIEW};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use parking_lot::Mutex;
use rand::Rng;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Problems kept word for word (the rest are only counted).
const KEPT: usize = 20;

/// What all viewers received and what went wrong.
#[derive(Debug, Default)]
pub struct Counters {
    /// `view` frames.
    pub views: AtomicU64,
    /// `patch` frames applied.
    pub patches: AtomicU64,
    /// `clock` frames (counted only: their payload is the stream's business).
    pub clocks: AtomicU64,
    /// `decision` frames.
    pub decisions: AtomicU64,
    /// Any other event (status…).
    pub others: AtomicU64,
    /// Streams that ended or failed while their viewer was watching (it reconnects).
    pub stream_failures: AtomicU64,
    /// Frames that could not be applied to the board.
    pub board_errors: AtomicU64,
    /// The first problems, for the report.
    pub problems: Mutex<Vec<String>>,
}

impl Counters {
    fn problem(&self, text: String) {
        let mut problems = self.problems.lock();
        if problems.len() < KEPT {
            problems.push(text);
        }
    }
}

struct Viewer {
    query: String,
    board: Arc<Mutex<Board>>,
    stop: CancellationToken,
}

/// Every viewer connected now, and the boards they may pick.
pub struct Fleet {
    client: reqwest::Client,
    base: String,
    queries: Vec<String>,
    viewers: Vec<Viewer>,
    /// What the viewers saw.
    pub counters: Arc<Counters>,
    /// Viewers opened in all (the first ones included).
    pub joined: u64,
    /// Viewers that left.
    pub left: u64,
}

/// The end-of-run comparison of every board with `/api/view`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// Boards compared.
    pub compared: usize,
    /// Boards equal to `/api/view`, byte for byte.
    pub equal: usize,
    /// The first differences (URL and why).
    pub differences: Vec<String>,
}

impl Fleet {
    /// A fleet for the tracker at `base` (`http://host:port`), picking among `queries`.
    pub fn new(base: &str, queries: Vec<String>) -> Fleet {
        // One connection per stream, no pool limit: each viewer is a screen of its own.
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("an HTTP client");
        Fleet {
            client,
            base: base.to_owned(),
            queries,
            viewers: Vec::new(),
            counters: Arc::default(),
            joined: 0,
            left: 0,
        }
    }

    /// Viewers connected now.
    pub fn len(&self) -> usize {
        self.viewers.len()
    }

    /// Whether no viewer is connected.
    pub fn is_empty(&self) -> bool {
        self.viewers.is_empty()
    }

    /// Opens a viewer on the board `index` (modulo the number of boards).
    pub fn join(&mut self, index: usize) {
        let query = self.queries[index % self.queries.len()].clone();
        let viewer = Viewer { query: query.clone(), board: Arc::default(), stop: CancellationToken::new() };
        let url = format!("{}/api/stream?{query}", self.base);
        tokio::spawn(watch(self.client.clone(), url, viewer.board.clone(), self.counters.clone(), viewer.stop.clone()));
        self.viewers.push(viewer);
        self.joined += 1;
    }

    /// `count` random viewers leave and as many join on random boards.
    pub fn churn(&mut self, count: usize, rng: &mut impl Rng) {
        for _ in 0..count.min(self.viewers.len()) {
            let gone = self.viewers.swap_remove(rng.random_range(0..self.viewers.len()));
            gone.stop.cancel();
            self.left += 1;
        }
        for _ in 0..count {
            let index = rng.random_range(0..self.queries.len());
            self.join(index);
        }
    }

    /// Compares every board with `/api/view`, giving boards that differ `settle` to catch up
    /// (frames may still be on their way); then stops every viewer.
    pub async fn verify(&mut self, settle: Duration) -> Verdict {
        let deadline = Instant::now() + settle;
        let mut pending: Vec<usize> = (0..self.viewers.len()).collect();
        let last: Vec<(usize, String)> = loop {
            let checks = futures_util::stream::iter(pending.iter().copied())
                .map(|i| {
                    let viewer = &self.viewers[i];
                    let url = format!("{}/api/view?{}", self.base, viewer.query);
                    let client = self.client.clone();
                    let board = viewer.board.clone();
                    async move { (i, compare(&client, &url, &board).await) }
                })
                .buffer_unordered(32)
                .collect::<Vec<_>>()
                .await;
            let failed: Vec<(usize, String)> =
                checks.into_iter().filter_map(|(i, r)| r.err().map(|why| (i, why))).collect();
            if failed.is_empty() || Instant::now() >= deadline {
                break failed;
            }
            pending = failed.iter().map(|(i, _)| *i).collect();
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        let differences = last.iter().take(KEPT).map(|(i, why)| format!("{}: {why}", self.viewers[*i].query)).collect();
        let verdict = Verdict { compared: self.viewers.len(), equal: self.viewers.len() - last.len(), differences };
        for viewer in self.viewers.drain(..) {
            viewer.stop.cancel();
        }
        verdict
    }

    /// The boards viewers pick from.
    pub fn queries(&self) -> &[String] {
        &self.queries
    }
}

async fn compare(client: &reqwest::Client, url: &str, board: &Mutex<Board>) -> Result<(), String> {
    let response = client.get(url).send().await.map_err(|e| format!("GET failed: {e}"))?;
    let status = response.status();
    let expected = response.bytes().await.map_err(|e| format!("GET body failed: {e}"))?;
    let shown = board.lock().bytes().to_vec();
    if !status.is_success() && shown.is_empty() {
        // A board whose plugin answers an error has no view on either side.
        return Ok(());
    }
    if shown == expected.as_ref() {
        return Ok(());
    }
    let parsed = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok();
    Err(if shown.is_empty() {
        format!("no view shown; /api/view answers {status}")
    } else if parsed(&shown).is_some() && parsed(&shown) == parsed(&expected) {
        "same JSON, other bytes".to_owned()
    } else {
        format!("differs ({} bytes shown, {} from /api/view, status {status})", shown.len(), expected.len())
    })
}

/// One viewer: reads its stream until told to stop, reconnecting (with `Last-Event-ID`, as
/// browsers do) when the stream fails.
async fn watch(
    client: reqwest::Client,
    url: String,
    board: Arc<Mutex<Board>>,
    counters: Arc<Counters>,
    stop: CancellationToken,
) {
    while !stop.is_cancelled() {
        let outcome = tokio::select! {
            () = stop.cancelled() => return,
            outcome = read_stream(&client, &url, &board, &counters) => outcome,
        };
        counters.stream_failures.fetch_add(1, Ordering::Relaxed);
        counters.problem(format!("{url}: {outcome}"));
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

/// Reads one stream connection; returns why it ended.
async fn read_stream(client: &reqwest::Client, url: &str, board: &Mutex<Board>, counters: &Counters) -> String {
    let mut request = client.get(url).header("accept", "text/event-stream");
    if let Some(id) = board.lock().id() {
        request = request.header("last-event-id", id);
    }
    let response = match request.send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return format!("stream answered {}", r.status()),
        Err(e) => return format!("stream request failed: {e}"),
    };
    let mut events = response.bytes_stream().eventsource();
    while let Some(event) = events.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e) => return format!("stream broke: {e}"),
        };
        let counter = match event.event.as_str() {
            VIEW => &counters.views,
            PATCH => &counters.patches,
            "clock" => &counters.clocks,
            "decision" => &counters.decisions,
            _ => &counters.others,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let applied = board.lock().apply(&event.event, &event.id, &event.data);
        if let Err(error) = applied {
            counters.board_errors.fetch_add(1, Ordering::Relaxed);
            counters.problem(format!("{url}: {error}"));
            if matches!(error, BoardError::WrongBase { .. }) {
                // As a browser would: start again from a full view.
                return "patch on another base; reconnecting for a full view".into();
            }
        }
    }
    "stream ended".into()
}
