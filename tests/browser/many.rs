//! Many boards in one browser: browsers open at most ~6 HTTP/1.1 connections per host, so
//! eight board tabs with a stream each leave the 7th and 8th stalled; with the shared worker
//! (the default) the eight share one stream and all stay live. Observed in eight tabs of one
//! headless Chromium; the arrival of each tab's clock event is read from a hook on
//! `addEventListener` injected before the page's own scripts (either kind of source).

use super::{PATIENCE, Rig, TV, no_errors, photograph};
use crate::cdp::Page;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Counts the page's own `EventSource`s and notes when the first running clock arrived.
const HOOK: &str = r#"
window.__direct = 0;
window.__clockAt = null;
const OwnEventSource = window.EventSource;
window.EventSource = function (...args) { window.__direct++; return new OwnEventSource(...args); };
window.EventSource.prototype = OwnEventSource.prototype;
window.EventSource.CLOSED = OwnEventSource.CLOSED;
const add = EventTarget.prototype.addEventListener;
EventTarget.prototype.addEventListener = function (name, listener, options) {
  if (name === 'clock' && typeof listener === 'function') {
    const own = listener;
    listener = function (e) {
      if (window.__clockAt === null && String(e.data).includes('running')) window.__clockAt = Date.now();
      return own.call(this, e);
    };
  }
  return add.call(this, name, listener, options);
};
"#;

const BOARDS: usize = 8;
const BOARD: &str = "/lifting-order?fop=A";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Eight tabs on the board; with `wait`, each is loaded and drawn before the next opens
/// (without, a tab whose connections stall would never finish loading).
async fn eight_tabs(rig: &Rig, query: &str, wait: bool) -> Vec<Page> {
    let mut pages = Vec::new();
    for _ in 0..BOARDS {
        let page = rig.chrome.page().await;
        page.before_load(HOOK).await;
        page.viewport(TV.0, TV.1).await;
        let url = rig.tracker.url(&format!("{BOARD}{query}"));
        if wait {
            page.goto(&url).await;
            page.wait_for("board drawn", "!!document.querySelector('tr.current td.name')", PATIENCE).await;
        } else {
            // Not `Page.navigate`: it answers only once the document's response starts, which
            // a stalled tab never gets.
            // A tab that is not given a connection may not answer at all: not waited for.
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                page.eval(&format!("location.href = {}; true", json!(url))),
            )
            .await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        pages.push(page);
    }
    pages
}

/// Starts the clock and returns, per tab, how many ms after the timer was sent its first
/// running clock arrived (`None`: not within `wait`).
async fn clock_arrivals(rig: &mut Rig, pages: &[Page], wait: Duration) -> Vec<Option<i64>> {
    let sent = now_ms();
    rig.owlcms
        .timer(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000", "timeAllowed": "60000"}))
        .await;
    tokio::time::sleep(wait).await;
    let mut arrivals = Vec::new();
    for page in pages {
        // A stalled tab may not even answer (its document never started): no clock.
        let at = page.eval("typeof window.__clockAt === 'number' ? window.__clockAt : null");
        let at = tokio::time::timeout(Duration::from_secs(2), at).await.ok();
        arrivals.push(at.and_then(|at| at.as_i64()).map(|at| at - sent));
    }
    arrivals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_boards_in_one_browser_share_one_stream_and_all_get_the_clock_within_a_second() {
    let mut rig = Rig::start().await;
    let pages = eight_tabs(&rig, "", true).await;
    for page in &pages {
        assert_eq!(page.eval("window.__direct").await, json!(0), "the board has no stream of its own");
    }
    let arrivals = clock_arrivals(&mut rig, &pages, Duration::from_millis(1500)).await;
    eprintln!("shared: clock arrival per tab (ms after the timer was sent): {arrivals:?}");
    for (tab, arrival) in arrivals.iter().enumerate() {
        assert!(arrival.is_some_and(|ms| ms <= 1000), "tab {tab} got the clock at {arrival:?} ms: {arrivals:?}");
    }
    // A tab that leaves takes its board off the shared stream; the others stay live.
    let last = pages.last().unwrap();
    last.call("Page.navigate", json!({"url": "about:blank"})).await;
    let running = "document.querySelector('.attempt-bar .clock.athlete.running')?.textContent";
    let before = pages[0].wait_for("running clock", running, PATIENCE).await;
    rig.owlcms.timer(json!({"athleteTimerEventType": "StopTime", "athleteMillisRemaining": "42000"})).await;
    for page in &pages[..BOARDS - 1] {
        page.wait_for(
            "stopped clock",
            "document.querySelector('.attempt-bar .clock.athlete')?.textContent === '0:42'",
            PATIENCE,
        )
        .await;
    }
    assert_ne!(before, json!("0:42"));
    photograph(&pages[0], "shared-stream", "!!document.querySelector('tr.current')").await;
    for page in &pages[..BOARDS - 1] {
        no_errors(page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_shared_stream_the_seventh_board_of_a_browser_stalls() {
    let mut rig = Rig::start().await;
    let pages = eight_tabs(&rig, "&share=false", false).await;
    // The first boards are drawn, each with its own stream.
    pages[0].wait_for("first board drawn", "!!document.querySelector('tr.current td.name')", PATIENCE).await;
    assert_eq!(pages[0].eval("window.__direct").await, json!(1), "share=false: the board's own stream");
    let arrivals = clock_arrivals(&mut rig, &pages, Duration::from_millis(3000)).await;
    eprintln!("share=false: clock arrival per tab (ms after the timer was sent): {arrivals:?}");
    let live = arrivals.iter().filter(|a| a.is_some_and(|ms| ms <= 1000)).count();
    assert!(live < BOARDS, "all {BOARDS} boards got the clock without sharing: {arrivals:?}");
    assert!(live >= 1, "the first boards are live: {arrivals:?}");
}
