//! A whole simulated competition built from a V2 database: platforms (FOPs), their sessions in
//! order, the athletes, category names, records.

use super::model::Lifter;
use crate::wire::{as_i64, as_string};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A record to beat, per category and lift.
#[derive(Debug, Clone)]
pub struct Record {
    /// Federation record name (`Norgesrekord`).
    pub name: String,
    /// Category display name the record applies to.
    pub category: String,
    /// `SNATCH`, `CLEANJERK` or `TOTAL`.
    pub lift: String,
    /// Record weight.
    pub value: i64,
}

/// The competition the simulator plays.
#[derive(Debug, Clone)]
pub struct Meet {
    /// The database it was built from (results of a real meet included); what OWLCMS would
    /// export now is [`Meet::export`].
    pub database: Value,
    /// Sessions finished so far (OWLCMS marks them `done` in its exports).
    pub done_sessions: BTreeSet<String>,
    /// Competition name.
    pub name: String,
    /// Sessions of each FOP, in order.
    pub sessions: BTreeMap<String, Vec<String>>,
    /// Every athlete by key.
    pub lifters: BTreeMap<i64, Lifter>,
    /// Records by category display name.
    pub records: HashMap<String, Vec<Record>>,
    /// Team names.
    pub teams: Vec<String>,
}

/// The database cannot be simulated.
#[derive(Debug, thiserror::Error)]
#[error("cannot simulate this database: {0}")]
pub struct MeetError(pub String);

impl Meet {
    /// Builds the meet from a V2 database (bare or wrapped in `{"database": …}`).
    pub fn from_database(database: Value) -> Result<Meet, MeetError> {
        let database = match database.get("database") {
            Some(inner) if inner.get("athletes").is_some() => inner.clone(),
            _ => database,
        };
        let name = database
            .pointer("/competition/competitionName")
            .and_then(Value::as_str)
            .unwrap_or("Competition")
            .to_owned();
        let mut categories = HashMap::new();
        for group in database["ageGroups"].as_array().into_iter().flatten() {
            let code = as_string(group.get("code")).unwrap_or_default();
            for category in group["categories"].as_array().into_iter().flatten() {
                let gender = as_string(category.get("gender")).unwrap_or_default();
                let max = as_i64(category.get("maximumWeight")).unwrap_or(0);
                let name = as_string(category.get("categoryName")).unwrap_or_default();
                categories.insert(format!("{code}_{gender}{max}"), name);
            }
        }
        let teams: HashMap<i64, String> = database["teams"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| Some((as_i64(t.get("id"))?, as_string(t.get("name"))?)))
            .collect();
        let lifters: BTreeMap<i64, Lifter> = database["athletes"]
            .as_array()
            .ok_or_else(|| MeetError("no athletes".into()))?
            .iter()
            .filter_map(|a| Lifter::from_record(a, &categories, &teams))
            .filter(|l| !l.session.is_empty())
            .map(|l| (l.key, l))
            .collect();
        let mut sessions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for session in database["sessions"].as_array().into_iter().flatten() {
            let Some(name) = as_string(session.get("name")) else { continue };
            if !lifters.values().any(|l| l.session == name) {
                continue;
            }
            let platform = as_string(session.get("platformName")).unwrap_or_else(|| "A".into());
            sessions.entry(platform).or_default().push(name);
        }
        if sessions.is_empty() {
            return Err(MeetError("no session has athletes".into()));
        }
        let mut records: HashMap<String, Vec<Record>> = HashMap::new();
        let lifter_categories: HashMap<&str, (&str, i64)> = lifters
            .values()
            .map(|l| (l.category_code.as_str(), (l.gender.as_str(), category_max(&l.category_code))))
            .collect();
        for record in database["records"].as_array().into_iter().flatten() {
            let gender = as_string(record.get("gender")).unwrap_or_default();
            let upper = as_i64(record.get("bwCatUpper")).unwrap_or(0);
            let group = as_string(record.get("ageGrp")).unwrap_or_default();
            for (code, (g, max)) in &lifter_categories {
                if *g == gender && *max == upper && code.starts_with(&format!("{group}_")) {
                    let category = categories.get(*code).cloned().unwrap_or_else(|| (*code).to_owned());
                    records.entry(category.clone()).or_default().push(Record {
                        name: as_string(record.get("recordName")).unwrap_or_else(|| "Record".into()),
                        category,
                        lift: as_string(record.get("recordLift")).unwrap_or_default(),
                        value: as_i64(record.get("recordValue")).unwrap_or(0),
                    });
                }
            }
        }
        let mut team_names: Vec<String> = teams.into_values().collect();
        team_names.sort();
        Ok(Meet { database, done_sessions: BTreeSet::new(), name, sessions, lifters, records, teams: team_names })
    }

    /// The athletes of a session.
    pub fn session_lifters(&self, session: &str) -> Vec<&Lifter> {
        self.lifters.values().filter(|l| l.session == session).collect()
    }

    /// The database as OWLCMS would export it at this moment: every athlete's lifts as they
    /// stand (none for sessions not lifted yet, whatever the source database held), the
    /// ranks OWLCMS computes, and `done` on the finished sessions.
    pub fn export(&self) -> Value {
        let mut database = self.database.clone();
        let all: Vec<&Lifter> = self.lifters.values().collect();
        let ranks = [super::model::ranks(&all, 0), super::model::ranks(&all, 1), super::model::ranks(&all, 2)];
        for athlete in database["athletes"].as_array_mut().into_iter().flatten() {
            if let Some(lifter) = as_i64(athlete.get("key")).and_then(|k| self.lifters.get(&k)) {
                *athlete = super::display::dto(lifter, &ranks);
            }
        }
        for session in database["sessions"].as_array_mut().into_iter().flatten() {
            let done = as_string(session.get("name")).is_some_and(|n| self.done_sessions.contains(&n));
            session["done"] = Value::Bool(done);
        }
        database
    }

    /// Forgets every result (for the next loop of the demo).
    pub fn reset(&mut self) {
        self.done_sessions.clear();
        for lifter in self.lifters.values_mut() {
            for attempt in &mut lifter.attempts {
                attempt.change1 = None;
                attempt.change2 = None;
                attempt.actual = None;
                attempt.seq = None;
                attempt.time = None;
                attempt.automatic = None;
            }
        }
    }

    /// The demo competition: the real Norwegian team championship shipped in `samples/`, with
    /// its ten small sessions merged into four and spread over two platforms, so that a
    /// visitor sees two FOPs with full sessions.
    pub fn demo() -> Result<Meet, MeetError> {
        let text = include_str!("../../../samples/owlcms/ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json");
        let mut database: Value = serde_json::from_str(text).map_err(|e| MeetError(e.to_string()))?;
        let mut database = database["database"].take();
        let merged = |name: &str| -> &'static str {
            match name.get(..2) {
                Some("P1") => "A1",
                Some("P2") => "B1",
                Some("P3") => "A2",
                _ => "B2",
            }
        };
        for athlete in database["athletes"].as_array_mut().into_iter().flatten() {
            let session = athlete["sessionName"].as_str().map(merged).unwrap_or("A1");
            athlete["sessionName"] = Value::from(session);
        }
        database["sessions"] = serde_json::json!([
            {"name": "A1", "platformName": "A", "description": "Pulje 1"},
            {"name": "A2", "platformName": "A", "description": "Pulje 3"},
            {"name": "B1", "platformName": "B", "description": "Pulje 2"},
            {"name": "B2", "platformName": "B", "description": "Pulje 4"},
        ]);
        let mut platform_b = database["platforms"][0].clone();
        platform_b["name"] = Value::from("B");
        platform_b["id"] = Value::from(2);
        if let Some(platforms) = database["platforms"].as_array_mut() {
            platforms.push(platform_b);
        }
        database["competition"]["competitionName"] = Value::from("NM Lag – demo");
        let mut meet = Meet::from_database(database)?;
        renumber(&mut meet);
        Ok(meet)
    }
}

/// Start numbers in category order within each session, as OWLCMS assigns them at weigh-in.
pub fn renumber(meet: &mut Meet) {
    let sessions: Vec<String> = meet.sessions.values().flatten().cloned().collect();
    for session in sessions {
        let mut keys: Vec<(String, i64, i64)> = meet
            .lifters
            .values()
            .filter(|l| l.session == session)
            .map(|l| (l.category_code.clone(), as_i64(l.dto.get("lotNumber")).unwrap_or(0), l.key))
            .collect();
        keys.sort_by_key(|(code, lot, _)| (category_max(code), code.clone(), *lot));
        for (i, (_, _, key)) in keys.into_iter().enumerate() {
            if let Some(l) = meet.lifters.get_mut(&key) {
                l.start_number = i as i64 + 1;
                l.dto.insert("startNumber".into(), Value::from(i + 1));
            }
        }
    }
}

/// `SM_M109` → 109; `SM_M999` → 999.
fn category_max(code: &str) -> i64 {
    code.rsplit('_')
        .next()
        .map(|s| s.trim_start_matches(|c: char| c.is_alphabetic()))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_meet_has_two_fops_of_full_sessions() {
        let meet = Meet::demo().unwrap();
        assert_eq!(meet.sessions.keys().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(meet.lifters.len(), 39);
        for session in meet.sessions.values().flatten() {
            let lifters = meet.session_lifters(session);
            assert!(lifters.len() >= 7, "{session}: {}", lifters.len());
            let mut numbers: Vec<i64> = lifters.iter().map(|l| l.start_number).collect();
            numbers.sort();
            assert_eq!(numbers, (1..=lifters.len() as i64).collect::<Vec<_>>());
        }
        assert!(meet.lifters.values().all(|l| l.attempts[0].declaration.is_some() && l.attempts[0].actual.is_none()));
        assert!(!meet.records.is_empty(), "records of the session categories");
        assert!(meet.lifters.values().any(|l| l.category == "SM >109"));
    }

    // OWLCMS exports no results for sessions not lifted yet: the demo must not either, although
    // the real meet it is built from has every result (behaviour rule R1, issue 11).
    #[test]
    fn export_holds_only_what_was_lifted() {
        let mut meet = Meet::demo().unwrap();
        assert!(meet.database["athletes"][0]["snatch1ActualLift"].is_number(), "the source has results");
        let export = meet.export();
        for athlete in export["athletes"].as_array().unwrap() {
            for field in ["snatch1ActualLift", "cleanJerk3ActualLift", "snatch2LiftTime"] {
                assert!(athlete[field].is_null(), "{field} of {}", athlete["lastName"]);
            }
            assert!(athlete["participations"][0]["totalRank"] == 0);
        }
        assert!(export["sessions"].as_array().unwrap().iter().all(|s| s["done"] == false));
        let key = *meet.lifters.keys().next().unwrap();
        meet.lifters.get_mut(&key).unwrap().attempts[0].actual = Some(80);
        meet.done_sessions.insert("A1".into());
        let export = meet.export();
        let lifted = export["athletes"].as_array().unwrap().iter().find(|a| a["key"] == key).unwrap();
        assert_eq!(lifted["snatch1ActualLift"], 80);
        assert_eq!(export["sessions"][0]["done"], true);
    }
}
