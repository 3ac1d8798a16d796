//! Replays the real OWLCMS captures over a real WebSocket into a real server and checks the
//! replies and the hub state field by field.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn replay_of_real_captures_builds_the_expected_state() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    for (path, uievent) in
        [(SWITCH_GROUP, "SwitchGroup"), (START_LIFTING, "StartLifting"), (LIFTING_ORDER, "LiftingOrderUpdated")]
    {
        let payload = sample(path);
        assert_eq!(payload["uiEvent"], uievent);
        let reply = owlcms.request("update", &payload).await;
        assert_eq!(reply, json!({"status": 200, "message": "Update processed"}), "{path}");
    }
    let reply = owlcms.request("timer", &sample("http-era/timer-start.json")).await;
    assert_eq!(reply, json!({"status": 200, "message": "Timer processed"}));
    // The decision capture comes from another meet: drop its context fields so the merge
    // result stays about the Norwegian session.
    let mut decision = sample("http-era/decision-full.json");
    for field in ["competitionName", "fullName", "attemptNumber", "liftTypeKey", "mode", "fopState"] {
        decision.as_object_mut().unwrap().remove(field);
    }
    let reply = owlcms.request("decision", &decision).await;
    assert_eq!(reply, json!({"status": 200, "message": "Decision processed"}));

    let state = t.hub().state();
    let db = state.database.as_ref().expect("database loaded");
    assert_eq!(db.competition_name(), Some("NORGESMSTERSKAP FOR LAG"));
    assert_eq!(db.athlete_count(), 39);
    assert_eq!(db.fop_names, ["A"]);

    let fop = t.hub().fop("A").expect("FOP A");
    assert_eq!(fop.field("uiEvent").as_deref(), Some("LiftingOrderUpdated"));
    assert_eq!(fop.field("competitionName").as_deref(), Some("NORGESMSTERSKAP FOR LAG"));
    assert!(fop.data.get("database").is_none(), "the embedded database is not kept in the FOP snapshot");
    // Current athlete, resolved from currentAthleteKey to the session athlete with displayInfo.
    let current = fop.current_athlete().expect("current athlete");
    assert_eq!(current["fullName"], "KJELLEVAND, Jørgen");
    assert_eq!(current["teamName"], "Spydeberg Atletene");
    assert_eq!(current["classname"], "current blink");
    assert_eq!(current["cattempts"][2], json!({"value": 170, "status": "current"}));
    assert_eq!(current["sattempts"][0], json!({"value": 130, "status": "bad"}));
    assert_eq!(current["total"], "295");
    // Lifting order and start order keep their spacers; keys are normalised to strings.
    use owlcms_tracker::hub::fop::OrderItem::{Athlete, Spacer};
    assert_eq!(
        fop.derived.lifting_order,
        [
            Spacer,
            Athlete("1907684233".into()),
            Athlete("-1393305065".into()),
            Athlete("-2072446646".into()),
            Athlete("1612142203".into())
        ]
    );
    assert_eq!(fop.derived.start_order.iter().filter(|i| **i == Spacer).count(), 3);
    assert_eq!(fop.derived.next_key.as_deref(), Some("-1393305065"));
    let next = fop.athlete(&json!(-1393305065)).unwrap();
    assert_eq!(next["classname"], "next");
    // Records table.
    let records = &fop.data["records"];
    assert_eq!(records["recordNames"], json!(["Norgesrekord"]));
    assert_eq!(records["recordTable"][0]["cat"], "SM >109");
    assert_eq!(records["recordTable"][0]["records"][0]["SNATCH"], 165);
    // Timer and decision merged on top of the update.
    assert_eq!(fop.athlete_clock.state, owlcms_tracker::hub::clocks::ClockState::Running);
    assert_eq!(fop.athlete_clock.remaining_ms, 120_000);
    assert_eq!(fop.decision.lights, [None, Some(true), None]);
    assert!(fop.decision.single_referee && fop.decision.visible);
    assert_eq!(fop.field("currentAthleteKey").as_deref(), Some("1907684233"), "timer merge keeps update fields");
    // Translations lookup with OWLCMS ids and browser ids.
    let translations = state.translations.as_ref().expect("translations loaded");
    assert_eq!(translations.translate("fr", "Snatch"), "Arraché");
    assert_eq!(translations.translate("fr-CA", "Snatch"), "Arraché");
    assert_eq!(translations.translate("de", "Clean_and_Jerk"), "Stossen");
    assert_eq!(translations.translate("no", "Snatch"), "Snatch", "unknown locale falls back to en");
    assert_eq!(translations.translate("en", "No.Such.Key"), "!No.Such.Key");
    // Flags were extracted.
    assert_eq!(state.assets[&owlcms_tracker::hub::AssetKind::Flags].files, 1);

    let (status, health) = t.health().await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"]["athletes"], 39);
    assert_eq!(health["fops"][0]["name"], "A");
    assert_eq!(health["connections"].as_array().unwrap().len(), 1);
    for kind in ["update", "timer", "decision", "database_zip", "translations_zip", "flags_zip"] {
        assert!(health["lastMessageMs"][kind].as_i64().unwrap() > 0, "last {kind} time: {health}");
    }
}

#[tokio::test]
async fn text_database_message_loads_and_identical_resend_is_not_reloaded() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    let reply = owlcms.request("database", &sample(DATABASE)).await;
    assert_eq!(reply, json!({"status": 200, "message": "Full competition data loaded successfully"}));
    let first = t.hub().state().database.clone().unwrap();
    assert_eq!(first.checksum, sample(DATABASE)["databaseChecksum"]);
    let reply = owlcms.request("database", &sample(DATABASE)).await;
    assert_eq!(reply["status"], 200);
    let second = t.hub().state().database.clone().unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second), "same checksum: not reloaded");
    let reply = owlcms.request("database", &json!({})).await;
    assert_eq!(reply["status"], 202);
    assert_eq!(reply["reason"], "awaiting_binary_database");
}

#[tokio::test]
async fn health_is_503_until_database_and_translations_arrive() {
    let t = TestServer::start().await;
    let (status, health) = t.health().await;
    assert_eq!(status, 503);
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["issues"].as_array().unwrap().len(), 2, "{health}");
    let mut owlcms = t.owlcms().await;
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.sync().await;
    let (status, health) = t.health().await;
    assert_eq!((status, health["database"]["loaded"].clone()), (503, json!(true)));
    owlcms.send_binary(translations_zip_frame(&translations_json())).await;
    owlcms.sync().await;
    assert_eq!(t.health().await.0, 200);
}

#[tokio::test]
async fn pings_are_answered() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    owlcms.send(tokio_tungstenite::tungstenite::Message::Ping(b"owlcms".to_vec().into())).await;
    match owlcms.next().await {
        Some(tokio_tungstenite::tungstenite::Message::Pong(data)) => assert_eq!(&data[..], b"owlcms"),
        other => panic!("expected pong, got {other:?}"),
    }
}

#[tokio::test]
async fn other_upgrade_paths_and_plain_http_get_http_errors() {
    let t = TestServer::start().await;
    let url = format!("ws://{}/websocket", t.server().addr());
    let err = tokio_tungstenite::connect_async(url).await.expect_err("only /ws upgrades");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 404),
        other => panic!("expected an HTTP error, got {other}"),
    }
    let response = reqwest::get(t.http("/ws")).await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("WebSocket"), "{body}");
}

#[tokio::test]
async fn several_connections_are_served_and_the_hub_can_ask_for_assets() {
    let t = TestServer::start().await;
    let mut first = t.owlcms().await;
    let mut second = t.owlcms().await;
    first.sync().await;
    second.sync().await;
    use owlcms_tracker::protocol::replies::Resource;
    assert!(t.hub().request_resources(vec![Resource::LogosZip, Resource::PicturesZip]).await);
    // The latest authenticated connection is asked.
    let request = second.resource_request().await;
    assert_eq!(
        request,
        json!({"status": 428, "message": "Precondition Required: Plugin needs resources",
               "reason": "plugin_preconditions", "missing": ["logos_zip", "pictures_zip"]})
    );
    assert!(!t.hub().request_resources(vec![Resource::LogosZip]).await, "not asked again within 30 s");
    let (_, health) = t.health().await;
    assert_eq!(health["connections"].as_array().unwrap().len(), 2);
    assert_eq!(health["counters"]["requestsSent"], 1);
}

#[tokio::test]
async fn learning_mode_saves_frames_byte_for_byte_in_arrival_order() {
    let t = TestServer::with(|o| o.learning_mode = true).await;
    let mut owlcms = t.owlcms().await;
    let binary = database_zip_frame(&database_json());
    owlcms.send_binary(binary.clone()).await;
    let text = owlcms.envelope("update", &sample(LIFTING_ORDER));
    owlcms.request_raw(&text).await;
    owlcms.request_raw("not json at all").await;
    let dir = t.server().learning_dir().unwrap().clone();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].ends_with("-000000-DATABASE_ZIP.bin"), "{names:?}");
    assert!(names[1].ends_with("-000001-UPDATE-LIFTINGORDERUPDATED.json"), "{names:?}");
    assert!(names[2].ends_with("-000002-INVALID.json"), "{names:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), binary);
    // Byte for byte but for the update key's value (the sample carries OWLCMS's key).
    assert!(text.contains(SAMPLE_KEY));
    let redacted = text.replace(&format!("\"{SAMPLE_KEY}\""), "\"<redacted>\"");
    assert_eq!(std::fs::read_to_string(&files[1]).unwrap(), redacted);
    assert_eq!(std::fs::read_to_string(&files[2]).unwrap(), "not json at all");
}
