//! Ranks within a category by snatch, clean & jerk or total, with OWLCMS's tie-breaks.
//!
//! Port of jflamy/owlcms4 `owlcms/src/main/java/app/owlcms/data/athleteSort/
//! WinningOrderComparator.java` (SNATCH, CLEANJERK, TOTAL) and the helpers it uses in
//! `AbstractLifterComparator.java`. For equal results:
//! 1. the earlier session wins;
//! 2. only with the competition's `useOldBodyWeightTieBreak`: the lighter athlete wins;
//! 3. snatch: the earlier best attempt wins; clean & jerk and total: the smaller best clean &
//!    jerk wins (the total was reached first), then the earlier best clean & jerk attempt;
//! 4. the smaller weights attempted before the best attempt, going backwards (who lifted it
//!    first), clean & jerk attempts only for clean & jerk and total;
//! 5. the smaller lot number.
//!
//! Athletes with a zero result are unranked (rank 0), as OWLCMS reports them.

use super::lifts::{AthleteLifts, TotalRule};
use serde_json::Value;
use std::cmp::Ordering;

/// Which result ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RankBy {
    /// Best snatch.
    Snatch,
    /// Best clean & jerk.
    CleanJerk,
    /// Total (under [`RankOptions::total_rule`]).
    Total,
}

/// Competition settings that change the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RankOptions {
    /// OWLCMS `useOldBodyWeightTieBreak`: the lighter athlete wins a tie (pre-2023 IWF rule).
    pub body_weight_tie_break: bool,
    /// How totals are formed (OWLCMS itself: [`TotalRule::RequireBothLifts`]).
    pub total_rule: TotalRule,
}

/// The result that ranks, in kg.
pub fn result(athlete: &AthleteLifts, by: RankBy, options: RankOptions) -> u32 {
    match by {
        RankBy::Snatch => athlete.best_snatch(),
        RankBy::CleanJerk => athlete.best_clean_jerk(),
        RankBy::Total => athlete.total(options.total_rule),
    }
}

/// Winning order: `Less` when `a` ranks ahead of `b`. Categories are not compared: rank one
/// category at a time.
pub fn compare_results(a: &AthleteLifts, b: &AthleteLifts, by: RankBy, options: RankOptions) -> Ordering {
    let bigger_first = result(b, by, options).cmp(&result(a, by, options));
    let session = || compare_session(a, b);
    let weight = || {
        if options.body_weight_tie_break {
            // OWLCMS counts an athlete not weighed in as 0 kg.
            a.body_weight.unwrap_or(0.0).total_cmp(&b.body_weight.unwrap_or(0.0))
        } else {
            Ordering::Equal
        }
    };
    let lot = || a.lot_number.cmp(&b.lot_number);
    match by {
        RankBy::Snatch => bigger_first
            .then_with(session)
            .then_with(weight)
            .then_with(|| a.best_snatch_attempt().cmp(&b.best_snatch_attempt()))
            .then_with(|| previous_attempts(a, b, a.best_snatch_attempt(), false))
            .then_with(lot),
        RankBy::CleanJerk | RankBy::Total => bigger_first
            .then_with(session)
            .then_with(weight)
            .then_with(|| a.best_clean_jerk().cmp(&b.best_clean_jerk()))
            .then_with(|| a.best_clean_jerk_attempt().cmp(&b.best_clean_jerk_attempt()))
            .then_with(|| previous_attempts(a, b, a.best_clean_jerk_attempt(), true))
            .then_with(lot),
    }
}

/// OWLCMS treats a missing session or start time as earliest (`compareCompetitionSessionTime`).
fn compare_session(a: &AthleteLifts, b: &AthleteLifts) -> Ordering {
    a.session_start.cmp(&b.session_start)
}

/// `comparePreviousAttempts`: from attempt `from` backwards, the smaller attempted weight wins.
fn previous_attempts(a: &AthleteLifts, b: &AthleteLifts, from: usize, clean_jerk_only: bool) -> Ordering {
    let last = if clean_jerk_only { 4 } else { 1 };
    (last..=from.min(6))
        .rev()
        .map(|n| weight_at(a, n).cmp(&weight_at(b, n)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn weight_at(athlete: &AthleteLifts, number: usize) -> u32 {
    athlete.attempt(number).map_or(0, |a| a.attempted_weight())
}

/// Ranks (1 = best, 0 = no result) of athletes of one category, in input order. Athletes who
/// tie on every criterion keep their input order, as OWLCMS falls back to its database id.
pub fn ranks(athletes: &[AthleteLifts], by: RankBy, options: RankOptions) -> Vec<u32> {
    let mut order: Vec<usize> = (0..athletes.len()).collect();
    order.sort_by(|&i, &j| compare_results(&athletes[i], &athletes[j], by, options));
    let mut ranks = vec![0; athletes.len()];
    let mut next = 1;
    for index in order {
        if result(&athletes[index], by, options) > 0 {
            ranks[index] = next;
            next += 1;
        }
    }
    ranks
}

/// A sortable key for a session's `competitionTime`, which OWLCMS sends as an ISO string or as
/// an array `[year, month, day, hour, minute, second, nanos]`; `None` for anything else.
pub fn session_start_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Array(parts) if !parts.is_empty() => {
            let part = |i: usize| parts.get(i).and_then(Value::as_i64).unwrap_or(0);
            Some(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}",
                part(0),
                part(1),
                part(2),
                part(3),
                part(4),
                part(5),
                part(6)
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn athlete(fields: Value) -> AthleteLifts {
        AthleteLifts::from_json(&fields)
    }

    // Source: samples/owlcms/ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json, a real OWLCMS
    // database (Norwegian team championship, useOldBodyWeightTieBreak = false) with OWLCMS's own
    // snatchRank / cleanJerkRank / totalRank per participation. It has ties decided by the
    // earlier best attempt (SM_M109 snatch 133 kg), by the smaller earlier attempt (SM_M96 C&J
    // 154 kg: 150 before 154 beats 154 failed before 154) and unranked zero results.
    #[test]
    fn reproduces_owlcms_ranks_of_a_real_competition() {
        let text = include_str!("../../../samples/owlcms/ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json");
        let database: Value = serde_json::from_str(text).unwrap();
        let database = &database["database"];
        let options = RankOptions {
            body_weight_tie_break: database["competition"]["useOldBodyWeightTieBreak"] == true,
            total_rule: TotalRule::RequireBothLifts,
        };
        let mut categories: BTreeMap<String, Vec<(AthleteLifts, Value)>> = BTreeMap::new();
        for raw in database["athletes"].as_array().unwrap() {
            let participation = raw["participations"][0].clone();
            let code = participation["categoryCode"].as_str().unwrap().to_owned();
            categories.entry(code).or_default().push((AthleteLifts::from_json(raw), participation));
        }
        assert_eq!(categories.len(), 22);
        for (code, members) in &categories {
            let lifts: Vec<AthleteLifts> = members.iter().map(|(a, _)| a.clone()).collect();
            for (by, field) in
                [(RankBy::Snatch, "snatchRank"), (RankBy::CleanJerk, "cleanJerkRank"), (RankBy::Total, "totalRank")]
            {
                let expected: Vec<u32> = members.iter().map(|(_, p)| p[field].as_u64().unwrap() as u32).collect();
                assert_eq!(ranks(&lifts, by, options), expected, "{code} {field}");
            }
        }
    }

    fn lifter(lot: i64, bw: f64, actuals: [i64; 6]) -> AthleteLifts {
        let names = ["snatch1", "snatch2", "snatch3", "cleanJerk1", "cleanJerk2", "cleanJerk3"];
        let mut map = serde_json::Map::new();
        for (name, value) in names.iter().zip(actuals) {
            map.insert(format!("{name}ActualLift"), json!(value));
        }
        map.insert("lotNumber".into(), json!(lot));
        map.insert("bodyWeight".into(), json!(bw));
        athlete(Value::Object(map))
    }

    // WinningOrderComparator.tieBreak: for equal totals, the smaller clean & jerk reached the
    // total first; then the earlier attempt; then smaller earlier attempts; then the lot.
    #[test]
    fn equal_totals_break_on_how_the_total_was_reached() {
        let options = RankOptions::default();
        let big_cj = lifter(1, 80.0, [100, 105, -110, 130, 135, 140]); // 245 with 140
        let small_cj = lifter(2, 80.0, [100, 105, 110, 130, 135, -140]); // 245 with 135
        assert_eq!(ranks(&[big_cj, small_cj], RankBy::Total, options), vec![2, 1]);
        let early = lifter(9, 80.0, [100, 105, 110, 135, -140, -140]);
        let late = lifter(1, 80.0, [100, 105, 110, -135, -135, 135]);
        assert_eq!(ranks(&[late, early], RankBy::Total, options), vec![2, 1]);
        let lighter_opener = lifter(9, 80.0, [100, 105, 110, 130, 135, -140]);
        let heavier_opener = lifter(1, 80.0, [100, 105, 110, 132, 135, -140]);
        assert_eq!(ranks(&[heavier_opener, lighter_opener], RankBy::Total, options), vec![2, 1]);
        let same_a = lifter(7, 80.0, [100, 105, 110, 130, 135, -140]);
        let same_b = lifter(3, 79.0, [100, 105, 110, 130, 135, -140]);
        assert_eq!(ranks(&[same_a, same_b.clone()], RankBy::Total, options), vec![2, 1]);
        // With the old body-weight rule the lighter athlete wins before anything else.
        let old = RankOptions { body_weight_tie_break: true, ..options };
        let heavy = lifter(1, 81.0, [100, 105, 110, 130, 135, -140]);
        assert_eq!(ranks(&[heavy, same_b], RankBy::Total, old), vec![2, 1]);
    }

    #[test]
    fn earlier_sessions_win_and_zero_results_are_unranked() {
        let mut morning = lifter(9, 80.0, [100, 105, 110, 130, 135, 140]);
        let mut evening = lifter(1, 80.0, [100, 105, 110, 130, 135, 140]);
        morning.session_start = session_start_key(&json!([2025, 11, 22, 9, 0]));
        evening.session_start = session_start_key(&json!("2025-11-22T18:00:00.000000000"));
        assert_eq!(ranks(&[evening, morning], RankBy::Snatch, RankOptions::default()), vec![2, 1]);
        let bombed = lifter(2, 70.0, [-100, -100, -100, 130, 135, 140]);
        let fine = lifter(3, 70.0, [90, 95, 100, 120, 125, -130]);
        let options = RankOptions::default();
        assert_eq!(ranks(&[bombed.clone(), fine.clone()], RankBy::Total, options), vec![0, 1]);
        assert_eq!(ranks(&[bombed.clone(), fine.clone()], RankBy::Snatch, options), vec![0, 1]);
        assert_eq!(ranks(&[bombed.clone(), fine.clone()], RankBy::CleanJerk, options), vec![1, 2]);
        let sum = RankOptions { total_rule: TotalRule::SumOfBestLifts, ..options };
        assert_eq!(ranks(&[bombed, fine], RankBy::Total, sum), vec![2, 1]);
        assert!(ranks(&[], RankBy::Total, options).is_empty());
    }

    #[test]
    fn session_keys_sort_like_times() {
        assert_eq!(session_start_key(&json!([2025, 1, 2, 9, 5])).as_deref(), Some("2025-01-02T09:05:00.000000000"));
        assert_eq!(session_start_key(&json!(" ")), None);
        assert_eq!(session_start_key(&Value::Null), None);
        assert!(session_start_key(&json!([2025, 1, 2, 9])) < session_start_key(&json!([2025, 1, 2, 10])));
    }
}
