//! One test per trap of protocol §11 that applies to a receiver, named after it. Each runs a
//! real server and a real WebSocket client with real OWLCMS payloads.
//! P20 (SSE payload weight) concerns the browser stream, not the receiver.

mod common;

use common::*;
use owlcms_tracker::hub::clocks::{BreakState, ClockState};
use owlcms_tracker::hub::now_ms;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn p1_update_replaces_timer_and_decision_merge() {
    let (t, mut owlcms) = ready().await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    owlcms
        .request(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000"}),
        )
        .await;
    owlcms.request("decision", &json!({"fop": "A", "decisionEventType": "DOWN_SIGNAL", "down": "true"})).await;
    let fop = t.hub().fop("A").unwrap();
    assert_eq!(fop.field("currentAthleteKey").as_deref(), Some("1907684233"), "timer/decision merge");
    // GroupDone: OWLCMS omits currentAthleteKey; the stale one must not survive.
    let done = json!({"fop": "A", "uiEvent": "GroupDone", "fopState": "BREAK", "breakType": "GROUP_DONE", "mode": "SESSION_DONE"});
    owlcms.request("update", &done).await;
    let fop = t.hub().fop("A").unwrap();
    assert_eq!(fop.data.get("currentAthleteKey"), None);
    assert!(fop.current_athlete().is_none());
    assert_eq!(fop.field("athleteTimerEventType").as_deref(), Some("StartTime"), "timer fields carried over");
    assert_eq!(fop.field("down").as_deref(), Some("true"), "decision fields carried over");
    assert!(fop.session.is_done);
}

#[tokio::test]
async fn p2_frames_of_a_connection_are_applied_in_order() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    // database_zip immediately followed by updates, without waiting: the database loads first.
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.send_binary(translations_zip_frame(&translations_json())).await;
    for i in 0..20 {
        let text = owlcms.envelope(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": 1000 * i}),
        );
        owlcms.send_raw(&text).await;
    }
    for _ in 0..20 {
        assert_eq!(owlcms.reply().await, json!({"status": 200, "message": "Timer processed"}));
    }
    assert_eq!(t.hub().fop("A").unwrap().athlete_clock.remaining_ms, 19_000, "last frame applied last");
}

#[tokio::test]
async fn p3_a_disconnect_keeps_fop_state() {
    let (t, mut owlcms) = ready().await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    owlcms.close().await;
    drop(owlcms);
    // A reconnecting OWLCMS resends database, translations and flags, but no FOP snapshot.
    let mut again = t.owlcms().await;
    startup(&mut again).await;
    let fop = t.hub().fop("A").unwrap();
    assert_eq!(fop.current_athlete().unwrap()["fullName"], "KJELLEVAND, Jørgen");
    assert!(t.hub().state().database.is_some());
}

#[tokio::test]
async fn p4_updates_before_the_database_are_stored_and_ask_for_it() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    let reply = owlcms.request("update", &sample(LIFTING_ORDER)).await;
    assert_eq!(reply["status"], 428);
    assert_eq!(reply["missing"], json!(["database", "translations_zip", "flags_zip"]));
    assert_eq!(reply["reason"], "missing_preconditions");
    assert_eq!(t.hub().fop("A").unwrap().current_athlete().unwrap()["fullName"], "KJELLEVAND, Jørgen");
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("timer", &sample("http-era/timer-stop.json")).await["status"], 200);
}

#[tokio::test]
async fn p5_binary_first_startup_with_an_update_key() {
    let t = TestServer::with(|o| o.update_key = Some(SAMPLE_KEY.into())).await;
    let mut owlcms = t.owlcms().await.with_key(SAMPLE_KEY);
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.send_binary(translations_zip_frame(&translations_json())).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(t.hub().state().database.is_none(), "held until the connection authenticates");
    // The captured update carries the key OWLCMS was configured with.
    let reply = owlcms.request_raw(&owlcms.envelope("update", &sample(LIFTING_ORDER))).await;
    assert_eq!(reply["status"], 428, "flags still missing: {reply}");
    assert_eq!(reply["missing"], json!(["flags_zip"]));
    let state = t.hub().state();
    assert_eq!(state.database.as_ref().unwrap().athlete_count(), 39);
    assert!(state.translations.is_some());
}

#[tokio::test]
async fn p6_database_metadata_is_not_a_fop_update() {
    let (t, mut owlcms) = ready().await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let before = t.hub().fop("A").unwrap();
    let checksum = "0f".repeat(32);
    let reply = owlcms.request("database_metadata", &json!({"databaseChecksum": checksum})).await;
    assert_eq!(reply, json!({"status": 200, "message": "Database metadata processed"}));
    let after = t.hub().fop("A").unwrap();
    assert_eq!(after.version, before.version);
    assert_eq!(after.data, before.data);
    // The announced checksum names the next database_zip; the same checksum again is not reloaded.
    let mut changed = database_json();
    changed["competition"]["competitionName"] = json!("NM LAG 2025");
    owlcms.send_binary(database_zip_frame(&changed)).await;
    owlcms.sync().await;
    let loaded = t.hub().state().database.clone().unwrap();
    assert_eq!((loaded.checksum.as_str(), loaded.competition_name()), (checksum.as_str(), Some("NM LAG 2025")));
    owlcms.request("database_metadata", &json!({"databaseChecksum": checksum})).await;
    owlcms.send_binary(database_zip_frame(&changed)).await;
    owlcms.sync().await;
    assert!(Arc::ptr_eq(&loaded, t.hub().state().database.as_ref().unwrap()), "identical database not reloaded");
}

#[tokio::test]
async fn p7_mixed_scalar_types_and_key_spellings() {
    let (t, mut owlcms) = ready().await;
    let mut update = sample(LIFTING_ORDER);
    // Same update with keys as strings and lists as JSON text, as older senders did.
    update["currentAthleteKey"] = json!("1907684233");
    update["liftingOrderKeys"] = json!(update["liftingOrderKeys"].to_string());
    update["sessionAthletes"] = json!(update["sessionAthletes"].to_string());
    owlcms.request("update", &update).await;
    let fop = t.hub().fop("A").unwrap();
    assert_eq!(fop.current_athlete().unwrap()["fullName"], "KJELLEVAND, Jørgen");
    assert!(fop.athlete(&json!(-1393305065)).is_some());
    assert!(fop.athlete(&json!("-1393305065")).is_some());
    owlcms.request("timer", &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": 30000, "timeAllowed": 120000})).await;
    assert_eq!(t.hub().fop("A").unwrap().athlete_clock.time_allowed_ms, 120_000);
    owlcms.request("timer", &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": "45000", "timeAllowed": "60000"})).await;
    let clock = t.hub().fop("A").unwrap().athlete_clock.clone();
    assert_eq!((clock.remaining_ms, clock.time_allowed_ms), (45_000, 60_000));
}

#[tokio::test]
async fn p8_locale_ids_with_underscore_or_dash() {
    let (t, _owlcms) = ready().await;
    let state = t.hub().state();
    let tr = state.translations.as_ref().unwrap();
    assert_eq!(tr.resolve_locale("fr-CA"), Some("fr_CA"));
    assert_eq!(tr.resolve_locale("fr_CA"), Some("fr_CA"));
    assert_eq!(tr.resolve_locale("es-419"), Some("es_419"));
    assert_eq!(tr.resolve_locale("pt-BR"), Some("pt"));
    assert_eq!(tr.translate("es-419", "Snatch"), "Arranque");
}

#[tokio::test]
async fn p9_non_ascii_asset_names_are_served() {
    let (t, mut owlcms) = ready().await;
    owlcms.send_binary(flags_zip_frame(&[("AK Bjørgvin.png", b"flag-bytes"), ("Kværnø IL.svg", b"<svg/>")])).await;
    owlcms.sync().await;
    let response = reqwest::get(t.http("/local/flags/AK%20Bj%C3%B8rgvin.png")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(&response.bytes().await.unwrap()[..], b"flag-bytes");
    let response = reqwest::get(t.http("/local/flags/Kv%C3%A6rn%C3%B8%20IL.svg")).await.unwrap();
    assert_eq!(response.status(), 200);
    for bad in ["/local/flags/..%2F..%2Fetc%2Fpasswd", "/local/flags/../.store", "/local/.store"] {
        let status = reqwest::get(t.http(bad)).await.unwrap().status();
        assert!(status == 404 || status == 400, "{bad}: {status}");
    }
}

#[tokio::test]
async fn p10_html_entities_in_translations_are_decoded() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    let translations =
        json!({"locales": {"en": {"Dash": "Session &ndash; Break", "Amp": "A &amp; B", "Sup": "1<sup>st</sup>"}}});
    owlcms.send_binary(translations_zip_frame(&translations)).await;
    owlcms.sync().await;
    let state = t.hub().state();
    let tr = state.translations.as_ref().unwrap();
    assert_eq!(tr.translate("en", "Dash"), "Session – Break");
    assert_eq!(tr.translate("en", "Amp"), "A & B");
    assert_eq!(tr.translate("en", "Sup"), "1<sup>st</sup>", "markup is kept for the renderer");
}

#[tokio::test]
async fn p11_running_clock_is_aged_from_receipt() {
    let (t, mut owlcms) = ready().await;
    let before = now_ms();
    owlcms
        .request(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000",
        "athleteStartTimeMillis": "1000"}),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let clock = t.hub().fop("A").unwrap().athlete_clock.clone();
    assert_eq!(clock.state, ClockState::Running);
    let remaining = clock.remaining_at(now_ms());
    assert!((59_000..=59_650).contains(&remaining), "aged remaining {remaining}");
    // The OWLCMS start time (epoch 1000 here, i.e. a badly skewed clock) is not used.
    let ends = clock.ends_at_ms().unwrap();
    assert!(ends >= before + 60_000 && ends <= now_ms() + 60_000);
}

#[tokio::test]
async fn p12_break_set_and_pause_keep_the_last_remaining_time() {
    let (t, mut owlcms) = ready().await;
    owlcms
        .request(
            "timer",
            &json!({"fopName": "A", "fopState": "BREAK", "breakTimerEventType": "BreakStarted",
        "breakMillisRemaining": "600000", "breakStartTimeMillis": "1", "indefiniteBreak": "false", "break": "true"}),
        )
        .await;
    owlcms.request("timer", &sample("http-era/timer-break-paused.json")).await;
    let brk = t.hub().fop("A").unwrap().break_clock.clone();
    assert_eq!(brk.state, BreakState::Paused);
    let remaining = brk.remaining_ms.unwrap();
    assert!((590_000..=600_000).contains(&remaining), "{remaining}");
    // The next update carries the remaining time; null means an indefinite break.
    owlcms
        .request(
            "update",
            &json!({"fop": "A", "fopState": "BREAK", "breakTimerEventType": "BreakStarted",
        "breakMillisRemaining": null, "indefiniteBreak": true}),
        )
        .await;
    let brk = t.hub().fop("A").unwrap().break_clock.clone();
    assert_eq!((brk.state, brk.remaining_ms), (BreakState::Indefinite, None));
}

#[tokio::test]
async fn p13_one_socket_many_fops() {
    let (t, mut owlcms) = ready().await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let mut other = sample(START_LIFTING);
    other["fop"] = json!("Plattform Ø");
    other["fopName"] = json!("Plattform Ø");
    owlcms.request("update", &other).await;
    owlcms
        .request(
            "timer",
            &json!({"fopName": "Plattform Ø", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": 120000}),
        )
        .await;
    assert_eq!(t.hub().fop("A").unwrap().athlete_clock.state, ClockState::Set);
    assert_eq!(t.hub().fop("Plattform Ø").unwrap().athlete_clock.state, ClockState::Running);
    assert_eq!(t.hub().state().fops, ["A", "Plattform Ø"]);
}

#[tokio::test]
async fn p14_large_frames_up_to_100_mib_are_accepted() {
    let (t, mut owlcms) = ready().await;
    // An unused binary type of 101 MiB: read, ignored, and the connection stays usable.
    let payload = vec![7u8; 101 * 1024 * 1024];
    owlcms.send_binary(encode_frame(VERSION, "styles", &payload)).await;
    owlcms.sync().await;
    // The large real message: the SwitchGroup update with the embedded database (461 KB).
    assert_eq!(owlcms.request("update", &sample(SWITCH_GROUP)).await["status"], 200);
    assert_eq!(t.hub().fop("A").unwrap().field("uiEvent").as_deref(), Some("SwitchGroup"));
}

#[tokio::test]
async fn p15_identical_resends_are_idempotent() {
    let (t, mut owlcms) = ready().await;
    let state = t.hub().state();
    let (db, tr) = (state.database.clone().unwrap(), state.translations.clone().unwrap());
    // Same bytes without a checksum, and translations with the same checksum: no reload.
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.send_binary(translations_zip_frame(&translations_json())).await;
    owlcms.sync().await;
    let state = t.hub().state();
    assert!(Arc::ptr_eq(&db, state.database.as_ref().unwrap()));
    assert!(Arc::ptr_eq(&tr, state.translations.as_ref().unwrap()));
    // An asset ZIP replaces its whole folder.
    owlcms.send_binary(flags_zip_frame(&[("New.svg", b"<svg/>")])).await;
    owlcms.sync().await;
    assert_eq!(reqwest::get(t.http("/local/flags/Spydeberg%20Atletene.svg")).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(t.http("/local/flags/New.svg")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn p16_a_new_connection_does_not_purge_local_files() {
    let (t, _owlcms) = ready().await;
    let mut probe = t.owlcms().await;
    probe.sync().await;
    assert_eq!(reqwest::get(t.http("/local/flags/Spydeberg%20Atletene.svg")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn p17_428_is_not_repeated_for_every_message_of_a_burst() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    let mut requests = 0;
    for i in 0..10 {
        let reply = owlcms
            .request("timer", &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": i}))
            .await;
        match reply["status"].as_u64() {
            Some(428) => requests += 1,
            Some(202) => assert_eq!(reply["reason"], "awaiting_requested_data"),
            _ => panic!("unexpected reply {reply}"),
        }
    }
    assert_eq!(requests, 1);
    assert_eq!(t.health().await.1["counters"]["requestsSent"], 1);
    // A new connection (OWLCMS reconnecting) may ask again at once.
    let mut again = t.owlcms().await;
    assert_eq!(again.request("timer", &json!({"fopName": "A"})).await["status"], 428);
}

#[tokio::test]
async fn p18_date_arrays_and_iso_strings_both_work() {
    let (t, mut owlcms) = ready().await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let state = t.hub().state();
    let db = state.database.as_ref().unwrap();
    let athlete = db.athlete(&json!(-1347246554)).unwrap();
    assert_eq!(athlete["fullBirthDate"], "2001-01-18", "array normalised");
    assert_eq!(athlete["yearOfBirth"], 2001);
    assert_eq!(athlete["snatch1LiftTime"], "2024-11-23T10:02:41.550244");
    assert_eq!(db.raw["competition"]["competitionDate"], "2024-11-23");
    let fop = t.hub().fop("A").unwrap();
    assert_eq!(fop.current_athlete().unwrap()["fullBirthDate"], "1992-10-15", "ISO string kept");
}

#[tokio::test]
async fn p19_each_update_is_a_full_snapshot() {
    // With no sequence numbers or resends, the state after an update must not depend on what
    // was (or was not) received before it.
    let (a, mut first) = ready().await;
    first.request("update", &sample(SWITCH_GROUP)).await;
    first.request("update", &sample(START_LIFTING)).await;
    first.request("update", &sample(LIFTING_ORDER)).await;
    let (b, mut second) = ready().await;
    second.request("update", &sample(LIFTING_ORDER)).await;
    assert_eq!(a.hub().fop("A").unwrap().data, b.hub().fop("A").unwrap().data);
}

#[tokio::test]
async fn p21_a_database_that_fails_to_parse_leaves_no_latch() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    let broken = encode_frame(VERSION, "database_zip", &zip_of(&[("competition.json", b"{\"athletes\": [")]));
    owlcms.send_binary(broken).await;
    let reply = owlcms.reply().await;
    assert_eq!(reply["status"], 400, "{reply}");
    assert!(reply["message"].as_str().unwrap().contains("not valid JSON"), "{reply}");
    let reply =
        owlcms.request("database", &json!({"databaseChecksum": "x", "database": {"formatVersion": "2.0"}})).await;
    assert_eq!(reply["status"], 400, "{reply}");
    // Nothing is stuck: a good database loads and updates are processed.
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 200);
    assert_eq!(t.hub().state().database.as_ref().unwrap().athlete_count(), 39);
}

#[tokio::test]
async fn p9_pictures_and_flags_are_found_without_their_extension() {
    let (t, mut owlcms) = ready().await;
    let frame = encode_frame(VERSION, "pictures_zip", &zip_of(&[("2001004.jpg", b"jpeg-bytes")]));
    owlcms.send_binary(frame).await;
    owlcms.sync().await;
    let response = reqwest::get(t.http("/local/pictures/2001004")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(&response.bytes().await.unwrap()[..], b"jpeg-bytes");
    assert_eq!(reqwest::get(t.http("/local/flags/Spydeberg%20Atletene")).await.unwrap().status(), 200);
    assert_eq!(reqwest::get(t.http("/local/pictures/9999")).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(t.http("/local/pictures/..%2Fflags%2FSpydeberg%20Atletene")).await.unwrap().status(), 404);
}
