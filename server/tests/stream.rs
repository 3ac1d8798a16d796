//! The SSE stream with a real server, a real OWLCMS WebSocket client and real SSE clients:
//! first events, clocks, decisions, live plugin edits, shared computation and slow clients.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn stream_url(t: &TestServer, query: &str) -> String {
    t.http(&format!("/api/stream?{query}"))
}

async fn mapping_runs(t: &TestServer) -> u64 {
    t.health().await.1["views"]["mappingRuns"].as_u64().unwrap()
}

#[tokio::test]
async fn first_events_then_clock_decision_and_view_updates() {
    let (t, mut owlcms) = live().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=lifting-order&fop=A"), None).await;
    let first = sse.next().await;
    assert_eq!(first.event, "view", "the first event is the full view");
    assert_eq!(first.retry, Some(Duration::from_secs(2)));
    let (view, id): (Value, String) = (serde_json::from_str(&first.data).unwrap(), first.id);
    assert!(!id.is_empty());
    let (status, _) = sse.next_of("status").await;
    assert_eq!(status["state"], "ok", "{status}");
    assert_eq!(view["view"]["attemptBar"]["name"], "KJELLEVAND, Jørgen");
    let (clock, _) = sse.next_of("clock").await;
    assert_eq!(clock["athlete"]["state"], "set");
    // A running clock carries its absolute end and the server's time.
    owlcms
        .request(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000"}),
        )
        .await;
    let (clock, _) = sse.next_of("clock").await;
    assert_eq!(clock["athlete"]["state"], "running");
    let ends = clock["athlete"]["endsAtMs"].as_i64().unwrap();
    let server = clock["serverTimeMs"].as_i64().unwrap();
    assert!((59_000..=60_000).contains(&(ends - server)), "{clock}");
    owlcms
        .request(
            "decision",
            &json!({"fop": "A", "decisionEventType": "FULL_DECISION", "d1": "true", "d2": "false", "d3": "true"}),
        )
        .await;
    let (decision, _) = sse.next_of("decision").await;
    assert_eq!(decision["lights"], json!([true, false, true]));
    assert_eq!(decision["visible"], true);
    owlcms.request("decision", &json!({"fop": "A", "decisionEventType": "RESET"})).await;
    let (decision, _) = sse.next_of("decision").await;
    assert_eq!((decision["visible"].clone(), decision["lights"].clone()), (json!(false), json!([null, null, null])));
    // A new update gives a new view.
    let mut update = sample(LIFTING_ORDER);
    update["weight"] = json!("171");
    owlcms.request("update", &update).await;
    let (view, second_id) = sse.next_of("view").await;
    assert_ne!(second_id, id);
    assert_eq!(view["view"]["rows"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn clock_and_decision_events_do_not_rerun_mappings() {
    let (t, mut owlcms) = live().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=lifting-order&fop=A"), None).await;
    sse.next_of("view").await;
    let runs = mapping_runs(&t).await;
    for i in 0..5 {
        owlcms
            .request(
                "timer",
                &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": 1000 * i}),
            )
            .await;
        owlcms.request("decision", &json!({"fop": "A", "decisionEventType": "RESET"})).await;
    }
    sse.next_of("decision").await;
    assert_eq!(mapping_runs(&t).await, runs);
    assert!(sse.maybe_next_of("view", Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn last_event_id_avoids_resending_an_unchanged_view() {
    let (t, _owlcms) = live().await;
    let url = stream_url(&t, "plugin=lifting-order&fop=A");
    let mut first = SseClient::connect(&url, None).await;
    let (_, id) = first.next_of("view").await;
    let mut again = SseClient::connect(&url, Some(&id)).await;
    let (clock, _) = again.next_of("clock").await;
    assert_eq!(clock["athlete"]["state"], "set", "{clock}");
    assert!(again.maybe_next_of("view", Duration::from_millis(300)).await.is_none(), "view already known");
}

#[tokio::test]
async fn fifty_viewers_share_one_computation() {
    let (t, mut owlcms) = live().await;
    let url = stream_url(&t, "plugin=lifting-order&fop=A&lang=fr&invented=1");
    let mut clients = Vec::new();
    for i in 0..50 {
        // Unknown parameters are dropped from the view key: all 50 share one view.
        let url = format!("{url}&junk{i}=x");
        clients.push(SseClient::connect(&url, None).await);
    }
    for client in &mut clients {
        client.next_of("view").await;
    }
    let runs_before = mapping_runs(&t).await;
    assert_eq!(t.health().await.1["views"]["active"], 1);
    let mut update = sample(LIFTING_ORDER);
    update["weight"] = json!("171");
    owlcms.request("update", &update).await;
    let mut ids = std::collections::HashSet::new();
    for client in &mut clients {
        ids.insert(client.next_of("view").await.1);
    }
    assert_eq!(ids.len(), 1, "the same bytes for everyone");
    assert_eq!(mapping_runs(&t).await, runs_before + 1, "one mapping run for one data change");
    drop(clients);
    let released = async {
        while t.health().await.1["views"]["active"] != 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(PATIENCE, released).await.expect("views nobody watches are released");
}

#[tokio::test]
async fn editing_breaking_and_fixing_a_mapping_while_viewers_watch() {
    let (t, _owlcms) = live().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=attempt-bar&fop=A"), None).await;
    let (first, first_id) = sse.next_of("view").await;
    assert_eq!(first["view"]["position"], "bottom");
    let mapping = t.dir.path().join("plugins/attempt-bar/mapping.jq");
    let original = std::fs::read_to_string(&mapping).unwrap();
    // Edit: the new view arrives without restart.
    let started = Instant::now();
    std::fs::write(&mapping, original.replace("position: $options.position", "position: \"edited\"")).unwrap();
    let (edited, _) = sse.next_of("view").await;
    let delay = started.elapsed();
    eprintln!("mapping edit → new view on the stream: {delay:?}");
    assert_eq!(edited["view"]["position"], "edited");
    assert!(delay < Duration::from_secs(2), "{delay:?}");
    // Break it: a status error names the file and line; the last good view stays.
    std::fs::write(&mapping, "{ fop: .fop,\n  broken: ( }").unwrap();
    let status = wait_status(&mut sse, "plugin-error").await;
    let message = status["pluginError"].as_str().unwrap();
    assert!(message.contains("attempt-bar/mapping.jq:2"), "{message}");
    let still: Value = reqwest::get(t.http("/api/view?plugin=attempt-bar&fop=A")).await.unwrap().json().await.unwrap();
    assert_eq!(still["view"]["position"], "edited");
    let listed: Value = reqwest::get(t.http("/api/plugins/attempt-bar")).await.unwrap().json().await.unwrap();
    assert_eq!(listed["status"], "error");
    assert_eq!(listed["problem"]["line"], 2);
    // Fix it: recovery.
    std::fs::write(&mapping, &original).unwrap();
    wait_status(&mut sse, "ok").await;
    let (fixed, fixed_id) = sse.next_of("view").await;
    assert_eq!(fixed["view"]["position"], "bottom");
    assert_eq!(fixed_id, first_id, "same content, same id");
}

#[tokio::test]
async fn a_runtime_error_keeps_the_last_view_and_is_reported() {
    let (t, _owlcms) = live().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=lower-third&fop=A"), None).await;
    sse.next_of("view").await;
    let mapping = t.dir.path().join("plugins/lower-third/mapping.jq");
    std::fs::write(&mapping, "error(\"no such field\")").unwrap();
    let status = wait_status(&mut sse, "plugin-error").await;
    assert!(status["pluginError"].as_str().unwrap().contains("no such field"), "{status}");
    let listed: Value = reqwest::get(t.http("/api/plugins/lower-third")).await.unwrap().json().await.unwrap();
    assert!(listed["runtimeError"].as_str().unwrap().contains("no such field"));
}

#[tokio::test]
async fn a_plugin_added_at_runtime_appears_and_serves() {
    let (t, _owlcms) = live().await;
    let dir = t.dir.path().join("plugins/session-table");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"name": "Session table", "page": "generic-table", "category": "documents"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("mapping.jq"),
        r#"{title: "Session", columns: ["Name"], rows: [.athletes[] | [.fullName]]}"#,
    )
    .unwrap();
    let appeared = async {
        loop {
            let list: Value = reqwest::get(t.http("/api/plugins")).await.unwrap().json().await.unwrap();
            if list["plugins"].as_array().unwrap().iter().any(|p| p["id"] == "session-table") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(PATIENCE, appeared).await.expect("new plugin listed");
    let v: Value = reqwest::get(t.http("/api/view?plugin=session-table&fop=A")).await.unwrap().json().await.unwrap();
    assert_eq!(v["view"]["rows"].as_array().unwrap().len(), 4, "{v}");
    std::fs::remove_dir_all(&dir).unwrap();
    let gone = async {
        while reqwest::get(t.http("/api/view?plugin=session-table&fop=A")).await.unwrap().status() != 404 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(PATIENCE, gone).await.expect("removed plugin gone");
}

#[tokio::test]
async fn waiting_status_before_owlcms_and_unknown_fops_accepted_until_then() {
    let t = TestServer::start().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=lifting-order&fop=A"), None).await;
    let (view, _) = sse.next_of("view").await;
    assert_eq!(view["view"]["status"], "waiting");
    let (status, _) = sse.next_of("status").await;
    assert_eq!(status["state"], "waiting");
    assert_eq!(status["owlcmsConnected"], false);
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let (mut ready, mut ok) = (false, false);
    while !(ready && ok) {
        let event = sse.next().await;
        let data: Value = serde_json::from_str(&event.data).unwrap_or_default();
        // The view changes by a patch or whole: what the client holds after either.
        ready |= sse.view.as_ref().is_some_and(|(v, _)| v["view"]["status"] == "ready");
        ok |= event.event == "status" && data["state"] == "ok";
    }
}

#[tokio::test]
async fn a_stalled_client_does_not_delay_others_and_memory_stays_bounded() {
    let (t, mut owlcms) = live().await;
    // A client that opens the stream and never reads from its socket.
    let mut stalled = tokio::net::TcpStream::connect(t.server().addr()).await.unwrap();
    use tokio::io::AsyncWriteExt;
    stalled
        .write_all(
            b"GET /api/stream?plugin=lifting-order&fop=A HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .unwrap();
    let mut healthy = SseClient::connect(&stream_url(&t, "plugin=lifting-order&fop=A"), None).await;
    healthy.next_of("view").await;
    let rss_before = rss_kib();
    // 3 000 clock events and 200 views: far more than the stalled socket and the event ring hold.
    for i in 0..3000 {
        let text = owlcms.envelope(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": i}),
        );
        owlcms.send_raw(&text).await;
        if i % 15 == 0 {
            let mut update = sample(LIFTING_ORDER);
            update["weight"] = json!((i / 15).to_string());
            owlcms.send_raw(&owlcms.envelope("update", &update)).await;
        }
    }
    for _ in 0..3200 {
        owlcms.reply().await;
    }
    let started = Instant::now();
    loop {
        let (clock, _) = healthy.next_of("clock").await;
        if clock["athlete"]["remainingMs"] == 2999 {
            break;
        }
    }
    eprintln!("healthy client caught up {:?} after the last event was acknowledged", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5));
    let growth = rss_kib().saturating_sub(rss_before);
    eprintln!("RSS growth with a stalled client: {growth} KiB");
    assert!(growth < 64 * 1024, "RSS grew by {growth} KiB");
    drop(stalled);
}

/// Skips status events until one with this state arrives.
async fn wait_status(sse: &mut SseClient, state: &str) -> Value {
    loop {
        let (status, _) = sse.next_of("status").await;
        if status["state"] == state {
            return status;
        }
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}

#[tokio::test]
async fn streams_end_when_the_server_shuts_down() {
    let (mut t, _owlcms) = live().await;
    let url = stream_url(&t, "plugin=lifting-order&fop=A");
    let response = reqwest::get(&url).await.unwrap();
    let mut body = response.bytes_stream();
    use futures_util::StreamExt;
    body.next().await.expect("first bytes").unwrap();
    let started = Instant::now();
    t.server.take().unwrap().stop().await.unwrap();
    let ended = async {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(2), ended).await.expect("the stream ended");
    eprintln!("server stop with an open stream took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_plugin_that_needs_pictures_makes_the_hub_ask_owlcms() {
    let (t, mut owlcms) = live().await;
    let mut sse = SseClient::connect(&stream_url(&t, "plugin=attempt-board&fop=A"), None).await;
    sse.next_of("view").await;
    // Flags arrived at startup; pictures did not: OWLCMS is asked for them.
    let request = owlcms.resource_request().await;
    assert_eq!(request["status"], 428);
    assert_eq!(request["reason"], "plugin_preconditions");
    assert_eq!(request["missing"], json!(["pictures_zip"]));
}
