//! The simulated competition: athletes with their six attempts, read from a V2 database, and
//! the OWLCMS rules that order them (lifting order, start order, ranks).

use crate::wire::{as_i64, as_string, normalise_dates};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One attempt: what was asked, and what happened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attempt {
    /// Declared weight.
    pub declaration: Option<i64>,
    /// First change.
    pub change1: Option<i64>,
    /// Second change.
    pub change2: Option<i64>,
    /// OWLCMS's automatic progression (previous weight, +1 after a good lift).
    pub automatic: Option<i64>,
    /// Result: positive good, negative failed, `None` not done.
    pub actual: Option<i64>,
    /// Order in which attempts were lifted in the whole competition (ties broken by it).
    pub seq: Option<u64>,
    /// When it was lifted (ISO local date-time, as OWLCMS's `…LiftTime`).
    pub time: Option<String>,
}

impl Attempt {
    /// The weight asked for: change 2 > change 1 > declaration > automatic progression.
    pub fn requested(&self) -> Option<i64> {
        [self.change2, self.change1, self.declaration, self.automatic].into_iter().flatten().find(|w| *w > 0)
    }
}

/// An athlete of the simulated competition.
#[derive(Debug, Clone)]
pub struct Lifter {
    /// OWLCMS key (may be negative).
    pub key: i64,
    /// Last name as registered.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// `M` or `F`.
    pub gender: String,
    /// Body weight.
    pub body_weight: f64,
    /// Category code (`SM_M999`).
    pub category_code: String,
    /// Category display name (`SM >109`).
    pub category: String,
    /// Team name.
    pub team: String,
    /// Start number within the session.
    pub start_number: i64,
    /// Session name.
    pub session: String,
    /// Snatch 1–3 then clean & jerk 1–3.
    pub attempts: [Attempt; 6],
    /// The athlete record as OWLCMS exports it (dates as ISO strings), for the update DTO.
    pub dto: Map<String, Value>,
}

const LIFTS: [&str; 2] = ["snatch", "cleanJerk"];

impl Lifter {
    /// Reads an athlete from a database record; previous results are cleared, declarations kept.
    pub fn from_record(
        record: &Value,
        categories: &HashMap<String, String>,
        teams: &HashMap<i64, String>,
    ) -> Option<Lifter> {
        let key = as_i64(record.get("key"))?;
        let mut dto = record.as_object()?.clone();
        let mut as_value = Value::Object(std::mem::take(&mut dto));
        normalise_dates(&mut as_value);
        let dto = match as_value {
            Value::Object(map) => map,
            _ => return None,
        };
        let code = as_string(dto.get("categoryCode")).unwrap_or_default();
        let mut attempts: [Attempt; 6] = Default::default();
        for (i, attempt) in attempts.iter_mut().enumerate() {
            attempt.declaration = as_i64(dto.get(&format!("{}{}Declaration", LIFTS[i / 3], i % 3 + 1)));
        }
        // An athlete without a snatch declaration gets one from the entry total, like a weigh-in.
        let entry = as_i64(dto.get("entryTotal")).filter(|t| *t > 0).unwrap_or(0);
        if attempts[0].declaration.is_none() {
            let bw = dto.get("bodyWeight").and_then(Value::as_f64).unwrap_or(70.0);
            attempts[0].declaration = Some(if entry > 0 { entry * 45 / 100 } else { (bw * 1.1) as i64 });
        }
        if attempts[3].declaration.is_none() {
            attempts[3].declaration = attempts[0].declaration.map(|s| s * 6 / 5 + 2);
        }
        Some(Lifter {
            key,
            last_name: as_string(dto.get("lastName")).unwrap_or_default(),
            first_name: as_string(dto.get("firstName")).unwrap_or_default(),
            gender: as_string(dto.get("gender")).unwrap_or_else(|| "M".into()),
            body_weight: dto.get("bodyWeight").and_then(Value::as_f64).unwrap_or(0.0),
            category: categories.get(&code).cloned().unwrap_or_else(|| code.clone()),
            category_code: code,
            team: as_i64(dto.get("team")).and_then(|t| teams.get(&t).cloned()).unwrap_or_default(),
            start_number: as_i64(dto.get("startNumber")).unwrap_or(0),
            session: as_string(dto.get("sessionName")).unwrap_or_default(),
            attempts,
            dto,
        })
    }

    /// `LASTNAME, Firstname`, as OWLCMS shows names.
    pub fn full_name(&self) -> String {
        format!("{}, {}", self.last_name.to_uppercase(), self.first_name)
    }

    /// Attempts lifted so far (0–6).
    pub fn attempts_done(&self) -> usize {
        self.attempts.iter().filter(|a| a.actual.is_some()).count()
    }

    /// Index (0–5) of the next attempt, if any.
    pub fn next_index(&self) -> Option<usize> {
        self.attempts.iter().position(|a| a.actual.is_none())
    }

    /// The weight asked for the next attempt.
    pub fn next_weight(&self) -> Option<i64> {
        self.next_index().and_then(|i| self.attempts[i].requested())
    }

    /// Best good lift of snatch (0) or clean & jerk (1); 0 when none.
    pub fn best(&self, lift: usize) -> i64 {
        self.attempts[lift * 3..lift * 3 + 3].iter().filter_map(|a| a.actual).filter(|w| *w > 0).max().unwrap_or(0)
    }

    /// Total; 0 when either lift has no good attempt.
    pub fn total(&self) -> i64 {
        let (s, c) = (self.best(0), self.best(1));
        if s > 0 && c > 0 { s + c } else { 0 }
    }

    /// When the best of a lift (or the total's C&J) was lifted, for tie-breaks.
    fn best_seq(&self, lift: usize) -> u64 {
        let best = self.best(lift);
        self.attempts[lift * 3..lift * 3 + 3]
            .iter()
            .find(|a| a.actual == Some(best))
            .and_then(|a| a.seq)
            .unwrap_or(u64::MAX)
    }

    /// Sequence number of the last lift, 0 when none.
    pub fn last_seq(&self) -> u64 {
        self.attempts.iter().filter_map(|a| a.seq).max().unwrap_or(0)
    }

    /// Records the result of the next attempt and sets OWLCMS's automatic progression.
    pub fn record(&mut self, good: bool, seq: u64) {
        let Some(i) = self.next_index() else { return };
        let weight = self.attempts[i].requested().unwrap_or(0);
        self.attempts[i].actual = Some(if good { weight } else { -weight });
        self.attempts[i].seq = Some(seq);
        self.attempts[i].time = Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f").to_string());
        if i % 3 < 2 {
            self.attempts[i + 1].automatic = Some(if good { weight + 1 } else { weight });
        }
    }

    /// Asks for a different weight for the next attempt (a change, as the coach would).
    pub fn change_next(&mut self, weight: i64) {
        let Some(i) = self.next_index() else { return };
        let attempt = &mut self.attempts[i];
        if attempt.change1.is_none() {
            attempt.change1 = Some(weight);
        } else {
            attempt.change2 = Some(weight);
        }
    }
}

/// Lifting order of a session, by OWLCMS's rules: athletes still in the current lift first;
/// then lighter requested weight, fewer attempts done, whoever lifted earlier, start number.
pub fn lifting_order(lifters: &[&Lifter]) -> Vec<i64> {
    let snatch_phase = lifters.iter().any(|l| l.attempts_done() < 3);
    let mut order: Vec<&&Lifter> = lifters.iter().collect();
    order.sort_by_key(|l| {
        let done = l.attempts_done();
        let finished = if snatch_phase { done >= 3 } else { done >= 6 };
        (finished, done >= 6, l.next_weight().unwrap_or(i64::MAX), done, l.last_seq(), l.start_number)
    });
    order.iter().map(|l| l.key).collect()
}

/// Start order: by category (lighter first, women before men as OWLCMS sorts codes), then
/// start number.
pub fn start_order(lifters: &[&Lifter]) -> Vec<i64> {
    let mut order: Vec<&&Lifter> = lifters.iter().collect();
    order.sort_by(|a, b| (a.start_number, &a.category_code).cmp(&(b.start_number, &b.category_code)));
    order.iter().map(|l| l.key).collect()
}

/// Ranks within each category for snatch (0), clean & jerk (1) or total (2): best first,
/// ties to whoever lifted it first. Athletes without a result have no rank.
pub fn ranks(lifters: &[&Lifter], which: usize) -> HashMap<i64, usize> {
    let value = |l: &Lifter| if which == 2 { l.total() } else { l.best(which) };
    let tie = |l: &Lifter| if which == 2 { l.best_seq(1) } else { l.best_seq(which) };
    let mut by_category: HashMap<&str, Vec<&Lifter>> = HashMap::new();
    for l in lifters.iter().filter(|l| value(l) > 0) {
        by_category.entry(l.category_code.as_str()).or_default().push(l);
    }
    let mut ranks = HashMap::new();
    for (_, mut group) in by_category {
        group.sort_by_key(|l| (std::cmp::Reverse(value(l)), tie(l)));
        for (i, l) in group.iter().enumerate() {
            ranks.insert(l.key, i + 1);
        }
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifter(key: i64, start: i64, snatch: i64) -> Lifter {
        let mut attempts: [Attempt; 6] = Default::default();
        attempts[0].declaration = Some(snatch);
        attempts[3].declaration = Some(snatch + 20);
        Lifter {
            key,
            last_name: format!("L{key}"),
            first_name: "F".into(),
            gender: "M".into(),
            body_weight: 80.0,
            category_code: "SM_M81".into(),
            category: "SM 81".into(),
            team: "T".into(),
            start_number: start,
            session: "S".into(),
            attempts,
            dto: Map::new(),
        }
    }

    #[test]
    fn lifting_order_follows_owlcms_rules() {
        let (mut a, mut b, c) = (lifter(1, 1, 100), lifter(2, 2, 100), lifter(3, 3, 95));
        let order = lifting_order(&[&a, &b, &c]);
        assert_eq!(order, [3, 1, 2], "lighter first, then start number");
        a.record(true, 1); // a asks 101 next (automatic progression)
        assert_eq!(a.next_weight(), Some(101));
        b.record(false, 2); // b stays at 100, attempt 2
        assert_eq!(lifting_order(&[&a, &b, &c]), [3, 2, 1]);
        b.change_next(101);
        // Same weight and attempt number: who lifted earlier goes first (a lifted before b).
        assert_eq!(lifting_order(&[&a, &b, &c]), [3, 1, 2]);
    }

    #[test]
    fn totals_ranks_and_bomb_out() {
        let (mut a, mut b) = (lifter(1, 1, 100), lifter(2, 2, 100));
        for _ in 0..3 {
            a.record(true, 1);
            b.record(false, 2);
        }
        a.record(true, 3);
        b.record(true, 4);
        assert_eq!((a.best(0), a.total()), (102, 222));
        assert_eq!(b.total(), 0, "no good snatch: no total");
        let total = ranks(&[&a, &b], 2);
        assert_eq!((total.get(&1), total.get(&2)), (Some(&1), None));
        assert_eq!(ranks(&[&a, &b], 1), HashMap::from([(1, 1), (2, 2)]), "same C&J: who lifted it first ranks higher");
    }
}
