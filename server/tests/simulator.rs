//! The OWLCMS simulator against a real tracker: a full session at full speed (rules and
//! results checked at every update), the structure of its messages against real captures,
//! and learning-mode capture → replay.

mod common;

use common::*;
use owlcms_simulator::meet::Meet;
use owlcms_simulator::speed::Speed;
use owlcms_simulator::{self as simulator, SimulatorOptions};
use owlcms_tracker::hub::HubEvent;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use tokio_util::sync::CancellationToken;

fn one_session(t: &TestServer) -> SimulatorOptions {
    let mut options = SimulatorOptions::new(&t.ws_url());
    options.speed = Speed::Max;
    options.fops = Some(vec!["A".into()]);
    options.max_sessions = Some(1);
    options
}

fn lift_field(athlete: &Value, attempt: usize, field: &str) -> Option<i64> {
    let prefix = if attempt < 3 { "snatch" } else { "cleanJerk" };
    let value = athlete.get(format!("{prefix}{}{field}", attempt % 3 + 1).as_str())?;
    value.as_i64().or_else(|| value.as_str()?.parse().ok())
}

/// (requested weight, attempts done, last lift time) of an athlete record, by OWLCMS's rules.
fn order_facts(athlete: &Value) -> (i64, usize, String) {
    let done = (0..6).filter(|i| lift_field(athlete, *i, "ActualLift").is_some()).count();
    let weight = if done < 6 {
        ["Change2", "Change1", "Declaration", "AutomaticProgression"]
            .iter()
            .find_map(|f| lift_field(athlete, done, f).filter(|w| *w > 0))
            .unwrap_or(0)
    } else {
        0
    };
    let last = (0..6)
        .filter_map(|i| {
            let prefix = if i < 3 { "snatch" } else { "cleanJerk" };
            athlete.get(format!("{prefix}{}LiftTime", i % 3 + 1).as_str())?.as_str().map(str::to_owned)
        })
        .max()
        .unwrap_or_default();
    (weight, done, last)
}

/// Checks one update's lifting order against the rules; returns the number of athletes checked.
fn check_lifting_order(snapshot: &owlcms_tracker::hub::FopSnapshot) -> usize {
    use owlcms_tracker::hub::fop::OrderItem;
    let athletes: Vec<(i64, usize, String)> = snapshot
        .derived
        .lifting_order
        .iter()
        .filter_map(|item| match item {
            OrderItem::Athlete(key) => Some(order_facts(&snapshot.derived.athletes[key])),
            OrderItem::Spacer => None,
        })
        .collect();
    let snatch_phase = athletes.iter().any(|a| a.1 < 3);
    let phase_done = |a: &(i64, usize, String)| if snatch_phase { a.1 >= 3 } else { a.1 >= 6 };
    for pair in athletes.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(!phase_done(a) || phase_done(b), "an athlete done with the lift precedes one who is not: {pair:?}");
        if phase_done(a) || phase_done(b) {
            continue;
        }
        assert!((a.0, a.1) <= (b.0, b.1), "lighter weight, then fewer attempts first: {pair:?}");
        if (a.0, a.1) == (b.0, b.1) && !a.2.is_empty() && !b.2.is_empty() {
            assert!(a.2 <= b.2, "same weight and attempt: who lifted earlier goes first: {pair:?}");
        }
    }
    athletes.len()
}

#[tokio::test]
async fn a_full_session_at_full_speed_obeys_the_rules_and_matches_the_simulator() {
    let t = TestServer::start().await;
    let mut events = t.hub().events();
    let options = one_session(&t);
    let run = tokio::spawn(simulator::run(Meet::demo().unwrap(), options, CancellationToken::new()));
    let mut updates = 0;
    let mut group_done = false;
    while !group_done {
        let event = tokio::time::timeout(PATIENCE, events.recv()).await.expect("hub events").expect("not lagging");
        if let HubEvent::Fop { change, snapshot, .. } = event
            && change.data
        {
            updates += 1;
            check_lifting_order(&snapshot);
            group_done = snapshot.field("uiEvent").as_deref() == Some("GroupDone");
        }
    }
    let meet = run.await.unwrap().expect("simulation ran");
    assert!(updates > 30, "{updates} updates");
    let fop = t.hub().fop("A").unwrap();
    assert!(fop.session.is_done);
    let session = fop.field("sessionName").unwrap();
    let lifters = meet.session_lifters(&session);
    assert!(lifters.len() >= 7);
    let all: Vec<_> = meet.lifters.values().collect();
    let (snatch, cj, total) = (
        owlcms_simulator::model::ranks(&all, 0),
        owlcms_simulator::model::ranks(&all, 1),
        owlcms_simulator::model::ranks(&all, 2),
    );
    let shown = |v: i64| if v > 0 { v.to_string() } else { "-".to_owned() };
    let rank = |table: &std::collections::HashMap<i64, usize>, key: i64| {
        table.get(&key).map_or("-".to_owned(), |r| r.to_string())
    };
    for lifter in lifters {
        assert!(lifter.attempts_done() <= 6);
        assert_eq!(lifter.attempts_done(), 6, "{} lifted everything", lifter.full_name());
        let tracked = fop.athlete(&serde_json::json!(lifter.key)).expect("athlete in the tracker");
        let name = lifter.full_name();
        assert_eq!(tracked["bestSnatch"], shown(lifter.best(0)), "{name}");
        assert_eq!(tracked["bestCleanJerk"], shown(lifter.best(1)), "{name}");
        assert_eq!(tracked["total"], shown(lifter.total()), "{name}");
        assert_eq!(tracked["snatchRank"], rank(&snatch, lifter.key), "{name}");
        assert_eq!(tracked["cleanJerkRank"], rank(&cj, lifter.key), "{name}");
        assert_eq!(tracked["totalRank"], rank(&total, lifter.key), "{name}");
        assert_eq!(order_facts(tracked).1, 6);
    }
}

/// Keys and JSON types of an object, for structural comparison.
fn shape(value: &Value) -> BTreeMap<String, &'static str> {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    value
        .as_object()
        .map(|m: &Map<String, Value>| m.iter().map(|(k, v)| (k.clone(), kind(v))).collect())
        .unwrap_or_default()
}

/// Compares shapes; `extra` and `missing` list keys allowed to differ (with the reason in the
/// caller), type differences are allowed only where the real sample is `null`.
fn same_shape(what: &str, simulated: &Value, real: &Value, extra: &[&str], missing: &[&str]) {
    let (sim, real) = (shape(simulated), shape(real));
    let sim_keys: BTreeSet<&String> = sim.keys().collect();
    let real_keys: BTreeSet<&String> = real.keys().collect();
    let only_sim: Vec<&&String> = sim_keys.difference(&real_keys).filter(|k| !extra.contains(&k.as_str())).collect();
    let only_real: Vec<&&String> = real_keys.difference(&sim_keys).filter(|k| !missing.contains(&k.as_str())).collect();
    assert!(
        only_sim.is_empty() && only_real.is_empty(),
        "{what}: only simulated {only_sim:?}, only real {only_real:?}"
    );
    for (key, kind) in &sim {
        if let Some(real_kind) = real.get(key)
            && real_kind != kind
            && *real_kind != "null"
            && *kind != "null"
        {
            panic!("{what}.{key}: simulated {kind}, real {real_kind}");
        }
    }
}

#[tokio::test]
async fn simulated_messages_have_the_structure_of_real_ones() {
    let t = TestServer::with(|o| o.learning_mode = true).await;
    let mut options = one_session(&t);
    options.update_key = Some(SAMPLE_KEY.into());
    simulator::run(Meet::demo().unwrap(), options, CancellationToken::new()).await.unwrap();
    let dir = t.server().learning_dir().unwrap().clone();
    let frame = |label: &str, pick: &dyn Fn(&Value) -> bool| -> Value {
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        files
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(&format!("-{label}.json")))
            .map(|p| serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap()).unwrap()["payload"].clone())
            .find(|payload| pick(payload))
            .unwrap_or_else(|| panic!("a simulated {label}"))
    };
    // An update in the clean & jerk with a current athlete, like the real capture.
    let update = frame("UPDATE-LIFTINGORDERUPDATED", &|p| {
        p["liftTypeKey"] == "Clean_and_Jerk" && p.get("currentAthleteKey").is_some()
    });
    let real = sample(LIFTING_ORDER);
    // leaders: only when earlier sessions of the same categories have results (none in the capture).
    // previousAthleteKey / recordMessage / breakType: present only in some situations, both ways.
    let optional = ["leaders", "previousAthleteKey", "recordMessage", "breakType"];
    same_shape("update", &update, &real, &optional, &optional);
    let athlete = &update["sessionAthletes"][0];
    same_shape("sessionAthletes[]", athlete, &real["sessionAthletes"][0], &[], &[]);
    same_shape("athlete", &athlete["athlete"], &real["sessionAthletes"][0]["athlete"], &[], &[]);
    same_shape("displayInfo", &athlete["displayInfo"], &real["sessionAthletes"][0]["displayInfo"], &[], &[]);
    same_shape("records", &update["records"], &real["records"], &[], &[]);
    // Timers: the newest OWLCMS adds timeAllowed and the warning thresholds, absent from the
    // 2025-10 captures; updateKey is sent only when a key is configured (the capture had one).
    let newest_timer = ["timeAllowed", "athleteInitialWarningMillis", "athleteFinalWarningMillis"];
    let start = frame("TIMER", &|p| p["athleteTimerEventType"] == "StartTime");
    same_shape("timer StartTime", &start, &sample("http-era/timer-start.json"), &newest_timer, &[]);
    let stop = frame("TIMER", &|p| p["athleteTimerEventType"] == "StopTime");
    same_shape("timer StopTime", &stop, &sample("http-era/timer-stop.json"), &newest_timer, &[]);
    // Decisions: three referees send d1 and d3 too (the capture is a one-referee meet); the
    // newest OWLCMS adds the overall `decision`.
    let full = frame("DECISION", &|p| p["decisionEventType"] == "FULL_DECISION");
    same_shape("decision FULL_DECISION", &full, &sample("http-era/decision-full.json"), &["d1", "d3", "decision"], &[]);
    let reset = frame("DECISION", &|p| p["decisionEventType"] == "RESET");
    same_shape("decision RESET", &reset, &sample("http-era/decision-reset.json"), &[], &[]);
}

#[tokio::test]
async fn capture_then_replay_gives_the_same_state() {
    let recorded = TestServer::with(|o| o.learning_mode = true).await;
    simulator::run(Meet::demo().unwrap(), one_session(&recorded), CancellationToken::new()).await.unwrap();
    let dir = recorded.server().learning_dir().unwrap().clone();
    // The last replies must be in before comparing: one more round trip.
    let mut probe = recorded.owlcms().await;
    probe.sync().await;
    let replayed = TestServer::start().await;
    let sent = simulator::replay::replay(&dir, &replayed.ws_url(), Speed::Max).await.unwrap();
    assert!(sent.text > 100 && sent.binary == 3, "{sent:?}");
    let mut probe = replayed.owlcms().await;
    probe.sync().await;
    let (a, b) = (recorded.state_fingerprint(), replayed.state_fingerprint());
    assert_eq!(a["fops"], b["fops"]);
    assert_eq!(a["database"], b["database"]);
    assert_eq!(a["translations"], b["translations"]);
}

// The simulator is OWLCMS's side and shares no code with the tracker: where both compute the
// same thing, they must agree.

#[test]
fn the_simulated_sinclair_is_the_trackers_2024_sinclair() {
    use owlcms_tracker::scoring::{Gender, SinclairYear, sinclair};
    for (gender, g) in [("M", Gender::Male), ("F", Gender::Female)] {
        for (body_weight, total) in [(49.3, 150), (61.09, 210), (88.8, 301), (139.14, 368), (200.0, 420), (0.0, 200)] {
            let tracker = sinclair(total as f64, body_weight, g, SinclairYear::Y2024);
            let simulated = simulator::sinclair_2024(gender, body_weight, total);
            assert!((tracker - simulated).abs() < 1e-9, "{gender} {body_weight} {total}: {tracker} vs {simulated}");
        }
    }
}

#[test]
fn the_check_plugin_sample_translations_are_what_the_simulator_sends() {
    assert_eq!(owlcms_tracker::plugins::sample::translations_json(), owlcms_simulator::assets::translations_json());
}
