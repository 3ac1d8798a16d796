//! Payloads of the small SSE events: `clock` (absolute end times plus the server's time, so
//! browsers count down correctly whatever their own clock says), `decision` and `status`,
//! built as the browser contract's types (`owlcms_contract::events`).

use crate::hub::clocks::{BreakState, ClockState};
use crate::hub::display::Shown;
use crate::hub::{FopSnapshot, HubState, now_ms};
use owlcms_contract::events::{
    AthleteClock, BreakClock, ClockEvent, DecisionEvent, Jury, ProtocolError, Status, StatusState, StreamEvent,
};
use serde::Serialize;

/// The `data:` text of an event (its JSON).
pub fn data<T: Serialize + StreamEvent>(payload: &T) -> String {
    // Plain structs of strings, numbers and JSON values: serialising them cannot fail.
    serde_json::to_string(payload).unwrap_or_default()
}

/// The clocks of a FOP as of now.
pub fn clock(fop: &FopSnapshot) -> ClockEvent {
    clock_at(fop, now_ms())
}

/// The clocks of a FOP as of server time `now` (epoch ms; the fuzz target's own clock).
pub fn clock_at(fop: &FopSnapshot, now: i64) -> ClockEvent {
    let athlete = &fop.athlete_clock;
    let brk = &fop.break_clock;
    let state = match athlete.state {
        ClockState::Running => "running",
        ClockState::Stopped => "stopped",
        ClockState::Set => "set",
    };
    let break_state = match brk.state {
        BreakState::Idle => "idle",
        BreakState::Running => "running",
        BreakState::Paused => "paused",
        BreakState::Indefinite => "indefinite",
    };
    // What the slot shows, by the hub's rules (R3.9): decision, break, athlete or none.
    let display = match fop.display.shown {
        Shown::Decision => "decision",
        Shown::Break => "break",
        Shown::Athlete => "athlete",
        Shown::None => "none",
    };
    ClockEvent {
        fop: fop.name.clone(),
        server_time_ms: now,
        athlete: AthleteClock {
            state: state.into(),
            remaining_ms: athlete.remaining_at(now),
            ends_at_ms: athlete.ends_at_ms(),
            time_allowed_ms: athlete.time_allowed_ms,
            initial_warning_ms: athlete.initial_warning_ms,
            final_warning_ms: athlete.final_warning_ms,
            visible: fop.display.athlete_visible,
        },
        break_clock: BreakClock {
            state: break_state.into(),
            remaining_ms: brk.remaining_at(now),
            ends_at_ms: brk.ends_at_ms(),
            visible: fop.display.break_visible,
        },
        in_break: fop.in_break(),
        interruption: fop.display.interruption,
        display: Some(display.into()),
        mode: fop.field("mode"),
        fop_state: fop.field("fopState"),
        break_type: fop.field("breakType"),
    }
}

/// The decision lights of a FOP.
pub fn decision(fop: &FopSnapshot) -> DecisionEvent {
    let d = &fop.decision;
    DecisionEvent {
        fop: fop.name.clone(),
        server_time_ms: now_ms(),
        event: d.event.clone(),
        lights: d.lights,
        decision: d.decision,
        // In a break the lights are hidden whatever the last decision said (R3.9).
        visible: d.visible && !fop.display.in_break,
        down: d.down && !fop.display.in_break,
        single_referee: d.single_referee,
        jury: d.jury.as_ref().map(|j| Jury {
            event: j.event.clone(),
            decision: j.shown_decision().map(str::to_owned),
            reversal: j.shown_reversal(),
            waiting_for_announcer: j.wait_for_announcer,
            reason_code: j.reason_code.clone(),
            athlete: j.athlete.clone(),
            record_kind: j.record_kind.clone(),
            actual_lift: j.actual_lift,
        }),
    }
}

/// What viewers should be told about the feed and the plugin.
pub fn status(state: &HubState, fop: Option<&FopSnapshot>, plugin_error: Option<&str>) -> Status {
    let connected = state.owlcms_connected;
    let has_data = fop.is_none_or(|f| f.data_version > 0) && state.database.is_some();
    let (kind, message) = if let Some(error) = &state.protocol_error {
        (StatusState::ProtocolMismatch, format!("OWLCMS protocol mismatch: {}", error.reason))
    } else if let Some(error) = plugin_error {
        (StatusState::PluginError, error.to_owned())
    } else if !has_data {
        let how = if connected { "OWLCMS is connected; waiting for data" } else { "Waiting for OWLCMS to connect" };
        (StatusState::Waiting, how.to_owned())
    } else {
        (StatusState::Ok, String::new())
    };
    Status {
        state: kind,
        message,
        owlcms_connected: connected,
        protocol_error: state.protocol_error.as_ref().map(protocol_error),
        plugin_error: plugin_error.map(str::to_owned),
    }
}

/// The hub's latched protocol error as pages see it.
pub fn protocol_error(error: &crate::hub::competition::ProtocolError) -> ProtocolError {
    ProtocolError { received: error.received.clone(), reason: error.reason.clone(), at_ms: error.at_ms }
}
