//! Learning mode: every frame OWLCMS sends is saved as it arrived — text frames as their exact
//! JSON text (`.json`), binary frames as their exact bytes (`.bin`) — in one folder per run,
//! with names that sort by arrival and carry the arrival time, so `replay` can resend them.
//! One exception: the update key's value is replaced by a placeholder, since captures get
//! attached to bug reports (`replay --update-key` puts a key back).

use crate::protocol::binary::parse_header;
use crate::protocol::key::{REDACTED, replace_update_key};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::{info, warn};

/// Capture folder of this run.
#[derive(Debug)]
pub struct Learning {
    dir: PathBuf,
    seq: AtomicU64,
}

/// Arrival stamp used in file names: UTC, `:` and `.` replaced so names are portable.
fn stamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H-%M-%S-%3fZ").to_string()
}

impl Learning {
    /// Creates `<samples>/captures/<start time>/`.
    pub fn start(samples_dir: &Path) -> std::io::Result<Learning> {
        let dir = samples_dir.join("captures").join(stamp());
        std::fs::create_dir_all(&dir)?;
        info!(dir = %dir.display(), "learning mode: saving every OWLCMS frame");
        Ok(Learning { dir, seq: AtomicU64::new(0) })
    }

    /// The capture folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Saves a text frame byte for byte, except for the update key's value.
    pub async fn text(&self, text: &str) {
        let label = text_label(text);
        let redacted = replace_update_key(text, REDACTED);
        self.write(&label, "json", redacted.as_deref().unwrap_or(text).as_bytes()).await;
    }

    /// Saves a binary frame byte for byte.
    pub async fn binary(&self, frame: &[u8]) {
        let label = parse_header(frame).map_or_else(|_| "BINARY".to_owned(), |h| clean(&h.type_name));
        self.write(&label, "bin", frame).await;
    }

    async fn write(&self, label: &str, ext: &str, bytes: &[u8]) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("{}-{seq:06}-{label}.{ext}", stamp()));
        if let Err(error) = tokio::fs::write(&path, bytes).await {
            warn!(%error, path = %path.display(), "learning mode could not save a frame");
        }
    }
}

/// `UPDATE-LIFTINGORDERUPDATED`, `TIMER`, … from a frame's `type` and `uiEvent`.
fn text_label(text: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or("INVALID");
    match value.pointer("/payload/uiEvent").and_then(|e| e.as_str()) {
        Some(event) if kind == "update" => format!("UPDATE-{}", clean(event)),
        _ => clean(kind),
    }
}

fn clean(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c == ' ' { '_' } else { c.to_ascii_uppercase() })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(48)
        .collect();
    if cleaned.is_empty() { "UNKNOWN".into() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_type_and_ui_event() {
        assert_eq!(
            text_label(r#"{"type":"update","payload":{"uiEvent":"LiftingOrderUpdated"}}"#),
            "UPDATE-LIFTINGORDERUPDATED"
        );
        assert_eq!(text_label(r#"{"type":"timer","payload":{}}"#), "TIMER");
        assert_eq!(text_label("not json"), "INVALID");
        assert_eq!(clean("../etc passwd"), "ETC_PASSWD");
    }
}
