//! What the simulator sends at startup besides the database: translations built from OWLCMS's
//! translation table (shipped in `samples/`), a flag per team, and the ZIP frames around them.

use crate::wire::{encode_frame, sha256_hex, zip_of};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// OWLCMS's translation table: one row per key, one column per locale.
const TRANSLATION_TABLE: &str = include_str!("../../../samples/owlcms/translation4.csv");

/// `translations.json` as OWLCMS builds it: every locale, regional maps merged over their
/// base language, and a checksum.
pub fn translations_json() -> Value {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(TRANSLATION_TABLE.as_bytes());
    let headers: Vec<String> = reader.headers().map(|h| h.iter().map(str::to_owned).collect()).unwrap_or_default();
    let locales: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut tables: HashMap<String, Map<String, Value>> = HashMap::new();
    for record in reader.records().flatten() {
        let Some(key) = record.get(0).filter(|k| !k.is_empty()) else { continue };
        for (i, locale) in &locales {
            if let Some(text) = record.get(*i).filter(|t| !t.is_empty()) {
                tables.entry(locale.clone()).or_default().insert(key.to_owned(), json!(text));
            }
        }
    }
    let mut merged = Map::new();
    for (_, locale) in &locales {
        let base = locale.split('_').next().unwrap_or(locale);
        let mut table = tables.get(base).cloned().unwrap_or_default();
        table.extend(tables.get(locale).cloned().unwrap_or_default());
        merged.insert(locale.clone(), Value::Object(table));
    }
    let checksum = sha256_hex(TRANSLATION_TABLE.as_bytes());
    json!({"locales": merged, "translationsChecksum": checksum})
}

/// A two-colour flag with the team's initials, so every team has something to show.
pub fn flag_svg(team: &str) -> String {
    let hash = sha256_hex(team.as_bytes());
    let colour = |at: usize| format!("#{}", &hash[7 + at..13 + at]);
    let initials: String = team.split_whitespace().filter_map(|w| w.chars().next()).take(3).collect();
    let initials = html_escape::encode_text(&initials);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 60 40\"><rect width=\"60\" height=\"40\" fill=\"{}\"/>\
<rect y=\"20\" width=\"60\" height=\"20\" fill=\"{}\"/><text x=\"30\" y=\"27\" font-family=\"sans-serif\" font-size=\"18\" \
font-weight=\"bold\" fill=\"#fff\" text-anchor=\"middle\" stroke=\"#000\" stroke-width=\"0.6\">{initials}</text></svg>",
        colour(0),
        colour(6)
    )
}

/// The `flags_zip` frame for these teams (`<team>.svg`, names with spaces and accents as is).
pub fn flags_frame(version: &str, teams: &[String]) -> Vec<u8> {
    let entries: Vec<(String, String)> = teams.iter().map(|t| (format!("{t}.svg"), flag_svg(t))).collect();
    let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, svg)| (n.as_str(), svg.as_bytes())).collect();
    encode_frame(version, "flags_zip", &zip_of(&entries))
}

/// The `database_zip` frame and its `database_metadata` text frame.
pub fn database_frames(version: &str, database: &Value) -> (String, Vec<u8>) {
    let json = serde_json::to_vec(database).unwrap_or_default();
    let checksum = sha256_hex(&json)[7..].to_owned();
    let metadata = json!({"version": version, "type": "database_metadata", "payload": {"databaseChecksum": checksum}});
    let frame = encode_frame(version, "database_zip", &zip_of(&[("competition.json", &json)]));
    (metadata.to_string(), frame)
}

/// The `translations_zip` frame.
pub fn translations_frame(version: &str, translations: &Value) -> Vec<u8> {
    let json = serde_json::to_vec(translations).unwrap_or_default();
    encode_frame(version, "translations_zip", &zip_of(&[("translations.json", &json)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_cover_every_locale_with_regional_merge() {
        let t = translations_json();
        let locales = t["locales"].as_object().unwrap();
        assert!(locales.len() >= 20, "{}", locales.len());
        assert_eq!(t["locales"]["fr"]["Snatch"], "Arraché");
        assert_eq!(t["locales"]["fr_CA"]["Snatch"], "Arraché", "fr_CA falls back to fr");
        assert_eq!(t["locales"]["en"]["Scoreboard.Start"], "Start");
    }

    #[test]
    fn flags_escape_team_names() {
        let svg = flag_svg("A&B <Club>");
        assert!(svg.contains(">A&lt;</text>"), "{svg}");
    }
}
