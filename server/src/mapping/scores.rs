//! The `scores` object every athlete of the mapping input carries: Sinclair, SMHF, Q-points,
//! Q-masters and GAMX of the total now and "if the next attempt succeeds", with ranks within
//! the gender. The scoring engine computes; mappings only select, sort and label.
//!
//! Choices (documented for plugin authors in `plugins/README.md`):
//! - totals follow OWLCMS (`TotalRule::RequireBothLifts`: 0 until both lifts have a good
//!   attempt); the predicted total counts the declared first clean & jerk during the snatch,
//!   otherwise nobody would have a predicted total before the clean & jerk;
//! - `sinclair` uses the competition's `sinclairYear` (2020, 2024, 2028), else 2024;
//! - `smhf` is OWLCMS's SMHF (Sinclair 2020 × SMF/SMHF 2019 age factor), only from age 30;
//! - `qmasters` is Q-points × Huebner 2025 age factor (equal to Q-points below 30);
//! - `gamx` uses the senior GAMX tables shipped with the engine;
//! - ages are reached in the competition year (masters rule).

use crate::scoring::{
    AgeFactorTable, AthleteLifts, GamxTables, GamxVariant, Gender, ScoringSystem, SinclairYear, TotalRule,
    athlete_score,
};
use serde_json::{Map, Value, json};

/// Names of the score systems, as they appear in `scores` (and in plugin options).
pub const SYSTEMS: [&str; 5] = ["sinclair", "smhf", "qpoints", "qmasters", "gamx"];

/// Competition settings the scores depend on.
#[derive(Debug, Clone)]
pub struct ScoreSettings {
    /// Sinclair cycle of `scores.sinclair`.
    pub sinclair_year: SinclairYear,
    /// Year in which masters ages are taken.
    pub competition_year: i32,
    /// GAMX tables (the shipped senior ones).
    pub gamx: GamxTables,
}

impl ScoreSettings {
    /// Reads `sinclairYear` and `competitionDate` from OWLCMS's competition object; the current
    /// year stands in for a missing date.
    pub fn from_competition(competition: &Value) -> ScoreSettings {
        let sinclair_year = crate::protocol::scalar::as_i64(competition.get("sinclairYear"))
            .and_then(SinclairYear::from_year)
            .unwrap_or_default();
        let competition_year = crate::protocol::dates::birth_year(competition.get("competitionDate"))
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| *y > 1900)
            .unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now()));
        ScoreSettings { sinclair_year, competition_year, gamx: GamxTables::builtin() }
    }

    fn system(&self, index: usize) -> ScoringSystem {
        match index {
            0 => ScoringSystem::Sinclair(self.sinclair_year),
            1 => ScoringSystem::MastersSinclair(SinclairYear::Y2020, AgeFactorTable::Smf2019),
            2 => ScoringSystem::QPoints,
            3 => ScoringSystem::QMasters,
            _ => ScoringSystem::Gamx(GamxVariant::Senior),
        }
    }
}

/// One athlete's scores, in the order of [`SYSTEMS`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Gender the ranks are computed within.
    pub gender: Option<Gender>,
    /// Scores of the total (`None`: not computable — no gender, body weight or age).
    pub now: [Option<f64>; 5],
    /// The total if the next attempt succeeds.
    pub predicted_total: u32,
    /// Scores of the predicted total.
    pub predicted: [Option<f64>; 5],
}

/// Scores an athlete.
pub fn score(lifts: &AthleteLifts, settings: &ScoreSettings) -> Scores {
    let mut scores = Scores { gender: lifts.gender, ..Scores::default() };
    let masters = lifts.age_in(settings.competition_year).is_some_and(|age| age >= 30);
    for index in 0..SYSTEMS.len() {
        let system = settings.system(index);
        let s =
            athlete_score(lifts, system, TotalRule::RequireBothLifts, true, settings.competition_year, &settings.gamx);
        // SMHF is a masters score: OWLCMS shows none for athletes under 30.
        let keep = |v: Option<f64>| if index == 1 && !masters { None } else { v.map(round3) };
        scores.now[index] = keep(s.score);
        scores.predicted[index] = keep(s.predicted_score);
        scores.predicted_total = s.predicted_total;
    }
    scores
}

/// Three decimals, as OWLCMS shows scores; keeps views stable across float noise.
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Ranks within each gender for every system (1 = best; `None` for no positive score). Equal
/// scores share the better rank.
pub fn gender_ranks(all: &[Scores]) -> Vec<[Option<u32>; 5]> {
    let mut ranks = vec![[None; 5]; all.len()];
    for (index, _) in SYSTEMS.iter().enumerate() {
        for gender in [Gender::Male, Gender::Female] {
            let mut members: Vec<(usize, f64)> = all
                .iter()
                .enumerate()
                .filter(|(_, s)| s.gender == Some(gender))
                .filter_map(|(i, s)| s.now[index].filter(|v| *v > 0.0).map(|v| (i, v)))
                .collect();
            members.sort_by(|a, b| b.1.total_cmp(&a.1));
            let mut previous: Option<(f64, u32)> = None;
            for (position, (i, value)) in members.into_iter().enumerate() {
                let rank = match previous {
                    Some((v, r)) if v == value => r,
                    _ => u32::try_from(position + 1).unwrap_or(u32::MAX),
                };
                previous = Some((value, rank));
                ranks[i][index] = Some(rank);
            }
        }
    }
    ranks
}

/// The `scores` object: `<system>`, `<system>Rank`, `teamPoints` and
/// `predicted {total, <system>…}`.
pub fn to_json(scores: &Scores, ranks: &[Option<u32>; 5], team_points: Option<u32>) -> Value {
    let mut out = Map::new();
    let mut predicted = Map::new();
    predicted.insert("total".into(), json!(scores.predicted_total));
    for (index, name) in SYSTEMS.iter().enumerate() {
        out.insert((*name).into(), json!(scores.now[index]));
        out.insert(format!("{name}Rank"), json!(ranks[index]));
        predicted.insert((*name).into(), json!(scores.predicted[index]));
    }
    out.insert("teamPoints".into(), json!(team_points));
    out.insert("predicted".into(), Value::Object(predicted));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ScoreSettings {
        ScoreSettings::from_competition(&json!({"sinclairYear": 2024, "competitionDate": "2025-12-18"}))
    }

    // samples/owlcms/ws-2025-12 UPDATE-SWITCHGROUP: OWLCMS showed Sinclair 325.085 for
    // Kjellevand (295 kg, 111.01 kg, born 1992, so 33 in 2025: SMHF applies).
    #[test]
    fn scores_match_owlcms_and_follow_the_documented_choices() {
        let lifts = AthleteLifts::from_json(&json!({
            "gender": "M", "bodyWeight": 111.01, "fullBirthDate": "1992-10-15",
            "snatch1ActualLift": -130, "snatch2ActualLift": -130, "snatch3ActualLift": 130,
            "cleanJerk1ActualLift": 160, "cleanJerk2ActualLift": 165, "cleanJerk3Declaration": 170
        }));
        let s = score(&lifts, &settings());
        assert_eq!(s.now[0], Some(325.085));
        assert!(s.now[1].is_some(), "SMHF from 30 on");
        assert_eq!(s.predicted_total, 300);
        assert!(s.predicted[0].unwrap() > 325.085);
        let young = AthleteLifts::from_json(&json!({"gender": "F", "bodyWeight": 60, "yearOfBirth": 2001,
            "snatch1ActualLift": 80, "cleanJerk1ActualLift": 100}));
        let y = score(&young, &settings());
        assert_eq!(y.now[1], None, "no SMHF under 30");
        assert_eq!(y.now[3], y.now[2], "Q-masters equals Q-points under 30");
        let unknown = score(&AthleteLifts::default(), &settings());
        assert_eq!(unknown.now, [None; 5]);
        let defaults = ScoreSettings::from_competition(&json!({"sinclairYear": 1999}));
        assert_eq!(defaults.sinclair_year, SinclairYear::Y2024);
    }

    #[test]
    fn ranks_are_per_gender_and_ties_share() {
        let make = |gender, v: f64| Scores { gender: Some(gender), now: [Some(v); 5], ..Scores::default() };
        let all = [
            make(Gender::Male, 300.0),
            make(Gender::Female, 200.0),
            make(Gender::Male, 310.0),
            make(Gender::Male, 300.0),
            make(Gender::Male, 0.0),
        ];
        let ranks: Vec<Option<u32>> = gender_ranks(&all).iter().map(|r| r[0]).collect();
        assert_eq!(ranks, vec![Some(2), Some(1), Some(1), Some(2), None]);
        let value = to_json(&all[0], &[Some(2); 5], Some(28));
        assert_eq!(value["sinclairRank"], 2);
        assert_eq!(value["teamPoints"], 28);
        assert_eq!(value["predicted"]["total"], 0);
    }
}
