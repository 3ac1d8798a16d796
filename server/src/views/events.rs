//! Payloads of the small SSE events: `clock` (absolute end times plus the server's time, so
//! browsers count down correctly whatever their own clock says), `decision` and `status`.

use crate::hub::clocks::{BreakState, ClockState};
use crate::hub::display::Shown;
use crate::hub::{FopSnapshot, HubState, now_ms};
use serde_json::{Value, json};

/// The clocks of a FOP as of now.
pub fn clock(fop: &FopSnapshot) -> Value {
    let now = now_ms();
    let athlete = &fop.athlete_clock;
    let brk = &fop.break_clock;
    json!({
        "fop": fop.name,
        "serverTimeMs": now,
        "athlete": {
            "state": match athlete.state {
                ClockState::Running => "running",
                ClockState::Stopped => "stopped",
                ClockState::Set => "set",
            },
            "remainingMs": athlete.remaining_at(now),
            "endsAtMs": athlete.ends_at_ms(),
            "timeAllowedMs": athlete.time_allowed_ms,
            "initialWarningMs": athlete.initial_warning_ms,
            "finalWarningMs": athlete.final_warning_ms,
            "visible": fop.display.athlete_visible,
        },
        "break": {
            "state": match brk.state {
                BreakState::Idle => "idle",
                BreakState::Running => "running",
                BreakState::Paused => "paused",
                BreakState::Indefinite => "indefinite",
            },
            "remainingMs": brk.remaining_at(now),
            "endsAtMs": brk.ends_at_ms(),
            "visible": fop.display.break_visible,
        },
        "inBreak": fop.in_break(),
        "interruption": fop.display.interruption,
        // What the slot shows, by the hub's rules (R3.9): decision, break, athlete or none.
        "display": match fop.display.shown {
            Shown::Decision => "decision",
            Shown::Break => "break",
            Shown::Athlete => "athlete",
            Shown::None => "none",
        },
        "mode": fop.field("mode"),
        "fopState": fop.field("fopState"),
        "breakType": fop.field("breakType"),
    })
}

/// The decision lights of a FOP.
pub fn decision(fop: &FopSnapshot) -> Value {
    let d = &fop.decision;
    json!({
        "fop": fop.name,
        "serverTimeMs": now_ms(),
        "event": d.event,
        "lights": d.lights,
        "decision": d.decision,
        // In a break the lights are hidden whatever the last decision said (R3.9).
        "visible": d.visible && !fop.display.in_break,
        "down": d.down && !fop.display.in_break,
        "singleReferee": d.single_referee,
        "jury": d.jury.as_ref().map(|j| json!({
            "event": j.event,
            "decision": j.shown_decision(),
            "reversal": j.shown_reversal(),
            "waitingForAnnouncer": j.wait_for_announcer,
            "reasonCode": j.reason_code,
            "athlete": j.athlete,
            "recordKind": j.record_kind,
            "actualLift": j.actual_lift,
        })),
    })
}

/// What viewers should be told about the feed and the plugin.
pub fn status(state: &HubState, fop: Option<&FopSnapshot>, plugin_error: Option<&str>) -> Value {
    let connected = state.owlcms_connected;
    let has_data = fop.is_none_or(|f| f.data_version > 0) && state.database.is_some();
    let (kind, message) = if let Some(error) = &state.protocol_error {
        ("protocol-mismatch", format!("OWLCMS protocol mismatch: {}", error.reason))
    } else if let Some(error) = plugin_error {
        ("plugin-error", error.to_owned())
    } else if !has_data {
        let how = if connected { "OWLCMS is connected; waiting for data" } else { "Waiting for OWLCMS to connect" };
        ("waiting", how.to_owned())
    } else {
        ("ok", String::new())
    };
    json!({
        "state": kind,
        "message": message,
        "owlcmsConnected": connected,
        "protocolError": state.protocol_error,
        "pluginError": plugin_error,
    })
}
