//! The events of `/api/stream` (Server-Sent Events): their names and payloads. Times are
//! server epoch milliseconds; clocks carry absolute end times plus the server's time so that a
//! browser whose own clock is off still counts down correctly.

use crate::page::PageKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A payload of the stream, and the SSE event name it travels under.
pub trait StreamEvent {
    /// The SSE `event:` name.
    const NAME: &'static str;
}

/// The `view` event: which plugin and page, and the view the plugin's mapping produced.
/// Also the body of `GET /api/view`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewEnvelope {
    /// Plugin id.
    #[serde(default)]
    pub plugin: String,
    /// Page kind (renderer).
    pub page: PageKind,
    /// FOP, when the plugin draws one.
    #[serde(default)]
    pub fop: Option<String>,
    /// Resolved locale.
    #[serde(default)]
    pub lang: String,
    /// Resolved options, by key.
    #[serde(default)]
    pub options: Value,
    /// The mapping's output: free-form, read by the page kind's renderer.
    #[serde(default)]
    pub view: Value,
}

impl StreamEvent for ViewEnvelope {
    const NAME: &'static str = "view";
}

/// What a `status` event says overall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusState {
    /// Data is flowing and the plugin works.
    #[default]
    Ok,
    /// No competition data yet.
    Waiting,
    /// OWLCMS speaks a protocol version this server refuses.
    ProtocolMismatch,
    /// The plugin's files or mapping failed (the last good view keeps showing).
    PluginError,
}

impl StatusState {
    /// The wire id (`protocol-mismatch`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Ok => "ok",
            StatusState::Waiting => "waiting",
            StatusState::ProtocolMismatch => "protocol-mismatch",
            StatusState::PluginError => "plugin-error",
        }
    }
}

/// A latched protocol mismatch (cleared by the next valid message from OWLCMS).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProtocolError {
    /// Version the sender claimed, if any.
    pub received: Option<String>,
    /// Human-readable reason.
    pub reason: String,
    /// When it was refused.
    pub at_ms: i64,
}

/// The `status` event: what viewers should be told about the feed and the plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Status {
    /// Overall state.
    pub state: StatusState,
    /// Explanation for people (empty when `ok`).
    pub message: String,
    /// Whether OWLCMS is connected.
    pub owlcms_connected: bool,
    /// The latched protocol error, if any.
    pub protocol_error: Option<ProtocolError>,
    /// The plugin's load or run-time error, if any.
    pub plugin_error: Option<String>,
}

impl StreamEvent for Status {
    const NAME: &'static str = "status";
}

/// The `clock` event: the clocks of a FOP.
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

impl StreamEvent for ClockEvent {
    const NAME: &'static str = "clock";
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

/// The `decision` event: the referees' lights of a FOP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DecisionEvent {
    /// FOP name.
    pub fop: String,
    /// When the event was built.
    pub server_time_ms: i64,
    /// Last referee event type.
    pub event: Option<String>,
    /// Referees 1–3: good, bad or undecided.
    pub lights: [Option<bool>; 3],
    /// Overall decision.
    pub decision: Option<bool>,
    /// Lights shown (never in a break).
    pub visible: bool,
    /// Down signal shown.
    pub down: bool,
    /// One-referee competition.
    pub single_referee: bool,
    /// Last jury notification.
    pub jury: Option<Jury>,
}

impl StreamEvent for DecisionEvent {
    const NAME: &'static str = "decision";
}

/// A jury notification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Jury {
    /// `JURY_DECISION`, `START_DELIBERATION`, …
    pub event: String,
    /// `GOOD_LIFT` / `BAD_LIFT`, as shown now.
    pub decision: Option<String>,
    /// True when the jury reversed the referees.
    pub reversal: Option<bool>,
    /// OWLCMS holds the outcome until the announcer confirms it: shown as deliberating.
    pub waiting_for_announcer: bool,
    /// OWLCMS's reason code.
    pub reason_code: Option<String>,
    /// The athlete concerned.
    pub athlete: Option<String>,
    /// Record kind of the lift, if any.
    pub record_kind: Option<String>,
    /// The lift's weight.
    pub actual_lift: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> Value {
        let json = serde_json::to_value(value).unwrap();
        assert_eq!(&serde_json::from_value::<T>(json.clone()).unwrap(), value);
        json
    }

    #[test]
    fn envelopes_keep_the_view_as_sent() {
        let envelope = ViewEnvelope {
            plugin: "lifting-order".into(),
            page: PageKind::StandardGrid,
            fop: Some("A".into()),
            lang: "fr".into(),
            options: json!({"size": 1}),
            view: json!({"rows": [{"name": "A, B", "extra": [1, 2]}]}),
        };
        let text = serde_json::to_string(&envelope).unwrap();
        assert!(
            text.starts_with(r#"{"plugin":"lifting-order","page":"standard-grid","fop":"A","lang":"fr""#),
            "{text}"
        );
        round_trip(&envelope);
        assert_eq!(ViewEnvelope::NAME, "view");
    }

    #[test]
    fn statuses_use_kebab_case_states() {
        let status = Status {
            state: StatusState::ProtocolMismatch,
            message: "OWLCMS protocol mismatch: old".into(),
            owlcms_connected: true,
            protocol_error: Some(ProtocolError { received: None, reason: "old".into(), at_ms: 1 }),
            plugin_error: None,
        };
        let json = round_trip(&status);
        assert_eq!(json["state"], "protocol-mismatch");
        assert_eq!(json["owlcmsConnected"], true);
        assert_eq!(json["pluginError"], Value::Null);
        for state in [StatusState::Ok, StatusState::Waiting, StatusState::ProtocolMismatch, StatusState::PluginError] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(Status::NAME, "status");
    }

    #[test]
    fn clocks_write_integer_milliseconds() {
        let clock = ClockEvent {
            fop: "A".into(),
            server_time_ms: 1_700_000_000_000,
            athlete: AthleteClock {
                state: "running".into(),
                remaining_ms: 41_000,
                ends_at_ms: Some(1_700_000_041_000),
                visible: true,
                ..AthleteClock::default()
            },
            break_clock: BreakClock { state: "idle".into(), ..BreakClock::default() },
            display: Some("athlete".into()),
            mode: Some("CURRENT_ATHLETE".into()),
            ..ClockEvent::default()
        };
        let json = round_trip(&clock);
        assert_eq!(json["athlete"]["remainingMs"], json!(41_000));
        assert!(json["athlete"]["remainingMs"].is_i64());
        assert_eq!(json["break"]["state"], "idle");
        assert_eq!(json["fopState"], Value::Null);
        assert_eq!(ClockEvent::NAME, "clock");
        let sparse: ClockEvent = serde_json::from_value(json!({"fop": "A"})).unwrap();
        assert_eq!(sparse.athlete.remaining_ms, 60_000, "a set one-minute clock by default");
    }

    #[test]
    fn decisions_round_trip_with_the_jury() {
        let decision = DecisionEvent {
            fop: "A".into(),
            server_time_ms: 9,
            event: Some("DECISION".into()),
            lights: [Some(true), Some(false), None],
            decision: Some(true),
            visible: true,
            jury: Some(Jury {
                event: "JURY_DECISION".into(),
                decision: Some("BAD_LIFT".into()),
                reversal: Some(true),
                actual_lift: Some(170),
                ..Jury::default()
            }),
            ..DecisionEvent::default()
        };
        let json = round_trip(&decision);
        assert_eq!(json["lights"], json!([true, false, null]));
        assert_eq!(json["jury"]["waitingForAnnouncer"], false);
        assert_eq!(json["singleReferee"], false);
        assert_eq!(DecisionEvent::NAME, "decision");
    }
}
