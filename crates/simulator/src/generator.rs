//! Synthetic competitions of any size (e.g. 2 FOPs × 8 sessions × 15 athletes, or a 1 000-athlete
//! national meet), as V2 databases with the structure OWLCMS exports.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Size of a generated competition.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Platforms.
    pub fops: usize,
    /// Sessions per platform.
    pub sessions: usize,
    /// Athletes per session.
    pub athletes: usize,
}

const MEN: [(i64, i64); 8] = [(60, 250), (65, 270), (71, 290), (79, 310), (88, 330), (94, 345), (110, 360), (999, 380)];
const WOMEN: [(i64, i64); 8] =
    [(48, 170), (53, 185), (58, 200), (63, 210), (69, 220), (77, 230), (86, 240), (999, 250)];
const FIRST_M: [&str; 12] =
    ["Ola", "Jørgen", "Lucas", "Mateo", "Kenji", "Arun", "Tomás", "Éric", "Nikolai", "Samuel", "Yusuf", "Liam"];
const FIRST_F: [&str; 12] =
    ["Ingrid", "Sofía", "Aiko", "Chloé", "Maja", "Priya", "Zoë", "Amara", "Léa", "Hanna", "Mei", "Olga"];
const LAST: [&str; 16] = [
    "Kværnø",
    "Dubois",
    "García",
    "Tanaka",
    "Müller",
    "Okafor",
    "Nakamura",
    "Silva",
    "Łukasik",
    "Haugen",
    "O'Brien",
    "Nguyen",
    "Petrović",
    "Andersson",
    "Rossi",
    "Kowalski",
];
const CLUBS: [&str; 12] = [
    "AK Bjørgvin",
    "Club Haltérophilie Montréal",
    "Barbell Club Ørsta",
    "Spydeberg Atletene",
    "Iron City WC",
    "Club Atlético Norte",
    "Tokyo Lifters",
    "Vikings VK",
    "Les Costauds",
    "Kraft Sportverein",
    "Hitra VK",
    "Sydney Strength",
];

fn category_name(code: &str, max: i64) -> String {
    if max == 999 { format!("{code} >{}", if code == "SM" { 110 } else { 86 }) } else { format!("{code} {max}") }
}

/// A V2 database with `size.fops` platforms named A, B, C…
pub fn generate(size: Size, seed: u64) -> Value {
    let mut rng = StdRng::seed_from_u64(seed);
    let age_groups: Vec<Value> = [("SM", "M", &MEN), ("SW", "F", &WOMEN)]
        .iter()
        .map(|(code, gender, table)| {
            let categories: Vec<Value> = table
                .iter()
                .enumerate()
                .map(|(i, (max, _))| {
                    let min = if i == 0 { 0 } else { table[i - 1].0 };
                    json!({"id": i, "minimumWeight": min, "maximumWeight": max, "active": true, "gender": gender,
                        "ageGroup": format!("{code}_SENIOR"), "categoryName": category_name(code, *max),
                        "upperBound": if *max == 999 { format!(">{min}") } else { max.to_string() }})
                })
                .collect();
            json!({"key": format!("{code}_SENIOR"), "code": code, "active": true, "minAge": 15, "maxAge": 999,
                "ageDivision": "SENIOR", "championshipName": "Senior", "championshipType": "IWF", "gender": gender,
                "scoringSystem": "BW_SINCLAIR", "categories": categories})
        })
        .collect();
    let teams: Vec<Value> = CLUBS.iter().enumerate().map(|(i, name)| json!({"id": 1000 + i, "name": name})).collect();
    let mut athletes = Vec::new();
    let mut sessions = Vec::new();
    let mut records = Vec::new();
    for f in 0..size.fops {
        let platform = char::from(b'A' + (f % 26) as u8).to_string();
        for s in 0..size.sessions {
            let name = format!("{platform}{}", s + 1);
            let women = (f + s) % 2 == 0;
            let (code, gender, table) = if women { ("SW", "F", &WOMEN) } else { ("SM", "M", &MEN) };
            // Two neighbouring categories per session, like a real schedule.
            let first = (s * 2) % (table.len() - 1);
            sessions.push(json!({"name": name, "platformName": platform, "description": format!("Session {name}"), "done": false}));
            for a in 0..size.athletes {
                let (max, base) = table[first + a % 2];
                let min = if first + a % 2 == 0 { max - 10 } else { table[first + a % 2 - 1].0 };
                let upper = if max == 999 { min + 40 } else { max };
                let bw = rng.random_range((min as f64 + 0.5)..(upper as f64));
                let total = base - rng.random_range(0..base / 3);
                let snatch = total * 45 / 100;
                let first_name =
                    if women { FIRST_F[rng.random_range(0..12)] } else { FIRST_M[rng.random_range(0..12)] };
                let key: i32 = rng.random();
                athletes.push(json!({
                    "key": key, "lastName": LAST[rng.random_range(0..LAST.len())], "firstName": first_name,
                    "fullBirthDate": [rng.random_range(1975..2008), rng.random_range(1..13), rng.random_range(1..29)],
                    "gender": gender, "bodyWeight": (bw * 100.0).round() / 100.0, "categoryCode": format!("{code}_{gender}{max}"),
                    "team": 1000 + rng.random_range(0..CLUBS.len()), "membership": format!("{}", 100_000 + athletes.len()),
                    "startNumber": a + 1, "lotNumber": rng.random_range(1..200), "entryTotal": total,
                    "snatch1Declaration": snatch, "cleanJerk1Declaration": total - snatch,
                    "sessionName": name, "participations": [{"categoryCode": format!("{code}_{gender}{max}"), "snatchRank": 0,
                        "cleanJerkRank": 0, "totalRank": 0, "teamMember": true, "championshipType": "IWF"}],
                }));
            }
        }
    }
    for (code, gender, table) in [("SM", "M", &MEN), ("SW", "F", &WOMEN)] {
        for (max, base) in table.iter() {
            for (lift, value) in [("SNATCH", base * 45 / 100), ("CLEANJERK", base * 55 / 100), ("TOTAL", *base)] {
                records.push(json!({"recordValue": value, "ageGrp": code, "bwCatUpper": max, "gender": gender,
                    "recordFederation": "NAT", "recordLift": lift, "recordName": "National record", "athleteName": "",
                    "groupNameString": ""}));
            }
        }
    }
    let platforms: Vec<Value> = (0..size.fops)
        .map(|f| {
            json!({"id": f + 1, "name": char::from(b'A' + (f % 26) as u8).to_string(), "nbL_25": 4, "nbL_20": 1, "nbL_15": 1,
                "nbL_10": 1, "nbL_5": 1, "nbL_2_5": 1, "nbS_5": 0, "nbS_2_5": 1, "nbS_2": 1, "nbS_1_5": 1, "nbS_1": 1, "nbS_0_5": 1,
                "nbC_2_5": 1, "nonStandardBarWeight": 0, "showDecisionLights": true, "showTimer": true})
        })
        .collect();
    json!({
        "formatVersion": "2.0",
        "competition": {"competitionName": format!("Synthetic Open ({} athletes)", athletes.len()), "competitionCity": "Lillehammer",
            "competitionDate": [2026, 11, 28], "federation": "NAT", "mensTeamSize": 6, "womensTeamSize": 6, "masters": false},
        "config": {"defaultLocale": "en"},
        "ageGroups": age_groups,
        "teams": teams,
        "sessions": sessions,
        "athletes": athletes,
        "platforms": platforms,
        "records": records,
        "recordConfig": {"recordOrder": ["National record"], "showAllCategoryRecords": false, "showAllFederations": false},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meet::Meet;

    #[test]
    fn sizes_and_structure() {
        let db = generate(Size { fops: 2, sessions: 8, athletes: 15 }, 7);
        assert_eq!(db["athletes"].as_array().unwrap().len(), 240);
        let meet = Meet::from_database(db.clone()).unwrap();
        assert_eq!(meet.sessions["A"].len(), 8);
        assert_eq!(meet.session_lifters("B3").len(), 15);
        assert!(meet.lifters.values().all(|l| l.category.starts_with("SM") || l.category.starts_with("SW")));
        assert_eq!(generate(Size { fops: 2, sessions: 8, athletes: 15 }, 7), db, "seeded");
        let national = generate(Size { fops: 4, sessions: 25, athletes: 10 }, 1);
        assert_eq!(national["athletes"].as_array().unwrap().len(), 1000);
    }
}
