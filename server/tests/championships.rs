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
//! done: AK Bjørgvin 53, Tambarskjelvar 28. Medals per session: see [`medals_to_prepare`].

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
