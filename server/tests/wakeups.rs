//! Who the hub wakes (issue 12): timer, decision and bookkeeping frames publish no competition
//! state and wake no view task; a lifting-order update wakes the views of its FOP and the
//! competition-wide ones, and a view of another FOP sleeps through it. Counted by the server
//! (`/metrics`), with a real OWLCMS WebSocket client and real SSE viewers.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

async fn metric(t: &TestServer, name: &str) -> u64 {
    let text = reqwest::get(t.http("/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("owlcms_tracker_{name} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no {name}")).trim().parse().unwrap()
}

/// Lets view tasks finish what earlier frames started.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn timer_and_decision_frames_wake_no_view() {
    let (t, mut owlcms) = live().await;
    let mut a = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    a.next_of("view").await;
    let mut wide = SseClient::connect(&t.http("/api/stream?plugin=team-rankings"), None).await;
    wide.next_of("view").await;

    settle().await;
    let (wakeups, revision) = (metric(&t, "view_wakeups_total").await, metric(&t, "state_publishes_total").await);
    for i in 0..10 {
        let timer = json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": 60_000 - i});
        assert_eq!(owlcms.request("timer", &timer).await["status"], 200);
        let decision = json!({"fop": "A", "decisionEventType": "RESET"});
        assert_eq!(owlcms.request("decision", &decision).await["status"], 200);
    }
    // The viewers did get the clock and decision events…
    a.next_of("clock").await;
    a.next_of("decision").await;
    settle().await;
    // …and no view task woke up, and the competition state was not republished.
    assert_eq!(metric(&t, "view_wakeups_total").await, wakeups, "timer/decision frames woke view tasks");
    assert_eq!(metric(&t, "state_publishes_total").await, revision, "timer/decision frames republished the state");

    // A lifting-order change wakes the FOP's view only: the team rankings' inputs (the merged
    // results) did not change.
    let mut update = sample(LIFTING_ORDER);
    update["weight"] = json!("171");
    owlcms.request("update", &update).await;
    a.next_of("view").await;
    settle().await;
    let woken = metric(&t, "view_wakeups_total").await - wakeups;
    assert_eq!(woken, 1, "a weight change woke views {woken} times");
    // A result change wakes the competition-wide view too, once per view.
    update["sessionAthletes"][0]["athlete"]["cleanJerk3Declaration"] = json!("199");
    owlcms.request("update", &update).await;

    settle().await;
    let woken = metric(&t, "view_wakeups_total").await - wakeups - 1;
    assert!((2..=3).contains(&woken), "a result change woke views {woken} times");
}

#[tokio::test]
async fn a_view_of_another_fop_sleeps_through_an_update() {
    let (t, mut owlcms) = live().await;
    // A second platform, B, with a session of its own.
    assert_eq!(owlcms.request("update", &lifting_order_on_b()).await["status"], 200);
    let mut b = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=B"), None).await;
    b.next_of("view").await;
    settle().await;
    let wakeups = metric(&t, "view_wakeups_total").await;
    for weight in ["171", "172", "173"] {
        let mut update = sample(LIFTING_ORDER);
        update["weight"] = json!(weight);
        assert_eq!(owlcms.request("update", &update).await["status"], 200);
    }
    settle().await;
    assert_eq!(metric(&t, "view_wakeups_total").await, wakeups, "FOP A's updates woke FOP B's view");
    assert!(b.maybe_next_of("view", Duration::from_millis(200)).await.is_none());
}

#[tokio::test]
async fn the_same_database_again_is_not_reloaded_but_counts_as_fresh() {
    let (t, mut owlcms) = live().await;
    let before = t.hub().state();
    tokio::time::sleep(Duration::from_millis(5)).await;
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.sync().await;
    let after = t.hub().state();
    assert!(std::sync::Arc::ptr_eq(before.database.as_ref().unwrap(), after.database.as_ref().unwrap()));
    assert!(after.database_loaded_at_ms >= before.database_loaded_at_ms);
    assert_eq!(after.revision, before.revision + 1, "one publish: the database counts as freshly sent");
    // Translations with the checksum of the loaded ones: nothing changes at all.
    let translations = json!({"locales": translations_json(), "translationsChecksum": "t-1"});
    owlcms.send_binary(translations_zip_frame(&translations)).await;
    owlcms.sync().await;
    let loaded = t.hub().state();
    assert_eq!(loaded.translations_revision, after.translations_revision + 1);
    owlcms.send_binary(translations_zip_frame(&translations)).await;
    owlcms.sync().await;
    assert_eq!(t.hub().state().revision, loaded.revision, "identical translations republished the state");
}
