//! Hand-computed standings under a view's overrides, bomb-out rules, predicted values and
//! GAMX tables that are missing or supplied.

use super::*;
use crate::scoring::championships::Championships;
use crate::scoring::lifts::{AthleteLifts, TotalRule};
use crate::scoring::{GamxTable, GamxTables, SinclairYear};
use serde_json::{Value, json};

fn database(championship: Value) -> Championships {
    Championships::from_database(&json!({
        "championships": [championship],
        "ageGroups": [{"active": true, "code": "SR", "championshipName": "Senior",
            "categories": [{"code": "SR_M89"}, {"code": "SR_F71"}]}]
    }))
}

/// A man of team X from his six attempts (OWLCMS athlete fields) and his total rank.
fn lifter(key: &str, lifts: Value, total_rank: i64, done: bool) -> TeamAthlete {
    let mut record = json!({"gender": "M", "bodyWeight": 88.0, "fullBirthDate": [1975, 1, 1]});
    record.as_object_mut().unwrap().extend(lifts.as_object().unwrap().clone());
    let lifts = AthleteLifts::from_json(&record);
    TeamAthlete {
        key: key.into(),
        name: key.into(),
        gender: lifts.gender,
        team: team_name(Some("X")),
        body_weight: lifts.body_weight,
        age: lifts.age_in(2025),
        best_snatch: lifts.best_snatch(),
        best_clean_jerk: lifts.best_clean_jerk(),
        total: lifts.total(TotalRule::RequireBothLifts),
        totals: Totals::of(&lifts),
        done,
        participations: vec![Participation {
            category_code: "SR_M89".into(),
            team_member: true,
            total_rank,
            snatch_rank: total_rank,
            clean_jerk_rank: total_rank,
            ..Participation::default()
        }],
    }
}

fn finished(key: &str, snatch: i64, clean_jerk: i64, rank: i64) -> TeamAthlete {
    lifter(key, json!({"snatch1ActualLift": snatch, "cleanJerk1ActualLift": clean_jerk}), rank, true)
}

fn men(set: &Championships, athletes: &[TeamAthlete], tables: &GamxTables, options: Value) -> Section {
    let overrides = TeamOverrides::from_options(&options);
    let ctx = TeamContext { sinclair_year: SinclairYear::Y2024, gamx: tables, overrides };
    standings(set, athletes, ctx)[0].sections[0].clone()
}

#[test]
fn options_are_read_and_unknown_values_keep_the_championship() {
    let o = TeamOverrides::from_options(&json!({"scoring": "GAMX-M", "topMen": 3, "topWomen": 0,
        "onlyTotalPoints": true, "bombOut": "anyLift"}));
    assert_eq!(o.scoring, TeamScoring::System(ScoringSystem::Gamx(crate::scoring::GamxVariant::Masters)));
    assert_eq!(
        (o.top_men, o.top_women, o.only_total_points, o.total_rule),
        (Some(3), None, true, TotalRule::SumOfBestLifts)
    );
    assert_eq!(TeamOverrides::from_options(&json!({"scoring": "teamPoints"})).scoring, TeamScoring::TeamPoints);
    assert_eq!(
        TeamOverrides::from_options(&json!({"scoring": "championship", "bombOut": "?"})),
        TeamOverrides::default()
    );
}

// Best 2 men, points (total only): ranks 1, 2, 4 → 28 + 25 = 53. topMen=1 → 28; topMen=3 →
// 28 + 25 + 22 = 75. scoring=sinclair turns the section into score mode with the competition's
// Sinclair year, still best 2.
#[test]
fn top_n_and_scoring_options_override_the_championship() {
    let set = database(json!({"name": "Senior", "mensBestN": 2}));
    let tables = GamxTables::builtin();
    let athletes = [finished("a", 130, 165, 1), finished("b", 125, 160, 2), finished("c", 110, 140, 4)];
    let own = men(&set, &athletes, &tables, json!({}));
    assert_eq!((own.rule.as_str(), own.teams[0].confirmed), ("best 2 men, team points", 53.0));
    let one = men(&set, &athletes, &tables, json!({"topMen": 1}));
    assert_eq!((one.rule.as_str(), one.teams[0].confirmed, one.teams[0].cap), ("best 1 men, team points", 28.0, 1));
    assert_eq!(men(&set, &athletes, &tables, json!({"topMen": 3})).teams[0].confirmed, 75.0);
    let sinclair = men(&set, &athletes, &tables, json!({"scoring": "sinclair"}));
    assert_eq!((sinclair.mode, sinclair.rule.as_str()), (Mode::Score, "best 2 men, Sinclair 2024"));
    let expected: f64 =
        [295.0, 285.0].iter().map(|t| crate::scoring::sinclair(*t, 88.0, Gender::Male, SinclairYear::Y2024)).sum();
    assert!((sinclair.teams[0].confirmed - expected).abs() < 1e-9);
    let kept: Vec<(&str, bool)> = sinclair.teams[0].roster.iter().map(|k| (k.key.as_str(), k.kept)).collect();
    assert_eq!(kept, [("a", true), ("b", true), ("c", false)], "the roster lists every member");
    // A score championship forced back to points.
    let score_set = database(json!({"name": "Senior", "teamScoringSystem": "BW_SINCLAIR"}));
    assert_eq!(men(&score_set, &athletes, &tables, json!({})).rule, "all men, Sinclair 2024");
    let points = men(&score_set, &athletes, &tables, json!({"scoring": "teamPoints"}));
    assert_eq!(
        (points.mode, points.teams[0].confirmed, points.teams[0].predicted),
        (Mode::Points, 28.0 + 25.0 + 22.0, None)
    );
}

// Mixed caps from topMen/topWomen replace mixedBestN.
#[test]
fn top_n_options_become_the_mixed_caps() {
    let c = Championship::from_json(&json!({"name": "S", "mixedBestN": 4, "mensBestN": 2}));
    let out = TeamOverrides { top_women: Some(1), ..TeamOverrides::default() }.apply(&c);
    assert_eq!((out.mens_best_n, out.womens_best_n), (Some(2), Some(1)));
    assert_eq!((out.mixed_best_n, out.mixed_mens_best_n, out.mixed_womens_best_n), (None, None, Some(1)));
}

// A snatch bomb-out with a 160 clean & jerk, and one athlete after a 100 snatch with no clean &
// jerk yet (declared 130), scored by their total (an unknown system, R5.7):
// OWLCMS total: 0 and 0; enforceBombout: 0 (bombed out) and 100; any lift: 160 and 100.
#[test]
fn bomb_out_options_pick_the_total_that_scores() {
    let set = database(json!({"name": "Senior", "teamScoringSystem": "TOTAL_KG"}));
    let tables = GamxTables::builtin();
    let bombed = lifter(
        "bombed",
        json!({"snatch1ActualLift": -100, "snatch2ActualLift": -100,
        "snatch3ActualLift": -100, "cleanJerk1ActualLift": 160}),
        0,
        true,
    );
    let midway = lifter(
        "midway",
        json!({"snatch1ActualLift": 95, "snatch2ActualLift": 100,
        "snatch3ActualLift": -105, "cleanJerk1Declaration": 130}),
        0,
        false,
    );
    let athletes = [bombed, midway];
    let live = |options: Value| {
        let team = &men(&set, &athletes, &tables, options).teams[0];
        (team.live, team.confirmed, team.predicted)
    };
    // Predicted: the midway athlete's 130 clean & jerk succeeds → 230 under every rule.
    assert_eq!(live(json!({})), (0.0, 0.0, Some(230.0)));
    assert_eq!(live(json!({"bombOut": "owlcms"})), (0.0, 0.0, Some(230.0)));
    assert_eq!(live(json!({"bombOut": "enforce"})), (100.0, 0.0, Some(230.0)));
    assert_eq!(live(json!({"bombOut": "anyLift"})), (260.0, 160.0, Some(160.0 + 230.0)));
}

// GAMX-M (masters) has no shipped table: the section says so and scores 0; once a table is
// supplied (here a one-age table, mechanics only) the same section scores.
#[test]
fn a_missing_gamx_table_is_reported_not_scored() {
    let set = database(json!({"name": "Senior", "teamScoringSystem": "GAMX_M"}));
    let athletes = [finished("a", 130, 165, 1)];
    let mut tables = GamxTables::builtin();
    let missing = men(&set, &athletes, &tables, json!({}));
    assert_eq!((missing.unavailable.as_deref(), missing.teams[0].confirmed), (Some("GAMX-M"), 0.0));
    assert_eq!(missing.rule, "all men, GAMX-M");
    let overridden = men(&set, &athletes, &tables, json!({"scoring": "gamx-u"}));
    assert_eq!(overridden.unavailable.as_deref(), Some("GAMX-U"));
    assert_eq!(men(&set, &athletes, &tables, json!({"scoring": "gamx"})).unavailable, None);
    let table = GamxTable::from_json("[[50, 80, 250, 0.08, 5], [50, 100, 280, 0.08, 5]]").unwrap();
    tables.insert(crate::scoring::GamxVariant::Masters, Gender::Male, table);
    let supplied = men(&set, &athletes, &tables, json!({}));
    assert_eq!(supplied.unavailable, None);
    assert!(supplied.teams[0].confirmed > 0.0);
}
