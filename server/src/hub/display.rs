//! What a FOP's clock-and-lights slot shows (behaviour rules R3.1, R3.3, R3.9, R4.8): whether
//! the FOP is in a break, whether the break clock and the athlete clock may be shown, and which
//! one wins. Computed by the hub after every frame so every board and every node agrees.

use super::clocks::{AthleteClock, BreakClock, BreakState};
use super::decision::Decision;
use crate::protocol::scalar::{as_bool, as_string};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Board modes OWLCMS uses for breaks (protocol §4: `mode`).
const BREAK_MODES: [&str; 6] =
    ["INTRO_COUNTDOWN", "LIFT_COUNTDOWN", "LIFT_COUNTDOWN_CEREMONY", "SESSION_DONE", "INTERRUPTION", "CEREMONY"];

/// The winner of the slot, in priority order decision > break > athlete > none (R3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Shown {
    /// Referee lights or the down signal.
    Decision,
    /// The break clock (or `STOP` in an interruption).
    Break,
    /// The athlete's clock.
    Athlete,
    /// Nothing (after a RESET, before the next athlete; session done; ceremonies).
    #[default]
    None,
}

/// The slot's state after the last frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SlotDisplay {
    /// In a break (lights and athlete clock hidden).
    pub in_break: bool,
    /// `INTERRUPTION`: the slot shows `STOP` and no countdown (R3.3).
    pub interruption: bool,
    /// Lights or down signal may be shown.
    pub decision_visible: bool,
    /// The break clock may be shown.
    pub break_visible: bool,
    /// The athlete clock may be shown.
    pub athlete_visible: bool,
    /// What wins.
    pub shown: Shown,
}

/// R3.1, with the original's event-name test left out (OQ-2: OWLCMS never removes
/// `BreakStarted`, so "the event name contains start" would keep a FOP in break after the break
/// ended): a break is `fopState` BREAK, `break:"true"` or a break board mode.
pub fn in_break(data: &Map<String, Value>) -> bool {
    let text = |k: &str| as_string(data.get(k)).unwrap_or_default();
    text("fopState") == "BREAK"
        || as_bool(data.get("break")).unwrap_or(false)
        || BREAK_MODES.contains(&text("mode").as_str())
}

/// A decision signal in the merged state (R4.4, R4.5): any decision event (RESET included),
/// the down signal or visible lights. The athlete clock is not shown while one stands.
pub fn has_decision_signal(data: &Map<String, Value>) -> bool {
    as_string(data.get("decisionEventType")).is_some_and(|e| !e.is_empty())
        || as_bool(data.get("down")).unwrap_or(false)
        || as_bool(data.get("decisionsVisible")).unwrap_or(false)
}

/// The slot for a FOP's merged data, clocks and lights.
pub fn compute(
    data: &Map<String, Value>,
    athlete: &AthleteClock,
    brk: &BreakClock,
    decision: &Decision,
) -> SlotDisplay {
    let text = |k: &str| as_string(data.get(k)).unwrap_or_default();
    let mode = text("mode");
    let in_break = in_break(data);
    let interruption = mode == "INTERRUPTION";
    let session_done = mode == "SESSION_DONE";
    let ceremony = mode == "CEREMONY";
    let decision_visible = !in_break && (decision.visible || decision.down);
    let counting = matches!(brk.state, BreakState::Running | BreakState::Indefinite);
    let break_visible = in_break && !session_done && !ceremony && (counting || interruption);
    let inactive = text("fopState") == "INACTIVE" && !athlete.from_timer;
    let athlete_visible = !inactive
        && !session_done
        && !ceremony
        && !in_break
        && athlete.ready
        && (athlete.from_timer || athlete.remaining_ms > 0);
    let shown = if decision_visible {
        Shown::Decision
    } else if break_visible {
        Shown::Break
    } else if athlete_visible {
        Shown::Athlete
    } else {
        Shown::None
    };
    SlotDisplay { in_break, interruption, decision_visible, break_visible, athlete_visible, shown }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn break_hides_lights_and_athlete_clock() {
        let data = map(json!({"mode": "LIFT_COUNTDOWN", "fopState": "BREAK", "decisionsVisible": "true"}));
        let brk = BreakClock { state: BreakState::Running, remaining_ms: Some(600_000), ..BreakClock::default() };
        let decision = Decision { visible: true, down: true, ..Decision::default() };
        let slot = compute(&data, &AthleteClock::default(), &brk, &decision);
        assert_eq!((slot.shown, slot.decision_visible, slot.athlete_visible), (Shown::Break, false, false));
        let done = map(json!({"mode": "SESSION_DONE", "fopState": "BREAK"}));
        assert_eq!(compute(&done, &AthleteClock::default(), &brk, &decision).shown, Shown::None);
        let stop = map(json!({"mode": "INTERRUPTION", "fopState": "BREAK"}));
        let slot = compute(&stop, &AthleteClock::default(), &BreakClock::default(), &Decision::default());
        assert!(slot.interruption && slot.break_visible);
    }

    #[test]
    fn athlete_clock_needs_readiness() {
        let data = map(json!({"mode": "CURRENT_ATHLETE", "fopState": "CURRENT_ATHLETE_DISPLAYED"}));
        let ready = AthleteClock { from_timer: true, ..AthleteClock::default() };
        assert_eq!(compute(&data, &ready, &BreakClock::default(), &Decision::default()).shown, Shown::Athlete);
        let hidden = AthleteClock { ready: false, ..ready };
        assert_eq!(compute(&data, &hidden, &BreakClock::default(), &Decision::default()).shown, Shown::None);
        let idle = map(json!({"fopState": "INACTIVE"}));
        let never = AthleteClock::default();
        assert_eq!(compute(&idle, &never, &BreakClock::default(), &Decision::default()).shown, Shown::None);
    }
}
