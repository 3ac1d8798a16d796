//! Server-Sent Events frames, built once and shared by every viewer as the same `Bytes`: the
//! `event:`/`id:`/`data:` encoding, a view's full frame, its patch frame against the previous
//! version (RFC 6902, sent only when smaller and proven to rebuild the view byte for byte),
//! and its status frame.

use axum::body::Bytes;
use owlcms_contract::events::{Status, StreamEvent, ViewEnvelope, ViewPatch};
use serde_json::Value;
use std::sync::Arc;

/// A comment line: keeps proxies from closing an idle stream; browsers ignore it.
pub const HEARTBEAT: &[u8] = b":heartbeat\n\n";

/// One SSE frame. `data` is one line of JSON (serde_json's compact form has no raw newline;
/// anything else is split into `data:` lines, as the format requires).
pub fn sse(event: &str, id: Option<&str>, data: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(data.len() + event.len() + id.map_or(0, str::len) + 24);
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    out.push(b'\n');
    if let Some(id) = id {
        out.extend_from_slice(b"id: ");
        out.extend_from_slice(id.as_bytes());
        out.push(b'\n');
    }
    for line in data.split(|b| *b == b'\n') {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
        out.push(b'\n');
    }
    out.push(b'\n');
    Bytes::from(out)
}

/// The `retry:` line that tells a browser how soon to reconnect, put before the first frame
/// of a stream (a block of its own would be an event without data).
pub fn retry(ms: u64) -> Bytes {
    Bytes::from(format!("retry: {ms}\n"))
}

/// A patch frame and the version it applies to.
#[derive(Debug, Clone)]
pub struct PatchFrame {
    /// The version (content id) the viewer must hold.
    pub base: String,
    /// The `patch` SSE frame.
    pub frame: Bytes,
}

/// A successfully mapped view, serialised once for every viewer.
#[derive(Debug, Clone)]
pub struct Published {
    /// Content id (hash of `body`): the SSE id, the ETag, the version a patch names.
    pub id: String,
    /// The envelope JSON (`/api/view`'s body, the `view` frame's data).
    pub body: Bytes,
    /// The `view` SSE frame.
    pub full: Bytes,
    /// The last few patches that lead here, oldest first; the last one is from the previous
    /// version ([`Published::patch`]). A viewer a few versions behind gets them in order
    /// rather than the whole view. Empty when this version was reached without a patch.
    pub chain: Arc<[PatchFrame]>,
    /// The envelope as JSON: the base of the next patch.
    pub value: Arc<Value>,
}

/// The content id of an envelope body.
pub fn content_id(body: &[u8]) -> String {
    crate::hash::sha256_hex(body)[7..23].to_owned()
}

/// Serialises a view envelope once, with a patch from `previous` when that is smaller.
pub fn publish(envelope: &ViewEnvelope, previous: Option<&Published>) -> Published {
    // Plain data: serialising it cannot fail. Through a `Value`, so that the body is exactly
    // what a patched copy of the previous version serialises to.
    let value = serde_json::to_value(envelope).unwrap_or_default();
    let body = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
    let id = content_id(&body);
    let full = sse(ViewEnvelope::NAME, Some(&id), &body);
    let patch = previous.filter(|p| p.id != id).and_then(|p| patch_frame(p, &value, &body, &id));
    let chain = chain_after(previous, patch.as_ref());
    Published { id, body, full, chain, value: Arc::new(value) }
}

/// The patches that lead to a version reached from `previous` by `patch`: the previous chain
/// (when the patch continues it) and the patch; empty for a version sent whole.
pub fn chain_after(previous: Option<&Published>, patch: Option<&PatchFrame>) -> Arc<[PatchFrame]> {
    let Some(patch) = patch else { return Arc::from(Vec::new()) };
    let earlier = previous.filter(|p| p.id == patch.base).map_or(&[][..], |p| &p.chain[..]);
    let kept = earlier.len().saturating_sub(HISTORY - 1);
    earlier[kept..].iter().cloned().chain(std::iter::once(patch.clone())).collect()
}

/// Patches kept per view: a viewer at most this many versions behind still gets patches.
const HISTORY: usize = 8;

impl Published {
    /// The `patch` frame from the previous version, when one is smaller than `full`.
    pub fn patch(&self) -> Option<&PatchFrame> {
        self.chain.last()
    }

    /// The patch frames that take a viewer holding version `held` to this one, in order,
    /// when they exist and weigh less than the whole view.
    pub fn patches_from(&self, held: Option<&str>) -> Option<impl Iterator<Item = &Bytes>> {
        let held = held?;
        let start = self.chain.iter().position(|p| p.base == held)?;
        let steps = &self.chain[start..];
        let bytes: usize = steps.iter().map(|p| p.frame.len()).sum();
        (bytes < self.full.len()).then(|| steps.iter().map(|p| &p.frame))
    }
}

/// The patch from `previous` to `value`, if it is smaller than the whole body and rebuilds it
/// exactly (JSON Patch adds new object keys at the end; the mapping may have put them
/// elsewhere, and then only the full view is right).
fn patch_frame(previous: &Published, value: &Value, body: &[u8], id: &str) -> Option<PatchFrame> {
    let patch = ViewPatch { base: previous.id.clone(), patch: json_patch::diff(&previous.value, value) };
    let data = serde_json::to_vec(&patch).ok()?;
    if data.len() >= body.len() {
        return None;
    }
    let mut rebuilt = (*previous.value).clone();
    patch.apply_to(&mut rebuilt).ok()?;
    if serde_json::to_vec(&rebuilt).ok()? != body {
        return None;
    }
    Some(PatchFrame { base: previous.id.clone(), frame: sse(ViewPatch::NAME, Some(id), &data) })
}

/// The `status` frame of a status text (its JSON).
pub fn status(text: &str) -> Bytes {
    sse(Status::NAME, None, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use owlcms_contract::PageKind;
    use serde_json::json;

    fn envelope(view: Value) -> ViewEnvelope {
        ViewEnvelope {
            plugin: "lifting-order".into(),
            page: PageKind::StandardGrid,
            fop: Some("A".into()),
            lang: "en".into(),
            options: json!({}),
            view,
        }
    }

    fn rows(names: &[&str]) -> Value {
        json!({"title": "Lifting order", "rows": names.iter().map(|n| json!({"name": n, "weight": 100, "team": "Club with a long name"})).collect::<Vec<_>>()})
    }

    #[test]
    fn frames_follow_the_event_stream_format() {
        assert_eq!(&sse("clock", None, br#"{"now":1}"#)[..], b"event: clock\ndata: {\"now\":1}\n\n");
        assert_eq!(&sse("view", Some("ab"), b"x\ny")[..], b"event: view\nid: ab\ndata: x\ndata: y\n\n");
        assert_eq!(&retry(2000)[..], b"retry: 2000\n");
    }

    #[test]
    fn a_small_change_is_sent_as_a_patch_that_rebuilds_the_body() {
        let first = publish(&envelope(rows(&["A", "B", "C", "D", "E"])), None);
        assert!(first.patch().is_none());
        let second = publish(&envelope(rows(&["B", "A", "C", "D", "E"])), Some(&first));
        let patch = second.patch().expect("a patch");
        assert_eq!(patch.base, first.id);
        assert!(patch.frame.len() < second.full.len());
        let text = std::str::from_utf8(&patch.frame).unwrap();
        let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
        let parsed: ViewPatch = serde_json::from_str(data).unwrap();
        let mut rebuilt: Value = serde_json::from_slice(&first.body).unwrap();
        parsed.apply_to(&mut rebuilt).unwrap();
        assert_eq!(serde_json::to_vec(&rebuilt).unwrap(), second.body);
        assert!(text.starts_with(&format!("event: patch\nid: {}\n", second.id)));
    }

    #[test]
    fn a_patch_that_would_reorder_keys_is_not_sent() {
        let first = publish(&envelope(json!({"b": 1, "rows": rows(&["A"; 20])})), None);
        // A new key before an existing one: a patch would append it, so the bytes would differ.
        let second = publish(&envelope(json!({"a": 0, "b": 1, "rows": rows(&["A"; 20])})), Some(&first));
        assert!(second.patch().is_none());
        let third = publish(&envelope(json!({"a": 0, "b": 2, "rows": rows(&["A"; 20])})), Some(&second));
        assert!(third.patch().is_some(), "a changed value keeps its place");
    }

    #[test]
    fn a_rewrite_of_everything_goes_out_whole() {
        let first = publish(&envelope(json!({"rows": [1, 2, 3]})), None);
        let second = publish(&envelope(json!({"other": "x"})), Some(&first));
        assert!(second.patch().is_none(), "a patch as big as the view is not worth it");
        let same = publish(&envelope(json!({"other": "x"})), Some(&second));
        assert_eq!(same.id, second.id);
        assert!(same.patch().is_none());
    }

    #[test]
    fn a_viewer_a_few_versions_behind_gets_the_patches_in_order() {
        let mut versions = vec![publish(&envelope(rows(&["A", "B", "C", "D", "E"])), None)];
        for order in [["B", "A", "C", "D", "E"], ["B", "C", "A", "D", "E"], ["B", "C", "D", "A", "E"]] {
            let next = publish(&envelope(rows(&order)), versions.last());
            versions.push(next);
        }
        let last = versions.last().unwrap();
        let steps: Vec<&Bytes> = last.patches_from(Some(&versions[1].id)).unwrap().collect();
        assert_eq!(steps.len(), 2);
        let mut rebuilt: Value = serde_json::from_slice(&versions[1].body).unwrap();
        for frame in steps {
            let text = std::str::from_utf8(frame).unwrap();
            let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
            serde_json::from_str::<ViewPatch>(data).unwrap().apply_to(&mut rebuilt).unwrap();
        }
        assert_eq!(serde_json::to_vec(&rebuilt).unwrap(), last.body);
        assert!(last.patches_from(Some("unknown")).is_none());
        assert!(last.patches_from(None).is_none());
        // A version reached without a patch starts the chain again.
        let whole = publish(&envelope(json!({"other": 1})), Some(last));
        assert!(whole.chain.is_empty());
    }
}
