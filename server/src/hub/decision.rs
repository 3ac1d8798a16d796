//! Referee and jury decisions of one FOP, derived from `decision` messages (protocol §4.4, §8.5).

use crate::protocol::scalar::{as_bool, as_string};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A jury notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Jury {
    /// `JURY_DECISION`, `START_DELIBERATION`, `END_DELIBERATION`, `CHALLENGE`, `END_CHALLENGE`.
    pub event: String,
    /// `GOOD_LIFT` / `BAD_LIFT` for a jury decision.
    pub decision: Option<String>,
    /// True when the jury reversed the referees.
    pub reversal: Option<bool>,
    /// Reason code for a bad lift (newest OWLCMS).
    pub reason_code: Option<String>,
    /// Athlete the decision is about.
    pub athlete: Option<String>,
    /// OWLCMS holds the outcome until the announcer confirms it (R8.1): boards show the jury
    /// deliberating, not the decision or a reversal, until then.
    #[serde(default)]
    pub wait_for_announcer: bool,
    /// `none`, `new` or `denied` (records challenged, none set: R7.3).
    #[serde(default)]
    pub record_kind: Option<String>,
    /// The lift the decision is about, signed kg.
    #[serde(default)]
    pub actual_lift: Option<i64>,
}

impl Jury {
    /// The decision as boards may show it: hidden while OWLCMS waits for the announcer.
    pub fn shown_decision(&self) -> Option<&str> {
        (!self.wait_for_announcer).then_some(self.decision.as_deref()).flatten()
    }

    /// The reversal flag as boards may show it (same rule).
    pub fn shown_reversal(&self) -> Option<bool> {
        (!self.wait_for_announcer).then_some(self.reversal).flatten()
    }
}

/// What the decision lights show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Last referee event type (`FULL_DECISION`, `DOWN_SIGNAL`, `RESET`, `initialDecision`…).
    pub event: Option<String>,
    /// Referee 1–3: `Some(true)` good, `Some(false)` no lift, `None` undecided.
    pub lights: [Option<bool>; 3],
    /// Overall decision when known.
    pub decision: Option<bool>,
    /// Whether the lights are shown.
    pub visible: bool,
    /// Down signal shown.
    pub down: bool,
    /// One-referee competition (only `d2` is sent).
    pub single_referee: bool,
    /// Last jury notification, until the next lift's down signal or decision reset.
    pub jury: Option<Jury>,
    /// Server epoch milliseconds of the last change.
    pub received_at_ms: i64,
}

impl Decision {
    /// The lights of the last lift are over (a `StartTime`, or the next athlete called): true
    /// when something was showing.
    pub fn clear_lights(&mut self, now_ms: i64) -> bool {
        let cleared = Decision { single_referee: self.single_referee, received_at_ms: now_ms, ..Decision::default() };
        let changed = self.visible || self.down || self.jury.is_some() || self.lights != [None; 3];
        if changed {
            *self = cleared;
        }
        changed
    }

    /// Applies a `decision` payload.
    pub fn apply(&mut self, payload: &Map<String, Value>, now_ms: i64) {
        let event = as_string(payload.get("decisionEventType")).unwrap_or_default();
        self.received_at_ms = now_ms;
        match event.as_str() {
            "JURY_DECISION" | "START_DELIBERATION" | "END_DELIBERATION" | "CHALLENGE" | "END_CHALLENGE" => {
                self.jury = Some(Jury {
                    event,
                    decision: as_string(payload.get("juryDecision")),
                    reversal: as_bool(payload.get("juryReversal")),
                    reason_code: as_string(payload.get("juryReasonCode")),
                    athlete: as_string(payload.get("athleteFull")),
                    wait_for_announcer: as_bool(payload.get("waitForAnnouncer")).unwrap_or(false),
                    record_kind: as_string(payload.get("recordKind")),
                    actual_lift: crate::protocol::scalar::as_i64(payload.get("actualLift")),
                });
                return;
            }
            "RESET" => {
                let single = self.single_referee;
                *self = Decision { single_referee: single, received_at_ms: now_ms, ..Decision::default() };
                self.event = Some(event);
                return;
            }
            "DOWN_SIGNAL" => {
                self.lights = [None; 3];
                self.decision = None;
                self.down = true;
                self.visible = true;
                self.jury = None;
            }
            _ => {
                let light = |k| as_bool(payload.get(k).filter(|v| !v.is_null()));
                self.lights = [light("d1"), light("d2"), light("d3")];
                let full = event == "FULL_DECISION";
                self.visible = full || as_bool(payload.get("decisionsVisible")).unwrap_or(false);
                self.down = as_bool(payload.get("down")).unwrap_or(false) && !full;
                let goods = self.lights.iter().filter(|l| **l == Some(true)).count();
                let decided = self.lights.iter().filter(|l| l.is_some()).count();
                self.decision =
                    as_bool(payload.get("decision")).or_else(|| (full && decided > 0).then_some(goods * 2 > decided));
                let only_d2 = self.lights[1].is_some() && self.lights[0].is_none() && self.lights[2].is_none();
                self.single_referee = as_bool(payload.get("singleReferee"))
                    .or_else(|| as_bool(payload.get("singleLight")))
                    .unwrap_or(full && only_d2);
            }
        }
        self.event = Some(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(d: &mut Decision, v: Value) {
        d.apply(v.as_object().unwrap(), 7);
    }

    #[test]
    fn down_full_reset_sequence() {
        let mut d = Decision::default();
        apply(&mut d, json!({"decisionEventType": "DOWN_SIGNAL", "down": "true"}));
        assert!(d.down && d.visible && d.lights == [None; 3]);
        apply(
            &mut d,
            json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "false", "d3": "true", "decisionsVisible": "true", "down": "false"}),
        );
        assert_eq!(d.lights, [Some(true), Some(false), Some(true)]);
        assert_eq!((d.decision, d.visible, d.down, d.single_referee), (Some(true), true, false, false));
        apply(&mut d, json!({"decisionEventType": "RESET"}));
        assert_eq!((d.visible, d.lights, d.decision), (false, [None; 3], None));
    }

    #[test]
    fn single_referee_inferred_from_d2_only() {
        let mut d = Decision::default();
        apply(&mut d, json!({"decisionEventType": "FULL_DECISION", "d2": "false", "decisionsVisible": "true"}));
        assert!(d.single_referee);
        assert_eq!(d.decision, Some(false));
    }

    #[test]
    fn jury_kept_apart_from_lights() {
        let mut d = Decision::default();
        apply(&mut d, json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "true", "d3": "true"}));
        apply(
            &mut d,
            json!({"decisionEventType": "JURY_DECISION", "juryDecision": "BAD_LIFT", "juryReversal": "true", "athleteFull": "X"}),
        );
        assert_eq!(d.lights, [Some(true); 3]);
        let jury = d.jury.clone().unwrap();
        assert_eq!((jury.decision.as_deref(), jury.reversal), (Some("BAD_LIFT"), Some(true)));
        assert_eq!((jury.shown_decision(), jury.shown_reversal()), (Some("BAD_LIFT"), Some(true)));
    }

    // R8.1: a decision OWLCMS holds for the announcer is not shown, then shown once confirmed.
    #[test]
    fn r8_jury_decision_waits_for_the_announcer() {
        let mut d = Decision::default();
        apply(
            &mut d,
            json!({"decisionEventType": "JURY_DECISION", "juryDecision": "GOOD_LIFT", "juryReversal": "true",
                "waitForAnnouncer": "true", "recordKind": "denied", "actualLift": "-120"}),
        );
        let jury = d.jury.clone().unwrap();
        assert_eq!((jury.shown_decision(), jury.shown_reversal()), (None, None));
        assert_eq!((jury.record_kind.as_deref(), jury.actual_lift), (Some("denied"), Some(-120)));
        apply(
            &mut d,
            json!({"decisionEventType": "JURY_DECISION", "juryDecision": "GOOD_LIFT", "juryReversal": "true", "waitForAnnouncer": "false"}),
        );
        assert_eq!(d.jury.unwrap().shown_reversal(), Some(true));
    }
}
