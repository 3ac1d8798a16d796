//! The one JSON document every mapping receives (documented field by field in
//! `plugins/README.md`): the FOP snapshot with athletes resolved in start and lifting order,
//! the competition, values the engine derives (including every athlete's `scores`, see
//! [`super::scores`]), competition-wide athletes for plugins that require the database (see
//! [`super::roster`]), and the request's options and language.

use super::athlete::enrich;
use super::roster::Roster;
use super::scores::{self, ScoreSettings};
use crate::assets::index::AssetIndex;
use crate::hub::database::Database;
use crate::hub::fop::{FopSnapshot, OrderItem};
use crate::hub::{HubState, now_ms};
use crate::plugins::values::{Input, SharedPart};
use crate::protocol::athlete as session_entry;
use crate::scoring::AthleteLifts;
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Payload fields moved out of `.state` because the document resolves them, and OWLCMS's
/// update key, a secret that must not reach browsers (`/api/view?debug=input`).
const RESOLVED_FIELDS: [&str; 8] = [
    "sessionAthletes",
    "startOrderKeys",
    "liftingOrderKeys",
    "leaders",
    "database",
    "updateKey",
    "update_key",
    "updatekey",
];

/// What the document is built from.
#[derive(Clone, Copy)]
pub struct InputParts<'a> {
    /// Hub state (database, translations, FOP names).
    pub state: &'a HubState,
    /// The FOP, when the view is for one.
    pub fop: Option<&'a FopSnapshot>,
    /// Resolved options.
    pub options: &'a Value,
    /// Resolved locale.
    pub lang: &'a str,
    /// Whether to include the whole database and `competitionAthletes`.
    pub with_database: bool,
    /// Competition-wide athletes: score ranks and team points of session athletes come from
    /// it. Without it, session athletes are scored alone (no ranks, no team points).
    pub roster: Option<&'a Roster>,
    /// What the asset folders hold: athletes' `flagURL` and `pictureURL` name only files that
    /// exist (without it, both are `""`).
    pub assets: Option<&'a AssetIndex>,
}

/// Builds the mapping input.
pub fn build(parts: &InputParts<'_>) -> Value {
    let state = parts.state;
    let database = state.database.as_deref();
    let mut competition =
        database.and_then(|db| db.raw.get("competition")).and_then(Value::as_object).cloned().unwrap_or_default();
    let name = database
        .and_then(|db| db.competition_name().map(str::to_owned))
        .or_else(|| parts.fop.and_then(|f| f.field("competitionName")));
    competition.insert("name".into(), json!(name));
    let mut doc = json!({
        "fop": parts.fop.map(|f| f.name.clone()),
        "fops": state.fops,
        "lang": parts.lang,
        "options": parts.options,
        "competition": competition,
        "status": {
            "database": database.is_some(),
            "translations": state.translations.is_some(),
            "hasData": parts.fop.is_some_and(|f| f.data_version > 0),
            "owlcmsConnected": state.owlcms_connected,
        },
        "generatedAtMs": now_ms(),
        // Present even before OWLCMS sends anything, so mappings need no null checks.
        "state": {},
        "athletes": [],
        "startOrder": [],
        "liftingOrder": [],
        "current": null,
        "next": null,
        "previous": null,
        "leaders": [],
        "records": null,
        "session": {"name": null, "done": false, "inBreak": false},
        "platform": null,
        "barbell": null,
    });
    let no_assets = AssetIndex::default();
    let scorer = Scorer {
        roster: parts.roster,
        settings: ScoreSettings::from_competition(&doc["competition"]),
        assets: parts.assets.unwrap_or(&no_assets),
    };
    doc["scoring"] = parts.roster.map_or(Value::Null, Roster::scoring_json);
    if let Some(fop) = parts.fop {
        add_fop(&mut doc, fop, &scorer);
        let platform = database
            .and_then(|db| db.raw["platforms"].as_array())
            .and_then(|platforms| platforms.iter().find(|p| p["name"] == fop.name.as_str()))
            .cloned();
        let weight = fop.field("weight").and_then(|w| w.trim().parse::<i64>().ok());
        let gender = doc["current"]["gender"].as_str().map(str::to_owned);
        doc["barbell"] = match (&platform, weight) {
            (Some(platform), Some(weight)) => {
                super::plates::barbell(platform, weight, gender.as_deref()).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
        doc["platform"] = platform.unwrap_or(Value::Null);
    }
    if parts.with_database {
        doc["database"] = database.map_or(Value::Null, |db| match parts.roster {
            Some(roster) => with_sessions_done(db, &sessions_done(db, roster)),
            None => db.raw.clone(),
        });
        doc["competitionAthletes"] = parts.roster.map_or(json!([]), |r| r.competition_athletes().clone());
        doc["championships"] = parts.roster.map_or(json!([]), |r| r.championships_for(parts.options));
        doc["medalsPerSession"] = database.map_or(json!([]), |db| super::teams::medals_per_session(&db.raw));
    }
    doc
}

/// Fields of the document that hold athletes resolved from one session snapshot: an athlete
/// appears in several of them, identical (see [`Input::keyed`]).
const KEYED_FIELDS: [&str; 6] = ["athletes", "startOrder", "liftingOrder", "current", "next", "previous"];

/// The mapping input as views run it: the same document as [`build`], with the parts that
/// depend only on the database and the roster (the database with its sessions' `done`, the
/// competition's athletes, medals per session) held apart as shared parts, identified by what
/// they are built from, so mapping threads convert them once rather than on every run.
pub fn build_shared(parts: &InputParts<'_>, roster: &Arc<Roster>) -> Input {
    let mut doc = build(&InputParts { with_database: false, ..*parts });
    let mut shared = Vec::new();
    if parts.with_database {
        let database = parts.state.database.clone();
        let done = database.as_deref().map(|db| sessions_done(db, roster)).unwrap_or_default();
        let identity = database.as_deref().map(|db| format!("{}/{}", db.checksum, db.bytes_hash));
        let bits: String = done.iter().map(|d| if *d { '1' } else { '0' }).collect();
        let (db, db_id) = (database.clone(), identity.clone());
        let part = match (db, db_id) {
            (Some(db), Some(id)) => {
                SharedPart::new(format!("database/{id}/{bits}"), move || with_sessions_done(&db, &done))
            }
            _ => SharedPart::new("database/none", || Value::Null),
        };
        shared.push(("database", part));
        let athletes = roster.clone();
        let id = format!("competitionAthletes/{:?}", roster.key);
        shared.push(("competitionAthletes", SharedPart::new(id, move || athletes.competition_athletes().clone())));
        let medals = match (database, identity) {
            (Some(db), Some(id)) => {
                SharedPart::new(format!("medalsPerSession/{id}"), move || super::teams::medals_per_session(&db.raw))
            }
            _ => SharedPart::new("medalsPerSession/none", || json!([])),
        };
        // Placeholders keep every field at its place in the document.
        doc["database"] = Value::Null;
        doc["competitionAthletes"] = Value::Null;
        doc["championships"] = roster.championships_for(parts.options);
        doc["medalsPerSession"] = Value::Null;
        shared.push(("medalsPerSession", medals));
    }
    Input { doc, shared, keyed: KEYED_FIELDS.to_vec() }
}

/// Whether each database session (in database order) is finished, for its `done` field.
fn sessions_done(db: &Database, roster: &Roster) -> Vec<bool> {
    let sessions = db.raw["sessions"].as_array().map_or(&[][..], Vec::as_slice);
    sessions.iter().map(|session| session["name"].as_str().is_some_and(|name| roster.session_done(name))).collect()
}

/// The database with each session's `done` set from `done` (see [`sessions_done`]).
fn with_sessions_done(db: &Database, done: &[bool]) -> Value {
    let mut raw = db.raw.clone();
    if let Some(sessions) = raw["sessions"].as_array_mut() {
        for (session, done) in sessions.iter_mut().zip(done) {
            session["done"] = json!(done);
        }
    }
    raw
}

/// Adds `scores` to athletes (from the roster when it knows the athlete, else computed
/// alone) and resolves their flag and picture.
struct Scorer<'a> {
    roster: Option<&'a Roster>,
    settings: ScoreSettings,
    assets: &'a AssetIndex,
}

impl Scorer<'_> {
    fn athlete(&self, key: &str, athlete: &Value) -> Value {
        let mut out = enrich(key, athlete);
        let scores = self.roster.and_then(|r| r.scores_of(key)).unwrap_or_else(|| {
            let alone = scores::score(&AthleteLifts::from_json(athlete), &self.settings);
            scores::to_json(&alone, &[None; 5], None)
        });
        if let Some(map) = out.as_object_mut() {
            map.insert("scores".into(), scores);
            self.assets.resolve_athlete(map);
        }
        out
    }
}

fn add_fop(doc: &mut Value, fop: &FopSnapshot, scorer: &Scorer<'_>) {
    let athletes = &fop.derived.athletes;
    // An athlete appears in the start order, the lifting order and maybe as current, next or
    // previous: resolved (enriched, scored) once.
    let resolved: RefCell<HashMap<&str, Value>> = RefCell::default();
    let resolve = |key: &str| {
        if let Some(done) = resolved.borrow().get(key) {
            return Some(done.clone());
        }
        let (key, athlete) = athletes.get_key_value(key)?;
        let out = scorer.athlete(key, athlete);
        resolved.borrow_mut().insert(key.as_str(), out.clone());
        Some(out)
    };
    let order = |items: &[OrderItem]| -> Vec<Value> {
        items
            .iter()
            .filter_map(|item| match item {
                OrderItem::Spacer => Some(json!({"isSpacer": true})),
                OrderItem::Athlete(key) => resolve(key),
            })
            .collect()
    };
    let start_order = order(&fop.derived.start_order);
    let in_start_order: Vec<Value> = start_order.iter().filter(|a| a.get("isSpacer").is_none()).cloned().collect();
    let leaders: Vec<Value> = fop
        .data
        .get("leaders")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    if entry.get("isSpacer").is_some() {
                        return Some(json!({"isSpacer": true}));
                    }
                    let key = session_entry::entry_key(entry)?;
                    Some(scorer.athlete(&key, &Value::Object(session_entry::displayed(entry))))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut state: Map<String, Value> = (*fop.data).clone();
    for field in RESOLVED_FIELDS {
        state.remove(field);
    }
    let key_of = |k: &Option<String>| k.as_deref().and_then(resolve).unwrap_or(Value::Null);
    doc["state"] = Value::Object(state);
    doc["athletes"] = Value::Array(in_start_order);
    doc["startOrder"] = Value::Array(start_order);
    doc["liftingOrder"] = Value::Array(order(&fop.derived.lifting_order));
    doc["current"] = key_of(&fop.derived.current_key);
    doc["next"] = key_of(&fop.derived.next_key);
    doc["previous"] = key_of(&fop.derived.previous_key);
    doc["leaders"] = Value::Array(leaders);
    doc["records"] = super::records::normalise(fop.data.get("records"));
    doc["session"] = json!({
        "name": fop.session.session_name,
        "done": fop.session.is_done,
        "inBreak": fop.in_break(),
    });
}
