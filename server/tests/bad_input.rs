//! Bad input over a real WebSocket: each gets its documented reply or close, and the hub state
//! before it is unchanged.

mod common;

use common::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A server holding a real session, and the fingerprint of its state.
async fn loaded(configure: impl FnOnce(&mut owlcms_tracker::ServerOptions)) -> (TestServer, Owlcms, Value) {
    let t = TestServer::with(configure).await;
    let mut owlcms = t.owlcms().await.with_key(SAMPLE_KEY);
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 200);
    let before = t.state_fingerprint();
    (t, owlcms, before)
}

#[tokio::test]
async fn invalid_json_gets_a_parse_error() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let reply = owlcms.request_raw("{\"version\":\"64.0.0\",").await;
    assert!(reply["error"].as_str().unwrap().starts_with("Unable to parse JSON: "), "{reply}");
    assert_eq!(t.state_fingerprint(), before);
    assert_eq!(t.health().await.1["counters"]["ingestErrors"], 1);
}

#[tokio::test]
async fn missing_version_gets_400_and_latches_a_protocol_error() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let reply = owlcms.request_raw(&json!({"type": "update", "payload": sample(LIFTING_ORDER)}).to_string()).await;
    assert_eq!(reply["status"], 400);
    assert_eq!(reply["error"], "Protocol version check failed");
    assert!(reply["reason"].as_str().unwrap().contains("missing \"version\""), "{reply}");
    let after = t.state_fingerprint();
    assert_eq!(after["fops"], before["fops"]);
    assert_eq!(after["protocolError"], true);
}

#[tokio::test]
async fn version_2_3_0_is_refused_until_a_valid_frame_arrives() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let text = json!({"version": "2.3.0", "type": "update", "payload": sample(LIFTING_ORDER)}).to_string();
    let reply = owlcms.request_raw(&text).await;
    assert_eq!(
        reply["reason"],
        "OWLCMS protocol version 2.3.0 is below required minimum 64.0.0. Please upgrade OWLCMS."
    );
    assert_eq!(reply["details"]["received"], "2.3.0");
    assert_eq!(t.state_fingerprint()["fops"], before["fops"]);
    let (status, health) = t.health().await;
    assert_eq!(status, 503);
    assert_eq!(health["protocolError"]["received"], "2.3.0");
    assert_eq!(health["counters"]["protocolErrors"], 1);
    // Binary frames with an old version are dropped silently and latch the same way.
    owlcms.send_binary(encode_frame("2.3.0", "flags_zip", &zip_of(&[("x.svg", b"x")]))).await;
    owlcms.sync().await;
    assert_eq!(t.state_fingerprint(), before, "the valid sync frame cleared the latch; flags unchanged");
    assert_eq!(t.health().await.0, 200);
}

#[tokio::test]
async fn unknown_type_gets_400_and_changes_nothing() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let reply = owlcms.request("scoreboard", &json!({"fop": "A", "fullName": "GHOST"})).await;
    assert_eq!(reply["status"], 400);
    assert_eq!(reply["error"], "Unknown message type \"scoreboard\"");
    assert_eq!(reply["known"], json!(["update", "timer", "decision", "database", "database_metadata"]));
    assert_eq!(t.state_fingerprint(), before);
}

#[tokio::test]
async fn missing_payload_gets_invalid_format() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let reply = owlcms.request_raw(r#"{"version":"64.0.0","type":"update"}"#).await;
    assert_eq!(reply, json!({"error": "Invalid message format. Expected {version, type, payload}"}));
    assert_eq!(t.state_fingerprint(), before);
}

#[tokio::test]
async fn a_150_mib_frame_closes_the_connection_with_1009() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    let frame = vec![0u8; 150 * 1024 * 1024];
    // The server refuses on the frame header; our own write may fail once it has closed.
    let _ = owlcms.try_send(Message::binary(frame)).await;
    let mut saw_close = None;
    while let Ok(Some(message)) = tokio::time::timeout(PATIENCE, owlcms.next_raw()).await {
        match message {
            Ok(Message::Close(frame)) => {
                saw_close = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    eprintln!("150 MiB frame: close code {saw_close:?}");
    assert!(matches!(saw_close, Some(1009) | None), "closed with {saw_close:?}");
    assert_eq!(t.state_fingerprint(), before);
    let mut again = t.owlcms().await;
    again.sync().await;
}

#[tokio::test]
async fn zip_with_parent_entries_is_refused_and_writes_nothing() {
    let (t, mut owlcms, before) = loaded(|_| {}).await;
    owlcms.send_binary(flags_zip_frame(&[("fine.svg", b"1"), ("../../escaped.svg", b"2")])).await;
    let reply = owlcms.reply().await;
    assert_eq!(reply["status"], 400);
    assert!(reply["message"].as_str().unwrap().contains("unsafe path"), "{reply}");
    assert_eq!(t.state_fingerprint(), before);
    assert!(!t.dir.path().join("escaped.svg").exists());
    assert!(!t.dir.path().join("local/escaped.svg").exists());
    assert_eq!(
        reqwest::get(t.http("/local/flags/Spydeberg%20Atletene.svg")).await.unwrap().status(),
        200,
        "old flags still served"
    );
    assert_eq!(reqwest::get(t.http("/local/flags/fine.svg")).await.unwrap().status(), 404);
}

#[tokio::test]
async fn zip_bomb_is_refused_by_size_and_by_entry_count() {
    let (t, mut owlcms, before) = loaded(|o| o.zip_limits.max_total_bytes = 16 * 1024 * 1024).await;
    // 64 MiB of zeros compress to about 64 KB.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    owlcms.send_binary(flags_zip_frame(&[("bomb.svg", &zeros)])).await;
    let reply = owlcms.reply().await;
    assert_eq!(reply["status"], 400);
    assert!(reply["message"].as_str().unwrap().contains("expands to more than"), "{reply}");
    // The same through the database path.
    let frame = encode_frame(VERSION, "database_zip", &zip_of(&[("competition.json", &zeros)]));
    owlcms.send_binary(frame).await;
    assert!(owlcms.reply().await["message"].as_str().unwrap().contains("expands to more than"));
    // Too many entries, with the default cap of 20 000.
    let names: Vec<String> = (0..20_001).map(|i| format!("f{i}.svg")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    owlcms.send_binary(flags_zip_frame(&entries)).await;
    let reply = owlcms.reply().await;
    assert!(reply["message"].as_str().unwrap().contains("20001 entries"), "{reply}");
    assert_eq!(t.state_fingerprint(), before);
    let leftovers = std::fs::read_dir(t.dir.path().join("local/.store")).unwrap().count();
    assert_eq!(leftovers, 1, "only the served flags generation remains");
}

#[tokio::test]
async fn wrong_update_key_gets_401_and_close_1008() {
    let (t, _owlcms, before) = loaded(|o| o.update_key = Some(SAMPLE_KEY.into())).await;
    let mut intruder = t.owlcms().await.with_key("guess");
    let reply = intruder.request("update", &json!({"fop": "A", "fullName": "INTRUDER"})).await;
    assert_eq!(reply, json!({"status": 401, "message": "Access not authorized"}));
    intruder.expect_close(1008).await;
    let mut keyless = t.owlcms().await;
    assert_eq!(
        keyless.request("timer", &json!({"fopName": "A", "athleteTimerEventType": "StartTime"})).await["status"],
        401
    );
    keyless.expect_close(1008).await;
    assert_eq!(t.state_fingerprint(), before);
    assert_eq!(t.health().await.1["counters"]["authFailures"], 2);
}

#[tokio::test]
async fn binary_before_key_is_held_then_discarded_when_the_key_is_wrong() {
    let t = TestServer::with(|o| o.update_key = Some(SAMPLE_KEY.into())).await;
    let before = t.state_fingerprint();
    let mut intruder = t.owlcms().await.with_key("guess");
    intruder.send_binary(database_zip_frame(&database_json())).await;
    intruder.send_binary(flags_zip_frame(&[("x.svg", b"x")])).await;
    let reply = intruder.request("update", &json!({"fop": "A"})).await;
    assert_eq!(reply["status"], 401);
    intruder.expect_close(1008).await;
    assert_eq!(t.state_fingerprint(), before);
    assert!(!t.dir.path().join("local/flags").exists());
}

#[tokio::test]
async fn too_many_binary_frames_before_the_key_close_the_connection() {
    let t = TestServer::with(|o| {
        o.update_key = Some(SAMPLE_KEY.into());
        o.max_pending_frames = 2;
    })
    .await;
    let before = t.state_fingerprint();
    let mut owlcms = t.owlcms().await;
    for _ in 0..3 {
        owlcms.send_binary(flags_zip_frame(&[("x.svg", b"x")])).await;
    }
    let reply = owlcms.reply().await;
    assert_eq!(
        reply,
        json!({"status": 401, "message": "Not authenticated. Send text frame with valid updateKey first"})
    );
    owlcms.expect_close(1008).await;
    assert_eq!(t.state_fingerprint(), before);
}
