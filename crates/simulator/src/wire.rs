//! OWLCMS's side of the wire, written as OWLCMS writes it: versioned binary frame headers, ZIP
//! payloads, `sha256:` checksums, wall-clock milliseconds, and the loosely typed values and
//! array-encoded dates of the databases it exports. The tracker's decoding of the same bytes is
//! in its own `protocol` module; this crate never borrows it (the tracker binary depends on
//! this crate).

use serde_json::Value;
use std::io::{Cursor, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// A versioned binary frame as OWLCMS sends it: `[u32 len][version][u32 len][type][payload]`,
/// lengths big-endian.
pub fn encode_frame(version: &str, type_name: &str, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(8 + version.len() + type_name.len() + payload.len());
    frame.extend_from_slice(&(version.len() as u32).to_be_bytes());
    frame.extend_from_slice(version.as_bytes());
    frame.extend_from_slice(&(type_name.len() as u32).to_be_bytes());
    frame.extend_from_slice(type_name.as_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// A ZIP of named entries (deflated, as OWLCMS's exports); the one ZIP builder of the tests.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        // Writing to memory cannot fail except for a duplicate name, which callers never pass.
        let _ = writer.start_file(*name, zip::write::SimpleFileOptions::default());
        let _ = writer.write_all(data);
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// `sha256:<hex>`, the form of OWLCMS's checksums.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Milliseconds since the epoch, as OWLCMS stamps its timers.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// An integer sent as a JSON number or a numeric string (`"60000"`, `"61.0"`).
pub fn as_i64(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().map(|f| f.round() as i64))
        }
        _ => None,
    }
}

/// A string field; numbers and booleans are rendered as text.
pub fn as_string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Rewrites every `…Date`/`…Time` field sent as an array of integers (older OWLCMS builds,
/// Jackson's default) as the ISO string newer builds send, so the simulator exports one form.
pub fn normalise_dates(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if (key.ends_with("Date") || key.ends_with("Time"))
                    && let Some(iso) = iso_from_array(field)
                {
                    *field = Value::String(iso);
                    continue;
                }
                normalise_dates(field);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_dates),
        _ => {}
    }
}

fn iso_from_array(value: &Value) -> Option<String> {
    let parts: Vec<i64> = value.as_array()?.iter().map(Value::as_i64).collect::<Option<_>>()?;
    if !(3..=7).contains(&parts.len()) {
        return None;
    }
    let mut iso = format!("{:04}-{:02}-{:02}", parts[0], parts[1], parts[2]);
    if parts.len() >= 5 {
        iso += &format!("T{:02}:{:02}", parts[3], parts[4]);
    }
    if parts.len() >= 6 {
        iso += &format!(":{:02}", parts[5]);
    }
    if let Some(&nanos) = parts.get(6).filter(|n| **n > 0) {
        // java.time's toString precision: 3, 6 or 9 digits.
        iso += &if nanos % 1_000_000 == 0 {
            format!(".{:03}", nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            format!(".{:06}", nanos / 1_000)
        } else {
            format!(".{nanos:09}")
        };
    }
    Some(iso)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frame_header_is_two_length_prefixed_strings() {
        let frame = encode_frame("64.0.0", "flags_zip", b"PK");
        assert_eq!(&frame[..4], &[0, 0, 0, 6]);
        assert_eq!(&frame[4..10], b"64.0.0");
        assert_eq!(&frame[10..14], &[0, 0, 0, 9]);
        assert_eq!(&frame[14..23], b"flags_zip");
        assert_eq!(&frame[23..], b"PK");
    }

    #[test]
    fn array_dates_become_iso() {
        let mut v = json!({"fullBirthDate": [1990, 5, 7], "a": [{"liftTime": [2025, 12, 18, 14, 5, 16, 652_000_000]}]});
        normalise_dates(&mut v);
        assert_eq!(v, json!({"fullBirthDate": "1990-05-07", "a": [{"liftTime": "2025-12-18T14:05:16.652"}]}));
    }

    #[test]
    fn scalars_arrive_as_numbers_or_strings() {
        assert_eq!(as_i64(Some(&json!("61.0"))), Some(61));
        assert_eq!(as_string(Some(&json!(7))), Some("7".into()));
        assert!(sha256_hex(b"").starts_with("sha256:e3b0c442"));
    }
}
