//! Per-FOP state: the merged OWLCMS snapshot with the protocol's merge rules (§8.2: update
//! replaces, timer/decision merge, clock and decision fields carried over), the athlete
//! orders resolved from keys, clocks, decisions and session status (§8.3).

use super::clocks::{ATHLETE_TIMER_EVENTS, AthleteClock, BreakClock};
use super::decision::Decision;
use super::display::{self, SlotDisplay};
use crate::protocol::athlete;
use crate::protocol::scalar::{as_string, key_string, parse_json_strings};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Fields an `update` keeps from the previous snapshot when it does not carry them.
pub const CARRIED_FIELDS: [&str; 13] = [
    "athleteTimerEventType",
    "athleteMillisRemaining",
    "athleteStartTimeMillis",
    "breakTimerEventType",
    "breakMillisRemaining",
    "breakStartTimeMillis",
    "timeAllowed",
    "decisionEventType",
    "d1",
    "d2",
    "d3",
    "decisionsVisible",
    "down",
];

/// The athlete clock's fields: only athlete timer frames may change them (R4.1).
pub const ATHLETE_CLOCK_FIELDS: [&str; 6] = [
    "athleteTimerEventType",
    "athleteMillisRemaining",
    "athleteStartTimeMillis",
    "athleteInitialWarningMillis",
    "athleteFinalWarningMillis",
    "timeAllowed",
];

/// Decision fields a `StartTime` or a current-athlete update removes when it lacks them (R4.2,
/// R4.7): the lights of the last lift are over.
const DECISION_FIELDS: [&str; 7] = ["decisionEventType", "d1", "d2", "d3", "decision", "decisionsVisible", "down"];
/// Whether `payload` gives a field of [`CLOCK_EVENT_FIELDS`] another value than `data` has.
fn clock_fields_differ(payload: &Map<String, Value>, data: &Map<String, Value>) -> bool {
    CLOCK_EVENT_FIELDS.iter().any(|f| as_string(payload.get(*f)) != as_string(data.get(*f)))
}

/// Update fields that the `clock` event carries as they are (views/events.rs `clock_at`): an
/// update that changes one changes the clocks viewers hold, so it is a clock change.
const CLOCK_EVENT_FIELDS: [&str; 3] = ["mode", "fopState", "breakType"];

/// Fields that older senders encode as JSON text.
const JSON_TEXT_FIELDS: [&str; 9] = [
    "sessionAthletes",
    "startOrderKeys",
    "liftingOrderKeys",
    "startOrderAthletes",
    "liftingOrderAthletes",
    "leaders",
    "records",
    "groupAthletes",
    "translationMap",
];

/// One slot of a start or lifting order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "key")]
pub enum OrderItem {
    /// Category separator (`{"isSpacer":true}`).
    Spacer,
    /// An athlete, by normalised key.
    Athlete(String),
}

/// Values computed from the last `update` (not recomputed on clock or decision events).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Derived {
    /// Session athletes by normalised key: the `athlete` DTO overlaid with `displayInfo`.
    pub athletes: HashMap<String, Value>,
    /// Start order with category spacers.
    pub start_order: Vec<OrderItem>,
    /// Lifting order with spacers.
    pub lifting_order: Vec<OrderItem>,
    /// Athlete up now.
    pub current_key: Option<String>,
    /// Athlete up next.
    pub next_key: Option<String>,
    /// Athlete before the current one in start order, if they lifted.
    pub previous_key: Option<String>,
}

/// Whether the FOP's session is finished (protocol §8.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// True after `GroupDone` / a `GROUP_DONE` break, until activity resumes.
    pub is_done: bool,
    /// Current session name, when known.
    pub session_name: Option<String>,
    /// Server epoch milliseconds of the last message for this FOP.
    pub last_activity_ms: i64,
}

/// An immutable picture of one FOP, published to readers after every change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FopSnapshot {
    /// FOP name.
    pub name: String,
    /// Bumped on every message for this FOP.
    pub version: u64,
    /// Bumped only by `update` (what views depend on).
    pub data_version: u64,
    /// Server epoch milliseconds of the last message.
    pub last_update_ms: i64,
    /// Server epoch milliseconds of the last `update`.
    pub last_data_update_ms: i64,
    /// The merged OWLCMS payload.
    pub data: Arc<Map<String, Value>>,
    /// Values derived from the last update.
    pub derived: Arc<Derived>,
    /// Athlete clock.
    pub athlete_clock: AthleteClock,
    /// Break clock.
    pub break_clock: BreakClock,
    /// Decision lights and jury.
    pub decision: Decision,
    /// Session status.
    pub session: SessionStatus,
    /// What the clock-and-lights slot shows after the last frame.
    #[serde(default)]
    pub display: SlotDisplay,
}

impl FopSnapshot {
    /// An empty snapshot for a FOP known only by name.
    pub fn empty(name: &str) -> FopSnapshot {
        FopSnapshot {
            name: name.to_owned(),
            version: 0,
            data_version: 0,
            last_update_ms: 0,
            last_data_update_ms: 0,
            data: Arc::default(),
            derived: Arc::default(),
            athlete_clock: AthleteClock::default(),
            break_clock: BreakClock::default(),
            decision: Decision::default(),
            session: SessionStatus::default(),
            display: SlotDisplay::default(),
        }
    }

    /// A session athlete (athlete DTO + display info) by any key spelling.
    pub fn athlete(&self, key: &Value) -> Option<&Value> {
        self.derived.athletes.get(&key_string(key)?)
    }

    /// The athlete up now.
    pub fn current_athlete(&self) -> Option<&Value> {
        self.derived.athletes.get(self.derived.current_key.as_ref()?)
    }

    /// A string field of the merged payload.
    pub fn field(&self, name: &str) -> Option<String> {
        as_string(self.data.get(name))
    }

    /// True while OWLCMS reports a break (`fopState` BREAK, `break`, or a break mode).
    pub fn in_break(&self) -> bool {
        self.display.in_break
    }
}

/// What a message changed in one FOP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FopChange {
    /// The update data changed (views must be recomputed).
    pub data: bool,
    /// A clock changed.
    pub clock: bool,
    /// The decision state changed.
    pub decision: bool,
}

/// The FOP name a payload is for: `fop`, else `fopName`, else `A`.
pub fn fop_name(payload: &Map<String, Value>) -> String {
    ["fop", "fopName"]
        .iter()
        .filter_map(|k| as_string(payload.get(*k)))
        .find(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "A".to_owned())
}

impl FopSnapshot {
    /// Applies an `update`: the payload replaces the snapshot, carried fields excepted. The
    /// athlete clock is not an update's to change (R4.1): OWLCMS replays and recomputes clock
    /// fields in updates, so they are put back as they were, unless no timer frame ever set
    /// the clock (a tracker that joins mid-attempt seeds it from the update: OQ-16, R4.9).
    pub fn apply_update(&mut self, mut payload: Map<String, Value>, now_ms: i64) -> FopChange {
        parse_json_strings(&mut payload, &JSON_TEXT_FIELDS);
        let in_break = display::in_break(&payload);
        let current_athlete = as_string(payload.get("uiEvent")).as_deref() == Some("LiftingOrderUpdated")
            || payload.contains_key("currentAthleteKey");
        let clears_lights = current_athlete && !in_break;
        for field in CARRIED_FIELDS {
            if clears_lights && DECISION_FIELDS.contains(&field) {
                continue;
            }
            if !payload.contains_key(field)
                && let Some(old) = self.data.get(field)
            {
                payload.insert(field.to_owned(), old.clone());
            }
        }
        let mut clock = false;
        if self.athlete_clock.from_timer {
            for field in ATHLETE_CLOCK_FIELDS {
                match self.data.get(field) {
                    Some(old) => payload.insert(field.to_owned(), old.clone()),
                    None => payload.remove(field),
                };
            }
        } else {
            clock |= self.athlete_clock.apply(&payload, now_ms);
        }
        let mut decision = false;
        if clears_lights {
            decision = self.decision.clear_lights(now_ms);
        }
        if current_athlete {
            // R4.7: ready outside a break, not ready in one.
            let ready = !in_break;
            clock |= std::mem::replace(&mut self.athlete_clock.ready, ready) != ready;
        }
        clock |= self.break_clock.apply_update(&payload, in_break, now_ms);
        clock |= clock_fields_differ(&payload, &self.data);
        self.derived = Arc::new(derive(&payload));
        self.data = Arc::new(payload);
        self.data_version += 1;
        self.last_data_update_ms = now_ms;
        clock |= self.touch(now_ms);
        FopChange { data: true, clock, decision }
    }

    /// Applies a `timer`: shallow merge, clocks updated (R4.2–R4.4, S3.1). A `StopTime` that
    /// repeats the last one is ignored completely (R4.3), so it returns no change at all.
    pub fn apply_timer(&mut self, payload: Map<String, Value>, now_ms: i64) -> FopChange {
        if self.athlete_clock.is_duplicate_stop(&payload) {
            return FopChange::default();
        }
        let event =
            as_string(payload.get("athleteTimerEventType")).filter(|e| ATHLETE_TIMER_EVENTS.contains(&e.as_str()));
        let mut clock = self.break_clock.apply_timer(&payload, now_ms);
        let mut decision = false;
        let starting = event.as_deref() == Some("StartTime");
        if starting {
            let data = Arc::make_mut(&mut self.data);
            for field in DECISION_FIELDS.iter().filter(|f| !payload.contains_key(**f)) {
                data.remove(*field);
            }
            decision = self.decision.clear_lights(now_ms);
        }
        // The frame's own fields: a StopTime without a value ages the running clock instead of
        // reusing a remaining time an older frame left in the merged state.
        let before = self.athlete_clock.clone();
        if event.is_some() {
            self.athlete_clock.apply(&payload, now_ms);
        }
        clock |= self.merge(payload);
        if let Some(event) = event {
            self.athlete_clock.from_timer = true;
            self.athlete_clock.ready = match event.as_str() {
                "StartTime" => true,
                "SetTime" => self.set_time_may_show(),
                _ => self.athlete_clock.ready,
            };
            clock |= self.athlete_clock != before;
        }
        clock |= self.touch(now_ms);
        FopChange { data: false, clock, decision }
    }

    /// R4.4: a `SetTime` is shown only with an athlete on the platform, outside a break, and
    /// with no decision standing; otherwise it prepares the next clock, hidden.
    fn set_time_may_show(&self) -> bool {
        let text = |k: &str| self.field(k).unwrap_or_default();
        let athlete_state = ["CURRENT_ATHLETE_DISPLAYED", "TIME_RUNNING", "TIME_STOPPED"];
        (text("mode") == "CURRENT_ATHLETE" || athlete_state.contains(&text("fopState").as_str()))
            && !display::in_break(&self.data)
            && !display::has_decision_signal(&self.data)
    }

    /// Applies a `decision`: shallow merge, decision state updated. Any decision signal makes
    /// the athlete clock not ready (R4.5) without changing its values.
    pub fn apply_decision(&mut self, mut payload: Map<String, Value>, now_ms: i64) -> FopChange {
        // `records` arrives as JSON text in decisions; keep the stored object shape.
        parse_json_strings(&mut payload, &["records"]);
        // R4.5: OWLCMS names the initial decision in camel case.
        if as_string(payload.get("decisionEventType")).as_deref() == Some("initialDecision") {
            payload.insert("decisionEventType".into(), Value::from("INITIAL_DECISION"));
        }
        self.decision.apply(&payload, now_ms);
        let signal = display::has_decision_signal(&payload);
        let mut clock = self.merge(payload);
        if signal {
            clock |= std::mem::replace(&mut self.athlete_clock.ready, false);
        }
        clock |= self.touch(now_ms);
        FopChange { data: false, clock, decision: true }
    }

    /// Merges a timer or decision payload into the data; true when a field the clock event
    /// carries changed (timers and decisions may carry `mode` too).
    fn merge(&mut self, payload: Map<String, Value>) -> bool {
        // The three values, not the Arc: a second reference would make `make_mut` copy the map.
        let before = CLOCK_EVENT_FIELDS.map(|f| as_string(self.data.get(f)));
        Arc::make_mut(&mut self.data).extend(payload);
        CLOCK_EVENT_FIELDS.iter().zip(before).any(|(f, old)| as_string(self.data.get(*f)) != old)
    }

    /// Bookkeeping after every frame; true when what the slot shows changed.
    fn touch(&mut self, now_ms: i64) -> bool {
        self.version += 1;
        self.last_update_ms = now_ms;
        self.session.last_activity_ms = now_ms;
        let data = &self.data;
        let done = as_string(data.get("uiEvent")).as_deref() == Some("GroupDone")
            || as_string(data.get("breakType")).as_deref() == Some("GROUP_DONE")
                && as_string(data.get("fopState")).as_deref() == Some("BREAK");
        self.session.is_done = done;
        self.session.session_name =
            as_string(data.get("sessionName")).or_else(|| as_string(data.get("groupName"))).filter(|s| !s.is_empty());
        let slot = display::compute(&self.data, &self.athlete_clock, &self.break_clock, &self.decision);
        std::mem::replace(&mut self.display, slot) != slot
    }
}

fn order(payload: &Map<String, Value>, field: &str) -> Vec<OrderItem> {
    payload
        .get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    if item.get("isSpacer").is_some() {
                        Some(OrderItem::Spacer)
                    } else {
                        key_string(item).map(OrderItem::Athlete)
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn derive(payload: &Map<String, Value>) -> Derived {
    let mut athletes = HashMap::new();
    for entry in payload.get("sessionAthletes").and_then(Value::as_array).into_iter().flatten() {
        let Some(key) = athlete::entry_key(entry) else { continue };
        athletes.insert(key, Value::Object(athlete::displayed(entry)));
    }
    let key = |field: &str| payload.get(field).and_then(key_string);
    Derived {
        athletes,
        start_order: order(payload, "startOrderKeys"),
        lifting_order: order(payload, "liftingOrderKeys"),
        current_key: key("currentAthleteKey"),
        next_key: key("nextAthleteKey"),
        previous_key: key("previousAthleteKey"),
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
    fn p1_update_replaces_and_carries_timer_and_decision_fields() {
        let mut fop = FopSnapshot::empty("A");
        fop.apply_update(map(json!({"uiEvent": "LiftingOrderUpdated", "currentAthleteKey": 5, "fullName": "X"})), 1);
        fop.apply_timer(map(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000"})), 2);
        fop.apply_decision(map(json!({"decisionEventType": "DOWN_SIGNAL", "down": "true"})), 3);
        let change = fop.apply_update(map(json!({"uiEvent": "GroupDone"})), 4);
        assert!(change.data);
        assert_eq!(fop.data.get("currentAthleteKey"), None, "stale key must not survive an update");
        assert_eq!(fop.data.get("fullName"), None);
        assert_eq!(fop.data["athleteTimerEventType"], "StartTime");
        assert_eq!(fop.data["down"], "true");
        assert!(fop.session.is_done);
        assert_eq!((fop.version, fop.data_version), (4, 2));
    }

    #[test]
    fn p7_keys_and_json_strings_normalise() {
        let mut fop = FopSnapshot::empty("A");
        let sessions = json!([{"athleteKey": "-7", "athlete": {"key": -7, "lastName": "Kværnø"}, "displayInfo": {"fullName": "KVÆRNØ, Ola"}}]);
        fop.apply_update(
            map(json!({
                "sessionAthletes": sessions.to_string(),
                "startOrderKeys": [{"isSpacer": true}, -7],
                "liftingOrderKeys": "[{\"isSpacer\":true},-7]",
                "currentAthleteKey": "-7"
            })),
            1,
        );
        assert_eq!(fop.derived.start_order, vec![OrderItem::Spacer, OrderItem::Athlete("-7".into())]);
        assert_eq!(fop.derived.lifting_order, fop.derived.start_order);
        assert_eq!(fop.current_athlete().unwrap()["fullName"], "KVÆRNØ, Ola");
        assert_eq!(fop.athlete(&json!(-7)).unwrap()["lastName"], "Kværnø");
    }

    // R4.3: a StopTime without a value stops the running clock where it is, not at a remaining
    // time an earlier frame left in the merged state.
    #[test]
    fn stop_time_without_a_value_ages_the_running_clock() {
        let mut fop = FopSnapshot::empty("A");
        fop.apply_timer(map(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000"})), 0);
        fop.apply_timer(map(json!({"athleteTimerEventType": "StopTime"})), 10_000);
        assert_eq!(fop.athlete_clock.remaining_ms, 50_000);
        let version = fop.version;
        assert_eq!(
            fop.apply_timer(
                map(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": 50_000})),
                11_000
            ),
            FopChange::default()
        );
        assert_eq!(fop.version, version, "a repeated stop changes nothing");
    }

    #[test]
    fn p13_fop_name_from_fop_or_fop_name() {
        assert_eq!(fop_name(&map(json!({"fopName": "Plattform B"}))), "Plattform B");
        assert_eq!(fop_name(&map(json!({"fop": "C", "fopName": "A"}))), "C");
        assert_eq!(fop_name(&map(json!({}))), "A");
    }
}
