//! Replay of learning-mode captures: sends the saved frames of a capture folder to a tracker,
//! byte for byte, in arrival order, with their original timing, N× faster, or as fast as the
//! tracker answers.

use super::link::{Link, LinkError, Resends};
use super::speed::Speed;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;
use tracing::info;

/// A capture that cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The folder cannot be read.
    #[error("cannot read the capture folder {0}: {1}")]
    Folder(PathBuf, std::io::Error),
    /// No frame files.
    #[error("no captured frames (*.json, *.bin) in {0}")]
    Empty(PathBuf),
    /// A frame file cannot be read.
    #[error("cannot read {0}: {1}")]
    File(PathBuf, std::io::Error),
    /// The tracker connection failed.
    #[error(transparent)]
    Link(#[from] LinkError),
}

/// What a replay sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Text frames sent.
    pub text: usize,
    /// Binary frames sent.
    pub binary: usize,
}

/// Arrival time (ms since the epoch) from a capture file name `2026-01-20T14-05-16-652Z-…`.
pub fn arrival_ms(name: &str) -> Option<i64> {
    let stamp = name.get(..23)?;
    let time = chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H-%M-%S-%3f").ok()?;
    Some(time.and_utc().timestamp_millis())
}

/// The frame files of a capture folder, in arrival order.
pub fn frames(dir: &Path) -> Result<Vec<PathBuf>, ReplayError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ReplayError::Folder(dir.to_owned(), e))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "bin"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ReplayError::Empty(dir.to_owned()));
    }
    Ok(files)
}

/// Sends a capture folder to a tracker.
pub async fn replay(dir: &Path, url: &str, speed: Speed) -> Result<Replayed, ReplayError> {
    replay_keyed(dir, url, speed, None).await
}

/// Like [`replay`], with `update_key` in place of the key value learning mode redacted.
pub async fn replay_keyed(
    dir: &Path,
    url: &str,
    speed: Speed,
    update_key: Option<&str>,
) -> Result<Replayed, ReplayError> {
    let files = frames(dir)?;
    let link = Link::connect(url, Resends::default(), update_key.map(str::to_owned)).await?;
    let start = Instant::now();
    let first = files.iter().find_map(|f| arrival_ms(&f.file_name()?.to_string_lossy()));
    let mut done = Replayed::default();
    for file in &files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if let (Speed::Factor(n), Some(first), Some(at)) = (speed, first, arrival_ms(&name)) {
            let offset = Duration::from_millis((at - first).max(0) as u64).div_f64(n);
            tokio::time::sleep_until(start + offset).await;
        }
        let bytes = std::fs::read(file).map_err(|e| ReplayError::File(file.clone(), e))?;
        if name.ends_with(".bin") {
            link.binary(bytes).await?;
            done.binary += 1;
        } else {
            // Sent exactly as captured, even when it is not valid UTF-8 JSON.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let keyed = match update_key {
                Some(key) => put_key_back(&text, key),
                None => text,
            };
            link.raw_text(keyed).await?;
            done.text += 1;
        }
    }
    info!(text = done.text, binary = done.binary, "replay finished");
    Ok(done)
}

/// What the tracker's learning mode writes instead of the update key (protocol/key.rs).
const REDACTED: &str = "\"<redacted>\"";

/// `text` with every redacted key value replaced by `key` (JSON-escaped); every other byte as
/// captured.
fn put_key_back(text: &str, key: &str) -> String {
    let quoted = serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into());
    text.replace(REDACTED, &quoted)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_redacted_key_is_put_back_and_nothing_else_changes() {
        let captured = "{\"version\":\"64.0.0\", \"payload\": {\"updateKey\" : \"<redacted>\",\"b\":[1, 2]}}";
        let keyed = super::put_key_back(captured, "Lou\"is");
        assert_eq!(keyed, "{\"version\":\"64.0.0\", \"payload\": {\"updateKey\" : \"Lou\\\"is\",\"b\":[1, 2]}}");
        assert_eq!(super::put_key_back("{\"a\":1}", "k"), "{\"a\":1}");
    }

    #[test]
    fn arrival_times_come_from_file_names() {
        let a = super::arrival_ms("2026-01-20T14-05-16-652Z-000001-UPDATE.json").unwrap();
        let b = super::arrival_ms("2026-01-20T14-05-17-000Z-000002-TIMER.json").unwrap();
        assert_eq!(b - a, 348);
        assert_eq!(super::arrival_ms("notes.json"), None);
    }
}
