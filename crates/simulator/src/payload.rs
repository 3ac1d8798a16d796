//! OWLCMS message payloads built from the simulated state, with the same structure as the real
//! ones (protocol §4.2–4.4): values as strings where OWLCMS sends strings, keys as integers,
//! `sessionAthletes` with the athlete record and its precomputed `displayInfo`.

use super::display::{display_info, dto, sinclair_ranks};
use super::meet::Meet;
use super::model::{Lifter, lifting_order, ranks, start_order};
use serde_json::{Map, Value, json};

/// What a FOP is doing, as OWLCMS would describe it.
#[derive(Debug, Clone)]
pub struct FopState {
    /// FOP name.
    pub fop: String,
    /// Session being run.
    pub session: Option<String>,
    /// `INACTIVE`, `BREAK`, `CURRENT_ATHLETE_DISPLAYED`, `TIME_RUNNING`, …
    pub fop_state: &'static str,
    /// Board mode (`WAIT`, `INTRO_COUNTDOWN`, `LIFT_COUNTDOWN`, `CURRENT_ATHLETE`, `SESSION_DONE`…).
    pub mode: &'static str,
    /// Break type during breaks.
    pub break_type: Option<&'static str>,
    /// Time allowed for the current attempt (60 000, or 120 000 when lifting twice in a row).
    pub time_allowed: i64,
    /// Athlete clock remaining, and whether it runs.
    pub clock: (i64, bool),
    /// Break clock remaining (ms) while a break runs.
    pub break_remaining: Option<i64>,
    /// The update key OWLCMS was configured with.
    pub update_key: Option<String>,
    /// Whether the athlete up now is attempting a record.
    pub record_kind: &'static str,
}

impl FopState {
    /// An idle FOP.
    pub fn new(fop: &str, update_key: Option<String>) -> FopState {
        FopState {
            fop: fop.to_owned(),
            session: None,
            fop_state: "INACTIVE",
            mode: "WAIT",
            break_type: None,
            time_allowed: 60_000,
            clock: (60_000, false),
            break_remaining: None,
            update_key,
            record_kind: "none",
        }
    }

    fn common(&self, map: &mut Map<String, Value>) {
        if let Some(key) = &self.update_key {
            map.insert("updateKey".into(), json!(key));
        }
    }

    /// The fields every `timer` payload starts with.
    fn timer_header(&self) -> Map<String, Value> {
        let mut map = Map::new();
        self.common(&mut map);
        map.extend([
            ("fopName".into(), json!(self.fop)),
            ("fopState".into(), json!(self.fop_state)),
            ("mode".into(), json!(self.mode)),
        ]);
        map
    }
}

fn server_local_time() -> String {
    chrono::Utc::now().format("%H:%M:%S%.9f").to_string()
}

fn ordinal(n: usize) -> &'static str {
    match n {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    }
}

/// Key of the athlete up now and of the next one, in lifting order of the session.
pub fn current_and_next(meet: &Meet, session: &str) -> (Option<i64>, Option<i64>) {
    let lifters = meet.session_lifters(session);
    let order: Vec<i64> =
        lifting_order(&lifters).into_iter().filter(|k| meet.lifters[k].next_index().is_some()).collect();
    (order.first().copied(), order.get(1).copied())
}

/// An `update` payload (protocol §4.2).
pub fn update(meet: &Meet, state: &FopState, ui_event: &str) -> Value {
    let session = state.session.clone().unwrap_or_default();
    let lifters = meet.session_lifters(&session);
    let (current, next) = current_and_next(meet, &session);
    let all: Vec<&Lifter> = meet.lifters.values().collect();
    let rank_tables = [ranks(&all, 0), ranks(&all, 1), ranks(&all, 2)];
    let sinclair_ranks = sinclair_ranks(&all);
    let snatch_phase = lifters.iter().any(|l| l.attempts_done() < 3);
    let in_break = state.fop_state == "BREAK";
    let athlete = current.map(|k| &meet.lifters[&k]);
    let mut map = Map::new();
    state.common(&mut map);
    let attempt_number = athlete.and_then(Lifter::next_index).map_or(1, |i| i % 3 + 1);
    let lift_key = if snatch_phase { "Snatch" } else { "Clean_and_Jerk" };
    let (remaining, running) = state.clock;
    map.extend([
        ("fopName".into(), json!(state.fop)),
        ("fopState".into(), json!(state.fop_state)),
        ("mode".into(), json!(state.mode)),
        ("fullName".into(), json!(athlete.map(Lifter::full_name).unwrap_or_default())),
        ("attemptNumber".into(), json!(attempt_number.to_string())),
        ("liftTypeKey".into(), json!(lift_key)),
        ("serverLocalTime".into(), json!(server_local_time())),
        ("breakTimerEventType".into(), json!(if in_break { "BreakStarted" } else { "BreakPaused" })),
        ("break".into(), json!(in_break.to_string())),
        ("athleteMillisRemaining".into(), json!(remaining)),
        ("athleteTimerEventType".into(), json!(if running { "StartTime" } else { "SetTime" })),
        ("indefiniteBreak".into(), json!(false)),
        ("breakMillisRemaining".into(), json!(state.break_remaining.unwrap_or(0))),
        ("breakIsIndefinite".into(), json!("false")),
        ("uiEvent".into(), json!(ui_event)),
        ("stylesDir".into(), json!("css/nogrid")),
        ("competitionName".into(), json!(meet.name)),
        ("fop".into(), json!(state.fop)),
        ("startNumber".into(), json!(athlete.map(|a| a.start_number.to_string()).unwrap_or_default())),
        ("categoryName".into(), json!(athlete.map(|a| a.category.clone()).unwrap_or_default())),
        ("teamName".into(), json!(athlete.map(|a| a.team.clone()).unwrap_or_default())),
        ("attempt".into(), json!(format!("{attempt_number}<sup>{}</sup> att.", ordinal(attempt_number)))),
        ("weight".into(), json!(athlete.and_then(Lifter::next_weight).map(|w| w.to_string()).unwrap_or_default())),
        ("timeAllowed".into(), json!(state.time_allowed.to_string())),
        ("sessionName".into(), json!(session)),
        ("groupDescription".into(), json!(format!("Session {session}"))),
        (
            "sessionInfo".into(),
            json!(format!("Session {session} – {}", if snatch_phase { "Snatch" } else { "Clean&Jerk" })),
        ),
        (
            "liftsDone".into(),
            json!(format!("{} attempts done.", lifters.iter().map(|l| l.attempts_done()).sum::<usize>())),
        ),
        ("showLiftRanks".into(), json!("false")),
        ("showTotalRank".into(), json!("true")),
        ("showSinclair".into(), json!("true")),
        ("showSinclairRank".into(), json!("false")),
    ]);
    if let Some(break_type) = state.break_type {
        map.insert("breakType".into(), json!(break_type));
    }
    let display = |l: &Lifter| -> Value {
        let classname = if Some(l.key) == current && l.next_index().is_some() {
            "current blink"
        } else if Some(l.key) == next {
            "next"
        } else {
            ""
        };
        json!({
            "athleteKey": l.key.to_string(),
            "athlete": dto(l, &rank_tables),
            "displayInfo": display_info(l, classname, &rank_tables, sinclair_ranks.get(&l.key), &session),
        })
    };
    let start: Vec<i64> = start_order(&lifters);
    map.insert("startOrderKeys".into(), with_spacers(&start, |k| meet.lifters[&k].category_code.clone()));
    map.insert("sessionAthletes".into(), Value::Array(start.iter().map(|k| display(&meet.lifters[k])).collect()));
    let lifting = lifting_order(&lifters);
    let mut keys = vec![json!({"isSpacer": true})];
    for (i, k) in lifting.iter().enumerate() {
        let done = meet.lifters[k].attempts_done();
        let previous_done = i > 0 && meet.lifters[&lifting[i - 1]].attempts_done() >= 3;
        if i > 0 && done >= 3 && !previous_done && snatch_phase {
            keys.push(json!({"isSpacer": true}));
        }
        keys.push(json!(k));
    }
    map.insert("liftingOrderKeys".into(), Value::Array(keys));
    if let Some(current) = current {
        map.insert("currentAthleteKey".into(), json!(current));
        let index = start.iter().position(|k| *k == current).unwrap_or(0);
        if let Some(previous) = index.checked_sub(1).map(|i| start[i]).filter(|k| meet.lifters[k].attempts_done() > 0) {
            map.insert("previousAthleteKey".into(), json!(previous));
        }
    }
    if let Some(next) = next {
        map.insert("nextAthleteKey".into(), json!(next));
    }
    let leaders = leaders(meet, &session, &lifters);
    if !leaders.is_empty() && leaders.len() <= 16 {
        let entries = leaders
            .iter()
            .map(|k| match k {
                None => json!({"isSpacer": true}),
                Some(k) => display(&meet.lifters[k]),
            })
            .collect();
        map.insert("leaders".into(), Value::Array(entries));
    }
    if let Some(records) = records(meet, &lifters) {
        map.insert("recordKind".into(), json!(state.record_kind));
        if state.record_kind != "none" {
            let text = if state.record_kind == "new" { "New record" } else { "Record attempt" };
            map.insert("recordMessage".into(), json!(text));
        }
        map.insert("records".into(), records);
    }
    map.insert("hidden".into(), json!((state.fop_state == "INACTIVE").to_string()));
    map.insert("wideTeamNames".into(), json!("false"));
    map.insert("sinclairMeet".into(), json!("false"));
    Value::Object(map)
}

fn with_spacers(keys: &[i64], group: impl Fn(i64) -> String) -> Value {
    let mut out = Vec::new();
    let mut last = None;
    for k in keys {
        let g = group(*k);
        if last.as_ref() != Some(&g) {
            out.push(json!({"isSpacer": true}));
            last = Some(g);
        }
        out.push(json!(k));
    }
    Value::Array(out)
}

/// Best athletes of the session's categories from earlier sessions (spacers between categories).
fn leaders(meet: &Meet, session: &str, lifters: &[&Lifter]) -> Vec<Option<i64>> {
    let mut categories: Vec<&str> = lifters.iter().map(|l| l.category_code.as_str()).collect();
    categories.dedup();
    let mut out = Vec::new();
    for code in categories {
        let mut earlier: Vec<&Lifter> = meet
            .lifters
            .values()
            .filter(|l| l.category_code == code && l.session != session && l.total() > 0)
            .collect();
        if earlier.is_empty() {
            continue;
        }
        earlier.sort_by_key(|l| std::cmp::Reverse(l.total()));
        out.push(None);
        out.extend(earlier.iter().take(3).map(|l| Some(l.key)));
    }
    out
}

/// The records block of the session's categories.
fn records(meet: &Meet, lifters: &[&Lifter]) -> Option<Value> {
    let mut categories: Vec<&str> = lifters.iter().map(|l| l.category.as_str()).collect();
    categories.sort();
    categories.dedup();
    let mut table = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for category in &categories {
        let Some(records) = meet.records.get(*category) else { continue };
        let value = |lift: &str| records.iter().filter(|r| r.lift == lift).map(|r| r.value).max();
        if let Some(r) = records.first()
            && !names.contains(&r.name)
        {
            names.push(r.name.clone());
        }
        table.push(json!({
            "cat": category,
            "records": [{"SNATCH": value("SNATCH"), "CLEANJERK": value("CLEANJERK"), "TOTAL": value("TOTAL")}],
            "recordClass": "recordBox",
        }));
    }
    if table.is_empty() {
        return None;
    }
    let count = table.len() * 3;
    Some(json!({"recordNames": names, "recordCategories": categories, "recordTable": table, "nbRecords": count}))
}

/// `fullName`, `attemptNumber` and `liftTypeKey` of the athlete up now, as timer and decision
/// messages carry them.
fn current_athlete_fields(meet: &Meet, state: &FopState) -> [(String, Value); 3] {
    let session = state.session.clone().unwrap_or_default();
    let (current, _) = current_and_next(meet, &session);
    let athlete = current.map(|k| &meet.lifters[&k]);
    let lift = if athlete.is_some_and(|a| a.attempts_done() >= 3) { "Clean_and_Jerk" } else { "Snatch" };
    [
        ("fullName".into(), json!(athlete.map(Lifter::full_name).unwrap_or_default())),
        ("attemptNumber".into(), json!(athlete.and_then(Lifter::next_index).map_or(1, |i| i % 3 + 1).to_string())),
        ("liftTypeKey".into(), json!(lift)),
    ]
}

/// A `timer` payload for the athlete clock (`StartTime`, `StopTime`, `SetTime`).
pub fn athlete_timer(meet: &Meet, state: &FopState, event: &str, remaining: i64, now_ms: i64) -> Value {
    let mut map = state.timer_header();
    map.extend(current_athlete_fields(meet, state));
    map.extend([
        ("serverLocalTime".into(), json!(server_local_time())),
        ("athleteTimerEventType".into(), json!(event)),
        ("athleteMillisRemaining".into(), json!(remaining.to_string())),
        ("timeAllowed".into(), json!(state.time_allowed.to_string())),
        ("athleteInitialWarningMillis".into(), json!(if state.time_allowed > 60_000 { "90000" } else { "-1" })),
        ("athleteFinalWarningMillis".into(), json!("30000")),
    ]);
    if event != "SetTime" {
        map.insert("athleteStartTimeMillis".into(), json!(now_ms.to_string()));
    }
    Value::Object(map)
}

/// A `timer` payload for the break clock.
pub fn break_timer(state: &FopState, event: &str, now_ms: i64) -> Value {
    let mut map = state.timer_header();
    map.extend([
        ("fullName".into(), json!("")),
        ("attemptNumber".into(), json!("1")),
        ("liftTypeKey".into(), json!("Snatch")),
        ("serverLocalTime".into(), json!(server_local_time())),
        ("breakTimerEventType".into(), json!(event)),
        ("break".into(), json!((state.fop_state == "BREAK").to_string())),
        ("indefiniteBreak".into(), json!("false")),
    ]);
    if let Some(break_type) = state.break_type {
        map.insert("breakType".into(), json!(break_type));
    }
    if event == "BreakStarted" {
        map.insert("breakStartTimeMillis".into(), json!(now_ms.to_string()));
        map.insert("breakMillisRemaining".into(), json!(state.break_remaining.unwrap_or(0).to_string()));
    }
    Value::Object(map)
}

/// A referee `decision` payload: `DOWN_SIGNAL`, `FULL_DECISION` (with `lights`) or `RESET`.
pub fn decision(meet: &Meet, state: &FopState, event: &str, lights: Option<[bool; 3]>, single: bool) -> Value {
    let mut map = Map::new();
    map.insert("decisionEventType".into(), json!(event));
    state.common(&mut map);
    map.extend([
        ("mode".into(), json!(state.mode)),
        ("competitionName".into(), json!(meet.name)),
        ("fop".into(), json!(state.fop)),
        ("fopState".into(), json!(state.fop_state)),
        ("break".into(), json!("false")),
    ]);
    map.extend(current_athlete_fields(meet, state));
    map.insert("recordKind".into(), json!(state.record_kind));
    if let Some(lights) = lights {
        let refs: &[usize] = if single { &[1] } else { &[0, 1, 2] };
        for i in refs {
            map.insert(format!("d{}", i + 1), json!(lights[*i].to_string()));
        }
        let goods = refs.iter().filter(|i| lights[**i]).count();
        map.insert("decision".into(), json!((goods * 2 > refs.len()).to_string()));
        map.insert("decisionsVisible".into(), json!("true"));
        map.insert("down".into(), json!("false"));
    } else if event == "DOWN_SIGNAL" {
        map.insert("down".into(), json!("true"));
    } else {
        map.insert("decisionsVisible".into(), json!("false"));
        map.insert("down".into(), json!("false"));
    }
    Value::Object(map)
}
