//! One athlete as mappings see it: its normalised key and the numbers the engine derives from
//! its lifts (attempts done, bests, total, next attempt), shared by the FOP's athletes and the
//! competition-wide roster.

use crate::scoring::lifts::{AthleteLifts, TotalRule};
use serde_json::{Value, json};

/// A session athlete with its normalised key and numbers the engine derives from the lifts.
pub(crate) fn enrich(key: &str, athlete: &Value) -> Value {
    // The lift rules (next request: change 2 > change 1 > declaration > automatic
    // progression; no total without both lifts) live in the scoring engine.
    let lifts = AthleteLifts::from_json(athlete);
    let done = lifts.attempts_done();
    let next = lifts.attempt(done + 1).map(|a| {
        let lift = if done < 3 { "snatch" } else { "cleanJerk" };
        json!({"lift": lift, "attempt": done % 3 + 1, "weight": a.requested_weight()})
    });
    let mut out = athlete.as_object().cloned().unwrap_or_default();
    out.insert("key".into(), json!(key));
    out.insert("attemptsDone".into(), json!(done));
    out.insert("bestSnatchKg".into(), json!(lifts.best_snatch()));
    out.insert("bestCleanJerkKg".into(), json!(lifts.best_clean_jerk()));
    out.insert("totalKg".into(), json!(lifts.total(TotalRule::RequireBothLifts)));
    out.insert("nextAttempt".into(), next.unwrap_or(Value::Null));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_numbers_follow_owlcms_rules() {
        let athlete = json!({"snatch1ActualLift": -130, "snatch2ActualLift": 130, "snatch3ActualLift": -135,
            "cleanJerk1ActualLift": 160, "cleanJerk2Declaration": 165, "cleanJerk2Change1": 167, "cleanJerk2AutomaticProgression": "161"});
        let out = enrich("-7", &athlete);
        assert_eq!(out["key"], "-7");
        assert_eq!(
            (out["attemptsDone"].clone(), out["bestSnatchKg"].clone(), out["totalKg"].clone()),
            (json!(4), json!(130), json!(290))
        );
        assert_eq!(out["nextAttempt"], json!({"lift": "cleanJerk", "attempt": 2, "weight": 167}));
        let bombed = enrich(
            "1",
            &json!({"snatch1ActualLift": -50, "snatch2ActualLift": -50, "snatch3ActualLift": -50, "cleanJerk1ActualLift": 60}),
        );
        assert_eq!((bombed["bestSnatchKg"].clone(), bombed["totalKg"].clone()), (json!(0), json!(0)));
    }
}
