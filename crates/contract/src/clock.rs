//! The clocks of a FOP: the state a page holds ([`ClockEvent`]) and the small `clock` frame
//! the server sends ([`ClockFrame`]): only what a page needs to count down and colour the
//! clocks, and, after the first frame of a stream, only what changed since the previous one.
//! Both directions live here so that the server's difference and the page's merge cannot
//! drift apart (see the tests).

use crate::events::StreamEvent;
use serde::{Deserialize, Serialize};

/// The clocks of a FOP as a page holds them: every `clock` frame received so far, merged
/// ([`ClockEvent::apply`]). The server builds one per change and sends its difference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClockEvent {
    /// FOP name.
    pub fop: String,
    /// When the event was built.
    pub server_time_ms: i64,
    /// The athlete's clock.
    pub athlete: AthleteClock,
    /// The break clock.
    #[serde(rename = "break")]
    pub break_clock: BreakClock,
    /// Whether the FOP is in a break (ceremonies and session end included).
    pub in_break: bool,
    /// OWLCMS `INTERRUPTION`: the slot shows STOP.
    pub interruption: bool,
    /// What the slot shows by the hub's rules (R3.9): `decision`, `break`, `athlete` or `none`
    /// (absent: the page decides from the view).
    pub display: Option<String>,
    /// OWLCMS board mode (`CURRENT_ATHLETE`, `INTERRUPTION`, …).
    pub mode: Option<String>,
    /// OWLCMS FOP state.
    pub fop_state: Option<String>,
    /// OWLCMS break type.
    pub break_type: Option<String>,
}

/// The athlete's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AthleteClock {
    /// `running`, `stopped` or `set`.
    pub state: String,
    /// Remaining milliseconds at `serverTimeMs`.
    pub remaining_ms: i64,
    /// When a running clock reaches zero.
    pub ends_at_ms: Option<i64>,
    /// Time allowed for the attempt.
    pub time_allowed_ms: i64,
    /// First warning threshold, when OWLCMS sent one.
    pub initial_warning_ms: Option<i64>,
    /// Final warning threshold, when OWLCMS sent one.
    pub final_warning_ms: Option<i64>,
    /// Whether the slot shows this clock now.
    pub visible: bool,
}

impl Default for AthleteClock {
    /// A set one-minute clock.
    fn default() -> Self {
        AthleteClock {
            state: "set".into(),
            remaining_ms: 60_000,
            ends_at_ms: None,
            time_allowed_ms: 60_000,
            initial_warning_ms: None,
            final_warning_ms: None,
            visible: false,
        }
    }
}

/// The break clock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BreakClock {
    /// `idle`, `running`, `paused` or `indefinite`.
    pub state: String,
    /// Remaining milliseconds at `serverTimeMs`, when known.
    pub remaining_ms: Option<i64>,
    /// When a running break ends.
    pub ends_at_ms: Option<i64>,
    /// Whether the slot shows this clock now.
    pub visible: bool,
}

/// The `clock` event. Every field is optional: absent means "as in the previous frame of this
/// stream". The first frame of a stream (and a frame after a gap) is `full`: the page starts
/// again from the initial clocks (an idle break, no slot, no mode) and applies it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClockFrame {
    /// Server time when the frame was built (epoch ms): `leftMs` values are as of then.
    pub now: i64,
    /// Everything else is relative to the initial clocks, not to the previous frame.
    #[serde(skip_serializing_if = "is_false")]
    pub full: bool,
    /// The athlete's clock, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athlete: Option<AthleteTick>,
    /// The break clock, when it changed.
    #[serde(rename = "break", skip_serializing_if = "Option::is_none")]
    pub break_clock: Option<BreakTick>,
    /// What the slot shows (`decision`, `break`, `athlete`, `none`), when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// In a break (ceremonies and session end included), when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_break: Option<bool>,
    /// OWLCMS `INTERRUPTION` (the slot shows STOP), when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<bool>,
    /// OWLCMS board mode, when it changed (`""` once it is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

impl StreamEvent for ClockFrame {
    const NAME: &'static str = "clock";
}

/// The athlete's clock in a frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AthleteTick {
    /// `running`, `stopped` or `set`.
    pub state: String,
    /// Remaining milliseconds at the frame's `now`.
    pub left_ms: i64,
    /// Time allowed for the attempt (left out when it is the usual minute).
    #[serde(default = "one_minute", skip_serializing_if = "is_one_minute")]
    pub allowed_ms: i64,
    /// First warning threshold, when OWLCMS sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_ms: Option<i64>,
    /// Final warning threshold, when OWLCMS sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_ms: Option<i64>,
    /// The slot shows this clock.
    #[serde(skip_serializing_if = "is_false")]
    pub shown: bool,
}

/// The break clock in a frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BreakTick {
    /// `idle`, `running`, `paused` or `indefinite`.
    pub state: String,
    /// Remaining milliseconds at the frame's `now`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_ms: Option<i64>,
    /// The slot shows this clock.
    #[serde(skip_serializing_if = "is_false")]
    pub shown: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn one_minute() -> i64 {
    60_000
}

fn is_one_minute(ms: &i64) -> bool {
    *ms == 60_000
}

impl AthleteTick {
    fn of(clock: &AthleteClock) -> AthleteTick {
        AthleteTick {
            state: clock.state.clone(),
            left_ms: clock.remaining_ms,
            allowed_ms: clock.time_allowed_ms,
            warn_ms: clock.initial_warning_ms,
            final_ms: clock.final_warning_ms,
            shown: clock.visible,
        }
    }
}

impl BreakTick {
    fn of(clock: &BreakClock) -> BreakTick {
        BreakTick { state: clock.state.clone(), left_ms: clock.remaining_ms, shown: clock.visible }
    }
}

/// Same clock for a viewer: a running clock that keeps its end time has not changed, however
/// much time passed.
fn same_athlete(a: &AthleteClock, b: &AthleteClock) -> bool {
    let timing = if a.state == "running" { a.ends_at_ms == b.ends_at_ms } else { a.remaining_ms == b.remaining_ms };
    timing
        && a.state == b.state
        && a.time_allowed_ms == b.time_allowed_ms
        && a.initial_warning_ms == b.initial_warning_ms
        && a.final_warning_ms == b.final_warning_ms
        && a.visible == b.visible
}

fn same_break(a: &BreakClock, b: &BreakClock) -> bool {
    let timing = if a.state == "running" { a.ends_at_ms == b.ends_at_ms } else { a.remaining_ms == b.remaining_ms };
    timing && a.state == b.state && a.visible == b.visible
}

impl ClockFrame {
    /// Everything a page needs, for a stream's first frame (what equals the initial clocks is
    /// left out).
    pub fn full(clock: &ClockEvent) -> ClockFrame {
        let initial = ClockEvent::initial();
        ClockFrame {
            now: clock.server_time_ms,
            full: true,
            athlete: Some(AthleteTick::of(&clock.athlete)),
            break_clock: (!same_break(&initial.break_clock, &clock.break_clock))
                .then(|| BreakTick::of(&clock.break_clock)),
            slot: clock.display.clone(),
            in_break: clock.in_break.then_some(true),
            stop: clock.interruption.then_some(true),
            mode: clock.mode.clone(),
        }
    }

    /// What changed from `before` to `after`: applied to a page holding `before`, gives `after`.
    pub fn delta(before: &ClockEvent, after: &ClockEvent) -> ClockFrame {
        ClockFrame {
            now: after.server_time_ms,
            full: false,
            athlete: (!same_athlete(&before.athlete, &after.athlete)).then(|| AthleteTick::of(&after.athlete)),
            break_clock: (!same_break(&before.break_clock, &after.break_clock))
                .then(|| BreakTick::of(&after.break_clock)),
            slot: (before.display != after.display).then(|| after.display.clone().unwrap_or_default()),
            in_break: (before.in_break != after.in_break).then_some(after.in_break),
            stop: (before.interruption != after.interruption).then_some(after.interruption),
            mode: (before.mode != after.mode).then(|| after.mode.clone().unwrap_or_default()),
        }
    }
}

impl ClockEvent {
    /// The clocks before anything is known: a set one-minute clock, an idle break.
    pub fn initial() -> ClockEvent {
        ClockEvent {
            break_clock: BreakClock { state: "idle".into(), ..BreakClock::default() },
            ..ClockEvent::default()
        }
    }

    /// Merges a frame into the clocks a page holds.
    pub fn apply(&mut self, frame: &ClockFrame) {
        if frame.full {
            *self = ClockEvent { fop: std::mem::take(&mut self.fop), ..ClockEvent::initial() };
        }
        let now = frame.now;
        self.server_time_ms = now;
        if let Some(tick) = &frame.athlete {
            self.athlete = AthleteClock {
                state: tick.state.clone(),
                remaining_ms: tick.left_ms,
                ends_at_ms: (tick.state == "running").then(|| now.saturating_add(tick.left_ms)),
                time_allowed_ms: tick.allowed_ms,
                initial_warning_ms: tick.warn_ms,
                final_warning_ms: tick.final_ms,
                visible: tick.shown,
            };
        }
        if let Some(tick) = &frame.break_clock {
            self.break_clock = BreakClock {
                state: tick.state.clone(),
                remaining_ms: tick.left_ms,
                ends_at_ms: tick.left_ms.filter(|_| tick.state == "running").map(|left| now.saturating_add(left)),
                visible: tick.shown,
            };
        }
        let text = |value: &String| (!value.is_empty()).then(|| value.clone());
        if let Some(slot) = &frame.slot {
            self.display = text(slot);
        }
        if let Some(in_break) = frame.in_break {
            self.in_break = in_break;
        }
        if let Some(stop) = frame.stop {
            self.interruption = stop;
        }
        if let Some(mode) = &frame.mode {
            self.mode = text(mode);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn running(now: i64, left: i64) -> ClockEvent {
        ClockEvent {
            fop: "A".into(),
            server_time_ms: now,
            athlete: AthleteClock {
                state: "running".into(),
                remaining_ms: left,
                ends_at_ms: Some(now + left),
                initial_warning_ms: Some(90_000),
                final_warning_ms: Some(30_000),
                visible: true,
                ..AthleteClock::default()
            },
            break_clock: BreakClock { state: "idle".into(), ..BreakClock::default() },
            display: Some("athlete".into()),
            mode: Some("CURRENT_ATHLETE".into()),
            ..ClockEvent::default()
        }
    }

    #[test]
    fn frames_write_integer_milliseconds_and_stay_small() {
        let frame = ClockFrame::full(&running(1_700_000_000_000, 41_000));
        let json = serde_json::to_value(&frame).unwrap();
        assert_eq!(json["athlete"]["leftMs"], json!(41_000));
        assert!(json["athlete"]["leftMs"].is_i64());
        assert_eq!(json.get("break"), None, "an idle break is the initial one");
        assert_eq!(json["full"], true);
        assert_eq!(json["athlete"].get("endsAtMs"), None);
        let text = serde_json::to_string(&frame).unwrap();
        // The whole SSE frame, framing included, of the biggest (full) clock frame.
        let on_the_wire = format!("event: clock\ndata: {text}\n\n");
        assert!(on_the_wire.len() <= 200, "{} bytes: {on_the_wire}", on_the_wire.len());
        assert_eq!(ClockFrame::NAME, "clock");
        let sparse: ClockEvent = serde_json::from_value(json!({"fop": "A"})).unwrap();
        assert_eq!(sparse.athlete.remaining_ms, 60_000, "a set one-minute clock by default");
    }

    #[test]
    fn a_running_clock_that_keeps_its_end_sends_nothing_of_it() {
        let before = running(1_000_000, 60_000);
        let later = running(1_010_000, 50_000);
        let delta = ClockFrame::delta(&before, &later);
        assert_eq!(delta, ClockFrame { now: 1_010_000, ..ClockFrame::default() });
        assert_eq!(serde_json::to_string(&delta).unwrap(), r#"{"now":1010000}"#);
    }

    #[test]
    fn merging_the_deltas_gives_the_server_clocks() {
        let start = running(1_000_000, 60_000);
        let mut stopped = running(1_020_000, 40_000);
        stopped.athlete.state = "stopped".into();
        stopped.athlete.ends_at_ms = None;
        let mut brk = stopped.clone();
        brk.server_time_ms = 1_030_000;
        brk.athlete.visible = false;
        brk.break_clock = BreakClock {
            state: "running".into(),
            remaining_ms: Some(600_000),
            ends_at_ms: Some(1_630_000),
            visible: true,
        };
        brk.in_break = true;
        brk.display = Some("break".into());
        brk.mode = None;
        brk.interruption = true;
        let mut page = ClockEvent::default();
        page.apply(&ClockFrame::full(&brk));
        page.apply(&ClockFrame::full(&start));
        let mut expected = start.clone();
        expected.fop = String::new();
        assert_eq!(page, expected);
        for (before, after) in [(&start, &stopped), (&stopped, &brk)] {
            let frame = ClockFrame::delta(before, after);
            let wire: ClockFrame = serde_json::from_str(&serde_json::to_string(&frame).unwrap()).unwrap();
            page.apply(&wire);
            let mut expected = after.clone();
            expected.fop = String::new();
            assert_eq!(page, expected);
        }
        let mut late = ClockEvent::default();
        late.apply(&ClockFrame::full(&brk));
        let mut expected = brk.clone();
        expected.fop = String::new();
        assert_eq!(late, expected, "a full frame of a break rebuilds it");
        let text = serde_json::to_value(ClockFrame::delta(&stopped, &brk)).unwrap();
        assert_eq!(text["mode"], Value::String(String::new()), "a mode that is gone is said so");
        assert_eq!(text.get("athlete").map(|a| a["shown"].clone()), Some(Value::Null), "hidden: field left out");
    }
}
