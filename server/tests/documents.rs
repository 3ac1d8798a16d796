//! Competition-wide plugins (medal count, referee assignments, results protocol) against the
//! real OWLCMS database of the samples — checked against the places OWLCMS itself stored — and
//! against a competition played by the simulator.

mod common;

use common::*;
use owlcms_simulator::meet::Meet;
use owlcms_simulator::{self as simulator, SimulatorOptions, generator};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tokio_util::sync::CancellationToken;

async fn with_database(database: &Value) -> (TestServer, Owlcms) {
    TestServer::with_database(database).await
}

async fn view(t: &TestServer, query: &str) -> Value {
    t.view_envelope(query).await["view"].clone()
}

fn team_names(database: &Value) -> BTreeMap<i64, String> {
    database["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t["name"].as_str().unwrap().into()))
        .collect()
}

/// Medal rows as (team, gold, silver, bronze).
fn medal_rows(view: &Value) -> BTreeMap<String, [u64; 3]> {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |i: usize| r[i].as_str().unwrap().parse::<u64>().unwrap();
            assert_eq!(n(2) + n(3) + n(4), n(5), "row total: {r}");
            (r[1].as_str().unwrap().to_owned(), [n(2), n(3), n(4)])
        })
        .collect()
}

#[tokio::test]
async fn medal_count_matches_the_places_owlcms_stored() {
    let database = database_json();
    let (t, _owlcms) = with_database(&database).await;
    let v = view(&t, "plugin=medal-count").await;
    assert_eq!(v["columns"], json!(["Rank", "Team", "Gold", "Silver", "Bronze", "Total"]));
    // OWLCMS's own totalRank of each participation (snatchCJTotalMedals is false here).
    let teams = team_names(&database);
    let mut expected: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for a in database["athletes"].as_array().unwrap() {
        let rank = a["participations"][0]["totalRank"].as_u64().unwrap();
        if (1..=3).contains(&rank) {
            expected.entry(teams[&a["team"].as_i64().unwrap()].clone()).or_default()[rank as usize - 1] += 1;
        }
    }
    assert_eq!(medal_rows(&v), expected);
    assert_eq!(v["rows"][0][0], "1");
}

#[tokio::test]
async fn referee_assignments_list_every_session_and_its_officials() {
    let mut database = database_json();
    database["sessions"][0]["referee1"] = json!("HANSEN Kari");
    database["sessions"][0]["jury1"] = json!("OLSEN Per");
    database["sessions"][3]["referee1"] = json!("BERG Ola");
    database["technicalOfficials"] =
        json!([{"lastName": "Hansen", "firstName": "Kari", "level": "IWF Cat 1", "federation": "NVF"}]);
    let (t, _owlcms) = with_database(&database).await;
    let v = view(&t, "plugin=referee-assignments&lang=en").await;
    assert_eq!(v["columns"], json!(["Session", "Description", "Platform", "Start Time", "Referee 1", "Jury 1"]));
    let sessions: Vec<&str> = v["rows"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap()).collect();
    let in_database: Vec<&str> =
        database["sessions"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(sessions, in_database);
    assert_eq!(v["rows"][0], json!(["P1.1", "PULJE 1", "A", "", "HANSEN Kari", "OLSEN Per"]));
    assert_eq!(v["rows"][3][4], "BERG Ola");
    assert_eq!(v["officials"]["rows"], json!([["HANSEN, Kari", "IWF Cat 1", "NVF"]]));
}

#[tokio::test]
async fn results_protocol_lists_every_athlete_of_the_done_sessions() {
    let database = database_json();
    let (t, _owlcms) = with_database(&database).await;
    let v = view(&t, "plugin=results-protocol").await;
    assert_eq!((v["competition"].clone(), v["city"].clone()), (json!("NORGESMSTERSKAP FOR LAG"), json!("FØRDE")));
    let done: Vec<&str> = database["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["done"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.iter().map(|s| s["name"].as_str().unwrap()).collect::<Vec<_>>(), done);
    let mut listed = 0;
    for session in sessions {
        let name = session["name"].as_str().unwrap();
        let expected: Vec<&Value> =
            database["athletes"].as_array().unwrap().iter().filter(|a| a["sessionName"] == name).collect();
        let athletes: Vec<&Value> =
            session["categories"].as_array().unwrap().iter().flat_map(|c| c["athletes"].as_array().unwrap()).collect();
        assert_eq!(athletes.len(), expected.len(), "{name}");
        for a in &expected {
            let shown = athletes
                .iter()
                .find(|x| {
                    x["name"].as_str().unwrap().ends_with(a["firstName"].as_str().unwrap())
                        && x["startNumber"].as_str() == Some(a["startNumber"].to_string().as_str())
                })
                .unwrap_or_else(|| panic!("{} in {name}", a["lastName"]));
            let rank = a["participations"][0]["totalRank"].as_u64().unwrap();
            assert_eq!(shown["place"].as_u64().unwrap_or(0), rank, "{} place", a["lastName"]);
            let medal = ["gold", "silver", "bronze"].get((rank as usize).wrapping_sub(1)).map(|m| json!(m));
            assert_eq!(shown["medal"], medal.unwrap_or(Value::Null));
            assert_eq!(shown["snatch"][0]["value"], a["snatch1ActualLift"].as_i64().unwrap().abs());
            assert_eq!(shown["snatch"][0]["good"], a["snatch1ActualLift"].as_i64().unwrap() > 0);
        }
        listed += athletes.len();
        let records = database["records"].as_array().unwrap().iter().filter(|r| r["groupNameString"] == name).count();
        assert_eq!(session["records"].as_array().unwrap().len(), records, "{name} records");
    }
    assert_eq!(listed, 35, "every athlete of the nine done sessions");
    let p11 = &sessions[0]["records"][0];
    assert_eq!((p11["athlete"].clone(), p11["lift"].clone()), (json!("ESPENES, Linda"), json!("Clean & Jerk")));
    let one = view(&t, "plugin=results-protocol&session=P4.3").await;
    assert_eq!(one["sessions"].as_array().unwrap().len(), 1, "a named session is shown even when not done");
}

#[tokio::test]
async fn simulated_session_results_reach_the_documents() {
    let t = TestServer::start().await;
    let database = generator::generate(generator::Size { fops: 1, sessions: 2, athletes: 8 }, 11);
    let mut options = SimulatorOptions::new(&t.ws_url());
    options.max_sessions = Some(1);
    let meet = simulator::run(Meet::from_database(database).unwrap(), options, CancellationToken::new()).await.unwrap();
    let mut probe = t.owlcms().await;
    probe.sync().await;
    let fop = t.hub().fop("A").unwrap();
    let session = fop.field("sessionName").unwrap();
    let lifters = meet.session_lifters(&session);
    // Only the live session has results (the simulator sends no new database): the documents
    // must take them from the FOP.
    let v = view(&t, &format!("plugin=results-protocol&session={session}")).await;
    let athletes: Vec<&Value> = v["sessions"][0]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["athletes"].as_array().unwrap())
        .collect();
    assert_eq!(athletes.len(), lifters.len());
    for lifter in &lifters {
        let shown = fop.athlete(&json!(lifter.key)).unwrap();
        let row = athletes.iter().find(|a| a["name"] == shown["fullName"]).expect("listed");
        // OWLCMS's (the simulator's) total rank and the engine's place agree.
        assert_eq!(
            row["place"].as_u64().map(|p| p.to_string()).unwrap_or("-".into()),
            shown["totalRank"],
            "{}",
            shown["fullName"]
        );
        assert_eq!(row["total"], shown["total"]);
    }
    // Medals: three per category with at least three totals, fewer otherwise.
    let mut per_category: BTreeMap<String, u64> = BTreeMap::new();
    for lifter in &lifters {
        let shown = fop.athlete(&json!(lifter.key)).unwrap();
        let placed = shown["totalRank"].as_str().is_some_and(|r| r != "-");
        *per_category.entry(shown["category"].as_str().unwrap().to_owned()).or_default() += u64::from(placed);
    }
    let expected: u64 = per_category.values().map(|n| (*n).min(3)).sum();
    let medals: u64 = medal_rows(&view(&t, "plugin=medal-count").await).values().flatten().sum();
    assert_eq!(medals, expected, "{per_category:?}");
    assert!(expected >= 3);
}
