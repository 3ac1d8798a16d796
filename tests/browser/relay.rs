//! A scoreboard on a relay node (issue 14) against the same board on the ingest node, in the
//! browser: a real nats-server, the binary as ingest node (fed by the OWLCMS test client with
//! the captured session and its flag) and as relay; the grid, the flag and the catalogue-driven
//! page must be the same on both, before and after OWLCMS moves the session on.

#[path = "../../server/tests/common/nats.rs"]
mod nats;

use super::owlcms::{self, Owlcms};
use super::{PATIENCE, TV, cdp::Chrome, copy_dir, dist, no_errors, photograph, repo, text};
use e2e::Tracker;
use serde_json::json;
use std::time::{Duration, Instant};

/// What the page shows that must not differ between nodes: the grid and the attempt bar.
const SHOWN: &str = "JSON.stringify([document.querySelector('table.grid')?.outerHTML ?? '', \
     document.querySelector('.attempt-bar .ab-name')?.textContent ?? '', document.title])";

/// The relay's copy of the page equals the ingest's within `limit` (the relay is a hop behind).
async fn same_page(ingest: &super::cdp::Page, relay: &super::cdp::Page, what: &str) -> String {
    let started = Instant::now();
    loop {
        let (a, b) = (ingest.eval(SHOWN).await, relay.eval(SHOWN).await);
        if a == b && a.as_str().is_some_and(|s| s.contains("<table")) {
            return a.as_str().unwrap_or_default().to_owned();
        }
        assert!(started.elapsed() < PATIENCE, "{what}: the relay's page differs from the ingest's:\n{a}\n{b}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_on_a_relay_shows_what_the_same_board_shows_on_the_ingest_node() {
    let nats = nats::Nats::start();
    let plugins = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("plugins"), plugins.path());
    let dist = dist();
    let common = ["--nats-url", &nats.url(), "--dist-dir", dist.to_str().unwrap()];
    let mut ingest_args = common.to_vec();
    ingest_args.extend(["--plugins-dir", plugins.path().to_str().unwrap()]);
    let ingest = Tracker::start(&ingest_args, &[]);
    let mut owlcms = Owlcms::competition(&format!("ws://{}/ws", ingest.addr)).await;
    let mut relay_args = common.to_vec();
    relay_args.extend(["--relay-id", "browser", "relay"]);
    let relay = Tracker::start(&relay_args, &[]);
    let chrome = Chrome::launch();

    let open = |tracker: &Tracker| {
        let url = tracker.url("/lifting-order?fop=A");
        let chrome = &chrome;
        async move {
            let page = chrome.page().await;
            page.viewport(TV.0, TV.1).await;
            page.goto(&url).await;
            page
        }
    };
    let on_ingest = open(&ingest).await;
    let on_relay = open(&relay).await;
    let current = "document.querySelector('tr.current td.name')?.textContent === 'KJELLEVAND, Jørgen'";
    on_relay.wait_for("the current athlete on the relay", current, PATIENCE).await;
    same_page(&on_ingest, &on_relay, "the captured session").await;
    // The flag comes from the relay's mirror of the ingest's files, and is drawn.
    let flag = "[...document.querySelectorAll('img.flag')].filter(i => i.complete && i.naturalWidth > 0)\
                .map(i => new URL(i.src).pathname)";
    let drawn = on_relay.wait_for("a drawn flag on the relay", &format!("{flag}.length > 0 && {flag}"), PATIENCE).await;
    assert!(drawn.to_string().contains("/local/flags/Spydeberg"), "flags drawn: {drawn}");
    assert_eq!(on_ingest.eval(flag).await, on_relay.eval(flag).await, "same flags");
    assert_eq!(text(&on_relay, ".attempt-bar .ab-weight").await, "170kg");

    // OWLCMS moves on: a decision, then the next athlete; the relay follows.
    owlcms
        .decision(json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "true", "d3": "true", "decisionsVisible": "true"}))
        .await;
    on_relay
        .wait_for(
            "three lights on the relay",
            "document.querySelectorAll('.attempt-bar .light.good').length === 3",
            PATIENCE,
        )
        .await;
    owlcms.decision(json!({"decisionEventType": "RESET", "decisionsVisible": "false"})).await;
    let before = same_page(&on_ingest, &on_relay, "after the decision").await;
    // The athlete asks for one more kilo: a visible change on both nodes.
    let mut next = owlcms::sample(owlcms::LIFTING_ORDER);
    next["weight"] = json!(171);
    owlcms.update(&next).await;
    on_relay
        .wait_for(
            "the new weight on the relay",
            "document.querySelector('.attempt-bar .ab-weight')?.textContent === '171kg'",
            PATIENCE,
        )
        .await;
    let after = same_page(&on_ingest, &on_relay, "after OWLCMS's update").await;
    assert!(!before.is_empty() && !after.is_empty());
    photograph(&on_relay, "relay-standard-grid", "document.querySelector('tr.current')").await;
    no_errors(&on_relay);
}
