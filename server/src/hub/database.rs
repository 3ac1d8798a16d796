//! The competition database (V2 export): parsing, date normalisation and the indexes the
//! hub needs. The raw JSON is kept whole because plugins read many of its fields by name.

use crate::hash::sha256_hex;
use crate::protocol::dates::{birth_year, normalise_dates};
use crate::protocol::scalar::{as_string, key_string};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A loaded competition database.
#[derive(Debug)]
pub struct Database {
    /// The whole database with dates normalised to ISO strings and a few derived fields.
    pub raw: Value,
    /// Identity used to skip reloading the same database (OWLCMS checksum, else our hash).
    pub checksum: String,
    /// SHA-256 of the bytes it was parsed from, to spot identical resends without a checksum.
    pub bytes_hash: String,
    /// Athlete index by normalised key into `raw["athletes"]`.
    pub athlete_index: HashMap<String, usize>,
    /// FOP (platform) names in database order.
    pub fop_names: Vec<String>,
}

/// A database payload that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// Not JSON.
    #[error("database is not valid JSON: {0}")]
    Json(String),
    /// JSON, but not an object with an `athletes` array.
    #[error("database has no \"athletes\" array")]
    NoAthletes,
}

impl Database {
    /// Parses database JSON (bare, or wrapped as `{"database": {...}}`).
    pub fn parse(bytes: &[u8], checksum: Option<String>) -> Result<Database, DatabaseError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| DatabaseError::Json(e.to_string()))?;
        Database::from_value(value, checksum, sha256_hex(bytes))
    }

    /// Builds a database from an already parsed value.
    pub fn from_value(value: Value, checksum: Option<String>, bytes_hash: String) -> Result<Database, DatabaseError> {
        let mut raw = match value {
            Value::Object(mut map)
                if !map.contains_key("athletes") && map.get("database").is_some_and(Value::is_object) =>
            {
                map.remove("database").unwrap_or_default()
            }
            other => other,
        };
        if !raw.get("athletes").is_some_and(Value::is_array) {
            return Err(DatabaseError::NoAthletes);
        }
        normalise_dates(&mut raw);
        let teams: HashMap<String, String> = raw["teams"]
            .as_array()
            .map(|teams| {
                teams.iter().filter_map(|t| Some((key_string(t.get("id")?)?, as_string(t.get("name"))?))).collect()
            })
            .unwrap_or_default();
        let mut athlete_index = HashMap::new();
        if let Some(athletes) = raw["athletes"].as_array_mut() {
            for (i, athlete) in athletes.iter_mut().enumerate() {
                let Some(map) = athlete.as_object_mut() else { continue };
                add_derived_athlete_fields(map, &teams);
                reorder_participations(map);
                if let Some(key) = map.get("key").and_then(key_string) {
                    athlete_index.insert(key, i);
                }
            }
        }
        let fop_names = raw["platforms"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| as_string(p.get("name"))).collect())
            .unwrap_or_default();
        Ok(Database {
            checksum: checksum.unwrap_or_else(|| bytes_hash.clone()),
            bytes_hash,
            raw,
            athlete_index,
            fop_names,
        })
    }

    /// The competition name, when the database has one.
    pub fn competition_name(&self) -> Option<&str> {
        self.raw.pointer("/competition/competitionName").and_then(Value::as_str)
    }

    /// Number of athletes.
    pub fn athlete_count(&self) -> usize {
        self.raw["athletes"].as_array().map_or(0, Vec::len)
    }

    /// An athlete by key (any key spelling: int, negative int, string).
    pub fn athlete(&self, key: &Value) -> Option<&Value> {
        let index = *self.athlete_index.get(&key_string(key)?)?;
        self.raw["athletes"].get(index)
    }
}

fn add_derived_athlete_fields(map: &mut Map<String, Value>, teams: &HashMap<String, String>) {
    if !map.contains_key("yearOfBirth")
        && let Some(year) = birth_year(map.get("fullBirthDate"))
    {
        map.insert("yearOfBirth".into(), year.into());
    }
    if !map.contains_key("teamName")
        && let Some(name) = map.get("team").and_then(key_string).and_then(|k| teams.get(&k))
    {
        map.insert("teamName".into(), name.clone().into());
    }
}

/// R6.1: the participation in the athlete's registration category goes first, so every
/// ranking and category label uses it; a non-list becomes `[]`.
fn reorder_participations(map: &mut Map<String, Value>) {
    let registration = map.get("categoryCode").cloned();
    match map.get_mut("participations") {
        Some(Value::Array(list)) => registration_first(list, registration.as_ref()),
        Some(other) => *other = Value::Array(Vec::new()),
        None => {}
    }
}

/// Moves the participation whose `categoryCode` equals `registration` to the front; the others
/// keep their order. Unchanged without a match, with fewer than two entries or no registration.
pub fn registration_first(list: &mut [Value], registration: Option<&Value>) {
    let Some(code) = registration.and_then(|c| as_string(Some(c))).filter(|c| !c.is_empty()) else { return };
    if list.len() < 2 {
        return;
    }
    if let Some(at) = list.iter().position(|p| as_string(p.get("categoryCode")).as_deref() == Some(code.as_str())) {
        list[..=at].rotate_right(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Behaviour rule R6.1 and its example.
    #[test]
    fn r6_registration_participation_moves_first() {
        let db = json!({"athletes": [
            {"key": 1, "categoryCode": "PSR_F86", "participations": [{"categoryCode": "U20_F86", "totalRank": 2},
                {"categoryCode": "X_F86"}, {"categoryCode": "PSR_F86", "totalRank": 5}]},
            {"key": 2, "categoryCode": "PSR_F71", "participations": [{"categoryCode": "U20_F86"}, {"categoryCode": "PSR_F86"}]},
            {"key": 3, "categoryCode": "A", "participations": "nonsense"}]});
        let db = Database::from_value(db, None, String::new()).unwrap();
        let codes = |key: i64| -> Vec<Value> {
            db.athlete(&json!(key)).unwrap()["participations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["categoryCode"].clone())
                .collect()
        };
        assert_eq!(codes(1), [json!("PSR_F86"), json!("U20_F86"), json!("X_F86")]);
        assert_eq!(codes(2), [json!("U20_F86"), json!("PSR_F86")], "no match: unchanged");
        assert_eq!(db.athlete(&json!(3)).unwrap()["participations"], json!([]));
    }

    #[test]
    fn parse_indexes_athletes_and_resolves_teams() {
        let db = json!({"database": {"formatVersion": "2.0", "teams": [{"id": 7, "name": "AK Bjørgvin"}],
            "platforms": [{"name": "A"}, {"name": "Plattform B"}],
            "athletes": [{"key": -5, "team": 7, "fullBirthDate": [1990, 1, 2]}]}});
        let bytes = serde_json::to_vec(&db).unwrap();
        let db = Database::parse(&bytes, None).unwrap();
        assert!(db.checksum.starts_with("sha256:"));
        assert_eq!(db.fop_names, ["A", "Plattform B"]);
        let athlete = db.athlete(&json!("-5")).unwrap();
        assert_eq!(athlete["teamName"], "AK Bjørgvin");
        assert_eq!(athlete["yearOfBirth"], 1990);
        assert!(matches!(Database::parse(b"{\"x\":1}", None), Err(DatabaseError::NoAthletes)));
        assert!(matches!(Database::parse(b"{", None), Err(DatabaseError::Json(_))));
    }
}
