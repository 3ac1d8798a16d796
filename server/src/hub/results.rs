//! Results of every session lifted since the database was loaded (behaviour rule R1): each
//! accepted `update`'s session athletes merged by athlete key over what OWLCMS sent before, and
//! the sessions OWLCMS reported finished. OWLCMS does not resend the database when a platform
//! moves to its next session, so without this the finished session's lifts would vanish from
//! every cross-session board. A newer database replaces it all (R1.7).
//!
//! Choices where the original receiver has quirks (recorded in the issue note too):
//! - R1.5: the original writes OWLCMS's display text (`"220"`, `"-"`, `"(100)"`) over numeric
//!   fields. Here the athlete DTO (numbers) wins and display-only strings never replace the
//!   numeric fields scoring reads ([`NUMERIC_DISPLAY_FIELDS`]).
//! - R1.6: no skeleton database is invented; the results live beside the database, so a tracker
//!   without a database still asks OWLCMS for one.
//! - OQ-12: participations are put back registration-first after every merge (R6.1).

use super::database::registration_first;
use crate::protocol::scalar::key_string;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Display-info fields that OWLCMS sends as formatted text and that share their name with a
/// number the engine reads: the DTO's number is kept, the text is never merged.
pub const NUMERIC_DISPLAY_FIELDS: [&str; 12] = [
    "total",
    "bestSnatch",
    "bestCleanJerk",
    "snatchRank",
    "cleanJerkRank",
    "totalRank",
    "sinclair",
    "sinclairRank",
    "startNumber",
    "bodyWeight",
    "sattempts",
    "cattempts",
];

/// Fields where the session's value wins over the database even when it is empty: a
/// session athlete who has not lifted yet has no result, whatever an older export said.
pub fn is_result_field(field: &str) -> bool {
    let attempt = ["snatch", "cleanJerk"].iter().any(|lift| {
        field.strip_prefix(lift).is_some_and(|rest| {
            rest.len() > 1
                && rest.as_bytes()[0].is_ascii_digit()
                && ["Declaration", "Change1", "Change2", "ActualLift", "LiftTime", "AutomaticProgression"]
                    .contains(&&rest[1..])
        })
    });
    attempt
        || matches!(
            field,
            "bestSnatch" | "bestCleanJerk" | "total" | "snatchRank" | "cleanJerkRank" | "totalRank" | "bodyWeight"
        )
}

/// What the hub knows beyond the last database: merged session athletes and finished sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResults {
    /// Checksum of the database these results were merged over (`None`: no database yet).
    pub database: Option<String>,
    /// Merged athlete records by normalised key (the athlete DTO with display-only extras).
    pub athletes: BTreeMap<String, Arc<Value>>,
    /// Keys in the order they were first seen, so athletes the database lacks are appended in
    /// a stable order (R1.3).
    pub order: Vec<String>,
    /// Sessions OWLCMS reported finished (`GroupDone`) since the database was loaded.
    pub done_sessions: BTreeSet<String>,
    /// Bumped on every change; part of every cache key that depends on results.
    pub revision: u64,
}

impl SessionResults {
    /// Empty results for a freshly loaded database.
    pub fn for_database(checksum: Option<String>) -> SessionResults {
        SessionResults { database: checksum, ..SessionResults::default() }
    }

    /// Merges an update's session athletes (R1.1–R1.3); true when anything changed.
    pub fn merge_session_athletes(&mut self, session_athletes: Option<&Value>) -> bool {
        let mut changed = false;
        for entry in session_athletes.and_then(Value::as_array).into_iter().flatten() {
            let Some((key, record)) = merged_record(entry) else { continue };
            match self.athletes.get(&key) {
                Some(old) if **old == record => {}
                Some(_) => {
                    self.athletes.insert(key, Arc::new(record));
                    changed = true;
                }
                None => {
                    self.order.push(key.clone());
                    self.athletes.insert(key, Arc::new(record));
                    changed = true;
                }
            }
        }
        if changed {
            self.revision += 1;
        }
        changed
    }

    /// Marks a session finished (R9.2 `GroupDone`); true when it was not already.
    pub fn mark_done(&mut self, session: &str) -> bool {
        let added = !session.is_empty() && self.done_sessions.insert(session.to_owned());
        if added {
            self.revision += 1;
        }
        added
    }

    /// Whether a session is finished: by the database's `done` flag or by OWLCMS since.
    pub fn is_done(&self, session: &str, database_done: bool) -> bool {
        database_done || self.done_sessions.contains(session)
    }
}

/// The record a session entry merges as: the DTO, plus display-info fields the DTO lacks that
/// are not formatted numbers. The key is `athlete.key` (R1.2), else `athleteKey`.
fn merged_record(entry: &Value) -> Option<(String, Value)> {
    let dto = entry.get("athlete").and_then(Value::as_object);
    let key = dto
        .and_then(|d| d.get("key"))
        .and_then(key_string)
        .or_else(|| entry.get("athleteKey").and_then(key_string))
        .or_else(|| entry.get("key").and_then(key_string))
        .filter(|k| !k.trim().is_empty())?;
    let mut record: Map<String, Value> = match dto {
        Some(dto) => dto.clone(),
        // A flat entry is used as is (R1.2).
        None => entry.as_object()?.clone(),
    };
    if let Some(Value::Object(display)) = entry.get("displayInfo") {
        for (field, value) in display {
            if !record.contains_key(field) && !NUMERIC_DISPLAY_FIELDS.contains(&field.as_str()) {
                record.insert(field.clone(), value.clone());
            }
        }
    }
    record.remove("athleteKey");
    if let Some(Value::Array(participations)) = record.get_mut("participations") {
        let registration = dto.and_then(|d| d.get("categoryCode")).cloned();
        registration_first(participations, registration.as_ref());
    }
    Some((key, Value::Object(record)))
}

/// A database record with the session's record laid over it: result fields always take the
/// session's value (empty included), other fields only when the session has a value.
pub fn overlay(database_record: &mut Map<String, Value>, session: &Value) {
    for (field, value) in session.as_object().into_iter().flatten() {
        if !value.is_null() || is_result_field(field) || !database_record.contains_key(field) {
            database_record.insert(field.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The sequence of behaviour rule R1 (steps 2–4), on the hub's side.
    #[test]
    fn r1_session_athletes_merge_by_key_and_keep_numbers() {
        let mut results = SessionResults::for_database(Some("c1".into()));
        let entry = |total: &str, lift: Value| {
            json!([{"athleteKey": "1001", "athlete": {"key": 1001, "snatch1ActualLift": lift, "total": 0},
                "displayInfo": {"fullName": "DOE, John", "total": total, "flagURL": "/local/flags/X.svg"}}])
        };
        assert!(results.merge_session_athletes(Some(&entry("-", json!(100)))));
        let john = &results.athletes["1001"];
        assert_eq!(john["snatch1ActualLift"], 100);
        assert_eq!(john["total"], 0, "display text never replaces the DTO's number");
        assert_eq!(john["fullName"], "DOE, John");
        assert_eq!(john["flagURL"], "/local/flags/X.svg");
        assert!(!results.merge_session_athletes(Some(&entry("-", json!(100)))), "a repeat changes nothing");
        let rev = results.revision;
        assert!(results.merge_session_athletes(Some(&entry("220", json!(101)))));
        assert_eq!(results.revision, rev + 1);
        let other = json!([{"athleteKey": "7", "athlete": {"key": "7"}, "displayInfo": {}}]);
        assert!(results.merge_session_athletes(Some(&other)));
        assert_eq!(results.order, ["1001", "7"], "new keys are appended");
        assert_eq!(results.athletes["1001"]["snatch1ActualLift"], 101, "earlier session kept");
        assert!(!results.merge_session_athletes(Some(&json!([{"athlete": {"key": " "}}]))), "blank key skipped");
    }

    #[test]
    fn r1_live_result_fields_win_even_when_empty() {
        let mut db = json!({"key": 1, "snatch1ActualLift": 80, "total": 190, "coach": "Ann", "membership": "9"});
        let session = json!({"key": 1, "snatch1ActualLift": null, "total": 0, "coach": null});
        overlay(db.as_object_mut().unwrap(), &session);
        assert_eq!(db["snatch1ActualLift"], Value::Null, "not lifted yet in this session");
        assert_eq!(db["total"], 0);
        assert_eq!(db["coach"], "Ann", "a null non-result field does not erase the database");
        assert_eq!(db["membership"], "9");
        assert!(is_result_field("cleanJerk3Change2") && !is_result_field("snatchRankX"));
    }

    #[test]
    fn r6_merged_participations_stay_registration_first() {
        let mut results = SessionResults::default();
        let entry = json!([{"athlete": {"key": 3, "categoryCode": "PSR_F86",
            "participations": [{"categoryCode": "U20_F86", "totalRank": 2}, {"categoryCode": "PSR_F86", "totalRank": 5}]}}]);
        results.merge_session_athletes(Some(&entry));
        assert_eq!(results.athletes["3"]["participations"][0]["categoryCode"], "PSR_F86");
    }

    #[test]
    fn done_sessions_count_once() {
        let mut results = SessionResults::default();
        assert!(results.mark_done("M1") && !results.mark_done("M1") && !results.mark_done(""));
        assert!(results.is_done("M1", false) && results.is_done("M2", true) && !results.is_done("M2", false));
    }
}
