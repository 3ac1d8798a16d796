//! A fleet of SSE viewers on plain TCP (thousands fit in one process): each reads its stream,
//! recognises clock and view markers, and records how long after sending they arrived.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// What the feeder sent and when, shared with every viewer.
#[derive(Default)]
pub struct Marks {
    /// Clock markers (the remaining time of a `SetTime`, `leftMs` in the frame) → send time.
    pub clocks: Mutex<HashMap<i64, Instant>>,
    /// View markers (requested `weight`) → send time.
    pub views: Mutex<HashMap<i64, Instant>>,
}

/// What the viewers observed.
#[derive(Default)]
pub struct Observed {
    /// Clock latencies.
    pub clock: Mutex<Vec<Duration>>,
    /// View latencies, per marker: the time the slowest viewer got it is what counts.
    pub views: Mutex<HashMap<i64, Vec<Duration>>>,
    /// Viewers that received their first view.
    pub ready: AtomicUsize,
    /// Bytes received by all viewers.
    pub bytes: AtomicU64,
    /// Viewers whose stream failed.
    pub failed: AtomicUsize,
    /// `clock` frames received (all viewers) and their bytes on the wire (SSE framing included).
    pub clock_frames: AtomicU64,
    /// See `clock_frames`.
    pub clock_bytes: AtomicU64,
    /// `patch` frames received (all viewers).
    pub patches: AtomicU64,
}

/// Opens `n` viewers of `path` (e.g. `/api/stream?plugin=lifting-order&fop=A`).
pub async fn open(
    n: usize,
    addr: SocketAddr,
    path: &str,
    marks: Arc<Marks>,
    observed: Arc<Observed>,
    stop: CancellationToken,
) {
    for i in 0..n {
        let (path, marks, observed, stop) = (path.to_owned(), marks.clone(), observed.clone(), stop.clone());
        tokio::spawn(async move {
            if viewer(addr, &path, &marks, &observed, &stop).await.is_err() {
                observed.failed.fetch_add(1, Ordering::Relaxed);
            }
        });
        // Spread connection set-up a little so the accept queue does not overflow.
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn number_after(line: &str, key: &str) -> Option<i64> {
    let start = line.find(key)? + key.len();
    let digits: String = line[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    digits.parse().ok()
}

async fn viewer(
    addr: SocketAddr,
    path: &str,
    marks: &Marks,
    observed: &Observed,
    stop: &CancellationToken,
) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n").as_bytes())
        .await?;
    let mut lines = BufReader::with_capacity(16 * 1024, stream).lines();
    let mut event = String::new();
    let mut first_view = true;
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line?,
            () = stop.cancelled() => return Ok(()),
        };
        let Some(line) = line else { return Ok(()) };
        observed.bytes.fetch_add(line.len() as u64 + 1, Ordering::Relaxed);
        if let Some(name) = line.strip_prefix("event: ") {
            event = name.to_owned();
            continue;
        }
        let Some(data) = line.strip_prefix("data: ") else { continue };
        let now = Instant::now();
        match event.as_str() {
            "clock" => {
                // "event: clock\n" + this line + "\n" + the blank line.
                observed.clock_bytes.fetch_add(13 + line.len() as u64 + 2, Ordering::Relaxed);
                observed.clock_frames.fetch_add(1, Ordering::Relaxed);
                // `remainingMs` is the marker's name in trackers before the compact clock frames.
                let mark = number_after(data, "\"leftMs\":").or_else(|| number_after(data, "\"remainingMs\":"));
                if let Some(mark) = mark
                    && let Some(sent) = marks.clocks.lock().get(&mark).copied()
                {
                    observed.clock.lock().push(now - sent);
                }
            }
            "view" => {
                if first_view {
                    first_view = false;
                    observed.ready.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(mark) = number_after(data, "\"weight\":\"")
                    && let Some(sent) = marks.views.lock().get(&mark).copied()
                {
                    observed.views.lock().entry(mark).or_default().push(now - sent);
                }
            }
            "patch" => {
                observed.patches.fetch_add(1, Ordering::Relaxed);
                // The requested weight, replaced by the patch: `…/weight","value":"187"`.
                if let Some(mark) = number_after(data, "weight\",\"value\":\"")
                    && let Some(sent) = marks.views.lock().get(&mark).copied()
                {
                    observed.views.lock().entry(mark).or_default().push(now - sent);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markers_are_read_from_event_data() {
        assert_eq!(
            super::number_after(r#"{"now":1,"athlete":{"state":"set","leftMs":51234}}"#, "\"leftMs\":"),
            Some(51234)
        );
        let patch = r#"{"base":"ab","patch":[{"op":"replace","path":"/view/attemptBar/weight","value":"187"}]}"#;
        assert_eq!(super::number_after(patch, "weight\",\"value\":\""), Some(187));
        assert_eq!(super::number_after(r#"{"weight":"187","kg":"kg"}"#, "\"weight\":\""), Some(187));
        assert_eq!(super::number_after("{}", "\"weight\":\""), None);
    }
}
