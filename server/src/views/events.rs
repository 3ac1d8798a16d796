//! Payloads of the small SSE events: `clock` (absolute end times plus the server's time, so
//! browsers count down correctly whatever their own clock says), `decision` and `status`.

use crate::hub::clocks::{BreakState, ClockState};
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
        },
        "inBreak": fop.in_break(),
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
        "visible": d.visible,
        "down": d.down,
        "singleReferee": d.single_referee,
        "jury": d.jury,
    })
}

/// What viewers should be told about the feed and the plugin.
pub fn status(state: &HubState, fop: Option<&FopSnapshot>, plugin_error: Option<&str>) -> Value {
    let connected = !state.diagnostics.connections.is_empty();
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
