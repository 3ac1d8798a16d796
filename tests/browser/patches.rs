//! A board fed by view patches through a whole simulated session shows exactly what a board
//! opened at the end (fed one full view) shows: the client's patch application and its keyed
//! rendering, compared on the DOM.

use super::{PATIENCE, Rig, TV, no_errors};
use owlcms_simulator::meet::Meet;
use owlcms_simulator::speed::Speed;
use owlcms_simulator::{self as simulator, SimulatorOptions};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Counts the `patch` events the page's stream delivers (wraps the page's listener; on
/// `EventTarget`, so that both its own `EventSource` and the shared stream's source count).
const COUNT_PATCHES: &str = "window.__patches = 0;
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type === 'patch') {
      const inner = listener;
      listener = function (event) { window.__patches++; return inner.call(this, event); };
    }
    return add.call(this, type, listener, options);
  };";

/// The board as drawn, without what moves by itself (the clock's digits).
const BOARD: &str = "(() => { const grid = document.querySelector('table.grid');
  const bar = document.querySelector('.attempt-bar');
  if (!grid) return null;
  const copy = (bar ? bar.cloneNode(true) : null);
  copy?.querySelectorAll('.clock, .timer, [class*=clock]').forEach(c => c.remove());
  return grid.outerHTML + '|' + (copy ? copy.outerHTML : ''); })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_fed_by_patches_equals_a_board_rebuilt_from_the_full_view() {
    let rig = Rig::start().await;
    let mut options = SimulatorOptions::new(&format!("ws://{}/ws", rig.tracker.addr));
    options.speed = Speed::Factor(400.0);
    options.fops = Some(vec!["A".into()]);
    options.max_sessions = Some(1);
    let live = rig.chrome.page().await;
    live.before_load(COUNT_PATCHES).await;
    live.viewport(TV.0, TV.1).await;
    let run = tokio::spawn(simulator::run(Meet::demo().unwrap(), options, CancellationToken::new()));
    live.goto(&rig.tracker.url("/lifting-order?fop=A")).await;
    live.wait_for("the live board", "!!document.querySelector('table.grid tbody tr')", PATIENCE).await;
    run.await.unwrap().expect("the simulated session ran");
    let patches = live.eval("window.__patches").await.as_u64().unwrap();
    assert!(patches >= 20, "the live board received {patches} patches");
    // A board opened now gets the final view whole.
    let fresh = rig.open("/lifting-order?fop=A", TV).await;
    fresh.wait_for("the fresh board", "!!document.querySelector('table.grid tbody tr')", PATIENCE).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (a, b) = (live.eval(BOARD).await, fresh.eval(BOARD).await);
        if a == b && a.is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "the patched board differs from the rebuilt one:\n{a}\n---\n{b}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(fresh.eval("window.__patches ?? 0").await.as_u64(), Some(0));
    no_errors(&live);
    no_errors(&fresh);
}
