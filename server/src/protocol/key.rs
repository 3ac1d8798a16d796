//! The update key in OWLCMS text frames: compared in constant time, and replaced in a frame's
//! raw text (redaction in learning-mode captures, a key put back by `replay`) without
//! touching any other byte.

use sha2::{Digest, Sha256};

/// The member names receivers accept for the key (OWLCMS sends `updateKey`).
pub const KEY_MEMBERS: [&str; 3] = ["updateKey", "update_key", "updatekey"];

/// What learning mode saves instead of the key.
pub const REDACTED: &str = "<redacted>";

/// Whether `given` equals `expected`, in a time that depends on neither: both are hashed to a
/// fixed length first, and the digests are compared with a fold that never stops early.
pub fn keys_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter().zip(b.iter()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// `text` with the string value of every key member (any depth) replaced by `value`, JSON
/// escaped; `None` when there is none. Everything else stays byte for byte, so a frame that is
/// not valid JSON is still handled as far as it can be scanned.
pub fn replace_update_key(text: &str, value: &str) -> Option<String> {
    let replacement = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into());
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    // The last string seen and whether a `:` followed it: then it was a member name.
    let mut name: Option<(usize, usize)> = None;
    let mut after_colon = false;
    let mut replaced = false;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let end = string_end(bytes, at);
                if after_colon
                    && name.is_some_and(|(s, e)| text.get(s + 1..e - 1).is_some_and(|n| KEY_MEMBERS.contains(&n)))
                {
                    out.push_str(&text[copied..at]);
                    out.push_str(&replacement);
                    copied = end;
                    replaced = true;
                    name = None;
                } else {
                    name = (!after_colon).then_some((at, end));
                }
                after_colon = false;
                at = end;
                continue;
            }
            b':' => after_colon = name.is_some(),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                name = None;
                after_colon = false;
            }
        }
        at += 1;
    }
    if !replaced {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Index just past the closing quote of the string starting at `start` (or the text's end).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_by_content_only() {
        assert!(keys_match("Louis-Cyr", "Louis-Cyr"));
        assert!(!keys_match("Louis-Cyr", "Louis-Cyr "));
        assert!(!keys_match("", "x"));
        assert!(keys_match("", ""));
    }

    #[test]
    fn only_the_key_value_changes() {
        let text =
            "{\"version\":\"64.0.0\", \"payload\": {\"a\":\"updateKey\",\"updateKey\" : \"Lou\\\"is\",\"b\":[1, 2]}}";
        let redacted = replace_update_key(text, REDACTED).unwrap();
        assert_eq!(
            redacted,
            "{\"version\":\"64.0.0\", \"payload\": {\"a\":\"updateKey\",\"updateKey\" : \"<redacted>\",\"b\":[1, 2]}}"
        );
        assert_eq!(replace_update_key(&redacted, "Lou\"is").unwrap(), text);
        assert_eq!(replace_update_key("{\"x\":\"updateKey\"}", REDACTED), None);
        assert_eq!(replace_update_key("{\"update_key\":\"k\"", "K").as_deref(), Some("{\"update_key\":\"K\""));
        assert_eq!(replace_update_key("{\"updateKey\":null}", "K"), None, "only string values are keys");
    }
}
