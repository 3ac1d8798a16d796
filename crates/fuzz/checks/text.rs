//! Fuzz property of the text envelope and scalar decoding (`protocol::decode_text`, `protocol::scalar`).

use owlcms_tracker::protocol::scalar::{as_bool, as_i64, as_string, key_string, parse_json_strings};
use owlcms_tracker::protocol::{MINIMUM_VERSION, Version, check_version, decode_text};
use serde_json::Value;

/// Most payload values looked at per input, so a huge payload stays one fast execution.
const MAX_VALUES: usize = 20_000;

/// Decodes `data` as a text frame; an accepted envelope has a version at or above the minimum
/// that prints and parses back to itself, and every scalar of its payload decodes consistently.
pub fn check(data: &[u8]) {
    // The WebSocket layer hands the ingest only valid UTF-8 text frames.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let envelope = match decode_text(text) {
        Ok(envelope) => envelope,
        Err(error) => {
            // A refused frame is answered with this text, and a version error latches its version.
            assert!(!error.to_string().is_empty());
            if error.received_version().is_some() {
                assert!(error.is_version_error());
            }
            return;
        }
    };
    let version = check_version(&envelope.version).expect("an accepted envelope has an accepted version");
    assert!(version >= MINIMUM_VERSION);
    assert_eq!(Version::parse(&version.to_string()), Some(version), "a version prints as it parses");
    let mut payload = envelope.payload;
    let mut seen = 0;
    for value in payload.values() {
        scalars(value, &mut seen);
    }
    let fields: Vec<String> = payload.keys().cloned().collect();
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let before = payload.clone();
    parse_json_strings(&mut payload, &fields);
    assert_eq!(payload.len(), before.len(), "parsing JSON text neither adds nor drops fields");
    for (field, value) in &payload {
        if value != &before[field] {
            let Value::String(text) = &before[field] else { panic!("only JSON text is replaced ({field})") };
            assert_eq!(serde_json::from_str::<Value>(text).ok().as_ref(), Some(value));
        }
    }
}

fn scalars(value: &Value, seen: &mut usize) {
    *seen += 1;
    if *seen > MAX_VALUES {
        return;
    }
    let _ = (as_bool(Some(value)), as_i64(Some(value)), as_string(Some(value)));
    if let Some(key) = key_string(value) {
        // A normalised key is its own normal form: every spelling of a key meets in one string.
        assert_eq!(key_string(&Value::String(key.clone())).as_ref(), Some(&key), "key {value} → {key:?}");
    }
    if let Some(n) = value.as_i64() {
        assert_eq!(as_i64(Some(&Value::String(n.to_string()))), Some(n), "integer text reads back");
    }
    if let Some(b) = value.as_bool() {
        assert_eq!(as_bool(Some(&Value::String(b.to_string()))), Some(b), "boolean text reads back");
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| scalars(v, seen)),
        Value::Object(map) => map.values().for_each(|v| scalars(v, seen)),
        _ => {}
    }
}
