//! Championship team standings (behaviour rules R5) through a real server fed the real OWLCMS
//! sample database (ws-2025-12), whose age groups name the championships. The sample has no
//! `championships[]`, so the test adds one for "SM" (best 2 men, team points, total only) and
//! works out the standings here from the sample's own OWLCMS ranks.
//!
//! SM men by team (OWLCMS `totalRank`, total, session; P4.3 is not done in the sample):
//! - Hitra VK: Heggvik Aune 1 (274, P4.2), Haranes 1 (223, P3.1), Kværnø 1 (210, P4.3),
//!   Akseth 2 → kept Heggvik Aune + Haranes = 28 + 28 = 56, all done.
//! - Spydeberg Atletene: Benorouz 1 (281), John-Charles 1 (279), Kjellevand 2 (P4.3),
//!   Ellertsson 2, Grønstad 0 → 28 + 28 = 56.
//! - AK Bjørgvin: Nesheim 1 (P4.3), Andersen 2 (282), Henneli 2 (273), Lorentzen 3 → kept
//!   Nesheim + Andersen: confirmed 25 (Nesheim not done), live 53, count 1/2.
//! - Tambarskjelvar IL: Holme 1 (P4.3) → confirmed 0, live 28, count 0/1.
//!
//! Hitra and Spydeberg tie on 56: the team name breaks it (R5.8). After a database with P4.3
//! done: AK Bjørgvin 53, Tambarskjelvar 28. Medals per session: see [`medals_to_prepare`]; the
//! team scoreboard and option overrides (SK by Sinclair, bomb-out variants): see
//! [`sample_database_team_scoreboard_follows_the_championships`].

mod common;

use common::*;
use serde_json::{Value, json};

fn database(p43_done: bool) -> Value {
    let mut db = database_json();
    db["championships"] = json!([{"name": "SM", "type": "IWF", "mensBestN": 2, "snatchCJTotalMedals": false,
        "teamPoints1st": 28, "teamPoints2nd": 25, "teamPoints3rd": 23}, {"name": "SK", "medalPolicy": "ALL_THREE"}]);
    for session in db["sessions"].as_array_mut().unwrap() {
        if session["name"] == "P4.3" {
            session["done"] = json!(p43_done);
        }
    }
    db
}

async fn championships(t: &TestServer) -> Value {
    let input: Value =
        reqwest::get(t.http("/api/view?plugin=team-rankings&debug=input")).await.unwrap().json().await.unwrap();
    input["championships"].clone()
}

/// (team, rank, confirmed, live, count, cap) of a section.
fn rows(section: &Value) -> Vec<(String, u64, f64, f64, u64, u64)> {
    section["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["team"].as_str().unwrap().to_owned(),
                t["rank"].as_u64().unwrap(),
                t["confirmed"].as_f64().unwrap(),
                t["live"].as_f64().unwrap(),
                t["count"].as_u64().unwrap(),
                t["cap"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn row(team: &str, rank: u64, confirmed: f64, live: f64, count: u64, cap: u64) -> (String, u64, f64, f64, u64, u64) {
    (team.to_owned(), rank, confirmed, live, count, cap)
}

#[tokio::test]
async fn sample_database_championships_follow_owlcms_team_rules() {
    let (t, mut owlcms) = TestServer::with_database(&database(false)).await;
    let all = championships(&t).await;
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    // Active age groups in order of first appearance (R5.3); inactive MASTERS groups name nothing.
    assert_eq!(names, ["Masters", "UK", "UM", "JK", "JM", "SK", "SM"]);
    let sm = all.as_array().unwrap().iter().find(|c| c["name"] == "SM").unwrap();
    assert_eq!((sm["mensBestN"].clone(), sm["mixedBestN"].clone()), (json!(2), Value::Null), "R5.1 fields");
    assert_eq!((sm["genderedTeamsEnabled"].clone(), sm["mixedTeamEnabled"].clone()), (json!(true), json!(false)));
    assert_eq!(sm["medalPolicyApplied"], "TOTAL_ONLY");
    let sections = sm["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 1, "SM has only men and no mixed teams");
    assert_eq!((sections[0]["gender"].clone(), sections[0]["mode"].clone()), (json!("M"), json!("points")));
    assert_eq!(sections[0]["rule"], "best 2 men, team points");
    assert_eq!(
        rows(&sections[0]),
        [
            row("Hitra VK", 1, 56.0, 56.0, 2, 2),
            row("Spydeberg Atletene", 2, 56.0, 56.0, 2, 2),
            row("AK Bjørgvin", 3, 25.0, 53.0, 1, 2),
            row("Tambarskjelvar IL", 4, 0.0, 28.0, 0, 1),
        ]
    );
    let kept: Vec<&str> = sections[0]["teams"][0]["athletes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["fullName"].as_str().unwrap())
        .collect();
    assert_eq!(kept.len(), 2);
    assert!(kept[0].to_uppercase().contains("HEGGVIK AUNE") && kept[1].to_uppercase().contains("HARANES"), "{kept:?}");
    // SK: no team size, so every team member counts; all-three medals make all three placings
    // earn team points (R5.9: no teamPointsPolicy → the medal policy).
    let sk = all.as_array().unwrap().iter().find(|c| c["name"] == "SK").unwrap();
    assert_eq!(sk["sections"][0]["gender"], "F");
    assert_eq!(sk["sections"][0]["rule"], "all women, team points (snatch, clean & jerk, total)");
    let um = all.as_array().unwrap().iter().find(|c| c["name"] == "UM").unwrap();
    assert_eq!(um["sections"], json!([]), "no athlete in UM");

    // The team-rankings plugin shows them by default, confirmed first and live where it differs.
    let view = t.view_envelope("plugin=team-rankings").await["view"].clone();
    let page = view["pages"].as_array().unwrap().iter().find(|p| p["championship"] == "SM").unwrap();
    assert_eq!(page["genderLabel"], "Men (best 2 men, team points)");
    let shown: Vec<(&str, &str, &Value, &Value)> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team"].as_str().unwrap(), r["score"].as_str().unwrap(), &r["athletes"], &r["teamSize"]))
        .collect();
    assert_eq!(
        shown,
        [
            ("Hitra VK", "56", &json!(2), &json!(2)),
            ("Spydeberg Atletene", "56", &json!(2), &json!(2)),
            ("AK Bjørgvin", "25 (live 53)", &json!(1), &json!(2)),
            ("Tambarskjelvar IL", "0 (live 28)", &json!(0), &json!(1)),
        ]
    );

    medals_to_prepare(&t).await;

    owlcms.send_binary(database_zip_frame(&database(true))).await;
    owlcms.sync().await;
    let after = championships(&t).await;
    let sm = after.as_array().unwrap().iter().find(|c| c["name"] == "SM").unwrap();
    assert_eq!(
        rows(&sm["sections"][0]),
        [
            row("Hitra VK", 1, 56.0, 56.0, 2, 2),
            row("Spydeberg Atletene", 2, 56.0, 56.0, 2, 2),
            row("AK Bjørgvin", 3, 53.0, 53.0, 2, 2),
            row("Tambarskjelvar IL", 4, 28.0, 28.0, 1, 1),
        ]
    );
}

/// Medals per session (R5.9), from the sample's registrations (one participation each):
/// P1.3 is the last session of SK_F64 (4 athletes: 1 in P1.1, 1 in P1.2, 2 in P1.3; SK awards
/// all three: 3 + 3 + 3), SK_F87 (1: 3 gold) and K35_F55 (1; Masters has no settings and the
/// competition's flag is off: total only, 1 gold) → 7 gold, 3 silver, 3 bronze. P4.3 (SM, total
/// only): SM_M109 (Andersen P4.1 + Nesheim: 1 + 1), SM_M67 (1 gold), SM_M999 (2: 1 + 1) → 3, 2, 0.
async fn medals_to_prepare(t: &TestServer) {
    let input: Value =
        reqwest::get(t.http("/api/view?plugin=medals-per-session&debug=input")).await.unwrap().json().await.unwrap();
    let session = |name: &str| {
        input["medalsPerSession"].as_array().unwrap().iter().find(|s| s["session"] == name).cloned().unwrap()
    };
    let p13 = session("P1.3");
    assert_eq!((p13["gold"].clone(), p13["silver"].clone(), p13["bronze"].clone()), (json!(7), json!(3), json!(3)));
    let sk64 = p13["categories"].as_array().unwrap().iter().find(|c| c["category"] == "SK_F64").unwrap();
    assert_eq!((sk64["athletes"].clone(), sk64["medalPolicy"].clone()), (json!(4), json!("ALL_THREE")));
    let p43 = session("P4.3");
    assert_eq!((p43["gold"].clone(), p43["silver"].clone(), p43["bronze"].clone()), (json!(3), json!(2), json!(0)));
    // P1.1's SK_F64 and SK_F71 lift again later: only K40_F76 and JK_F81 (1 each, total only).
    let p11 = session("P1.1");
    let mut categories: Vec<&str> =
        p11["categories"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
    categories.sort_unstable();
    assert_eq!(
        (categories, p11["gold"].clone(), p11["silver"].clone()),
        (vec!["JK_F81", "K40_F76"], json!(2), json!(0))
    );
    let view = t.view_envelope("plugin=medals-per-session").await["view"].clone();
    let rows = view["rows"].as_array().unwrap();
    assert!(rows.contains(&json!(["P4.3", "Total", "", "", "", "3", "2", "0"])), "{rows:?}");
    assert!(rows.contains(&json!(["P1.3", "SK_F64", "SK", "4", "snatch, C&J, total", "3", "3", "3"])), "{rows:?}");
}

/// The SK women of the sample (all sessions done), as (last name, team, body weight, total
/// with both lifts, best clean & jerk): Kalland bombed out of the snatch.
const SK: [(&str, &str, f64, u32, u32); 11] = [
    ("Økland", "Trondheim AK", 61.65, 117, 65),
    ("Sande", "Trondheim AK", 74.0, 143, 82),
    ("Ketilsdottir", "Trondheim AK", 63.32, 187, 103),
    ("Waaler", "Trondheim AK", 55.82, 185, 103),
    ("Røsbø", "AK Bjørgvin", 68.23, 154, 89),
    ("Hatlenes", "AK Bjørgvin", 63.25, 153, 83),
    ("Loodtz", "AK Bjørgvin", 70.54, 158, 92),
    ("Østvold", "Spydeberg Atletene", 63.55, 149, 82),
    ("Ringsaker", "Spydeberg Atletene", 72.42, 196, 112),
    ("Kalland", "Tambarskjelvar IL", 82.92, 0, 110),
    ("Årdalsbakke", "Tambarskjelvar IL", 69.44, 197, 110),
];

/// (team, score, counted last names) of a team scoreboard view, in view order.
fn board(view: &Value) -> Vec<(String, String, Vec<String>)> {
    view["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let counted = t["athletes"].as_array().unwrap().iter().filter(|a| a["counted"] == true);
            let names = counted.map(|a| a["name"].as_str().unwrap().split(',').next().unwrap().to_owned());
            (t["name"].as_str().unwrap().to_owned(), t["score"].as_str().unwrap().to_owned(), names.collect())
        })
        .collect()
}

// The team scoreboard follows the same engine: SM by the championship's rule (best 2 men, team
// points) shows the standings worked out above; SK with the options "Sinclair, best 2 women"
// keeps per team the two women OWLCMS ranks best by Sinclair (`sinclairRank` in the sample:
// Waaler 2, Ketilsdottir 3, Årdalsbakke 4, Ringsaker 5, Hatlenes 12, Østvold 13, Loodtz 14,
// Røsbø 15, Sande 17, Økland 18, Kalland 19) and sums their Sinclair 2024; "any lift counts"
// (enforceBombout=false) gives Kalland's 110 kg clean & jerk a score.
#[tokio::test]
async fn sample_database_team_scoreboard_follows_the_championships() {
    use owlcms_tracker::scoring::{Gender, SinclairYear, sinclair};
    let (t, _owlcms) = TestServer::with_database(&database(false)).await;
    let sm = t.view_envelope("plugin=team-scoreboard&fop=A&championships=SM&gender=M").await["view"].clone();
    assert_eq!(
        (sm["title"].clone(), sm["countingLabel"].clone()),
        (json!("Team Results – SM – Men"), json!("best 2 men, team points"))
    );
    let shown: Vec<(String, String)> = board(&sm).into_iter().map(|(team, score, _)| (team, score)).collect();
    let expected = [
        ("Hitra VK", "56"),
        ("Spydeberg Atletene", "56"),
        ("AK Bjørgvin", "25 (live 53)"),
        ("Tambarskjelvar IL", "0 (live 28)"),
    ];
    assert_eq!(shown, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert!(
        sm["teams"][2]["athletes"][0]["name"].as_str().unwrap().starts_with("NESHEIM"),
        "kept first: {}",
        sm["teams"][2]
    );

    let query = "plugin=team-scoreboard&fop=A&championships=SK&gender=F&scoring=sinclair&topWomen=2";
    let sk = t.view_envelope(query).await["view"].clone();
    assert_eq!(sk["rule"], "best 2 women, Sinclair 2024");
    let score = |total: u32, bw: f64| sinclair(f64::from(total), bw, Gender::Female, SinclairYear::Y2024);
    let kept = [
        ("Trondheim AK", ["Waaler", "Ketilsdottir"]),
        ("Spydeberg Atletene", ["Ringsaker", "Østvold"]),
        ("Tambarskjelvar IL", ["Årdalsbakke", "Kalland"]),
        ("AK Bjørgvin", ["Hatlenes", "Loodtz"]),
    ];
    let sum = |names: &[&str], any_lift: bool| -> f64 {
        names
            .iter()
            .map(|n| SK.iter().find(|a| a.0 == *n).unwrap())
            .map(|a| score(if a.3 == 0 && any_lift { a.4 } else { a.3 }, a.2))
            .sum()
    };
    let mut want: Vec<(String, f64, Vec<String>)> = kept
        .iter()
        .map(|(team, names)| (team.to_string(), sum(names, false), names.iter().map(|n| n.to_uppercase()).collect()))
        .collect();
    want.sort_by(|a, b| b.1.total_cmp(&a.1));
    let want: Vec<(String, String, Vec<String>)> =
        want.into_iter().map(|(team, v, names)| (team, format!("{v:.2}"), names)).collect();
    assert_eq!(board(&sk), want);
    // The team rankings give the same standing with the same options.
    let rankings = t.view_envelope("plugin=team-rankings&championships=SK&gender=F&scoring=sinclair&topWomen=2").await
        ["view"]
        .clone();
    let rows: Vec<(String, String)> = rankings["pages"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team"].as_str().unwrap().to_owned(), r["score"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(rows, board(&sk).into_iter().map(|(team, score, _)| (team, score)).collect::<Vec<_>>());
    // Bomb-out variants: Kalland scores 0 under OWLCMS's total, her clean & jerk with any lift.
    let kalland = |v: &Value| {
        let team = v["teams"].as_array().unwrap().iter().find(|t| t["name"] == "Tambarskjelvar IL").unwrap().clone();
        let row = team["athletes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"].as_str().unwrap().starts_with("KALLAND"))
            .cloned();
        (team["score"].clone(), row.unwrap()["score"].clone())
    };
    assert_eq!(kalland(&sk).1, "-");
    let any = t.view_envelope(&format!("{query}&enforceBombout=false")).await["view"].clone();
    let tambarskjelvar = sum(&["Årdalsbakke", "Kalland"], true);
    assert_eq!(kalland(&any), (json!(format!("{tambarskjelvar:.2}")), json!(format!("{:.3}", score(110, 82.92)))));
}

// GAMX-A has no shipped table: the standings say "not available" and the tracker asks OWLCMS
// for `gamx_zip` (the team plugins require it). OWLCMS's ZIP then brings a women's
// age-adjusted table (rows [age, bodyMass, mu, sigma, nu], the same parameters at every age and
// body mass: mu 150, sigma 0.1, nu 1), where a total t scores 1000 + 100 · (t/150 − 1)/0.1 =
// t · 20/3 (the truncation below 0 is Φ(−10), negligible). SK teams (every woman counts):
// Trondheim AK 117 + 143 + 187 + 185 = 632 kg → 4213.33, AK Bjørgvin 465 → 3100.00,
// Spydeberg Atletene 345 → 2300.00, Tambarskjelvar IL 197 (Kalland bombed out) → 1313.33.
#[tokio::test]
async fn gamx_tables_come_from_gamx_zip_and_are_not_available_before() {
    let (t, mut owlcms) = TestServer::with_database(&database(false)).await;
    let query = "plugin=team-rankings&championships=SK&gender=F&scoring=gamx-a";
    let rows = |view: &Value| -> Vec<(String, String)> {
        view["pages"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["team"].as_str().unwrap().to_owned(), r["score"].as_str().unwrap().to_owned()))
            .collect()
    };
    let before = t.view_envelope(query).await["view"].clone();
    let label = before["pages"][0]["genderLabel"].as_str().unwrap().to_owned();
    assert_eq!(label, "Women (all women, GAMX-A – not available (no table from OWLCMS))");
    assert!(rows(&before).iter().all(|(_, score)| score == "not available"), "{before}");
    let request = owlcms.resource_request().await;
    assert!(request["missing"].as_array().unwrap().contains(&json!("gamx_zip")), "{request}");

    // One row per age and end of the body-mass range, as OWLCMS's tables (ages 13–40).
    let table_rows: Vec<Value> =
        (13..=40).flat_map(|age| [json!([age, 40, 150, 0.1, 1]), json!([age, 190, 150, 0.1, 1])]).collect();
    let table = serde_json::to_vec(&table_rows).unwrap();
    let zip = zip_of(&[("params-total-age-wom.json", &table), ("params-snatch-age-wom.json", b"[]")]);
    owlcms.send_binary(encode_frame(VERSION, "gamx_zip", &zip)).await;
    owlcms.sync().await;
    let after = t.view_envelope(query).await["view"].clone();
    let expected = [
        ("Trondheim AK", "4213.33"),
        ("AK Bjørgvin", "3100.00"),
        ("Spydeberg Atletene", "2300.00"),
        ("Tambarskjelvar IL", "1313.33"),
    ];
    assert_eq!(rows(&after), expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert_eq!(after["pages"][0]["unavailable"], Value::Null);
}
