//! Hand-computed team standings (behaviour rules R5.3–R5.9).

use super::*;
use crate::scoring::{GamxTables, GamxVariant, SinclairYear};
use serde_json::Value;
use serde_json::json;

fn ctx(gamx: &GamxTables) -> TeamContext<'_> {
    TeamContext { sinclair_year: SinclairYear::Y2024, gamx, overrides: TeamOverrides::default() }
}

fn db(championship: Value) -> Championships {
    Championships::from_database(&json!({
        "championships": [championship],
        "ageGroups": [{"active": true, "code": "SR", "championshipName": "Senior",
            "categories": [{"code": "SR_M89"}, {"code": "SR_F71"}]}]
    }))
}

#[allow(clippy::too_many_arguments)]
fn athlete(key: &str, team: &str, gender: Gender, total: u32, ranks: [i64; 3], done: bool, mixed: bool) -> TeamAthlete {
    let code = if gender == Gender::Male { "SR_M89" } else { "SR_F71" };
    TeamAthlete {
        key: key.into(),
        name: key.into(),
        gender: Some(gender),
        team: team_name(Some(team)),
        body_weight: Some(80.0),
        age: Some(25),
        best_snatch: total * 45 / 100,
        best_clean_jerk: total - total * 45 / 100,
        total,
        totals: Totals::fixed(total),
        done,
        participations: vec![
            Participation { category_code: "OTHER".into(), ..Participation::default() },
            Participation {
                category_code: code.into(),
                team_member: true,
                mixed_team_member: mixed,
                snatch_rank: ranks[0],
                clean_jerk_rank: ranks[1],
                total_rank: ranks[2],
            },
        ],
    }
}

// The spec's sequence (behaviour rules §5): best 2 men, ranks 1 (M1 done), 2 (M2 not done),
// 4 (M1 done) → kept ranks 1 and 2 → confirmed 28, count 1/2; M2 done → 28 + 25 = 53, 2/2.
#[test]
fn points_mode_counts_kept_athletes_of_done_sessions() {
    let set = db(json!({"name": "Senior", "mensBestN": 2, "teamPoints1st": 28, "teamPoints2nd": 25,
        "teamPoints3rd": 23, "snatchCJTotalMedals": false}));
    let tables = GamxTables::builtin();
    let mut athletes = vec![
        athlete("first", "X", Gender::Male, 300, [1, 1, 1], true, false),
        athlete("fourth", "X", Gender::Male, 250, [4, 4, 4], true, false),
        athlete("second", "X", Gender::Male, 280, [2, 2, 2], false, false),
    ];
    let out = standings(&set, &athletes, ctx(&tables));
    assert_eq!(out.len(), 1);
    let men = &out[0].sections[0];
    assert_eq!((men.kind, men.mode, men.rule.as_str()), (SectionKind::Men, Mode::Points, "best 2 men, team points"));
    let x = &men.teams[0];
    assert_eq!((x.confirmed, x.live, x.count, x.cap, x.rank), (28.0, 53.0, 1, 2, 1));
    let kept: Vec<&str> = x.kept.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(kept, ["first", "second"], "the rank-2 athlete holds a slot before being done (OQ-15)");
    athletes[2].done = true;
    let x = &standings(&set, &athletes, ctx(&tables))[0].sections[0].teams[0];
    assert_eq!((x.confirmed, x.count, x.cap), (53.0, 2, 2));
}

// Score mode (R5.7): an unknown system counts the total. Team Y women: 200 (done), 180 (not
// done), 150 (done) → live = best 2 of all = 380, confirmed = best 2 of done = 350, count 2.
// Team Z: 190 + 185, both done = 375, so Z ranks first on confirmed although Y is ahead live.
#[test]
fn score_mode_has_live_and_confirmed_sums() {
    let set = db(json!({"name": "Senior", "womensBestN": 2, "teamScoringSystem": "TOTAL_KG"}));
    let tables = GamxTables::builtin();
    let athletes = vec![
        athlete("y1", "Y", Gender::Female, 200, [1, 1, 1], true, false),
        athlete("y2", "Y", Gender::Female, 180, [3, 3, 3], false, false),
        athlete("y3", "Y", Gender::Female, 150, [5, 5, 5], true, false),
        athlete("z1", "Z", Gender::Female, 190, [2, 2, 2], true, false),
        athlete("z2", "Z", Gender::Female, 185, [4, 4, 4], true, false),
        athlete("u", " unaffiliated ", Gender::Female, 300, [1, 1, 1], true, false),
    ];
    let out = standings(&set, &athletes, ctx(&tables));
    let women = &out[0].sections[0];
    assert_eq!(
        (women.kind, women.mode, women.rule.as_str()),
        (SectionKind::Women, Mode::Score, "best 2 women, TOTAL_KG")
    );
    let summary: Vec<(&str, f64, f64, usize, usize)> =
        women.teams.iter().map(|t| (t.team.as_str(), t.confirmed, t.live, t.count, t.rank)).collect();
    assert_eq!(summary, [("Z", 375.0, 375.0, 2, 1), ("Y", 350.0, 380.0, 2, 2)]);
    assert_eq!(out[0].sections.len(), 1, "no men, no mixed configured");
}

// BW_SINCLAIR: OWLCMS showed Sinclair 325.085 for 295 kg at 111.01 kg (UPDATE-SWITCHGROUP sample).
#[test]
fn score_mode_uses_the_championship_system() {
    let set = db(json!({"name": "Senior", "teamScoringSystem": "BW_SINCLAIR"}));
    let tables = GamxTables::builtin();
    let mut a = athlete("k", "X", Gender::Male, 295, [1, 1, 1], true, false);
    a.body_weight = Some(111.01);
    let team = &standings(&set, &[a], ctx(&tables))[0].sections[0].teams[0];
    assert!((team.confirmed - 325.085).abs() < 0.0005, "{}", team.confirmed);
    assert_eq!(team_scoring_system("Q_MASTERS", SinclairYear::Y2024), Some(ScoringSystem::QMasters));
    assert_eq!(team_scoring_system("GAMX_U", SinclairYear::Y2024), Some(ScoringSystem::Gamx(GamxVariant::U17)));
}

// Mixed with explicit members and caps 1 man + 2 women, points mode: the order is m1 (rank 1,
// 300), w1 (rank 1, 200), m2 (rank 2: men cap reached), w2 (rank 3); w3 is no mixed member.
// Kept m1 28 + w1 28 + w2 23 = 79, count 3 of min(1 + 2, 4). The men's section keeps both men.
#[test]
fn mixed_teams_take_explicit_members_up_to_the_gender_caps() {
    let set =
        db(json!({"name": "Senior", "explicitMixedTeamMembers": true, "mixedMensBestN": 1, "mixedWomensBestN": 2}));
    let tables = GamxTables::builtin();
    let athletes = vec![
        athlete("m1", "X", Gender::Male, 300, [1, 1, 1], true, true),
        athlete("m2", "X", Gender::Male, 280, [2, 2, 2], true, true),
        athlete("w1", "X", Gender::Female, 200, [1, 1, 1], true, true),
        athlete("w2", "X", Gender::Female, 150, [3, 3, 3], true, true),
        athlete("w3", "X", Gender::Female, 180, [2, 2, 2], true, false),
    ];
    let out = standings(&set, &athletes, ctx(&tables));
    let kinds: Vec<SectionKind> = out[0].sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SectionKind::Men, SectionKind::Women, SectionKind::Mixed]);
    let mixed = &out[0].sections[2];
    assert_eq!(mixed.rule, "mixed: best 1 men + 2 women, team points");
    let x = &mixed.teams[0];
    let kept: Vec<&str> = x.kept.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(kept, ["m1", "w1", "w2"]);
    assert_eq!((x.confirmed, x.count, x.cap, x.members), (79.0, 3, 3, 4));
    assert_eq!(out[0].sections[0].teams[0].confirmed, 28.0 + 25.0);
}

// Medal policy (R5.9): ALL_THREE medals with LIFTS_ONLY team points → snatch 1st (28) + C&J 2nd
// (25) = 53, the total's 28 not counted. Total-only medals force total-only points (28) even
// with teamPointsPolicy ALL_THREE; the "only total points" option does the same.
#[test]
fn medal_policy_decides_which_placings_earn_points() {
    let tables = GamxTables::builtin();
    let a = [athlete("a", "X", Gender::Male, 300, [1, 2, 1], true, false)];
    let lifts = db(json!({"name": "Senior", "medalPolicy": "ALL_THREE", "teamPointsPolicy": "LIFTS_ONLY"}));
    let out = &standings(&lifts, &a, ctx(&tables))[0];
    assert_eq!((out.medal_policy, out.team_points_policy), (TeamPointsPolicy::AllThree, TeamPointsPolicy::LiftsOnly));
    assert_eq!(out.sections[0].teams[0].confirmed, 53.0);
    assert_eq!(out.sections[0].rule, "all men, team points (snatch, clean & jerk)");
    let total = db(json!({"name": "Senior", "snatchCJTotalMedals": false, "teamPointsPolicy": "ALL_THREE"}));
    assert_eq!(standings(&total, &a, ctx(&tables))[0].sections[0].teams[0].confirmed, 28.0);
    let all = db(json!({"name": "Senior", "snatchCJTotalMedals": true}));
    assert_eq!(standings(&all, &a, ctx(&tables))[0].sections[0].teams[0].confirmed, 28.0 + 25.0 + 28.0);
    let only_total = TeamContext {
        overrides: TeamOverrides { only_total_points: true, ..TeamOverrides::default() },
        ..ctx(&tables)
    };
    assert_eq!(standings(&all, &a, only_total)[0].sections[0].teams[0].confirmed, 28.0);
}
