//! Per-athlete parts of an `update`: the athlete record with its lifts as they stand, and the
//! `displayInfo` strings OWLCMS precomputes (attempt cells with statuses, bests, ranks, flag).

use super::model::Lifter;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The athlete record with its lift fields as they stand now.
pub(super) fn dto(l: &Lifter, ranks: &[HashMap<i64, usize>; 3]) -> Value {
    let mut map = l.dto.clone();
    for (i, attempt) in l.attempts.iter().enumerate() {
        let prefix = format!("{}{}", if i < 3 { "snatch" } else { "cleanJerk" }, i % 3 + 1);
        map.insert(format!("{prefix}Declaration"), json!(attempt.declaration));
        map.insert(format!("{prefix}Change1"), json!(attempt.change1));
        map.insert(format!("{prefix}Change2"), json!(attempt.change2));
        map.insert(format!("{prefix}ActualLift"), json!(attempt.actual));
        map.insert(format!("{prefix}LiftTime"), json!(attempt.time));
        if i % 3 > 0 {
            map.insert(format!("{prefix}AutomaticProgression"), json!(attempt.automatic.map(|w| w.to_string())));
        }
    }
    map.insert("startNumber".into(), json!(l.start_number));
    if let Some(Value::Array(participations)) = map.get_mut("participations") {
        for p in participations {
            for (field, table) in [("snatchRank", &ranks[0]), ("cleanJerkRank", &ranks[1]), ("totalRank", &ranks[2])] {
                p[field] = json!(table.get(&l.key).copied().unwrap_or(0));
            }
        }
    }
    Value::Object(map)
}

pub(super) fn display_info(
    l: &Lifter,
    classname: &str,
    ranks: &[HashMap<i64, usize>; 3],
    sinclair_rank: Option<&usize>,
    session: &str,
) -> Value {
    let rank = |table: &HashMap<i64, usize>| table.get(&l.key).map_or("-".to_owned(), |r| r.to_string());
    let shown = |v: i64| if v > 0 { v.to_string() } else { "-".to_owned() };
    let contested = if l.attempts_done() < 3 { 0 } else { 1 };
    let cells = |lift: usize| -> Value {
        let mut pending_seen = false;
        let cells: Vec<Value> = l.attempts[lift * 3..lift * 3 + 3]
            .iter()
            .map(|a| match (a.actual, a.requested()) {
                (Some(v), _) => json!({"value": v.abs(), "status": if v > 0 { "good" } else { "bad" }}),
                (None, Some(_)) if pending_seen => json!({"value": null, "status": "empty"}),
                (None, Some(w)) => {
                    pending_seen = true;
                    let status = match classname {
                        "current blink" if lift == contested => "current",
                        "next" if lift == contested => "next",
                        _ => "request",
                    };
                    json!({"value": w, "status": status})
                }
                (None, None) => json!({"value": "\u{a0}", "status": "empty"}),
            })
            .collect();
        Value::Array(cells)
    };
    let sinclair = super::sinclair_2024(&l.gender, l.body_weight, l.total());
    json!({
        "teamName": l.team,
        "sinclairRank": sinclair_rank.map_or("-".to_owned(), |r| r.to_string()),
        "bestSnatch": shown(l.best(0)),
        "subCategory": "",
        "startNumber": l.start_number.to_string(),
        "gender": l.gender,
        "totalRank": rank(&ranks[2]),
        "flagClass": if l.team.chars().count() > 7 { "longTeam" } else { "shortTeam" },
        "membership": l.dto.get("membership").and_then(Value::as_str).unwrap_or(""),
        "total": shown(l.total()),
        "sinclair": if sinclair > 0.0 { format!("{sinclair:.3}") } else { "-".to_owned() },
        "custom1": "",
        "custom2": "",
        "yearOfBirth": l.dto.get("fullBirthDate").and_then(Value::as_str).and_then(|d| d.get(..4)).unwrap_or(""),
        "group": session,
        "snatchRank": rank(&ranks[0]),
        "fullName": l.full_name(),
        "lotNumber": l.dto.get("lotNumber").map(|v| v.to_string()).unwrap_or_default(),
        "flagURL": format!("/local/flags/{}.svg", l.team),
        "sattempts": cells(0),
        "bestCleanJerk": shown(l.best(1)),
        "teamLength": l.team.chars().count(),
        "classname": if l.next_index().is_some() { classname } else { "" },
        "cattempts": cells(1),
        "cleanJerkRank": rank(&ranks[1]),
        "category": l.category,
    })
}

pub(super) fn sinclair_ranks(all: &[&Lifter]) -> HashMap<i64, usize> {
    let mut scored: Vec<(f64, &Lifter)> = all
        .iter()
        .map(|l| (super::sinclair_2024(&l.gender, l.body_weight, l.total()), *l))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = HashMap::new();
    for gender in ["M", "F"] {
        for (i, (_, l)) in scored.iter().filter(|(_, l)| l.gender == gender).enumerate() {
            out.insert(l.key, i + 1);
        }
    }
    out
}
