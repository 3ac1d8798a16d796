//! An athlete's six attempts read from an OWLCMS V2 athlete object, and what follows from them:
//! best lifts, totals under the bomb-out rules, the next requested weight and the total
//! predicted "if the next attempt succeeds".
//!
//! Field semantics (docs/owlcms-protocol.md §4.7; OWLCMS `Athlete.java`): per attempt
//! `{snatch,cleanJerk}{1,2,3}{Declaration,Change1,Change2,ActualLift,AutomaticProgression}`;
//! `ActualLift` positive = good, negative or 0 = failed, null/empty = not done yet. Numbers may
//! arrive as strings; `AutomaticProgression` always does.

use super::Gender;
use crate::protocol::scalar::{as_bool, as_i64, as_string, key_string};
use serde_json::Value;

/// The outcome of an attempt that has been taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiftResult {
    /// A good lift at this weight (kg).
    Good(u32),
    /// A failed lift at this weight (kg); 0 when OWLCMS recorded no weight (`"-"`, `0`).
    Failed(u32),
}

/// One attempt: what was asked for and, once taken, how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempt {
    /// The declared weight.
    pub declaration: Option<u32>,
    /// The first change.
    pub change1: Option<u32>,
    /// The second change.
    pub change2: Option<u32>,
    /// The weight OWLCMS would call without a declaration (previous attempt + progression).
    pub automatic_progression: Option<u32>,
    /// The result, once the attempt has been taken.
    pub actual: Option<LiftResult>,
}

impl Attempt {
    /// The weight currently asked for: change 2, else change 1, else the declaration, else the
    /// automatic progression (OWLCMS `getRequestedWeightForAttempt`, which takes the last
    /// positive of progression, declaration, change 1, change 2).
    pub fn requested_weight(&self) -> Option<u32> {
        self.change2.or(self.change1).or(self.declaration).or(self.automatic_progression)
    }

    /// The weight of a good lift, else 0.
    pub fn good_weight(&self) -> u32 {
        match self.actual {
            Some(LiftResult::Good(w)) => w,
            _ => 0,
        }
    }

    /// The weight attempted, good or not (0 if not taken); OWLCMS's `abs(zeroIfInvalid(actual))`.
    pub fn attempted_weight(&self) -> u32 {
        match self.actual {
            Some(LiftResult::Good(w) | LiftResult::Failed(w)) => w,
            None => 0,
        }
    }
}

/// How a total is formed when a lift has no good attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TotalRule {
    /// OWLCMS `Athlete.getTotal`: 0 unless both the snatch and the clean & jerk have a good
    /// lift (so 0 until the first good clean & jerk, and 0 after a bomb-out).
    #[default]
    RequireBothLifts,
    /// The tracker's `enforceBombout=true`: the sum of the best lifts, but 0 once all three
    /// attempts of either lift have failed.
    EnforceBombOut,
    /// The tracker's default (`enforceBombout=false`, French practice): any kilo lifted counts.
    SumOfBestLifts,
}

/// An athlete's identity fields used for scoring and ranking, and the six attempts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AthleteLifts {
    /// OWLCMS athlete key, normalised to a string.
    pub key: Option<String>,
    /// Gender (`M`/`F`); `None` if missing or not binary (OWLCMS then scores nothing).
    pub gender: Option<Gender>,
    /// Body weight in kg.
    pub body_weight: Option<f64>,
    /// Year of birth, from `yearOfBirth` or `fullBirthDate` (array or ISO string).
    pub birth_year: Option<i32>,
    /// Lot number (last tie-break).
    pub lot_number: Option<i64>,
    /// Start number.
    pub start_number: Option<i64>,
    /// Category code (`categoryCode`, else `category`).
    pub category: Option<String>,
    /// Session name (`sessionName`, else `group`).
    pub session: Option<String>,
    /// Sortable session start time, for the "earlier session wins" tie-break. Not in the
    /// athlete object: fill it from the session's `competitionTime` with
    /// [`super::ranking::session_start_key`].
    pub session_start: Option<String>,
    /// `teamMember` of the first participation (or of the athlete object).
    pub team_member: Option<bool>,
    /// Snatch attempts 1–3.
    pub snatch: [Attempt; 3],
    /// Clean & jerk attempts 1–3.
    pub clean_jerk: [Attempt; 3],
}

fn weight(value: Option<&Value>) -> Option<u32> {
    as_i64(value).filter(|n| *n > 0).and_then(|n| u32::try_from(n).ok())
}

fn actual(value: Option<&Value>) -> Option<LiftResult> {
    let clamp = |n: i64| u32::try_from(n.unsigned_abs()).unwrap_or(u32::MAX);
    match value? {
        Value::String(s) if s.trim().is_empty() => None,
        v @ (Value::String(_) | Value::Number(_)) => match as_i64(Some(v)) {
            Some(n) if n > 0 => Some(LiftResult::Good(clamp(n))),
            Some(n) => Some(LiftResult::Failed(clamp(n))),
            // OWLCMS stores "-" for a lift declared failed without a weight: taken, no weight.
            None => Some(LiftResult::Failed(0)),
        },
        _ => None,
    }
}

fn as_f64(value: Option<&Value>) -> Option<f64> {
    let number = match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    number.filter(|n| n.is_finite())
}

fn birth_year(athlete: &Value) -> Option<i32> {
    let from_year = as_i64(athlete.get("yearOfBirth"));
    let from_date = crate::protocol::dates::birth_year(athlete.get("fullBirthDate"));
    from_year.or(from_date).filter(|y| *y > 0).and_then(|y| i32::try_from(y).ok())
}

impl AthleteLifts {
    /// Reads an OWLCMS V2 athlete (database `athletes[]` entry, or the `athlete` of a session
    /// entry; a whole session entry `{athlete, displayInfo}` is accepted too). Missing or
    /// unreadable fields become `None`; nothing fails.
    pub fn from_json(value: &Value) -> AthleteLifts {
        let athlete = match value.get("athlete") {
            Some(inner @ Value::Object(_)) => inner,
            _ => value,
        };
        let attempts = |lift: &str| {
            std::array::from_fn(|i| {
                let field = |suffix: &str| athlete.get(format!("{lift}{}{suffix}", i + 1));
                Attempt {
                    declaration: weight(field("Declaration")),
                    change1: weight(field("Change1")),
                    change2: weight(field("Change2")),
                    automatic_progression: weight(field("AutomaticProgression")),
                    actual: actual(field("ActualLift")),
                }
            })
        };
        let text = |a: &str, b: &str| as_string(athlete.get(a)).or_else(|| as_string(athlete.get(b)));
        let first_participation = athlete.get("participations").and_then(|p| p.get(0));
        AthleteLifts {
            key: athlete.get("key").and_then(key_string),
            gender: as_string(athlete.get("gender")).and_then(|g| Gender::parse(&g)),
            body_weight: as_f64(athlete.get("bodyWeight")).filter(|bw| *bw > 0.0),
            birth_year: birth_year(athlete),
            lot_number: as_i64(athlete.get("lotNumber")),
            start_number: as_i64(athlete.get("startNumber")),
            category: text("categoryCode", "category"),
            session: text("sessionName", "group"),
            session_start: None,
            team_member: as_bool(first_participation.and_then(|p| p.get("teamMember")))
                .or_else(|| as_bool(athlete.get("teamMember"))),
            snatch: attempts("snatch"),
            clean_jerk: attempts("cleanJerk"),
        }
    }

    /// Attempt 1–6 in lifting order (snatch 1–3, then clean & jerk 1–3).
    pub fn attempt(&self, number: usize) -> Option<&Attempt> {
        match number {
            1..=3 => self.snatch.get(number - 1),
            4..=6 => self.clean_jerk.get(number - 4),
            _ => None,
        }
    }

    /// The best good snatch (0 if none).
    pub fn best_snatch(&self) -> u32 {
        self.snatch.iter().map(Attempt::good_weight).max().unwrap_or(0)
    }

    /// The best good clean & jerk (0 if none).
    pub fn best_clean_jerk(&self) -> u32 {
        self.clean_jerk.iter().map(Attempt::good_weight).max().unwrap_or(0)
    }

    /// Attempt number (1–3) of the best snatch, 0 if none: the last attempt at that weight,
    /// as OWLCMS `getBestSnatchAttemptNumber`.
    pub fn best_snatch_attempt(&self) -> usize {
        best_attempt(&self.snatch, self.best_snatch())
    }

    /// Attempt number (4–6) of the best clean & jerk, 0 if none (OWLCMS numbering).
    pub fn best_clean_jerk_attempt(&self) -> usize {
        match best_attempt(&self.clean_jerk, self.best_clean_jerk()) {
            0 => 0,
            n => n + 3,
        }
    }

    /// Attempts taken so far, counted in lifting order up to the first not taken (OWLCMS
    /// `getAttemptsDone`).
    pub fn attempts_done(&self) -> usize {
        self.snatch.iter().chain(&self.clean_jerk).take_while(|a| a.actual.is_some()).count()
    }

    /// Three snatches or three clean & jerks taken and all failed.
    pub fn bombed_out(&self) -> bool {
        let failed_all = |lift: &[Attempt; 3]| lift.iter().all(|a| matches!(a.actual, Some(LiftResult::Failed(_))));
        failed_all(&self.snatch) || failed_all(&self.clean_jerk)
    }

    /// The total under a rule.
    pub fn total(&self, rule: TotalRule) -> u32 {
        self.apply(rule, self.best_snatch(), self.best_clean_jerk())
    }

    /// The weight requested for the next attempt (attempt `attempts_done() + 1`), if any.
    pub fn next_requested_weight(&self) -> Option<u32> {
        self.attempt(self.attempts_done() + 1)?.requested_weight()
    }

    /// The total if the next attempt succeeds (tracker `PREDICTED_TOTAL_RULES.md`): during the
    /// snatch, the next snatch request (plus the first clean & jerk request when
    /// `include_cj_declaration`); during the clean & jerk, best snatch + next clean & jerk
    /// request; when done, the actual total. A request below the best lift never lowers it.
    pub fn predicted_total(&self, rule: TotalRule, include_cj_declaration: bool) -> u32 {
        let (snatch, clean_jerk) = (self.best_snatch(), self.best_clean_jerk());
        let next = self.next_requested_weight().unwrap_or(0);
        let (snatch, clean_jerk) = match self.attempts_done() {
            0..=2 => {
                let declared_cj = self.clean_jerk[0].requested_weight().filter(|_| include_cj_declaration);
                (snatch.max(next), declared_cj.unwrap_or(0))
            }
            3..=5 => (snatch, clean_jerk.max(next)),
            _ => (snatch, clean_jerk),
        };
        self.apply(rule, snatch, clean_jerk)
    }

    /// The age reached in the competition year (masters rule), if the birth year is known.
    pub fn age_in(&self, competition_year: i32) -> Option<i32> {
        self.birth_year.map(|year| super::masters::masters_age(year, competition_year))
    }

    fn apply(&self, rule: TotalRule, snatch: u32, clean_jerk: u32) -> u32 {
        match rule {
            TotalRule::RequireBothLifts if snatch == 0 || clean_jerk == 0 => 0,
            TotalRule::EnforceBombOut if self.bombed_out() => 0,
            _ => snatch + clean_jerk,
        }
    }
}

fn best_attempt(lift: &[Attempt; 3], best: u32) -> usize {
    if best == 0 {
        return 0;
    }
    lift.iter().rposition(|a| a.good_weight() == best).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn athlete(fields: Value) -> AthleteLifts {
        AthleteLifts::from_json(&fields)
    }

    /// The six actual-lift fields, as OWLCMS's AthleteTest sets them.
    fn actuals(values: [Value; 6]) -> AthleteLifts {
        let names = ["snatch1", "snatch2", "snatch3", "cleanJerk1", "cleanJerk2", "cleanJerk3"];
        let mut map = serde_json::Map::new();
        for (name, value) in names.iter().zip(values) {
            map.insert(format!("{name}ActualLift"), value);
        }
        athlete(Value::Object(map))
    }

    // jflamy/owlcms4 owlcms/src/test/java/app/owlcms/tests/AthleteTest.java, testGetTotal*:
    // OWLCMS's total is 0 after a bomb-out, without C&J or snatch data, and with partial data.
    #[test]
    fn totals_follow_the_owlcms_unit_tests() {
        let rule = TotalRule::RequireBothLifts;
        let happy = actuals([json!("60"), json!("61"), json!("62"), json!("80"), json!("81"), json!("82")]);
        assert_eq!(happy.total(rule), 144);
        let bomb = actuals([json!("-60"), json!("-60"), json!("-60"), json!("-80"), json!("-80"), json!("-80")]);
        assert_eq!(bomb.total(rule), 0);
        let no_cj = actuals([json!("60"), json!("61"), json!("62"), Value::Null, Value::Null, Value::Null]);
        assert_eq!(no_cj.total(rule), 0);
        let no_snatch = actuals([Value::Null, Value::Null, Value::Null, json!("80"), json!("81"), json!("82")]);
        assert_eq!(no_snatch.total(rule), 0);
        let partial = actuals([json!("60"), json!(""), Value::Null, json!("-80"), json!("-"), Value::Null]);
        assert_eq!(partial.total(rule), 0);
        let snatch_bomb = actuals([json!("-60"), json!("-60"), json!("-60"), json!("80"), json!("81"), json!("-")]);
        assert_eq!(snatch_bomb.total(rule), 0);
        assert_eq!(athlete(json!({})).total(rule), 0);
    }

    #[test]
    fn bomb_out_rules_differ_only_where_they_should() {
        let snatch_bomb = actuals([json!(-60), json!(-60), json!(-60), json!(80), json!(81), json!("-")]);
        assert!(snatch_bomb.bombed_out());
        assert_eq!(snatch_bomb.total(TotalRule::EnforceBombOut), 0);
        assert_eq!(snatch_bomb.total(TotalRule::SumOfBestLifts), 81);
        // Mid-snatch: no bomb-out yet, only the strict OWLCMS total is still 0.
        let mid = actuals([json!(-60), json!(60), Value::Null, Value::Null, Value::Null, Value::Null]);
        assert!(!mid.bombed_out());
        assert_eq!(mid.total(TotalRule::RequireBothLifts), 0);
        assert_eq!(mid.total(TotalRule::EnforceBombOut), 60);
        assert_eq!(mid.total(TotalRule::SumOfBestLifts), 60);
        assert_eq!(mid.attempts_done(), 2);
    }

    #[test]
    fn requests_prefer_change2_then_change1_then_declaration_then_progression() {
        let a = athlete(json!({
            "snatch1Declaration": 100, "snatch1Change1": "102", "snatch1Change2": 104,
            "snatch2Declaration": 100, "snatch2Change1": 103,
            "snatch3Declaration": "105", "snatch3AutomaticProgression": "101",
            "cleanJerk1AutomaticProgression": "130", "cleanJerk1Change2": "",
            "cleanJerk2Change1": 0
        }));
        let requested: Vec<Option<u32>> = (1..=6).map(|n| a.attempt(n).unwrap().requested_weight()).collect();
        assert_eq!(requested, vec![Some(104), Some(103), Some(105), Some(130), None, None]);
        assert_eq!(a.next_requested_weight(), Some(104));
    }

    // Source: samples/owlcms/ws-2025-12/2025-12-18T14-05-16-652-UPDATE-STARTLIFTING.json, where
    // OWLCMS shows Holme's C&J 3 (212 kg) as "next" and Kjellevand's (170 kg) as "current".
    #[test]
    fn reads_live_session_athletes() {
        let text = include_str!("../../../samples/owlcms/ws-2025-12/2025-12-18T14-05-16-652-UPDATE-STARTLIFTING.json");
        let update: Value = serde_json::from_str(text).unwrap();
        // Captured in learning mode: the file is the update's payload itself.
        let entries = update["sessionAthletes"].as_array().unwrap();
        let find = |name: &str| {
            let entry = entries.iter().find(|e| e["athlete"]["lastName"] == name).unwrap();
            AthleteLifts::from_json(entry)
        };
        let holme = find("Holme");
        assert_eq!((holme.best_snatch(), holme.best_clean_jerk(), holme.total(TotalRule::default())), (160, 208, 368));
        assert_eq!(holme.attempts_done(), 5);
        assert_eq!(holme.next_requested_weight(), Some(212));
        assert_eq!(holme.predicted_total(TotalRule::default(), false), 372);
        assert_eq!(holme.gender, Some(Gender::Male));
        assert_eq!(holme.body_weight, Some(139.14));
        let kjellevand = find("Kjellevand");
        assert_eq!(kjellevand.best_snatch_attempt(), 3);
        assert_eq!(kjellevand.predicted_total(TotalRule::default(), true), 300);
        assert_eq!(kjellevand.birth_year, Some(1992));
        assert_eq!(kjellevand.age_in(2025), Some(33));
        assert_eq!(kjellevand.team_member, Some(true));
        assert_eq!(kjellevand.category.as_deref(), Some("SM_M999"));
    }

    // owlcms-tracker src/plugins/teams/team-scoreboard/PREDICTED_TOTAL_RULES.md, Examples 1–5.
    #[test]
    fn predictions_follow_the_tracker_examples() {
        let sum = TotalRule::SumOfBestLifts;
        let in_snatch =
            athlete(json!({"snatch1ActualLift": 100, "snatch2Declaration": 105, "cleanJerk1Declaration": 130}));
        assert_eq!(in_snatch.predicted_total(sum, false), 105);
        assert_eq!(in_snatch.predicted_total(sum, true), 235);
        assert_eq!(in_snatch.predicted_total(TotalRule::RequireBothLifts, false), 0);
        let snatch_done = athlete(json!({"snatch1ActualLift": 95, "snatch2ActualLift": 100, "snatch3ActualLift": -103,
                                         "cleanJerk1Declaration": 130}));
        assert_eq!(snatch_done.predicted_total(sum, false), 230);
        assert_eq!(snatch_done.predicted_total(TotalRule::RequireBothLifts, false), 230);
        let bombed = athlete(json!({"snatch1ActualLift": -95, "snatch2ActualLift": -95, "snatch3ActualLift": -95,
                                    "cleanJerk1Declaration": 120}));
        assert_eq!(bombed.total(TotalRule::EnforceBombOut), 0);
        assert_eq!(bombed.predicted_total(TotalRule::EnforceBombOut, true), 0);
        assert_eq!(bombed.predicted_total(sum, true), 120);
        let before = athlete(json!({"snatch1Declaration": 80, "cleanJerk1Declaration": 100}));
        assert_eq!(before.predicted_total(sum, false), 80);
        assert_eq!(before.predicted_total(sum, true), 180);
        let done = actuals([json!(60), json!(61), json!(-62), json!(80), json!(-81), json!(-81)]);
        assert_eq!(done.predicted_total(sum, true), 141);
        assert_eq!(athlete(json!({})).predicted_total(sum, true), 0);
    }

    #[test]
    fn tolerates_strings_missing_fields_and_odd_values() {
        let a = athlete(json!({
            "key": "-12", "gender": "F", "bodyWeight": "63.55", "fullBirthDate": "1990-05-01",
            "lotNumber": "21", "snatch1ActualLift": "0", "snatch2ActualLift": "abc",
            "snatch3ActualLift": {"x": 1}, "cleanJerk1ActualLift": 70.0
        }));
        assert_eq!(a.key.as_deref(), Some("-12"));
        assert_eq!(a.gender, Some(Gender::Female));
        assert_eq!(a.body_weight, Some(63.55));
        assert_eq!(a.birth_year, Some(1990));
        assert_eq!(a.lot_number, Some(21));
        assert_eq!(a.snatch[0].actual, Some(LiftResult::Failed(0)));
        assert_eq!(a.snatch[1].actual, Some(LiftResult::Failed(0)));
        assert_eq!(a.snatch[2].actual, None);
        assert_eq!(a.clean_jerk[0].actual, Some(LiftResult::Good(70)));
        assert_eq!(a.attempts_done(), 2);
        let empty = athlete(json!({"gender": "X", "bodyWeight": 0, "yearOfBirth": "0"}));
        assert_eq!((empty.gender, empty.body_weight, empty.birth_year), (None, None, None));
        assert_eq!(empty.next_requested_weight(), None);
        assert_eq!(empty.best_clean_jerk_attempt(), 0);
    }
}
