//! How one FOP runs its sessions, event by event, as OWLCMS's announcer, timekeeper and
//! referees would: session selection, countdowns, clock, decisions, weight changes, records,
//! jury, session done. Outcomes are random but seeded and plausible.

use super::link::{Link, LinkError};
use super::meet::Meet;
use super::payload::{self, FopState, current_and_next};
use super::speed::Speed;
use crate::wire::now_ms;
use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Chance that an attempt succeeds, by attempt number (1st, 2nd, 3rd).
const SUCCESS: [f64; 3] = [0.82, 0.66, 0.45];

/// Countdown lengths, in simulated time.
const INTRO_BREAK: Duration = Duration::from_secs(60);
const SNATCH_BREAK: Duration = Duration::from_secs(60);
const CJ_BREAK: Duration = Duration::from_secs(120);

/// Everything a FOP task shares with the others.
#[derive(Clone)]
pub struct Shared {
    /// The competition (short critical sections only; never held across `.await`).
    pub meet: Arc<Mutex<Meet>>,
    /// The OWLCMS connection.
    pub link: Link,
    /// Pace.
    pub speed: Speed,
    /// Order of lifts over the whole competition (tie-breaks).
    pub lift_seq: Arc<AtomicU64>,
    /// Update key to put in payloads.
    pub update_key: Option<String>,
    /// One referee instead of three.
    pub single_referee: bool,
}

/// Runs the sessions of one FOP in order.
pub async fn run_fop(shared: Shared, fop: String, sessions: Vec<String>, seed: u64) -> Result<(), LinkError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut state = FopState::new(&fop, shared.update_key.clone());
    for session in sessions {
        run_session(&shared, &mut state, &session, &mut rng).await?;
    }
    Ok(())
}

async fn send_update(shared: &Shared, state: &FopState, event: &str) -> Result<Value, LinkError> {
    send(shared, "update", |meet| payload::update(meet, state, event)).await
}

/// Builds a payload under the meet lock, then sends it with the lock released.
async fn send(shared: &Shared, kind: &str, build: impl FnOnce(&Meet) -> Value) -> Result<Value, LinkError> {
    let payload = build(&shared.meet.lock());
    shared.link.text(kind, payload).await
}

async fn start_break(
    shared: &Shared,
    state: &mut FopState,
    mode: &'static str,
    kind: &'static str,
    length: Duration,
) -> Result<(), LinkError> {
    state.fop_state = "BREAK";
    state.mode = mode;
    state.break_type = Some(kind);
    state.break_remaining = Some(length.as_millis() as i64);
    send_update(shared, state, "BreakStarted").await?;
    shared.link.text("timer", payload::break_timer(state, "BreakStarted", now_ms())).await?;
    shared.speed.sleep(length).await;
    state.break_remaining = None;
    state.break_type = None;
    Ok(())
}

async fn run_session(shared: &Shared, state: &mut FopState, session: &str, rng: &mut StdRng) -> Result<(), LinkError> {
    state.session = Some(session.to_owned());
    state.fop_state = "INACTIVE";
    state.mode = "WAIT";
    state.record_kind = "none";
    send_update(shared, state, "SwitchGroup").await?;
    shared.speed.sleep(Duration::from_secs(5)).await;
    start_break(shared, state, "INTRO_COUNTDOWN", "BEFORE_INTRODUCTION", INTRO_BREAK).await?;
    start_break(shared, state, "LIFT_COUNTDOWN", "FIRST_SNATCH", SNATCH_BREAK).await?;
    let mut last_lifter = None;
    let mut cj_break_done = false;
    let mut first = true;
    loop {
        let (current, _) = current_and_next(&shared.meet.lock(), session);
        let Some(current) = current else { break };
        let snatch_done = shared.meet.lock().session_lifters(session).iter().all(|l| l.attempts_done() >= 3);
        if snatch_done && !cj_break_done {
            start_break(shared, state, "LIFT_COUNTDOWN", "FIRST_CJ", CJ_BREAK).await?;
            cj_break_done = true;
            first = true;
        }
        state.fop_state = "CURRENT_ATHLETE_DISPLAYED";
        state.mode = "CURRENT_ATHLETE";
        // Lifting twice in a row gives two minutes, as in the rules.
        state.time_allowed = if last_lifter == Some(current) { 120_000 } else { 60_000 };
        state.clock = (state.time_allowed, false);
        state.record_kind = record_attempt(&shared.meet.lock(), current);
        send_update(shared, state, if first { "StartLifting" } else { "LiftingOrderUpdated" }).await?;
        first = false;
        let meet = || shared.meet.lock();
        let allowed = state.time_allowed;
        send(shared, "timer", |m| payload::athlete_timer(m, state, "SetTime", allowed, now_ms())).await?;
        maybe_change_weight(shared, state, session, current, rng).await?;
        shared.speed.sleep(Duration::from_secs(rng.random_range(2..5))).await;
        state.fop_state = "TIME_RUNNING";
        state.clock = (state.time_allowed, true);
        send(shared, "timer", |m| payload::athlete_timer(m, state, "StartTime", allowed, now_ms())).await?;
        let used = rng.random_range(8_000..(state.time_allowed - 15_000).max(9_000));
        shared.speed.sleep(Duration::from_millis(used as u64)).await;
        let remaining = state.time_allowed - used;
        state.fop_state = "TIME_STOPPED";
        state.clock = (remaining, false);
        send(shared, "timer", |m| payload::athlete_timer(m, state, "StopTime", remaining, now_ms())).await?;
        let attempt = meet().lifters[&current].next_index().unwrap_or(0) % 3;
        let good = rng.random_bool(SUCCESS[attempt]);
        let single = shared.single_referee;
        let lights = referee_lights(good, rng);
        state.fop_state = "DOWN_SIGNAL_VISIBLE";
        send(shared, "decision", |m| payload::decision(m, state, "DOWN_SIGNAL", None, single)).await?;
        shared.speed.sleep(Duration::from_millis(1500)).await;
        state.fop_state = "DECISION_VISIBLE";
        send(shared, "decision", |m| payload::decision(m, state, "FULL_DECISION", Some(lights), single)).await?;
        shared.speed.sleep(Duration::from_secs(3)).await;
        let seq = shared.lift_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let new_record = {
            let mut meet = meet();
            let result = state.record_kind == "attempt" && good;
            if result {
                set_record(&mut meet, current);
            }
            if let Some(lifter) = meet.lifters.get_mut(&current) {
                lifter.record(good, seq);
            }
            result
        };
        send(shared, "decision", |m| payload::decision(m, state, "RESET", None, single)).await?;
        if rng.random_bool(0.03) {
            let jury = json!({"decisionEventType": "JURY_DECISION", "fop": state.fop, "mode": state.mode,
                "fopState": state.fop_state, "break": "false", "juryDecision": if good { "GOOD_LIFT" } else { "BAD_LIFT" },
                "juryReversal": "false", "athleteFull": meet().lifters[&current].full_name(), "waitForAnnouncer": "false",
                "recordKind": if new_record { "new" } else { "none" }});
            shared.link.text("decision", with_key(jury, &state.update_key)).await?;
        }
        state.record_kind = if new_record { "new" } else { "none" };
        last_lifter = Some(current);
    }
    state.fop_state = "BREAK";
    state.mode = "SESSION_DONE";
    state.break_type = Some("GROUP_DONE");
    state.record_kind = "none";
    if let Some(session) = &state.session {
        shared.meet.lock().done_sessions.insert(session.clone());
    }
    send_update(shared, state, "GroupDone").await?;
    shared.speed.sleep(Duration::from_secs(15)).await;
    state.break_type = None;
    Ok(())
}

fn with_key(mut payload: Value, key: &Option<String>) -> Value {
    if let Some(key) = key {
        payload["updateKey"] = json!(key);
    }
    payload
}

/// Three referee lights agreeing with the decision, one of them sometimes dissenting.
fn referee_lights(good: bool, rng: &mut StdRng) -> [bool; 3] {
    let mut lights = [good; 3];
    if rng.random_bool(0.2) {
        lights[rng.random_range(0..3)] = !good;
    }
    lights
}

/// A coach asks for a heavier weight for someone not on the platform now and then.
async fn maybe_change_weight(
    shared: &Shared,
    state: &FopState,
    session: &str,
    current: i64,
    rng: &mut StdRng,
) -> Result<(), LinkError> {
    if !rng.random_bool(0.12) {
        return Ok(());
    }
    let changed = {
        let mut meet = shared.meet.lock();
        let candidates: Vec<i64> = meet
            .session_lifters(session)
            .iter()
            .filter(|l| l.key != current && l.next_index().is_some_and(|i| i % 3 > 0 || i == 3))
            .map(|l| l.key)
            .collect();
        let Some(key) = candidates.get(rng.random_range(0..candidates.len().max(1))).copied() else { return Ok(()) };
        match meet.lifters.get_mut(&key) {
            Some(lifter) => match lifter.next_weight() {
                Some(weight) => {
                    lifter.change_next(weight + rng.random_range(1..4));
                    true
                }
                None => false,
            },
            None => false,
        }
    };
    if changed {
        send_update(shared, state, "LiftingOrderUpdated").await?;
    }
    Ok(())
}

/// `attempt` when the athlete's requested weight would beat a record of their category.
fn record_attempt(meet: &Meet, key: i64) -> &'static str {
    let lifter = &meet.lifters[&key];
    let (Some(index), Some(weight)) = (lifter.next_index(), lifter.next_weight()) else { return "none" };
    let lift = if index < 3 { "SNATCH" } else { "CLEANJERK" };
    let total = if index >= 3 { lifter.best(0) + weight } else { 0 };
    let beats = meet.records.get(&lifter.category).is_some_and(|records| {
        records.iter().any(|r| {
            (r.lift == lift && weight > r.value) || (r.lift == "TOTAL" && lifter.best(0) > 0 && total > r.value)
        })
    });
    if beats { "attempt" } else { "none" }
}

/// A successful record attempt becomes the new record.
fn set_record(meet: &mut Meet, key: i64) {
    let lifter = meet.lifters[&key].clone();
    let (Some(index), Some(weight)) = (lifter.next_index(), lifter.next_weight()) else { return };
    let lift = if index < 3 { "SNATCH" } else { "CLEANJERK" };
    if let Some(records) = meet.records.get_mut(&lifter.category) {
        for record in records.iter_mut() {
            if record.lift == lift && weight > record.value {
                record.value = weight;
            }
            if record.lift == "TOTAL" && index >= 3 && lifter.best(0) + weight > record.value && lifter.best(0) > 0 {
                record.value = lifter.best(0) + weight;
            }
        }
    }
}
