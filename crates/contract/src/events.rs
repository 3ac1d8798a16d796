//! The events of `/api/stream` (Server-Sent Events): their names and payloads. Times are
//! server epoch milliseconds; clocks carry absolute end times plus the server's time so that a
//! browser whose own clock is off still counts down correctly.

pub use crate::clock::{AthleteClock, AthleteTick, BreakClock, BreakTick, ClockEvent, ClockFrame};
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

/// The `patch` event: the next version of the view as an RFC 6902 JSON Patch of the envelope
/// whose SSE id is `base` (the event's own id is the new version). Applied to that envelope
/// as JSON (the `view` event's data, parsed), it gives the new envelope; the server sends a
/// patch only when it proved that, serialised, the result is the new view byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewPatch {
    /// The version (SSE id) this patch applies to.
    pub base: String,
    /// The operations.
    pub patch: json_patch::Patch,
}

impl StreamEvent for ViewPatch {
    const NAME: &'static str = "patch";
}

impl ViewPatch {
    /// Applies the patch to the envelope JSON of version `base`, in place; on failure the
    /// envelope is unchanged and the page should ask for the full view.
    pub fn apply_to(&self, envelope: &mut Value) -> Result<(), json_patch::PatchError> {
        json_patch::patch(envelope, &self.patch)
    }
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
