//! OWLCMS's session athlete entries (`{athleteKey, athlete, displayInfo}`): their key, and the
//! one merge of the athlete DTO with its display texts that the live boards show (display text
//! wins, as on OWLCMS's own scoreboards). Merged session *results* follow rule R1.5 instead
//! (numbers win; `hub::results`).

use super::scalar::key_string;
use serde_json::{Map, Value};

/// The entry's athlete key: `athleteKey`, else `athlete.key`.
pub fn entry_key(entry: &Value) -> Option<String> {
    entry.get("athleteKey").and_then(key_string).or_else(|| entry.pointer("/athlete/key").and_then(key_string))
}

/// The athlete DTO overlaid with `displayInfo` (an entry without them gives an empty object).
pub fn displayed(entry: &Value) -> Map<String, Value> {
    let mut merged = entry.get("athlete").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(Value::Object(display)) = entry.get("displayInfo") {
        merged.extend(display.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_text_wins_and_the_key_falls_back_to_the_dto() {
        let entry = json!({"athlete": {"key": -7, "total": 250, "lastName": "Kværnø"}, "displayInfo": {"total": "-"}});
        assert_eq!(entry_key(&entry).as_deref(), Some("-7"));
        let merged = displayed(&entry);
        assert_eq!((merged["total"].clone(), merged["lastName"].clone()), (json!("-"), json!("Kværnø")));
        assert_eq!(entry_key(&json!({"athleteKey": "12", "athlete": {"key": 3}})).as_deref(), Some("12"));
        assert!(displayed(&json!({"isSpacer": true})).is_empty());
    }
}
