//! The bytes that travel between the ingest node and the relays: one record per key-value
//! entry, a JSON header line then the raw parts it names (the SSE frames exactly as the ingest
//! node built them, so a relay's viewers get the same bytes without re-encoding anything).

use axum::body::Bytes;
use owlcms_contract::events::{ClockEvent, DecisionEvent};
use serde::{Deserialize, Serialize};

/// A record that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// No header line, a header that is not JSON, or parts longer than the record.
    #[error("malformed relay record: {0}")]
    Malformed(&'static str),
}

/// What an ingest node publishes for one wanted view (key = the demand id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ViewHeader {
    /// Content id of the view (`None` until the mapping first succeeds).
    pub id: Option<String>,
    /// The version the patch applies to, when there is one.
    pub base: Option<String>,
    /// The resolved FOP (a request without `fop=` on a single-platform competition names it).
    pub fop: Option<String>,
    /// The last mapping error.
    pub error: Option<String>,
    /// When the query does not name a view: the HTTP status the ingest node answers with.
    pub http_status: Option<u16>,
}

/// A view record: the header, then the parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewRecord {
    /// What the parts are.
    pub header: ViewHeader,
    /// The envelope JSON (`/api/view`'s body), or the error body when `http_status` is set.
    pub body: Bytes,
    /// The `patch` SSE frame from `header.base` (empty without one).
    pub patch: Bytes,
    /// The `status` event data.
    pub status: Bytes,
}

/// What an ingest node publishes for one FOP (key = the FOP name in hex).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FopHeader {
    /// Random per ingest start: sequence numbers compare only within one epoch.
    pub epoch: u64,
    /// The ingest node's clock version.
    pub clock_seq: u64,
    /// The ingest node's decision version.
    pub decision_seq: u64,
    /// The clocks after the last change.
    pub clock: ClockEvent,
    /// The lights after the last change.
    pub decision: DecisionEvent,
}

/// A FOP record: the header, the clock delta frame and the decision frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FopRecord {
    /// States and versions.
    pub header: FopHeader,
    /// The `clock` frame from `clock_seq - 1` to `clock_seq`.
    pub clock_delta: Bytes,
    /// The `decision` frame.
    pub decision_frame: Bytes,
}

#[derive(Serialize, Deserialize)]
struct Framed<H> {
    #[serde(flatten)]
    header: H,
    /// Lengths of the parts that follow the header line.
    parts: Vec<usize>,
}

fn encode<H: Serialize>(header: H, parts: &[&[u8]]) -> Bytes {
    let framed = Framed { header, parts: parts.iter().map(|p| p.len()).collect() };
    // Plain data: serialising it cannot fail.
    let mut out = serde_json::to_vec(&framed).unwrap_or_default();
    out.push(b'\n');
    for part in parts {
        out.extend_from_slice(part);
    }
    Bytes::from(out)
}

fn decode<H: for<'a> Deserialize<'a>>(record: &Bytes, count: usize) -> Result<(H, Vec<Bytes>), WireError> {
    let newline = record.iter().position(|b| *b == b'\n').ok_or(WireError::Malformed("no header line"))?;
    let framed: Framed<H> =
        serde_json::from_slice(&record[..newline]).map_err(|_| WireError::Malformed("header is not JSON"))?;
    if framed.parts.len() != count {
        return Err(WireError::Malformed("wrong number of parts"));
    }
    let mut at = newline + 1;
    let mut parts = Vec::with_capacity(count);
    for len in framed.parts {
        let end = at.checked_add(len).filter(|end| *end <= record.len()).ok_or(WireError::Malformed("short record"))?;
        parts.push(record.slice(at..end));
        at = end;
    }
    Ok((framed.header, parts))
}

impl ViewRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Bytes {
        encode(&self.header, &[&self.body, &self.patch, &self.status])
    }

    /// Reads a record (the parts share `record`'s memory).
    pub fn decode(record: &Bytes) -> Result<ViewRecord, WireError> {
        let (header, mut parts) = decode::<ViewHeader>(record, 3)?;
        let status = parts.pop().unwrap_or_default();
        let patch = parts.pop().unwrap_or_default();
        let body = parts.pop().unwrap_or_default();
        Ok(ViewRecord { header, body, patch, status })
    }
}

impl FopRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Bytes {
        encode(&self.header, &[&self.clock_delta, &self.decision_frame])
    }

    /// Reads a record.
    pub fn decode(record: &Bytes) -> Result<FopRecord, WireError> {
        let (header, mut parts) = decode::<FopHeader>(record, 2)?;
        let decision_frame = parts.pop().unwrap_or_default();
        let clock_delta = parts.pop().unwrap_or_default();
        Ok(FopRecord { header, clock_delta, decision_frame })
    }
}

/// A GET response the ingest node answers (the catalogue, FOP list, languages), as a relay
/// replays it: status, the headers that describe the body, the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResponseHeader {
    /// HTTP status.
    pub status: u16,
    /// `content-type`, `cache-control`, `etag`…, in the ingest node's order.
    pub headers: Vec<(String, String)>,
}

/// A response record: the header, then the body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseRecord {
    /// Status and headers.
    pub header: ResponseHeader,
    /// The body, byte for byte.
    pub body: Bytes,
}

/// A file of the ingest node's local or plugins folders (key = its path in hex).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FileHeader {
    /// The path under the mirror (`local/flags/FRA.svg`, `plugins/x/style.css`).
    pub path: String,
    /// Modification time on the ingest node, nanoseconds since the epoch (a relay gives its
    /// copy the same, so `Last-Modified` matches).
    pub modified_ns: u64,
}

/// A file record: the header, then the file's bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileRecord {
    /// Path and time.
    pub header: FileHeader,
    /// The bytes.
    pub data: Bytes,
}

impl ResponseRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Bytes {
        encode(&self.header, &[&self.body])
    }

    /// Reads a record.
    pub fn decode(record: &Bytes) -> Result<ResponseRecord, WireError> {
        let (header, mut parts) = decode::<ResponseHeader>(record, 1)?;
        Ok(ResponseRecord { header, body: parts.pop().unwrap_or_default() })
    }
}

impl FileRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Bytes {
        encode(&self.header, &[&self.data])
    }

    /// Reads a record.
    pub fn decode(record: &Bytes) -> Result<FileRecord, WireError> {
        let (header, mut parts) = decode::<FileHeader>(record, 1)?;
        Ok(FileRecord { header, data: parts.pop().unwrap_or_default() })
    }
}

/// The text of a key made by [`key_of`].
pub fn text_of_key(key: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> =
        (0..key.len()).step_by(2).map(|i| key.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    String::from_utf8(bytes?).ok()
}

/// A key-value key for any text (keys allow only `[-_=.a-zA-Z0-9/]`; FOP names are free text).
pub fn key_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_the_trip_byte_for_byte() {
        let view = ViewRecord {
            header: ViewHeader { id: Some("abc".into()), base: Some("abb".into()), ..ViewHeader::default() },
            body: Bytes::from_static(b"{\"a\":\n1}"),
            patch: Bytes::from_static(b"event: patch\nid: abc\ndata: []\n\n"),
            status: Bytes::from_static(b"{}"),
        };
        assert_eq!(ViewRecord::decode(&view.encode()).unwrap(), view);
        let fop = FopRecord {
            header: FopHeader { epoch: 7, clock_seq: 3, ..FopHeader::default() },
            clock_delta: Bytes::from_static(b"event: clock\ndata: {}\n\n"),
            decision_frame: Bytes::new(),
        };
        assert_eq!(FopRecord::decode(&fop.encode()).unwrap(), fop);
        let response = ResponseRecord {
            header: ResponseHeader { status: 200, headers: vec![("content-type".into(), "application/json".into())] },
            body: Bytes::from_static(b"{\"plugins\":[]}\n"),
        };
        assert_eq!(ResponseRecord::decode(&response.encode()).unwrap(), response);
        let file = FileRecord {
            header: FileHeader { path: "local/flags/FRA.svg".into(), modified_ns: 1 },
            data: Bytes::from_static(b"<svg>\n\n</svg>"),
        };
        assert_eq!(FileRecord::decode(&file.encode()).unwrap(), file);
    }

    #[test]
    fn a_truncated_record_is_refused() {
        let bytes = ViewRecord { body: Bytes::from_static(b"0123456789"), ..ViewRecord::default() }.encode();
        assert!(ViewRecord::decode(&bytes.slice(..bytes.len() - 1)).is_err());
        assert!(ViewRecord::decode(&Bytes::from_static(b"no newline")).is_err());
    }

    #[test]
    fn fop_keys_are_safe() {
        assert_eq!(key_of("A 1"), "412031");
        assert_eq!(text_of_key(&key_of("local/flags/Bjørgvin IL.svg")).as_deref(), Some("local/flags/Bjørgvin IL.svg"));
        assert_eq!(text_of_key("4"), None);
    }
}
