//! Normalisation of OWLCMS's loosely typed values: numbers and booleans that arrive as
//! strings, keys that are integers (possibly negative) or strings, and JSON inside strings.

use serde_json::{Map, Value};

/// Reads a boolean sent as `true`, `"true"`, `1` or `"1"` (case-insensitive).
pub fn as_bool(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" | "" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        _ => None,
    }
}

/// Reads an integer sent as a JSON number or a numeric string (`"60000"`, `"-130"`, `"61.0"`).
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

/// Reads a string field; numbers and booleans are rendered as text.
pub fn as_string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Normalises an athlete key (int, negative int or string) to the string used for lookups.
pub fn key_string(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => n.as_i64().map(|k| k.to_string()),
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.parse::<i64>().map(|k| k.to_string()).unwrap_or(s.into()))
        }
        _ => None,
    }
}

/// Parses the named fields in place when they arrive as JSON text instead of JSON values.
/// A field whose text is not JSON is left as it is.
pub fn parse_json_strings(map: &mut Map<String, Value>, fields: &[&str]) {
    for field in fields {
        if let Some(Value::String(text)) = map.get(*field) {
            let trimmed = text.trim_start();
            if (trimmed.starts_with('[') || trimmed.starts_with('{'))
                && let Ok(parsed) = serde_json::from_str::<Value>(text)
            {
                map.insert((*field).to_owned(), parsed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_arrive_in_any_type() {
        assert_eq!(as_bool(Some(&json!("true"))), Some(true));
        assert_eq!(as_bool(Some(&json!(false))), Some(false));
        assert_eq!(as_bool(Some(&json!("FALSE"))), Some(false));
        assert_eq!(as_bool(None), None);
        assert_eq!(as_i64(Some(&json!("60000"))), Some(60000));
        assert_eq!(as_i64(Some(&json!(120000))), Some(120000));
        assert_eq!(as_i64(Some(&json!("-130"))), Some(-130));
        assert_eq!(as_i64(Some(&json!("x"))), None);
        assert_eq!(as_string(Some(&json!(4))), Some("4".into()));
    }

    #[test]
    fn keys_normalise_to_strings() {
        assert_eq!(key_string(&json!(-2072446646)), Some("-2072446646".into()));
        assert_eq!(key_string(&json!("1907684233")), Some("1907684233".into()));
        assert_eq!(key_string(&json!(" 007 ")), Some("7".into()));
        assert_eq!(key_string(&json!({"isSpacer": true})), None);
    }

    #[test]
    fn json_in_strings_is_parsed() {
        let mut map =
            json!({"records": "{\"nbRecords\":2}", "leaders": "not json", "x": "[1]"}).as_object().cloned().unwrap();
        parse_json_strings(&mut map, &["records", "leaders"]);
        assert_eq!(map["records"]["nbRecords"], 2);
        assert_eq!(map["leaders"], "not json");
        assert_eq!(map["x"], "[1]");
    }
}
