//! Athlete and break clocks as OWLCMS reports them, stored with the server time they were
//! received so that the remaining time can be aged correctly for late viewers (protocol P11/P12),
//! and who may change them (behaviour rules R3, R4): only athlete timer frames move the athlete
//! clock; a break keeps its end time while it continues, whatever updates re-announce.

use crate::protocol::scalar::{as_bool, as_i64, as_string};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// State of the athlete clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum ClockState {
    /// Counting down (`StartTime`).
    Running,
    /// Stopped by the timekeeper (`StopTime`).
    Stopped,
    /// Set to a value, not running (`SetTime`).
    #[default]
    Set,
}

/// The athlete clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AthleteClock {
    /// Running, stopped or set.
    pub state: ClockState,
    /// Remaining milliseconds when the event was received.
    pub remaining_ms: i64,
    /// Server epoch milliseconds when the event was received.
    pub received_at_ms: i64,
    /// Time allowed for the attempt (60 000 or 120 000).
    pub time_allowed_ms: i64,
    /// First warning threshold, when OWLCMS sends one.
    pub initial_warning_ms: Option<i64>,
    /// Final warning threshold, when OWLCMS sends one.
    pub final_warning_ms: Option<i64>,
    /// Ready to be shown (R4.2–R4.7): false after a decision signal or a hidden `SetTime`, until
    /// a `StartTime` or a current-athlete update outside a break.
    #[serde(default = "yes")]
    pub ready: bool,
    /// A timer frame has set this clock (updates may only seed a clock never set, R4.9).
    #[serde(default)]
    pub from_timer: bool,
}

fn yes() -> bool {
    true
}

impl Default for AthleteClock {
    fn default() -> Self {
        AthleteClock {
            state: ClockState::Set,
            remaining_ms: 60_000,
            received_at_ms: 0,
            time_allowed_ms: 60_000,
            initial_warning_ms: None,
            final_warning_ms: None,
            ready: true,
            from_timer: false,
        }
    }
}

/// The athlete timer events that may change the athlete clock (R4.1).
pub const ATHLETE_TIMER_EVENTS: [&str; 3] = ["SetTime", "StartTime", "StopTime"];

impl AthleteClock {
    /// Remaining milliseconds at server time `now_ms`.
    pub fn remaining_at(&self, now_ms: i64) -> i64 {
        match self.state {
            ClockState::Running => (self.remaining_ms - (now_ms - self.received_at_ms)).max(0),
            _ => self.remaining_ms,
        }
    }

    /// When a running clock reaches zero, in server epoch milliseconds (saturating: OWLCMS's
    /// remaining time is read as whatever number it sends).
    pub fn ends_at_ms(&self) -> Option<i64> {
        (self.state == ClockState::Running).then(|| self.received_at_ms.saturating_add(self.remaining_ms))
    }

    /// A `StopTime` that repeats the stored stop with the same remaining time (R4.3): OWLCMS
    /// sends it twice; the repeat must change nothing, not even the receipt time.
    pub fn is_duplicate_stop(&self, payload: &Map<String, Value>) -> bool {
        as_string(payload.get("athleteTimerEventType")).as_deref() == Some("StopTime")
            && self.state == ClockState::Stopped
            && self.from_timer
            && as_i64(payload.get("athleteMillisRemaining")) == Some(self.remaining_ms)
    }

    /// Applies the athlete-clock fields of a payload; true if it changed. Callers decide
    /// whether the payload may change the clock (timer frames only, R4.1).
    pub fn apply(&mut self, payload: &Map<String, Value>, now_ms: i64) -> bool {
        let Some(event) = as_string(payload.get("athleteTimerEventType")) else { return false };
        if !ATHLETE_TIMER_EVENTS.contains(&event.as_str()) {
            return false;
        }
        let before = self.clone();
        let remaining = as_i64(payload.get("athleteMillisRemaining")).unwrap_or_else(|| self.remaining_at(now_ms));
        self.state = match event.as_str() {
            "StartTime" => ClockState::Running,
            "StopTime" => ClockState::Stopped,
            _ => ClockState::Set,
        };
        self.remaining_ms = remaining.max(0);
        self.received_at_ms = now_ms;
        if let Some(allowed) = as_i64(payload.get("timeAllowed")) {
            self.time_allowed_ms = allowed;
        }
        let warning = |field| as_i64(payload.get(field)).map(|ms| (ms >= 0).then_some(ms));
        if let Some(w) = warning("athleteInitialWarningMillis") {
            self.initial_warning_ms = w;
        }
        if let Some(w) = warning("athleteFinalWarningMillis") {
            self.final_warning_ms = w;
        }
        *self != before
    }
}

/// State of the break clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum BreakState {
    /// No break clock event seen.
    #[default]
    Idle,
    /// Counting down.
    Running,
    /// Paused or set, not counting.
    Paused,
    /// A break with no end time.
    Indefinite,
}

/// The break clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BreakClock {
    /// Running, paused, indefinite or idle.
    pub state: BreakState,
    /// Remaining milliseconds when received (`None` when unknown or indefinite).
    pub remaining_ms: Option<i64>,
    /// Server epoch milliseconds when received.
    pub received_at_ms: i64,
    /// The OWLCMS break type the clock belongs to (a new type is a new break).
    #[serde(default)]
    pub break_type: Option<String>,
}

impl BreakClock {
    /// Remaining milliseconds at server time `now_ms`, when known.
    pub fn remaining_at(&self, now_ms: i64) -> Option<i64> {
        let remaining = self.remaining_ms?;
        Some(match self.state {
            BreakState::Running => (remaining - (now_ms - self.received_at_ms)).max(0),
            _ => remaining,
        })
    }

    /// When a running break ends, in server epoch milliseconds.
    pub fn ends_at_ms(&self) -> Option<i64> {
        (self.state == BreakState::Running).then_some(self.received_at_ms.saturating_add(self.remaining_ms?))
    }

    /// Applies a break timer frame (S3.1): `BreakStarted` anchors the countdown at its receipt
    /// (the end is ours, so OWLCMS's clock skew does not matter), `BreakPaused` stops it,
    /// `BreakSetTime` carries no value and changes nothing (R3.7: the new duration comes with
    /// the next `BreakStarted`). True if it changed.
    pub fn apply_timer(&mut self, payload: &Map<String, Value>, now_ms: i64) -> bool {
        let Some(event) = as_string(payload.get("breakTimerEventType")) else { return false };
        let before = self.clone();
        match event.as_str() {
            "BreakStarted" => self.start(payload, now_ms),
            "BreakPaused" => {
                self.remaining_ms = self.remaining_at(now_ms);
                self.received_at_ms = now_ms;
                self.state = BreakState::Paused;
            }
            _ => {}
        }
        if let Some(kind) = as_string(payload.get("breakType")) {
            self.break_type = Some(kind);
        }
        *self != before
    }

    /// Applies an `update` (R3.4, S3.2). A break that continues (same break type, clock
    /// counting) keeps its end time: updates re-announce the break with a remaining time and a
    /// start that OWLCMS recomputes, and the countdown must not restart. A new break takes the
    /// update's remaining time as "remaining now" (S3.2 sends it reduced by the time elapsed).
    /// Outside a break the clock goes idle.
    pub fn apply_update(&mut self, payload: &Map<String, Value>, in_break: bool, now_ms: i64) -> bool {
        let before = self.clone();
        let kind = as_string(payload.get("breakType"));
        if !in_break {
            *self = BreakClock::default();
            return *self != before;
        }
        if as_string(payload.get("breakTimerEventType")).as_deref() == Some("BreakPaused") {
            // A paused break stays paused (S3.2 copies the pause into updates).
            if self.state == BreakState::Running {
                self.remaining_ms = self.remaining_at(now_ms);
                self.received_at_ms = now_ms;
                self.state = BreakState::Paused;
            }
            return *self != before;
        }
        let counting = matches!(self.state, BreakState::Running | BreakState::Indefinite);
        let continuing = counting && (kind.is_none() || kind == self.break_type);
        if !continuing {
            self.start(payload, now_ms);
            self.break_type = kind;
        }
        *self != before
    }

    fn start(&mut self, payload: &Map<String, Value>, now_ms: i64) {
        let indefinite = as_bool(payload.get("indefiniteBreak"))
            .or_else(|| as_bool(payload.get("breakIsIndefinite")))
            .unwrap_or(false);
        let remaining = as_i64(payload.get("breakMillisRemaining")).filter(|r| *r > 0);
        self.received_at_ms = now_ms;
        // R3.5/OQ-4: the original assumes a 10-minute countdown for an indefinite or
        // zero-length break; a board here shows the break without digits instead.
        (self.state, self.remaining_ms) = match remaining {
            _ if indefinite => (BreakState::Indefinite, None),
            Some(r) => (BreakState::Running, Some(r)),
            None if as_string(payload.get("breakTimerEventType")).as_deref() == Some("BreakStarted") => {
                (BreakState::Indefinite, None)
            }
            None => (BreakState::Idle, None),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn running_clock_ages_from_receipt() {
        let mut clock = AthleteClock::default();
        let start = map(
            json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000", "timeAllowed": "60000"}),
        );
        assert!(clock.apply(&start, 1_000_000));
        assert_eq!(clock.remaining_at(1_020_000), 40_000);
        assert_eq!(clock.remaining_at(2_000_000), 0);
        assert_eq!(clock.ends_at_ms(), Some(1_060_000));
        let stop = map(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": "41000"}));
        clock.apply(&stop, 1_020_000);
        assert_eq!(clock.remaining_at(1_090_000), 41_000);
        assert_eq!(clock.ends_at_ms(), None);
        assert!(!clock.apply(&map(json!({"fopName": "A"})), 5));
    }

    #[test]
    fn warnings_minus_one_mean_none() {
        let mut clock = AthleteClock::default();
        clock.apply(
            &map(json!({"athleteTimerEventType": "SetTime", "athleteMillisRemaining": 120000,
            "athleteInitialWarningMillis": "90000", "athleteFinalWarningMillis": "-1"})),
            0,
        );
        assert_eq!((clock.initial_warning_ms, clock.final_warning_ms), (Some(90_000), None));
    }

    #[test]
    fn break_pause_holds_and_set_time_changes_nothing() {
        let mut brk = BreakClock::default();
        brk.apply_timer(&map(json!({"breakTimerEventType": "BreakStarted", "breakMillisRemaining": "600000", "indefiniteBreak": "false"})), 0);
        assert_eq!(brk.remaining_at(60_000), Some(540_000));
        assert!(!brk.apply_timer(&map(json!({"breakTimerEventType": "BreakSetTime"})), 30_000));
        brk.apply_timer(&map(json!({"breakTimerEventType": "BreakPaused"})), 60_000);
        assert_eq!((brk.state, brk.remaining_at(500_000)), (BreakState::Paused, Some(540_000)));
        brk.apply_timer(
            &map(json!({"breakTimerEventType": "BreakStarted", "indefiniteBreak": true, "breakMillisRemaining": 0})),
            1,
        );
        assert_eq!((brk.state, brk.remaining_ms), (BreakState::Indefinite, None));
    }

    #[test]
    fn athlete_clock_ignores_other_events_and_spots_duplicate_stops() {
        let mut clock = AthleteClock::default();
        assert!(!clock.apply(&map(json!({"athleteTimerEventType": "Pause", "athleteMillisRemaining": 5})), 1));
        clock.apply(&map(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": "57060"})), 2);
        clock.from_timer = true;
        assert!(
            clock
                .is_duplicate_stop(&map(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": 57060})))
        );
        assert!(
            !clock
                .is_duplicate_stop(&map(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": 55625})))
        );
    }
}
