//! Behaviour rule R1 (results of finished sessions are kept) and R2 (database freshness), with
//! real servers, real WebSocket clients and the simulator playing whole competitions; plus the
//! restart with saved state after a session change.

mod common;

use common::*;
use owlcms_simulator::generator::{Size, generate};
use owlcms_simulator::meet::Meet;
use owlcms_simulator::{self as simulator, SimulatorOptions};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The database of the R1 sequence: athlete 1001 in M1, athlete 2001 in M2, one platform.
fn r1_database(m1_done: bool, total: i64) -> Value {
    let athlete = |key: i64, last: &str, session: &str| {
        json!({"key": key, "lastName": last, "firstName": "John", "gender": "M", "bodyWeight": 88.0,
            "categoryCode": "SR_M89", "sessionName": session, "total": total, "team": 1, "startNumber": 1,
            "participations": [{"categoryCode": "SR_M89", "teamMember": true}]})
    };
    json!({"formatVersion": "2.0", "competition": {"competitionName": "R1"},
        "ageGroups": [{"code": "SR", "active": true, "championshipName": "Senior", "categories": [
            {"code": "SR_M89", "gender": "M", "maximumWeight": 89, "categoryName": "SR 89"}]}],
        "teams": [{"id": 1, "name": "Team X"}], "platforms": [{"name": "A"}],
        "sessions": [{"name": "M1", "platformName": "A", "done": m1_done}, {"name": "M2", "platformName": "A", "done": false}],
        "athletes": [athlete(1001, "DOE", "M1"), athlete(2001, "ROE", "M2")]})
}

fn session_update(ui_event: &str, session: &str, key: i64, snatch: Option<i64>, total: &str) -> Value {
    let mut payload = json!({"fop": "A", "uiEvent": ui_event, "sessionName": session, "fopState": "CURRENT_ATHLETE_DISPLAYED",
        "mode": "CURRENT_ATHLETE",
        "sessionAthletes": [{"athleteKey": key.to_string(), "athlete": {"key": key, "snatch1Declaration": 100,
            "snatch1ActualLift": snatch, "cleanJerk1ActualLift": snatch.map(|s| s + 20), "categoryCode": "SR_M89",
            "gender": "M", "bodyWeight": 88.0, "sessionName": session, "team": 1},
            "displayInfo": {"fullName": "DOE, John", "total": total}}],
        "startOrderKeys": [key], "liftingOrderKeys": [key], "currentAthleteKey": key});
    if ui_event == "GroupDone" {
        payload["fopState"] = json!("BREAK");
        payload["breakType"] = json!("GROUP_DONE");
        payload["mode"] = json!("SESSION_DONE");
    }
    payload
}

/// The athletes a mapping that requires the database sees.
async fn competition_athletes(t: &TestServer) -> Vec<Value> {
    let response = reqwest::get(t.http("/api/view?plugin=results-protocol&debug=input")).await.unwrap();
    let input: Value = response.json().await.unwrap();
    input["competitionAthletes"].as_array().cloned().unwrap_or_default()
}

fn by_key<'a>(athletes: &'a [Value], key: &str) -> &'a Value {
    athletes.iter().find(|a| a["key"] == key).unwrap_or_else(|| panic!("athlete {key}"))
}

// The R1 sequence, steps 1–5: merged results survive a session change and are replaced by the
// next export; a GroupDone counts as done for documents at once.
#[tokio::test]
async fn r1_finished_session_results_are_kept() {
    let (t, mut owlcms) = TestServer::with_database(&r1_database(false, 0)).await;
    owlcms.request("update", &session_update("LiftingOrderUpdated", "M1", 1001, Some(100), "-")).await;
    let john = by_key(&competition_athletes(&t).await, "1001").clone();
    assert_eq!(john["snatch1ActualLift"], 100);
    assert_eq!(john["total"], 0, "display text does not replace the number");
    owlcms.request("update", &session_update("GroupDone", "M1", 1001, Some(100), "220")).await;
    let protocol = t.view_envelope("plugin=results-protocol").await;
    assert_eq!(protocol["view"]["sessions"][0]["name"], "M1", "GroupDone: the session is done at once");
    // The platform moves to M2 without a new database.
    owlcms.request("update", &session_update("SwitchGroup", "M2", 2001, None, "-")).await;
    let athletes = competition_athletes(&t).await;
    let john = by_key(&athletes, "1001");
    assert_eq!((john["snatch1ActualLift"].clone(), john["totalKg"].clone()), (json!(100), json!(220)));
    assert_eq!(john["sessionDone"], true);
    assert_eq!(by_key(&athletes, "2001")["sessionDone"], false);
    let protocol = t.view_envelope("plugin=results-protocol").await;
    let sessions = protocol["view"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    let row = &sessions[0]["categories"][0]["athletes"][0];
    assert_eq!((row["total"].clone(), row["snatch"][0]["value"].clone()), (json!("220"), json!(100)));
    // A newer export replaces the merged values (numeric totals, M1 done).
    let mut fresh = r1_database(true, 0);
    fresh["athletes"][0]["snatch1ActualLift"] = json!(101);
    owlcms.send_binary(database_zip_frame(&fresh)).await;
    owlcms.sync().await;
    let john = by_key(&competition_athletes(&t).await, "1001").clone();
    assert_eq!(john["snatch1ActualLift"], 101);
}

// R1 (issue 11): an athlete's live session data wins for every result field, empty included:
// the real database carries results for athletes who have not lifted in this session yet.
#[tokio::test]
async fn r1_live_session_data_wins_even_when_empty() {
    let (t, mut owlcms) = TestServer::with_database(&database_json()).await;
    let before = by_key(&competition_athletes(&t).await, "-1347246554").clone();
    assert_eq!(before["snatch1ActualLift"], 50, "the export has the real meet's lift");
    let update = json!({"fop": "A", "uiEvent": "LiftingOrderUpdated", "sessionName": "P1.1",
        "sessionAthletes": [{"athleteKey": "-1347246554", "athlete": {"key": -1347246554, "snatch1Declaration": 50,
            "snatch1ActualLift": null, "snatch2ActualLift": null, "snatch3ActualLift": null, "cleanJerk1ActualLift": null,
            "cleanJerk2ActualLift": null, "cleanJerk3ActualLift": null, "categoryCode": "SK_F64"}, "displayInfo": {"total": "-"}}],
        "startOrderKeys": [-1347246554], "liftingOrderKeys": [-1347246554], "currentAthleteKey": -1347246554});
    owlcms.request("update", &update).await;
    let after = by_key(&competition_athletes(&t).await, "-1347246554").clone();
    assert_eq!(after["snatch1ActualLift"], Value::Null);
    assert_eq!(after["totalKg"], 0, "{after}");
    assert_eq!(after["scores"]["sinclair"], 0.0);
}

fn small_meet() -> Meet {
    Meet::from_database(generate(Size { fops: 2, sessions: 2, athletes: 5 }, 7)).unwrap()
}

async fn view(t: &TestServer, query: &str) -> Value {
    t.view_envelope(query).await["view"].clone()
}

// A whole simulated competition, database sent once: at the end, the cross-session boards equal
// what they show from the database OWLCMS would export at that point, athlete by athlete.
#[tokio::test]
async fn r1_whole_competition_equals_the_final_export() {
    let live = TestServer::start().await;
    let mut options = SimulatorOptions::new(&live.ws_url());
    options.seed = 11;
    let meet = simulator::run(small_meet(), options, CancellationToken::new()).await.unwrap();
    // The simulator has closed its connection: the tracker cannot ask for a fresh database, so
    // what it shows comes from the results it merged.
    let export = meet.export();
    assert!(export["sessions"].as_array().unwrap().iter().all(|s| s["done"] == true));
    let (reference, mut owlcms) = TestServer::with_database(&export).await;
    owlcms.send_binary(simulator::assets::flags_frame(VERSION, &meet.teams)).await;
    owlcms.sync().await;
    for plugin in ["results-protocol", "medal-count", "team-rankings"] {
        let (mut got, mut want) =
            (view(&live, &format!("plugin={plugin}")).await, view(&reference, &format!("plugin={plugin}")).await);
        // What the board says while it waits depends on the platforms' state, not on results.
        for v in [&mut got, &mut want] {
            v.as_object_mut().unwrap().remove("waitingMessage");
        }
        assert_eq!(got, want, "{plugin}: merged results differ from the export");
    }
    // The team scoreboard of a platform, men's and women's sections (its attempt bar follows
    // the platform).
    let teams = |v: Value| {
        let mut teams = v["teams"].clone();
        for athlete in teams.as_array_mut().unwrap().iter_mut().flat_map(|t| t["athletes"].as_array_mut().unwrap()) {
            athlete.as_object_mut().unwrap().remove("current");
        }
        teams
    };
    let mut shown = 0;
    for gender in ["M", "F"] {
        let query = format!("plugin=team-scoreboard&fop=A&gender={gender}");
        let (got, want) = (teams(view(&live, &query).await), teams(view(&reference, &query).await));
        shown += got.as_array().unwrap().len();
        assert_eq!(got, want, "team scoreboard {gender}");
    }
    assert!(shown > 0, "the simulated meet has teams");
    let protocol = view(&live, "plugin=results-protocol").await;
    assert_eq!(protocol["sessions"].as_array().unwrap().len(), 4, "every session, both platforms");
    let got = competition_athletes(&live).await;
    let want = competition_athletes(&reference).await;
    assert_eq!(got.len(), want.len());
    for athlete in &want {
        let key = athlete["key"].as_str().unwrap();
        let mine = by_key(&got, key);
        for field in ["totalKg", "bestSnatchKg", "bestCleanJerkKg", "place", "teamPoints", "sessionDone"] {
            assert_eq!(mine[field], athlete[field], "{field} of {key}");
        }
        assert_eq!(mine["scores"]["sinclair"], athlete["scores"]["sinclair"], "sinclair of {key}");
    }
}

// Saved state after a session change: a restarted tracker shows the merged results before
// OWLCMS reconnects.
#[tokio::test]
async fn r1_merged_results_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let first = TestServer::with(|o| o.data_dir = Some(dir.clone())).await;
    let mut options = SimulatorOptions::new(&first.ws_url());
    options.fops = Some(vec!["A".into()]);
    simulator::run(small_meet(), options, CancellationToken::new()).await.unwrap();
    let before = view(&first, "plugin=results-protocol").await;
    assert_eq!(before["sessions"].as_array().unwrap().len(), 2, "both sessions of A");
    // Let the writer save (at most once a second), then stop as on SIGTERM.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut first = first;
    first.server.take().unwrap().stop().await.unwrap();
    let second = TestServer::with(|o| o.data_dir = Some(dir.clone())).await;
    assert_eq!(view(&second, "plugin=results-protocol").await, before);
}

// R2.6: opening a document when the database is older than the last session change asks OWLCMS
// for a fresh one (reason plugin_preconditions), once, not a storm.
#[tokio::test]
async fn r2_documents_ask_for_a_fresh_database_after_a_session_change() {
    let (t, mut owlcms) = TestServer::with_database(&r1_database(false, 0)).await;
    owlcms.request("update", &session_update("GroupDone", "M1", 1001, Some(100), "220")).await;
    let viewer = tokio::spawn({
        let url = t.http("/api/view?plugin=results-protocol");
        async move { reqwest::get(url).await.unwrap().status() }
    });
    let request = owlcms.resource_request().await;
    assert_eq!(request["status"], 428);
    assert_eq!(request["reason"], "plugin_preconditions");
    assert_eq!(request["missing"], json!(["database"]));
    owlcms.send_binary(database_zip_frame(&r1_database(true, 220))).await;
    assert_eq!(viewer.await.unwrap(), 200);
    // Fresh now: another document view does not ask again.
    let _ = t.view_envelope("plugin=medal-count").await;
    let again = tokio::time::timeout(Duration::from_millis(800), owlcms.resource_request()).await;
    assert!(again.is_err(), "asked again: {again:?}");
}
