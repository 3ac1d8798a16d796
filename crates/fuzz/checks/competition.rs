//! Fuzz property of the hub's pure transition `Competition::apply(input, now)` on arbitrary
//! update, timer, decision and database frames: the state stays consistent, not only unpanicked.
//!
//! Also what a page holds: each FOP's `clock` frames, built as the live-frame task builds them
//! (views/feeds.rs: a full frame first, then the difference of each clock change, none when
//! nothing a page shows changed), sent through JSON and merged as a page merges them, must
//! show what the hub's snapshot shows after every input.
//!
//! Input format: one frame per line, each a text envelope as OWLCMS sends it
//! (`{"version":…,"type":…,"payload":…}`), decoded and routed like the ingest does; a line
//! `+<ms>` advances the server clock (frames otherwise arrive 250 ms apart).

use owlcms_contract::clock::{ClockEvent, ClockFrame};
use owlcms_tracker::hash::sha256_hex;
use owlcms_tracker::hub::competition::Loaded;
use owlcms_tracker::hub::database::Database;
use owlcms_tracker::hub::display::Shown;
use owlcms_tracker::hub::{Competition, FopChange, FopSnapshot, Input, Outcome};
use owlcms_tracker::protocol::replies::Resource;
use owlcms_tracker::protocol::scalar::as_string;
use owlcms_tracker::protocol::{TextKind, decode_text};
use owlcms_tracker::views::events;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Server time of the first frame (a real epoch, so clock sums are realistic).
const START_MS: i64 = 1_764_000_000_000;

/// Most frames per input: longer sequences add time, not coverage.
const MAX_FRAMES: usize = 64;

/// Applies the frames of `data` and checks after each that versions only move forward, the
/// clocks stay within bounds, the slot shows one coherent thing, a snapshot survives the
/// save-and-restore round trip, and that the whole run is deterministic.
pub fn check(data: &[u8]) {
    let first = run(data, true);
    let second = run(data, false);
    assert_eq!(first, second, "the same frames at the same times give the same state");
}

/// Everything observable after a run, for the determinism check.
#[derive(Debug, PartialEq)]
struct Trace {
    outcomes: Vec<String>,
    fops: Value,
    results: Value,
}

fn run(data: &[u8], checked: bool) -> Trace {
    let mut competition = Competition::default();
    let mut now = START_MS;
    let mut outcomes = Vec::new();
    let mut pages = Pages::default();
    for line in data.split(|b| *b == b'\n').take(MAX_FRAMES) {
        if let Some(ms) = line.strip_prefix(b"+") {
            let ms: i64 = std::str::from_utf8(ms).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            // At most a day per step: a competition clock, not arbitrary i64 arithmetic.
            now += ms.clamp(0, 86_400_000);
            continue;
        }
        now += 250;
        for input in inputs(line) {
            // The loader offers a database by checksum first and skips parsing the loaded one.
            if let Some(checksum) = input.offered.clone() {
                let offer = Routed { input: Input::DatabaseOffered(Some(checksum)), kind: Kind::Other, offered: None };
                let before = Before::of(&competition, &offer);
                let outcome = competition.apply(offer.input, now);
                if checked {
                    before.check(&competition, &outcome, now);
                    pages.follow(&competition, &outcome, now);
                }
                let unchanged = outcome.database == Some(Loaded::Unchanged);
                outcomes.push(format!("{outcome:?}"));
                if unchanged {
                    continue;
                }
            }
            let before = Before::of(&competition, &input);
            let outcome = competition.apply(input.input, now);
            if checked {
                before.check(&competition, &outcome, now);
                pages.follow(&competition, &outcome, now);
            }
            outcomes.push(format!("{outcome:?}"));
        }
    }
    let fops = serde_json::to_value(&competition.fops).expect("snapshots serialise");
    let results = serde_json::to_value(&*competition.results).expect("results serialise");
    Trace { outcomes, fops, results }
}

/// An input with what it is for the checks.
struct Routed {
    input: Input,
    kind: Kind,
    /// The checksum a database arrives with, offered to the hub before it is loaded.
    offered: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Update,
    Timer,
    Decision,
    Database,
    Other,
}

/// The ingest's routing (ingest/connection.rs `route`, loader `load_database_value`), minus I/O.
fn inputs(line: &[u8]) -> Vec<Routed> {
    let Ok(text) = std::str::from_utf8(line) else { return Vec::new() };
    let envelope = match decode_text(text) {
        Ok(envelope) => envelope,
        Err(error) if error.is_version_error() => {
            let input = Input::ProtocolMismatch {
                received: error.received_version().map(str::to_owned),
                reason: error.to_string(),
            };
            return vec![Routed { input, kind: Kind::Other, offered: None }];
        }
        Err(_) => return Vec::new(),
    };
    let mut payload = envelope.payload;
    let mut routed = Vec::new();
    let database = |value: Value, checksum: Option<String>| {
        let hash = sha256_hex(&serde_json::to_vec(&value).expect("serialise"));
        Database::from_value(value, checksum.clone(), hash).ok().map(|db| Routed {
            input: Input::DatabaseLoaded(Arc::new(db)),
            kind: Kind::Database,
            offered: checksum,
        })
    };
    match envelope.kind {
        TextKind::Update => {
            if let Some(db) = payload.remove("database").filter(Value::is_object) {
                routed.extend(database(db, as_string(payload.get("databaseChecksum"))));
            }
            routed.push(Routed { input: Input::Update(payload), kind: Kind::Update, offered: None });
        }
        TextKind::Timer => routed.push(Routed { input: Input::Timer(payload), kind: Kind::Timer, offered: None }),
        TextKind::Decision => {
            routed.push(Routed { input: Input::Decision(payload), kind: Kind::Decision, offered: None })
        }
        TextKind::Database => {
            let checksum = as_string(payload.get("databaseChecksum"));
            let value = match payload.remove("database").filter(Value::is_object) {
                Some(db) if !payload.contains_key("athletes") => db,
                Some(db) => {
                    payload.insert("database".into(), db);
                    Value::Object(payload)
                }
                None => Value::Object(payload),
            };
            routed.extend(database(value, checksum));
        }
        TextKind::DatabaseMetadata => {
            if let Some(checksum) = as_string(payload.get("databaseChecksum")).filter(|c| !c.is_empty()) {
                routed.push(Routed { input: Input::DatabaseMetadata(checksum), kind: Kind::Other, offered: None });
            }
        }
        TextKind::Unknown(_) => {}
    }
    routed
}

/// What is compared across one `apply`.
struct Before {
    kind: Kind,
    fop: Option<String>,
    versions: Vec<(String, u64, u64)>,
    revision: u64,
}

impl Before {
    fn of(competition: &Competition, routed: &Routed) -> Before {
        let payload: Option<&Map<String, Value>> = match &routed.input {
            Input::Update(p) | Input::Timer(p) | Input::Decision(p) => Some(p),
            _ => None,
        };
        Before {
            kind: routed.kind,
            fop: payload.map(owlcms_tracker::hub::fop::fop_name),
            versions: competition.fops.values().map(|f| (f.name.clone(), f.version, f.data_version)).collect(),
            revision: competition.results.revision,
        }
    }

    fn check(self, competition: &Competition, outcome: &Outcome, now: i64) {
        for (name, version, data_version) in &self.versions {
            let fop = &competition.fops[name];
            if Some(name) == self.fop.as_ref() {
                continue;
            }
            assert_eq!((fop.version, fop.data_version), (*version, *data_version), "FOP {name} moved untouched");
        }
        if let Some(name) = &self.fop {
            let fop = &competition.fops[name];
            let (version, data_version) =
                self.versions.iter().find(|(n, ..)| n == name).map_or((0, 0), |(_, v, d)| (*v, *d));
            let change = outcome.fop.as_ref().map(|(n, c)| (n.as_str(), *c));
            let repeated_stop = self.kind == Kind::Timer && change == Some((name.as_str(), FopChange::default()));
            if repeated_stop && fop.version == version {
                // R4.3: a repeated StopTime changes nothing at all.
            } else {
                assert_eq!(fop.version, version + 1, "FOP {name}: one frame, one version");
                assert_eq!(fop.last_update_ms, now);
                assert_eq!(change.map(|(n, _)| n), Some(name.as_str()));
            }
            let expected_data = data_version + u64::from(self.kind == Kind::Update);
            assert_eq!(fop.data_version, expected_data, "FOP {name}: only updates move the data version");
            let essentials = competition.missing_essentials();
            assert!(outcome.missing.starts_with(&essentials), "{:?} lacks {essentials:?}", outcome.missing);
            assert_eq!(essentials.contains(&Resource::Database), competition.database.is_none());
        }
        if self.kind == Kind::Database {
            // A new database resets the merged results; the same bytes again keep them.
            match outcome.database {
                Some(Loaded::New) => assert!(outcome.results && outcome.competition),
                Some(Loaded::Unchanged) => assert_eq!(competition.results.revision, self.revision),
                None => panic!("a database arrived and the hub says nothing of it"),
            }
        } else {
            assert!(competition.results.revision >= self.revision, "results revision went back");
        }
        let results = &competition.results;
        assert_eq!(results.order.len(), results.athletes.len(), "results order lists each athlete once");
        assert!(results.order.iter().all(|k| results.athletes.contains_key(k)));
        for fop in competition.fops.values() {
            fop_is_consistent(fop, now);
        }
    }
}

fn fop_is_consistent(fop: &FopSnapshot, now: i64) {
    let athlete = &fop.athlete_clock;
    assert!(athlete.remaining_ms >= 0, "athlete clock below zero: {athlete:?}");
    let remaining = athlete.remaining_at(now);
    assert!((0..=athlete.remaining_ms).contains(&remaining), "athlete clock {remaining} outside 0..={athlete:?}");
    if let Some(end) = athlete.ends_at_ms() {
        assert!(end >= athlete.received_at_ms, "athlete clock ends before it started: {athlete:?}");
    }
    let brk = &fop.break_clock;
    if let Some(remaining) = brk.remaining_at(now) {
        assert!(remaining >= 0 && brk.remaining_ms.is_some_and(|r| remaining <= r), "break clock {brk:?}");
    }
    if let Some(end) = brk.ends_at_ms() {
        assert!(end >= brk.received_at_ms, "break ends before it started: {brk:?}");
    }
    let slot = fop.display;
    if slot.in_break {
        assert!(!slot.decision_visible && !slot.athlete_visible, "lights or athlete clock in a break: {slot:?}");
    }
    let visible = match slot.shown {
        Shown::Decision => slot.decision_visible,
        Shown::Break => slot.break_visible && !slot.decision_visible,
        Shown::Athlete => slot.athlete_visible && !slot.break_visible && !slot.decision_visible,
        Shown::None => !slot.athlete_visible && !slot.break_visible && !slot.decision_visible,
    };
    assert!(visible, "the slot shows what is not visible: {slot:?}");
    assert!(fop.session.session_name.as_ref().is_none_or(|s| !s.is_empty()));
    // What every viewer receives on a clock or decision change.
    let _ = (events::clock(fop), events::decision(fop));
    // Saved on shutdown, restored at start (persist.rs): the snapshot must survive the trip.
    // Compared as values: the athlete index is a hash map, so its text order is not stable.
    let saved = serde_json::to_string(fop).expect("a snapshot serialises");
    let restored: FopSnapshot = serde_json::from_str(&saved).expect("a saved snapshot restores");
    let (saved, restored) = (serde_json::from_str::<Value>(&saved), serde_json::to_value(&restored));
    assert_eq!(restored.expect("serialise"), saved.expect("parse"), "restoring changes the snapshot");
}

/// Per FOP with a feed: the clocks of the last frame built (what the feed compares the next
/// clocks with), the clocks a page holds after merging every frame sent, and the frames built.
#[derive(Default)]
struct Pages(BTreeMap<String, (ClockEvent, ClockEvent, u64)>);

impl Pages {
    /// Builds the frames of this outcome's FOP event as the live-frame task does, then checks
    /// every followed FOP: a clock change the hub did not announce leaves a page showing
    /// something else.
    fn follow(&mut self, competition: &Competition, outcome: &Outcome, now: i64) {
        if let Some((name, change)) = &outcome.fop
            && *change != FopChange::default()
            && let Some(fop) = competition.fops.get(name)
        {
            let (sent, page, built) =
                self.0.entry(name.clone()).or_insert_with(|| (ClockEvent::default(), ClockEvent::default(), 0));
            if change.clock || *built == 0 {
                let next = events::clock_at(fop, now);
                let frame = if *built == 0 { ClockFrame::full(&next) } else { ClockFrame::delta(sent, &next) };
                if *built == 0 || frame != (ClockFrame { now: frame.now, ..ClockFrame::default() }) {
                    let text = serde_json::to_string(&frame).expect("a clock frame serialises");
                    page.apply(&serde_json::from_str(&text).expect("a page reads the clock frame"));
                    *sent = next;
                    *built += 1;
                }
            }
        }
        for (name, (_, page, _)) in &self.0 {
            let server = events::clock_at(&competition.fops[name], now);
            assert_eq!(shown(page, now), shown(&server, now), "FOP {name}: the page's clocks differ from the hub's");
        }
    }
}

/// What a page shows of clocks at `now`: running clocks count down to their end.
fn shown(clock: &ClockEvent, now: i64) -> ClockEvent {
    let left = |running: bool, ends: Option<i64>, remaining: i64| match ends {
        Some(end) if running => end.saturating_sub(now).max(0),
        _ => remaining,
    };
    let mut shown = clock.clone();
    let athlete = &mut shown.athlete;
    athlete.remaining_ms = left(athlete.state == "running", athlete.ends_at_ms, athlete.remaining_ms);
    athlete.ends_at_ms = None;
    let brk = &mut shown.break_clock;
    brk.remaining_ms = brk.remaining_ms.map(|r| left(brk.state == "running", brk.ends_at_ms, r));
    brk.ends_at_ms = None;
    // A frame says "gone" with an empty mode: an empty mode and none look the same.
    shown.mode = shown.mode.filter(|m| !m.is_empty());
    // Not in the frames: the page neither gets nor needs them.
    (shown.fop, shown.server_time_ms, shown.fop_state, shown.break_type) = (String::new(), 0, None, None);
    shown
}
