//! Behaviour rules R3 (break clock), R4 (athlete clock ownership) and R8 (jury), one test per
//! numbered sequence of `owlcms-behaviour-rules.md`, against a real server fed over a real
//! WebSocket, observed through the hub's snapshots and the browsers' SSE stream.

mod common;

use common::*;
use owlcms_tracker::hub::FopSnapshot;
use owlcms_tracker::hub::clocks::{BreakState, ClockState};
use owlcms_tracker::hub::display::Shown;
use owlcms_tracker::hub::now_ms;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn fop(t: &TestServer) -> Arc<FopSnapshot> {
    t.hub().fop("A").expect("FOP A")
}

async fn send(owlcms: &mut Owlcms, kind: &str, payload: Value) {
    let mut payload = payload;
    payload["fop"] = json!("A");
    payload["fopName"] = json!("A");
    let reply = owlcms.request(kind, &payload).await;
    assert!(reply["status"] == 200 || reply["status"] == 428, "{kind}: {reply}");
}

// R3 sequence 1: a break announced with a remaining time and no start gets a start, kept by the
// next update that does not repeat the remaining time.
#[tokio::test]
async fn r3_break_without_start_is_anchored_and_kept() {
    let (t, mut owlcms) = ready().await;
    let update = json!({"fopState": "BREAK", "break": "true", "breakType": "TECHNICAL", "mode": "INTERRUPTION",
        "breakMillisRemaining": "579000", "uiEvent": "LiftingOrderUpdated"});
    send(&mut owlcms, "update", update.clone()).await;
    let first = fop(&t);
    assert_eq!(first.break_clock.state, BreakState::Running);
    let end = first.break_clock.ends_at_ms().unwrap();
    assert!((end - (now_ms() + 579_000)).abs() < 2_000, "anchored at receipt");
    let mut again = update;
    again.as_object_mut().unwrap().remove("breakMillisRemaining");
    send(&mut owlcms, "update", again).await;
    assert_eq!(fop(&t).break_clock.ends_at_ms(), Some(end), "same anchor");
    assert!(fop(&t).display.break_visible && fop(&t).display.interruption, "STOP shown for an interruption");
}

// R3 sequence 2: OWLCMS re-announces a running break with a new start; the countdown must not
// restart (the second update stands for one sent 120 s later).
#[tokio::test]
async fn r3_reannounced_break_keeps_its_anchor() {
    let (t, mut owlcms) = ready().await;
    let now = now_ms();
    let announce = |start: i64| {
        json!({"fopState": "BREAK", "break": "true", "breakType": "BEFORE_INTRODUCTION", "mode": "INTRO_COUNTDOWN",
            "breakTimerEventType": "BreakStarted", "breakMillisRemaining": "600000", "breakStartTimeMillis": start.to_string()})
    };
    send(&mut owlcms, "update", announce(now)).await;
    let end = fop(&t).break_clock.ends_at_ms().unwrap();
    send(&mut owlcms, "update", announce(now + 120_000)).await;
    assert_eq!(fop(&t).break_clock.ends_at_ms(), Some(end), "the countdown did not restart");
    // A new break (another type) is a new countdown.
    let mut next = announce(now);
    next["breakType"] = json!("FIRST_SNATCH");
    next["mode"] = json!("LIFT_COUNTDOWN");
    next["breakMillisRemaining"] = json!("300000");
    send(&mut owlcms, "update", next).await;
    let new_end = fop(&t).break_clock.ends_at_ms().unwrap();
    assert!((new_end - (now_ms() + 300_000)).abs() < 2_000);
}

// R3 sequence 3: browsers count down from the absolute end time: a clock event built later
// carries the same end and a smaller remaining time.
#[tokio::test]
async fn r3_clients_count_down_from_the_end_time() {
    let (t, mut owlcms) = ready().await;
    send(&mut owlcms, "update", sample(LIFTING_ORDER)).await;
    let started = json!({"fopState": "BREAK", "break": "true", "breakType": "FIRST_SNATCH", "mode": "LIFT_COUNTDOWN",
        "breakTimerEventType": "BreakStarted", "breakMillisRemaining": "600000"});
    send(&mut owlcms, "timer", started).await;
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    let (first, _) = sse.next_of("clock").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut late = SseClient::connect(&t.http("/api/stream?plugin=attempt-board&fop=A"), None).await;
    let (second, _) = late.next_of("clock").await;
    assert_eq!(first["break"]["endsAtMs"], second["break"]["endsAtMs"]);
    assert!(second["break"]["remainingMs"].as_i64() < first["break"]["remainingMs"].as_i64());
    assert_eq!(second["display"], "break");
}

// R3 sequence 4 (and R3.9): in a break the lights and the athlete clock are hidden and the break
// clock wins, whatever the merged state still says about the last decision.
#[tokio::test]
async fn r3_break_hides_lights_and_the_athlete_clock() {
    let (t, mut owlcms) = ready().await;
    let update = json!({"mode": "LIFT_COUNTDOWN", "fopState": "BREAK", "break": "true", "breakType": "FIRST_CJ",
        "breakTimerEventType": "BreakStarted", "breakMillisRemaining": 600000, "breakStartTimeMillis": now_ms(),
        "athleteTimerEventType": "SetTime", "decisionEventType": "FULL_DECISION", "decisionsVisible": "true", "down": "true"});
    send(&mut owlcms, "update", update).await;
    let f = fop(&t);
    assert_eq!(f.display.shown, Shown::Break);
    assert!(!f.display.decision_visible && !f.display.athlete_visible);
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    let (decision, _) = sse.next_of("decision").await;
    assert_eq!((decision["visible"].clone(), decision["down"].clone()), (json!(false), json!(false)));
}

// R3 sequence 5 and R3.6/R3.7: a paused break is hidden; BreakSetTime carries no value and
// changes nothing; the break clock goes idle when the break ends (BreakDone).
#[tokio::test]
async fn r3_paused_break_is_hidden_set_time_keeps_it() {
    let (t, mut owlcms) = ready().await;
    let started = json!({"fopState": "BREAK", "break": "true", "breakType": "TECHNICAL", "mode": "INTERRUPTION",
        "breakTimerEventType": "BreakStarted", "breakMillisRemaining": "120000"});
    send(&mut owlcms, "timer", started).await;
    let end = fop(&t).break_clock.ends_at_ms();
    send(&mut owlcms, "timer", json!({"breakTimerEventType": "BreakSetTime", "fopState": "BREAK"})).await;
    assert_eq!(fop(&t).break_clock.ends_at_ms(), end, "BreakSetTime: the old countdown goes on");
    send(
        &mut owlcms,
        "timer",
        json!({"breakTimerEventType": "BreakPaused", "fopState": "BREAK", "mode": "LIFT_COUNTDOWN"}),
    )
    .await;
    let f = fop(&t);
    assert_eq!(f.break_clock.state, BreakState::Paused);
    assert!(!f.display.break_visible && f.display.shown != Shown::Break);
    send(
        &mut owlcms,
        "update",
        json!({"fopState": "CURRENT_ATHLETE_DISPLAYED", "mode": "CURRENT_ATHLETE", "uiEvent": "BreakDone"}),
    )
    .await;
    assert_eq!(fop(&t).break_clock.state, BreakState::Idle);
    assert!(!fop(&t).in_break());
}

// R3.8/OQ-4: an indefinite break shows the break without digits (not the original's assumed
// 10-minute countdown); SESSION_DONE shows no clock at all.
#[tokio::test]
async fn r3_indefinite_break_and_session_done() {
    let (t, mut owlcms) = ready().await;
    let indefinite = json!({"fopState": "BREAK", "break": "true", "breakType": "CEREMONY", "mode": "LIFT_COUNTDOWN",
        "breakTimerEventType": "BreakStarted", "breakMillisRemaining": "0", "indefiniteBreak": "true"});
    send(&mut owlcms, "timer", indefinite).await;
    let f = fop(&t);
    assert_eq!((f.break_clock.state, f.break_clock.ends_at_ms()), (BreakState::Indefinite, None));
    assert_eq!(f.display.shown, Shown::Break);
    let done = json!({"uiEvent": "GroupDone", "fopState": "BREAK", "breakType": "GROUP_DONE", "mode": "SESSION_DONE"});
    send(&mut owlcms, "update", done).await;
    assert_eq!(fop(&t).display.shown, Shown::None);
}

// R4, the whole sequence (athlete-timer-lifecycle): only timer frames change the athlete clock.
#[tokio::test]
async fn r4_only_timer_frames_change_the_athlete_clock() {
    let (t, mut owlcms) = ready().await;
    let athlete = json!({"fopState": "CURRENT_ATHLETE_DISPLAYED", "mode": "CURRENT_ATHLETE"});
    send(&mut owlcms, "update", athlete).await;
    // 1. StartTime → running.
    let start = json!({"fopState": "TIME_RUNNING", "mode": "CURRENT_ATHLETE", "athleteTimerEventType": "StartTime",
        "athleteMillisRemaining": "60000", "athleteStartTimeMillis": now_ms().to_string(), "timeAllowed": "60000"});
    send(&mut owlcms, "timer", start).await;
    assert_eq!(fop(&t).athlete_clock.state, ClockState::Running);
    // 2. StopTime → stopped at 57060, shown.
    let stop = |ms: &str| json!({"fopState": "TIME_STOPPED", "athleteTimerEventType": "StopTime", "athleteMillisRemaining": ms});
    send(&mut owlcms, "timer", stop("57060")).await;
    let f = fop(&t);
    assert_eq!(
        (f.athlete_clock.state, f.athlete_clock.remaining_ms, f.display.shown),
        (ClockState::Stopped, 57_060, Shown::Athlete)
    );
    // 3. The same StopTime again is ignored completely; another value corrects it.
    let version = f.version;
    send(&mut owlcms, "timer", stop("57060")).await;
    assert_eq!(fop(&t).version, version, "duplicate StopTime: no change at all");
    send(&mut owlcms, "timer", stop("55625")).await;
    assert_eq!(fop(&t).athlete_clock.remaining_ms, 55_625);
    // 4. Down signal: clock unchanged, the slot shows the decision.
    let down = json!({"fopState": "DOWN_SIGNAL_VISIBLE", "decisionEventType": "DOWN_SIGNAL", "decisionsVisible": "false", "down": "true"});
    send(&mut owlcms, "decision", down).await;
    assert_eq!((fop(&t).athlete_clock.remaining_ms, fop(&t).display.shown), (55_625, Shown::Decision));
    // 5. Full decision.
    let full = json!({"fopState": "DECISION_VISIBLE", "decisionEventType": "FULL_DECISION", "decisionsVisible": "true",
        "d1": "true", "d2": "true", "d3": "true", "down": "false"});
    send(&mut owlcms, "decision", full).await;
    assert_eq!(fop(&t).display.shown, Shown::Decision);
    // 6. SetTime while the lights show: prepared, hidden; the lights stay.
    let set = json!({"fopState": "DECISION_VISIBLE", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": "120000",
        "athleteInitialWarningMillis": "90000", "athleteFinalWarningMillis": "30000", "timeAllowed": "120000"});
    send(&mut owlcms, "timer", set).await;
    let f = fop(&t);
    assert_eq!((f.athlete_clock.state, f.athlete_clock.remaining_ms), (ClockState::Set, 120_000));
    assert!(!f.display.athlete_visible && f.display.shown == Shown::Decision);
    // 7. RESET: nothing shows.
    send(&mut owlcms, "decision", json!({"decisionEventType": "RESET", "decisionsVisible": "false", "down": "false"}))
        .await;
    assert_eq!((fop(&t).athlete_clock.remaining_ms, fop(&t).display.shown), (120_000, Shown::None));
    // 8. The next athlete's update: clock values from the update are ignored; shown again.
    let next = json!({"fopState": "CURRENT_ATHLETE", "mode": "CURRENT_ATHLETE", "currentAthleteKey": 1,
        "athleteTimerEventType": "SetTime", "athleteMillisRemaining": "90000", "timeAllowed": "90000", "uiEvent": "LiftingOrderUpdated"});
    send(&mut owlcms, "update", next).await;
    let f = fop(&t);
    assert_eq!(f.data.get("decisionEventType"), None);
    assert_eq!((f.athlete_clock.remaining_ms, f.athlete_clock.time_allowed_ms), (120_000, 120_000));
    assert_eq!(f.display.shown, Shown::Athlete);
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    let (clock, _) = sse.next_of("clock").await;
    assert_eq!((clock["display"].clone(), clock["athlete"]["remainingMs"].clone()), (json!("athlete"), json!(120_000)));
}

// R4.9/OQ-16: a viewer joining mid-attempt gets the running clock; a tracker that never saw a
// timer frame for the FOP takes the update's clock rather than showing none.
#[tokio::test]
async fn r4_viewer_joining_mid_attempt_gets_the_right_clock() {
    let (t, mut owlcms) = ready().await;
    send(&mut owlcms, "update", sample(LIFTING_ORDER)).await;
    let seeded = fop(&t).athlete_clock.clone();
    assert!(!seeded.from_timer && seeded.remaining_ms > 0, "seeded from the update");
    let start = json!({"fopState": "TIME_RUNNING", "mode": "CURRENT_ATHLETE", "athleteTimerEventType": "StartTime",
        "athleteMillisRemaining": "60000", "timeAllowed": "60000"});
    send(&mut owlcms, "timer", start).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=attempt-board&fop=A"), None).await;
    let (clock, _) = sse.next_of("clock").await;
    let ends = clock["athlete"]["endsAtMs"].as_i64().unwrap();
    let server_now = clock["serverTimeMs"].as_i64().unwrap();
    assert!((ends - server_now) <= 59_600 && (ends - server_now) > 55_000, "{clock}");
    // An update replaying an older clock does not move the running one.
    let mut replay = sample(LIFTING_ORDER);
    replay["athleteMillisRemaining"] = json!("60000");
    send(&mut owlcms, "update", replay).await;
    assert_eq!(fop(&t).athlete_clock.ends_at_ms(), Some(ends));
}

// R8.1/R8.2: a jury decision OWLCMS holds for the announcer shows as deliberating, with no
// reversal, until it is confirmed; deliberation in a break shows no lights.
#[tokio::test]
async fn r8_jury_waits_for_the_announcer() {
    let (t, mut owlcms) = ready().await;
    send(&mut owlcms, "update", sample(LIFTING_ORDER)).await;
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    sse.next_of("decision").await;
    let jury = |wait: &str| {
        json!({"fopState": "BREAK", "mode": "INTERRUPTION", "break": "true",
        "decisionEventType": "JURY_DECISION", "juryDecision": "BAD_LIFT", "juryReversal": "true",
        "juryReasonCode": "PRESS_OUT", "athleteFull": "DOE, John", "waitForAnnouncer": wait, "recordKind": "denied", "actualLift": "-120"})
    };
    send(&mut owlcms, "decision", jury("true")).await;
    let (held, _) = sse.next_of("decision").await;
    assert_eq!(held["jury"]["waitingForAnnouncer"], true);
    assert_eq!((held["jury"]["decision"].clone(), held["jury"]["reversal"].clone()), (Value::Null, Value::Null));
    assert_eq!((held["jury"]["recordKind"].clone(), held["visible"].clone()), (json!("denied"), json!(false)));
    send(&mut owlcms, "decision", jury("false")).await;
    let (shown, _) = sse.next_of("decision").await;
    assert_eq!(
        (shown["jury"]["decision"].clone(), shown["jury"]["reversal"].clone()),
        (json!("BAD_LIFT"), json!(true))
    );
    assert_eq!(shown["jury"]["reasonCode"], "PRESS_OUT");
}
