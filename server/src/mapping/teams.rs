//! The roster's championship team standings (behaviour rules R5) as the mapping input's
//! `championships` field: athletes handed to the scoring engine's
//! [`crate::scoring::team_standings`], the result labelled for mappings; and the medals to
//! prepare per session (`medalsPerSession`, [`crate::scoring::medals`]).

use super::scores::ScoreSettings;
use crate::protocol::scalar::{as_string, key_string};
use crate::scoring::championships::{Championships, policy_name};
use crate::scoring::lifts::{AthleteLifts, TotalRule};
use crate::scoring::medals::{self, MedalSet};
use crate::scoring::team_points::Placings;
use crate::scoring::team_standings::{
    ChampionshipStandings, KeptAthlete, Mode, Participation, TeamAthlete, TeamContext, TeamOverrides, Totals, team_name,
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Team id → name from the database's `teams[]` (athletes may carry only the id).
pub(crate) fn team_names(raw: &Value) -> HashMap<String, String> {
    raw["teams"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t.get("id").and_then(key_string)?, as_string(t.get("name"))?)))
        .collect()
}

/// What the engine needs of one roster athlete. Athletes without participations (known only
/// from a session) get one from their category with the tracker's own places.
pub(crate) fn team_athlete(
    key: &str,
    record: &Value,
    lifts: &AthleteLifts,
    placings: Placings,
    done: bool,
    competition_year: i32,
    teams: &HashMap<String, String>,
) -> TeamAthlete {
    let text = |field: &str| as_string(record.get(field)).filter(|s| !s.is_empty());
    let team = team_name(text("teamName").as_deref()).or_else(|| {
        team_name(record.get("team").and_then(key_string).and_then(|id| teams.get(&id)).map(String::as_str))
    });
    let rank = |place: u32| i64::from(place);
    // OWLCMS always sends the ranks; a participation without them (a hand-made database)
    // takes the tracker's places when it is the athlete's main category.
    let mut participations: Vec<Participation> = record["participations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|value| {
            let mut p = Participation::from_json(value);
            if value.get("totalRank").is_none_or(Value::is_null) && lifts.category.as_deref() == Some(&p.category_code)
            {
                (p.snatch_rank, p.clean_jerk_rank, p.total_rank) =
                    (rank(placings.snatch.0), rank(placings.clean_jerk.0), rank(placings.total.0));
            }
            p
        })
        .collect();
    if participations.is_empty()
        && let Some(code) = lifts.category.clone()
    {
        participations.push(Participation {
            category_code: code,
            team_member: lifts.team_member.unwrap_or(true),
            mixed_team_member: false,
            snatch_rank: rank(placings.snatch.0),
            clean_jerk_rank: rank(placings.clean_jerk.0),
            total_rank: rank(placings.total.0),
        });
    }
    let name = text("fullName").unwrap_or_else(|| {
        format!("{}, {}", text("lastName").unwrap_or_default().to_uppercase(), text("firstName").unwrap_or_default())
    });
    TeamAthlete {
        key: key.to_owned(),
        name,
        gender: lifts.gender,
        team,
        body_weight: lifts.body_weight,
        age: lifts.age_in(competition_year),
        best_snatch: lifts.best_snatch(),
        best_clean_jerk: lifts.best_clean_jerk(),
        total: lifts.total(TotalRule::RequireBothLifts),
        totals: Totals::of(lifts),
        done,
        participations,
    }
}

/// What the team engine needs: the championships and every athlete ("done" is the roster's:
/// database flag or finished since).
pub(crate) fn team_input<'a>(
    raw: &Value,
    entries: impl Iterator<Item = (&'a str, &'a Value, &'a AthleteLifts, Placings)>,
    session_done: &HashMap<String, bool>,
    settings: &ScoreSettings,
) -> (Championships, Vec<TeamAthlete>) {
    let names = team_names(raw);
    let athletes = entries
        .map(|(key, record, lifts, placings)| {
            let done = lifts.session.as_ref().and_then(|s| session_done.get(s)).copied().unwrap_or(false);
            team_athlete(key, record, lifts, placings, done, settings.competition_year, &names)
        })
        .collect();
    (Championships::from_database(raw), athletes)
}

/// The engine's settings for the roster's scores and a view's overrides.
pub(crate) fn team_context(settings: &ScoreSettings, overrides: TeamOverrides) -> TeamContext<'_> {
    TeamContext { sinclair_year: settings.sinclair_year, gamx: &settings.gamx, overrides }
}

/// Rounds scores to 3 decimals, as OWLCMS shows them; points stay whole.
fn number(value: f64) -> Value {
    json!((value * 1000.0).round() / 1000.0)
}

/// A team's athlete: kept ones under `athletes`, every member under `roster`.
fn athlete(k: &KeptAthlete) -> Value {
    json!({"key": k.key, "fullName": k.name, "value": number(k.value), "predicted": k.predicted.map(number),
           "done": k.done, "kept": k.kept})
}

/// The `championships` input field; `flag` resolves a team's flag URL.
pub(crate) fn to_json(standings: &[ChampionshipStandings], flag: &dyn Fn(&str) -> String) -> Value {
    Value::Array(
        standings
            .iter()
            .map(|c| {
                let mut out = c.championship.to_json();
                let sections: Vec<Value> = c
                    .sections
                    .iter()
                    .map(|s| {
                        let teams: Vec<Value> = s
                            .teams
                            .iter()
                            .map(|t| {
                                json!({
                                    "team": t.team, "flagURL": flag(&t.team), "rank": t.rank,
                                    "confirmed": number(t.confirmed), "live": number(t.live),
                                    "predicted": t.predicted.map(number),
                                    "count": t.count, "cap": t.cap, "members": t.members,
                                    "athletes": t.kept.iter().map(athlete).collect::<Vec<_>>(),
                                    "roster": t.roster.iter().map(athlete).collect::<Vec<_>>(),
                                })
                            })
                            .collect();
                        json!({
                            "gender": s.kind.code(),
                            "mode": match s.mode { Mode::Points => "points", Mode::Score => "score" },
                            "system": s.system,
                            "rule": s.rule,
                            "unavailable": s.unavailable,
                            "teams": teams,
                        })
                    })
                    .collect();
                if let Some(map) = out.as_object_mut() {
                    map.insert("medalPolicyApplied".into(), json!(policy_name(c.medal_policy)));
                    map.insert("teamPointsPolicyApplied".into(), json!(policy_name(c.team_points_policy)));
                    map.insert("sections".into(), Value::Array(sections));
                }
                out
            })
            .collect(),
    )
}

/// The `medalsPerSession` input field, from the database's registrations: every participation
/// counts in its category (medals are prepared before anyone lifts).
pub(crate) fn medals_per_session(raw: &Value) -> Value {
    let set = Championships::from_database(raw);
    let sessions: Vec<String> =
        raw["sessions"].as_array().into_iter().flatten().filter_map(|s| as_string(s.get("name"))).collect();
    let mut entries = Vec::new();
    for athlete in raw["athletes"].as_array().into_iter().flatten() {
        let Some(session) = as_string(athlete.get("sessionName")).or_else(|| as_string(athlete.get("group"))) else {
            continue;
        };
        for p in athlete["participations"].as_array().into_iter().flatten() {
            if let Some(code) = as_string(p.get("categoryCode")) {
                entries.push((session.clone(), code));
            }
        }
    }
    let counts = |m: MedalSet| json!({"gold": m.gold, "silver": m.silver, "bronze": m.bronze});
    let out = medals::per_session(&sessions, &entries, |c| set.category_medal_policy(c));
    Value::Array(
        out.iter()
            .map(|s| {
                let categories: Vec<Value> = s
                    .categories
                    .iter()
                    .map(|c| {
                        let mut v = counts(c.medals);
                        v["category"] = json!(c.category);
                        v["championship"] = json!(set.by_category.get(&c.category));
                        v["athletes"] = json!(c.athletes);
                        v["medalPolicy"] = json!(policy_name(c.policy));
                        v
                    })
                    .collect();
                let mut v = counts(s.total);
                v["session"] = json!(s.session);
                v["categories"] = Value::Array(categories);
                v
            })
            .collect(),
    )
}
