//! Athlete and break clocks as OWLCMS reports them, stored with the server time they were
//! received so that the remaining time can be aged correctly for late viewers (protocol P11/P12).

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
        }
    }
}

impl AthleteClock {
    /// Remaining milliseconds at server time `now_ms`.
    pub fn remaining_at(&self, now_ms: i64) -> i64 {
        match self.state {
            ClockState::Running => (self.remaining_ms - (now_ms - self.received_at_ms)).max(0),
            _ => self.remaining_ms,
        }
    }

    /// When a running clock reaches zero, in server epoch milliseconds.
    pub fn ends_at_ms(&self) -> Option<i64> {
        (self.state == ClockState::Running).then(|| self.received_at_ms + self.remaining_ms)
    }

    /// Applies the athlete-clock fields of a timer or update payload; true if it changed.
    pub fn apply(&mut self, payload: &Map<String, Value>, now_ms: i64) -> bool {
        let Some(event) = as_string(payload.get("athleteTimerEventType")) else { return false };
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
        (self.state == BreakState::Running).then_some(self.received_at_ms + self.remaining_ms?)
    }

    /// Applies the break-clock fields of a timer or update payload; true if it changed.
    /// `BreakSetTime`/`BreakPaused` carry no remaining time: the last known value is aged.
    pub fn apply(&mut self, payload: &Map<String, Value>, now_ms: i64) -> bool {
        let Some(event) = as_string(payload.get("breakTimerEventType")) else { return false };
        let before = self.clone();
        let indefinite = as_bool(payload.get("indefiniteBreak"))
            .or_else(|| as_bool(payload.get("breakIsIndefinite")))
            .unwrap_or(false);
        let sent = payload.get("breakMillisRemaining");
        let remaining = match sent {
            Some(Value::Null) => None,
            Some(v) => as_i64(Some(v)),
            None => self.remaining_at(now_ms),
        };
        self.state = match event.as_str() {
            _ if indefinite || (event == "BreakStarted" && matches!(sent, Some(Value::Null))) => BreakState::Indefinite,
            "BreakStarted" => BreakState::Running,
            _ => BreakState::Paused,
        };
        self.remaining_ms = if self.state == BreakState::Indefinite { None } else { remaining.map(|r| r.max(0)) };
        self.received_at_ms = now_ms;
        *self != before
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
    fn break_set_and_pause_age_the_last_known_remaining() {
        let mut brk = BreakClock::default();
        brk.apply(&map(json!({"breakTimerEventType": "BreakStarted", "breakMillisRemaining": "600000", "indefiniteBreak": "false"})), 0);
        assert_eq!(brk.remaining_at(60_000), Some(540_000));
        brk.apply(&map(json!({"breakTimerEventType": "BreakPaused"})), 60_000);
        assert_eq!((brk.state, brk.remaining_at(500_000)), (BreakState::Paused, Some(540_000)));
        brk.apply(
            &map(json!({"breakTimerEventType": "BreakStarted", "indefiniteBreak": true, "breakMillisRemaining": 0})),
            1,
        );
        assert_eq!((brk.state, brk.remaining_ms), (BreakState::Indefinite, None));
    }
}
