//! Delivery (issue 13) with a real server, a real OWLCMS WebSocket client or the simulator,
//! and real SSE clients: view patches rebuild every version byte for byte (each checked by
//! the harness against the content id the server gave it) over a simulated session and after
//! a `Last-Event-ID` resume; a viewer of FOP B is never woken by FOP A (counted by the
//! server); the cap on live views.

mod common;

use common::*;
use owlcms_simulator::meet::Meet;
use owlcms_simulator::speed::Speed;
use owlcms_simulator::{self as simulator, SimulatorOptions};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

async fn metric(t: &TestServer, name: &str) -> u64 {
    let text = reqwest::get(t.http("/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("owlcms_tracker_{name} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no {name}")).trim().parse().unwrap()
}

/// `/api/view` as the server sends it: body bytes and ETag (the version).
async fn api_view(t: &TestServer, query: &str) -> (Vec<u8>, String) {
    let response = reqwest::get(t.http(&format!("/api/view?{query}"))).await.unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().trim_matches('"').to_owned();
    (response.bytes().await.unwrap().to_vec(), etag)
}

/// Reads the stream until it holds the version `/api/view` serves, then compares the bytes.
async fn holds_what_api_view_serves(t: &TestServer, sse: &mut SseClient, query: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (body, etag) = api_view(t, query).await;
        let held = sse.view.as_ref().map(|(_, id)| id.clone());
        if held.as_deref() == Some(etag.as_str()) {
            let (value, _) = sse.view.as_ref().unwrap();
            assert_eq!(serde_json::to_vec(value).unwrap(), body, "{query}: the held view equals /api/view");
            return;
        }
        assert!(Instant::now() < deadline, "{query}: the stream never reached /api/view's version {etag}");
        let _ = tokio::time::timeout(Duration::from_millis(200), sse.next()).await;
    }
}

#[tokio::test]
async fn a_patch_stream_rebuilds_every_version_over_a_simulated_session() {
    let t = TestServer::start().await;
    let mut options = SimulatorOptions::new(&t.ws_url());
    // Fast, but slow enough for the viewers to take most versions one by one (as patches).
    options.speed = Speed::Factor(400.0);
    options.fops = Some(vec!["A".into()]);
    options.max_sessions = Some(1);
    let run = tokio::spawn(simulator::run(Meet::demo().unwrap(), options, CancellationToken::new()));
    let queries = ["plugin=lifting-order&fop=A", "plugin=rankings&fop=A", "plugin=results-protocol"];
    let mut viewers = Vec::new();
    for query in queries {
        // The FOP exists once the simulator's first update arrived.
        let deadline = Instant::now() + PATIENCE;
        while reqwest::get(t.http(&format!("/api/view?{query}"))).await.unwrap().status() != 200 {
            assert!(Instant::now() < deadline, "{query} never served");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        viewers.push(SseClient::connect(&t.http(&format!("/api/stream?{query}")), None).await);
    }
    while !run.is_finished() {
        for viewer in &mut viewers {
            // Every `view` and `patch` frame is checked by the harness as it arrives.
            let _ = tokio::time::timeout(Duration::from_millis(20), viewer.next()).await;
        }
    }
    run.await.unwrap().expect("the simulated session ran");
    for (viewer, query) in viewers.iter_mut().zip(queries) {
        holds_what_api_view_serves(&t, viewer, query).await;
    }
    let patches: Vec<usize> = viewers.iter().map(|v| v.patches).collect();
    assert!(patches[0] >= 20, "the lifting order changed by patches: {patches:?}");
    assert!(patches.iter().all(|p| *p > 0), "every board received patches: {patches:?}");
}

#[tokio::test]
async fn last_event_id_resumes_with_a_patch_or_the_whole_view() {
    let (t, mut owlcms) = live().await;
    let query = "plugin=lifting-order&fop=A";
    let url = t.http(&format!("/api/stream?{query}"));
    // Another board keeps the view live (a view nobody watches is released, and its history
    // with it).
    let mut anchor = SseClient::connect(&url, None).await;
    anchor.next_of("view").await;
    let mut first = SseClient::connect(&url, None).await;
    first.next_of("view").await;
    let held_x = first.view.clone().unwrap();
    drop(first);
    let change = |weight: &str| {
        let mut update = sample(LIFTING_ORDER);
        update["weight"] = json!(weight);
        update
    };
    // Two versions later: both patches, in order (the harness applies and checks each).
    for weight in ["171", "172"] {
        assert_eq!(owlcms.request("update", &change(weight)).await["status"], 200);
        // One version per change (the view task may otherwise take both in one run).
        anchor.next_of("view").await;
    }
    let (_, at_z) = api_view(&t, query).await;
    let mut resumed = SseClient::resume(&url, held_x.clone()).await;
    assert_eq!(resumed.next().await.event, "patch");
    let event = resumed.next().await;
    assert_eq!(
        (event.event.as_str(), event.id.as_str()),
        ("patch", at_z.as_str()),
        "two patches to the current version"
    );
    assert_eq!(resumed.patches, 2);
    // A version the server no longer has (or never had): the whole view.
    let mut lost = SseClient::resume(&url, (held_x.0.clone(), "0123456789abcdef".into())).await;
    let event = lost.next().await;
    assert_eq!((event.event.as_str(), event.id.as_str()), ("view", at_z.as_str()), "missed base: the full view");
    let held_z = resumed.view.clone().unwrap();
    drop(resumed);
    // One version later, the server still has the patch from Z: only the patch is sent.
    assert_eq!(owlcms.request("update", &change("173")).await["status"], 200);
    anchor.next_of("view").await;
    let (body_w, at_w) = api_view(&t, query).await;
    let mut resumed = SseClient::resume(&url, held_z).await;
    let event = resumed.next().await;
    assert_eq!(event.event, "patch", "resumed from the version held");
    assert_eq!(event.id, at_w);
    assert!(
        event.data.len() < body_w.len() / 4,
        "a patch of {} bytes for a {}-byte view",
        event.data.len(),
        body_w.len()
    );
    assert_eq!(serde_json::to_vec(&resumed.view.as_ref().unwrap().0).unwrap(), body_w);
    // Holding the current version: no view at all.
    let mut current = SseClient::resume(&url, resumed.view.clone().unwrap()).await;
    assert!(current.maybe_next_of("patch", Duration::from_millis(300)).await.is_none());
    assert!(current.view.as_ref().is_some_and(|(_, id)| *id == at_w));
}

#[tokio::test]
async fn a_viewer_of_fop_b_is_not_woken_while_fop_a_changes() {
    let (t, mut owlcms) = live().await;
    assert_eq!(owlcms.request("update", &lifting_order_on_b()).await["status"], 200);
    let mut b = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=B"), None).await;
    b.next_of("view").await;
    b.next_of("decision").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (wakeups, frames) = (metric(&t, "stream_wakeups_total").await, metric(&t, "stream_frames_total").await);
    for i in 0..10 {
        let timer = json!({"fopName": "A", "athleteTimerEventType": if i % 2 == 0 { "StartTime" } else { "StopTime" }, "athleteMillisRemaining": 60_000 - i * 1000});
        owlcms.request("timer", &timer).await;
        owlcms
            .request(
                "decision",
                &json!({"fop": "A", "decisionEventType": "FULL_DECISION", "d1": "true", "d2": "true", "d3": "false"}),
            )
            .await;
        owlcms.request("decision", &json!({"fop": "A", "decisionEventType": "RESET"})).await;
        let mut update = sample(LIFTING_ORDER);
        update["weight"] = json!((171 + i).to_string());
        owlcms.request("update", &update).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(metric(&t, "stream_wakeups_total").await, wakeups, "FOP A's frames woke FOP B's viewer");
    assert_eq!(metric(&t, "stream_frames_total").await, frames, "FOP B's viewer was sent something");
    // The counter does count: B's own timer wakes its viewer and sends it a clock frame.
    owlcms
        .request(
            "timer",
            &json!({"fopName": "B", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": 60_000}),
        )
        .await;
    let (clock, _) = b.next_of("clock").await;
    assert_eq!(clock["athlete"]["state"], "running");
    assert!(metric(&t, "stream_wakeups_total").await > wakeups);
}

#[tokio::test]
async fn live_views_are_capped_and_released_when_viewers_leave() {
    let t = TestServer::with(|o| o.max_views = 3).await;
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let stream = |size: &str| t.http(&format!("/api/stream?plugin=lifting-order&fop=A&size={size}"));
    let mut open = Vec::new();
    for size in ["1", "2", "3"] {
        open.push(SseClient::connect(&stream(size), None).await);
    }
    assert_eq!(metric(&t, "views_active").await, 3);
    assert_eq!(metric(&t, "views_max").await, 3);
    // A fourth distinct view: refused with a JSON reason, on the stream and on /api/view.
    let refused = reqwest::get(stream("2.5")).await.unwrap();
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("MAX_VIEWS"), "{body}");
    let hostile = Instant::now();
    for i in 0..200 {
        let url = t.http(&format!("/api/view?plugin=lifting-order&fop=A&size={}", 0.5 + f64::from(i + 1) / 1000.0));
        assert_eq!(reqwest::get(url).await.unwrap().status(), 503, "distinct value {i}");
    }
    eprintln!("200 refused distinct views in {:?}", hostile.elapsed());
    assert_eq!(metric(&t, "views_refused_total").await, 201);
    assert_eq!(metric(&t, "views_active").await, 3, "refusals created no view");
    // A view that is live can still be joined.
    let mut joined = SseClient::connect(&stream("1"), None).await;
    joined.next_of("view").await;
    // A view whose last viewer leaves is released at once, and makes room.
    drop(open.remove(2));
    let deadline = Instant::now() + Duration::from_secs(2);
    while metric(&t, "views_active").await != 2 {
        assert!(Instant::now() < deadline, "the view was not released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut fourth = SseClient::connect(&stream("2.5"), None).await;
    let (view, _) = fourth.next_of("view").await;
    assert_eq!(view["options"]["size"], json!(2.5));
}
