//! Behaviour rule R7 (records display) and R6 (participations order) against a real server fed
//! real OWLCMS payloads: record kinds never stick across updates, open-ended categories read
//! `+110`, the personal-best box stands apart, registration category first.

mod common;

use common::*;
use serde_json::{Value, json};

async fn with_sample_database() -> (TestServer, Owlcms) {
    TestServer::with_database(&database_json()).await
}

fn record_kind(t: &TestServer) -> (Option<String>, Option<String>) {
    let fop = t.hub().fop("A").unwrap();
    (fop.field("recordKind"), fop.field("recordMessage"))
}

// R7.2, the sequence of record-status-persistence: the kind comes with updates and decisions
// and never outlives the next update.
#[tokio::test]
async fn r7_record_kind_does_not_stick_across_updates() {
    let (t, mut owlcms) = with_sample_database().await;
    let mut update = sample(LIFTING_ORDER);
    update.as_object_mut().unwrap().remove("recordKind");
    owlcms.request("update", &update).await;
    assert_eq!(record_kind(&t).0, None);
    let decision = json!({"fop": "A", "decisionEventType": "FULL_DECISION", "recordKind": "new", "recordMessage": "New Record",
        "d1": "true", "d2": "true", "d3": "true", "decisionsVisible": "true"});
    owlcms.request("decision", &decision).await;
    assert_eq!(record_kind(&t), (Some("new".into()), Some("New Record".into())));
    let mut next = update.clone();
    next["fullName"] = json!("Next Lifter");
    owlcms.request("update", &next).await;
    assert_eq!(record_kind(&t), (None, None), "nothing sticks");
    let mut attempt = update.clone();
    attempt["recordKind"] = json!("attempt");
    attempt["recordMessage"] = json!("Record Attempt");
    owlcms.request("update", &attempt).await;
    assert_eq!(record_kind(&t).0.as_deref(), Some("attempt"));
    let view = t.view_envelope("plugin=lifting-order&fop=A").await;
    assert_eq!(view["view"]["records"]["panel"], true, "attempt with a live athlete: shown");
    let mut none = update;
    none["recordKind"] = json!("none");
    owlcms.request("update", &none).await;
    assert_eq!(record_kind(&t).0.as_deref(), Some("none"));
    let view = t.view_envelope("plugin=lifting-order&fop=A").await;
    assert_eq!(view["view"]["records"]["panel"], false);
}

fn with_records(records: Value) -> Value {
    let mut update = sample(LIFTING_ORDER);
    update["records"] = json!(records.to_string());
    update
}

// R7.1 on the scoreboard: OWLCMS's `SM >109` reads `SM +109`; R7.5: the personal-best box is
// not a federation's column.
#[tokio::test]
async fn r7_open_ended_labels_and_personal_best_box() {
    let (t, mut owlcms) = with_sample_database().await;
    let records = json!({"recordNames": ["Norgesrekord"], "recordTable": [
        {"cat": "SM >109", "records": [{"SNATCH": 165, "CLEANJERK": 208, "TOTAL": 369}], "recordClass": "recordBox"},
        {"cat": "SM 109+", "records": [{"SNATCH": 0, "CLEANJERK": null, "TOTAL": 300}], "recordClass": "recordBox"},
        {"cat": "Personal Best", "records": [{"SNATCH": 120, "CLEANJERK": 150, "TOTAL": 270}], "recordClass": "recordBoxPersonal"}]});
    owlcms.request("update", &with_records(records)).await;
    let view = t.view_envelope("plugin=lifting-order&fop=A").await;
    let records = &view["view"]["records"];
    let names: Vec<&str> =
        records["categories"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["SM +109", "SM +109"]);
    assert_eq!(records["categories"][1]["rows"][0]["snatch"], "0", "0 is a real record");
    assert_eq!(records["categories"][1]["rows"][0]["cleanJerk"], "-");
    assert_eq!(records["personalBest"]["name"], "Personal Best");
    assert_eq!(records["personalBest"]["rows"][0]["total"], "270");
    assert_eq!(records["federations"], json!(["Norgesrekord"]));
}

// R7.4: no records table in a break or without a live athlete; a `new` record message shows
// during the break that follows.
#[tokio::test]
async fn r7_records_hidden_in_breaks_new_record_message_kept() {
    let (t, mut owlcms) = with_sample_database().await;
    let mut update = with_records(json!({"recordNames": ["N"], "recordTable": [
        {"cat": "SM >109", "records": [{"SNATCH": 165, "CLEANJERK": 208, "TOTAL": 369}], "recordClass": "recordBox"}]}));
    owlcms.request("update", &update).await;
    assert_eq!(t.view_envelope("plugin=lifting-order&fop=A").await["view"]["records"]["visible"], true);
    update["fopState"] = json!("BREAK");
    update["mode"] = json!("LIFT_COUNTDOWN");
    update["breakType"] = json!("FIRST_CJ");
    update["recordKind"] = json!("new");
    update["recordMessage"] = json!("New record");
    owlcms.request("update", &update).await;
    let records = t.view_envelope("plugin=lifting-order&fop=A").await["view"]["records"].clone();
    assert_eq!((records["visible"].clone(), records["panel"].clone()), (json!(false), json!(true)));
}

// R6.1: the participation of the registration category comes first, so places and category
// labels use it (the real database: every athlete's registration participation); R6.2: so do
// the results protocol's medals.
#[tokio::test]
async fn r6_registration_category_first() {
    let mut database = database_json();
    let athlete = &mut database["athletes"][0];
    let registration = athlete["categoryCode"].clone();
    let participations = athlete["participations"].as_array_mut().unwrap();
    let mut other = participations[0].clone();
    other["categoryCode"] = json!("JR_F64");
    other["totalRank"] = json!(1);
    participations.insert(0, other);
    let key = athlete["key"].to_string();
    let (t, _owlcms) = TestServer::with_database(&database).await;
    let input: Value =
        reqwest::get(t.http("/api/view?plugin=results-protocol&debug=input")).await.unwrap().json().await.unwrap();
    let me = input["competitionAthletes"].as_array().unwrap().iter().find(|a| a["key"] == key.as_str()).unwrap();
    assert_eq!(me["participations"][0]["categoryCode"], registration);
    assert_eq!(me["categoryCode"], registration);
    assert_ne!(me["place"], 1, "the junior place is not the registration category's");
    // R6.2: the results protocol's medals are the registration category's.
    let protocol = t.view_envelope("plugin=results-protocol").await;
    let name = me["fullName"].as_str().unwrap();
    let row = protocol["view"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["categories"].as_array().unwrap())
        .flat_map(|c| c["athletes"].as_array().unwrap())
        .find(|a| a["name"] == name)
        .unwrap();
    assert_eq!((row["place"].clone(), row["medal"].clone()), (me["place"].clone(), Value::Null), "{row}");
}
