//! Every athlete of the competition, with the freshest data: the database's athletes overlaid
//! with the session results the hub merged since (every session lifted since the database was
//! sent, finished ones included: behaviour rule R1), plus the engine's numbers: scores and their ranks within the gender,
//! category places with OWLCMS's tie-breaks, and team points.
//!
//! Built once per change of the database, of any FOP's data or of the flags, and shared by
//! every view (the views cache keeps the last one): score ranks and team points are
//! competition-wide, so every view needs the same picture. The `competitionAthletes` JSON is
//! only made for plugins that require the database, once per roster.

use super::athlete::enrich;
use super::scores::{self, ScoreSettings, Scores};
use super::teams;
use crate::assets::index::AssetIndex;
use crate::hub::database::Database;
use crate::hub::results::{self, SessionResults};
use crate::protocol::scalar::{as_bool, as_i64, as_string, key_string};
use crate::scoring::championships::Championships;
use crate::scoring::ranking::session_start_key;
use crate::scoring::team_points::Placings;
use crate::scoring::team_standings::{self, ChampionshipStandings, TeamAthlete, TeamOverrides};
use crate::scoring::{
    AthleteLifts, RankBy, RankOptions, TeamPointsPolicy, TeamPointsSettings, TotalRule, athlete_team_points, ranks,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What a roster was built from; a different key means it must be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterKey {
    /// Database checksum.
    pub database: Option<String>,
    /// Revision of the merged session results.
    pub results: u64,
    /// Generation of the asset folders (flags and pictures the athletes point at).
    pub flags: Option<i64>,
}

/// An age group's championship, for team standings by championship.
#[derive(Debug, Clone, Default)]
struct Category {
    name: String,
    age_group: String,
    championship: String,
    championship_type: String,
}

/// One athlete with the engine's numbers.
#[derive(Debug)]
struct Entry {
    key: String,
    record: Value,
    lifts: AthleteLifts,
    scores: Scores,
    ranks: [Option<u32>; 5],
    placings: Placings,
    team_points: u32,
}

/// The competition-wide athletes.
#[derive(Debug, Default)]
pub struct Roster {
    /// What it was built from.
    pub key: RosterKey,
    settings: Option<ScoreSettings>,
    team_points: Option<TeamPointsSettings>,
    medals_for_lifts: bool,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    categories: HashMap<String, Category>,
    /// Team → the flag URL OWLCMS gave its session athletes (a hint the index checks).
    flags: HashMap<String, String>,
    /// Every database session, and whether it is finished (database flag or OWLCMS since).
    session_done: HashMap<String, bool>,
    assets: Arc<AssetIndex>,
    json: OnceLock<Value>,
    /// Team standings per championship (R5) under the championships' own rules, computed
    /// with the roster; views whose options override them recompute from the two below.
    standings: Vec<ChampionshipStandings>,
    championships_json: OnceLock<Value>,
    championship_set: Championships,
    team_athletes: Vec<TeamAthlete>,
}

impl Roster {
    /// Builds the roster. Flags and pictures resolve through `assets` (the flag OWLCMS named
    /// for a team's session athletes first, when it exists).
    pub fn build(
        key: RosterKey,
        database: Option<&Database>,
        results: &SessionResults,
        assets: Arc<AssetIndex>,
    ) -> Roster {
        let empty = Value::Null;
        let raw = database.map_or(&empty, |db| &db.raw);
        let competition = raw.get("competition").unwrap_or(&empty);
        let mut settings = ScoreSettings::from_competition(competition);
        settings.gamx = assets.gamx_tables().clone();
        let team_points = TeamPointsSettings::from_settings(competition);
        let medals_for_lifts = as_bool(competition.get("snatchCJTotalMedals")).unwrap_or(false);
        let rank_options = RankOptions {
            body_weight_tie_break: as_bool(competition.get("useOldBodyWeightTieBreak")).unwrap_or(false),
            total_rule: TotalRule::RequireBothLifts,
        };
        let session_starts: HashMap<String, String> = raw["sessions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| Some((as_string(s.get("name"))?, session_start_key(s.get("competitionTime")?)?)))
            .collect();
        let session_done: HashMap<String, bool> = raw["sessions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let name = as_string(s.get("name"))?;
                let done = results.is_done(&name, as_bool(s.get("done")).unwrap_or(false));
                Some((name, done))
            })
            .collect();
        let records = merged_records(raw, results);
        let mut entries: Vec<Entry> = records
            .into_iter()
            .map(|(key, record)| {
                let mut lifts = AthleteLifts::from_json(&record);
                lifts.session_start = lifts.session.as_ref().and_then(|s| session_starts.get(s).cloned());
                // Places are in the main participation's category, as OWLCMS's totalRank.
                lifts.category =
                    participation(&record, "categoryCode").and_then(|v| as_string(Some(v))).or(lifts.category);
                let scores = scores::score(&lifts, &settings);
                Entry { key, record, lifts, scores, ranks: [None; 5], placings: Placings::default(), team_points: 0 }
            })
            .collect();
        let all_scores: Vec<Scores> = entries.iter().map(|e| e.scores).collect();
        for (entry, ranks) in entries.iter_mut().zip(scores::gender_ranks(&all_scores)) {
            entry.ranks = ranks;
        }
        place(&mut entries, rank_options);
        let policy = TeamPointsPolicy::from_snatch_cj_total_medals(medals_for_lifts);
        for entry in &mut entries {
            let member = entry.lifts.team_member.unwrap_or(true);
            entry.team_points = athlete_team_points(entry.placings, member, team_points, policy);
        }
        let mut flags = HashMap::new();
        for entry in &entries {
            if let (Some(team), Some(url)) =
                (as_string(entry.record.get("teamName")), as_string(entry.record.get("flagURL")))
                && !url.is_empty()
            {
                flags.insert(team, url);
            }
        }
        let (championship_set, team_athletes) = teams::team_input(
            raw,
            entries.iter().map(|e| (e.key.as_str(), &e.record, &e.lifts, e.placings)),
            &session_done,
            &settings,
        );
        let standings = team_standings::standings(
            &championship_set,
            &team_athletes,
            teams::team_context(&settings, TeamOverrides::default()),
        );
        let index = entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect();
        Roster {
            key,
            settings: Some(settings),
            team_points: Some(team_points),
            medals_for_lifts,
            entries,
            index,
            categories: categories(raw),
            flags,
            session_done,
            assets,
            json: OnceLock::new(),
            standings,
            championships_json: OnceLock::new(),
            championship_set,
            team_athletes,
        }
    }

    /// Number of athletes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no athletes.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a session is finished: marked done in the database, or reported finished by
    /// OWLCMS since the database was sent (R1: documents need not wait for a new export).
    pub fn session_done(&self, session: &str) -> bool {
        self.session_done.get(session).copied().unwrap_or(false)
    }

    /// The `scores` object of an athlete known to the roster.
    pub fn scores_of(&self, key: &str) -> Option<Value> {
        let entry = &self.entries[*self.index.get(key)?];
        Some(scores::to_json(&entry.scores, &entry.ranks, Some(entry.team_points)))
    }

    /// Settings the scores used, for the input document's `scoring` object.
    pub fn scoring_json(&self) -> Value {
        let (tp, settings) = (self.team_points.unwrap_or_default(), self.settings.as_ref());
        json!({
            "sinclairYear": settings.map(|s| match s.sinclair_year {
                crate::scoring::SinclairYear::Y2020 => 2020,
                crate::scoring::SinclairYear::Y2024 => 2024,
                crate::scoring::SinclairYear::Y2028 => 2028,
            }),
            "competitionYear": settings.map(|s| s.competition_year),
            "teamPoints": {"first": tp.first, "second": tp.second, "third": tp.third},
            "snatchCJTotalMedals": self.medals_for_lifts,
        })
    }

    /// `competitionAthletes`: every athlete, enriched like session athletes, in database order
    /// (athletes only known from a FOP last). Made once per roster.
    pub fn competition_athletes(&self) -> &Value {
        self.json.get_or_init(|| Value::Array(self.entries.iter().map(|e| self.athlete_json(e)).collect()))
    }

    /// `championships`: every championship with its fields and team standings (R5), made once
    /// per roster.
    pub fn championships(&self) -> &Value {
        self.championships_json.get_or_init(|| {
            let flag = |team: &str| self.assets.flag_url(self.flags.get(team).map(String::as_str), Some(team));
            teams::to_json(&self.standings, &flag)
        })
    }

    /// `championships` for a view: the shared standings, or recomputed when the view's options
    /// override the championship rules (`scoring`, `topMen`, `topWomen`, `onlyTotalPoints`,
    /// `bombOut`).
    pub fn championships_for(&self, options: &Value) -> Value {
        let overrides = TeamOverrides::from_options(options);
        let Some(settings) = self.settings.as_ref().filter(|_| overrides != TeamOverrides::default()) else {
            return self.championships().clone();
        };
        let standings = team_standings::standings(
            &self.championship_set,
            &self.team_athletes,
            teams::team_context(settings, overrides),
        );
        let flag = |team: &str| self.assets.flag_url(self.flags.get(team).map(String::as_str), Some(team));
        teams::to_json(&standings, &flag)
    }

    fn athlete_json(&self, entry: &Entry) -> Value {
        let mut athlete = enrich(&entry.key, &entry.record);
        let Some(map) = athlete.as_object_mut() else { return athlete };
        let text = |field: &str| as_string(entry.record.get(field)).filter(|s| !s.is_empty());
        let code = entry.lifts.category.clone().unwrap_or_default();
        let category = self.categories.get(&code).cloned().unwrap_or_default();
        let team = text("teamName").unwrap_or_default();
        let first = text("firstName").unwrap_or_default();
        let last = text("lastName").unwrap_or_default();
        let place = |p: u32| if p == 0 { Value::Null } else { json!(p) };
        let fields = [
            ("scores", scores::to_json(&entry.scores, &entry.ranks, Some(entry.team_points))),
            ("fullName", json!(text("fullName").unwrap_or_else(|| format!("{}, {first}", last.to_uppercase())))),
            ("teamName", json!(team)),
            ("flagURL", json!(self.assets.flag_url(self.flags.get(&team).map(String::as_str), Some(&team)))),
            ("pictureURL", json!(self.assets.picture_url(text("membership").as_deref()))),
            ("categoryCode", json!(code)),
            (
                "category",
                json!(if category.name.is_empty() { text("category").unwrap_or(code) } else { category.name }),
            ),
            ("ageGroup", json!(category.age_group)),
            ("championship", json!(category.championship)),
            ("championshipType", json!(category.championship_type)),
            ("sessionName", json!(entry.lifts.session.clone().or_else(|| text("group")).unwrap_or_default())),
            ("gender", json!(text("gender").unwrap_or_default())),
            ("teamMember", json!(entry.lifts.team_member.unwrap_or(true))),
            ("place", place(entry.placings.total.0)),
            ("snatchPlace", place(entry.placings.snatch.0)),
            ("cleanJerkPlace", place(entry.placings.clean_jerk.0)),
            ("teamPoints", json!(entry.team_points)),
            ("sessionDone", json!(entry.lifts.session.as_deref().is_some_and(|s| self.session_done(s)))),
        ];
        for (name, value) in fields {
            map.insert(name.into(), value);
        }
        athlete
    }
}

/// A field of the athlete's first participation.
fn participation<'a>(record: &'a Value, field: &str) -> Option<&'a Value> {
    record.get("participations")?.get(0)?.get(field).filter(|v| !v.is_null())
}

/// Database athletes overlaid with their merged session record, then the athletes only the
/// sessions know, in the order they were first seen (R1.3).
fn merged_records(raw: &Value, results: &SessionResults) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut known = std::collections::HashSet::new();
    for athlete in raw["athletes"].as_array().into_iter().flatten() {
        let Some(key) = athlete.get("key").and_then(key_string) else { continue };
        let mut record = athlete.as_object().cloned().unwrap_or_default();
        if let Some(session) = results.athletes.get(&key) {
            results::overlay(&mut record, session);
        }
        known.insert(key.clone());
        out.push((key, Value::Object(record)));
    }
    for key in results.order.iter().filter(|k| !known.contains(*k)) {
        let mut record = Map::new();
        if let Some(session) = results.athletes.get(key) {
            results::overlay(&mut record, session);
        }
        out.push((key.clone(), Value::Object(record)));
    }
    out
}

/// Category places by snatch, clean & jerk and total within each category.
fn place(entries: &mut [Entry], options: RankOptions) {
    let mut by_category: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Some(code) = entry.lifts.category.clone() {
            by_category.entry(code).or_default().push(i);
        }
    }
    for members in by_category.values() {
        let lifts: Vec<AthleteLifts> = members.iter().map(|&i| entries[i].lifts.clone()).collect();
        let [snatch, clean_jerk, total] =
            [RankBy::Snatch, RankBy::CleanJerk, RankBy::Total].map(|by| ranks(&lifts, by, options));
        for (n, &i) in members.iter().enumerate() {
            let lifts = &entries[i].lifts;
            entries[i].placings = Placings {
                snatch: (snatch[n], lifts.best_snatch()),
                clean_jerk: (clean_jerk[n], lifts.best_clean_jerk()),
                total: (total[n], lifts.total(options.total_rule)),
            };
        }
    }
}

/// Category codes (`<age group code>_<gender><max>`) with display name and championship.
fn categories(raw: &Value) -> HashMap<String, Category> {
    let mut out = HashMap::new();
    for group in raw["ageGroups"].as_array().into_iter().flatten() {
        let code = as_string(group.get("code")).unwrap_or_default();
        let championship = as_string(group.get("championshipName")).unwrap_or_else(|| code.clone());
        let championship_type = as_string(group.get("championshipType")).unwrap_or_default();
        for category in group["categories"].as_array().into_iter().flatten() {
            let gender = as_string(category.get("gender")).unwrap_or_default();
            let max = as_i64(category.get("maximumWeight")).unwrap_or(0);
            out.insert(
                format!("{code}_{gender}{max}"),
                Category {
                    name: as_string(category.get("categoryName")).unwrap_or_default(),
                    age_group: code.clone(),
                    championship: championship.clone(),
                    championship_type: championship_type.clone(),
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Database {
        let bytes = include_bytes!("../../../samples/owlcms/ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json");
        Database::parse(bytes, None).unwrap()
    }

    // The sample is a real OWLCMS database with OWLCMS's own totalRank per participation and
    // sinclairRank (competition-wide, per gender) per athlete.
    #[test]
    fn places_and_sinclair_ranks_reproduce_owlcms() {
        let roster = Roster::build(RosterKey::default(), Some(&sample()), &SessionResults::default(), Arc::default());
        let athletes = roster.competition_athletes().as_array().unwrap();
        assert_eq!(athletes.len(), 39);
        for a in athletes {
            let owlcms_place = a["participations"][0]["totalRank"].as_u64().unwrap();
            assert_eq!(a["place"].as_u64().unwrap_or(0), owlcms_place, "{}", a["fullName"]);
            if a["scores"]["sinclair"].as_f64().unwrap() > 0.0 {
                assert_eq!(a["scores"]["sinclairRank"], a["sinclairRank"], "{}", a["fullName"]);
            }
            let points = TeamPointsSettings::default().for_place(a["place"].as_u64().unwrap_or(0) as u32);
            assert_eq!(a["teamPoints"], points, "{} (all are team members)", a["fullName"]);
        }
        assert_eq!(roster.scoring_json()["sinclairYear"], 2024);
    }

    #[test]
    fn session_athletes_override_the_database() {
        let db = sample();
        let mut better = db.athlete(&json!(-1347246554)).unwrap().clone();
        better["cleanJerk3ActualLift"] = json!(67);
        let stranger =
            json!({"key": 5, "lastName": "New", "firstName": "Ann", "gender": "F", "categoryCode": "SK_F64"});
        let update = json!({"sessionAthletes": [
            {"athleteKey": "-1347246554", "athlete": better, "displayInfo": {"fullName": "ØKLAND, Hanna", "category": "SK 64"}},
            {"athleteKey": "5", "athlete": stranger, "displayInfo": {}}]});
        let mut results = SessionResults::default();
        results.merge_session_athletes(update.get("sessionAthletes"));
        let roster = Roster::build(RosterKey::default(), Some(&db), &results, Arc::default());
        let athletes = roster.competition_athletes().as_array().unwrap();
        assert_eq!(athletes.len(), 40, "the athlete only the FOP knows is added");
        let hanna = athletes.iter().find(|a| a["key"] == "-1347246554").unwrap();
        assert_eq!((hanna["totalKg"].clone(), hanna["teamName"].clone()), (json!(119), json!("Trondheim AK")));
        assert_eq!(athletes[39]["fullName"], "NEW, Ann");
        assert!(roster.scores_of("-1347246554").unwrap()["sinclair"].as_f64().unwrap() > 155.655);
    }
}
