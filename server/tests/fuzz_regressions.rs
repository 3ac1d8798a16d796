//! Regressions for what the fuzz targets (crates/fuzz) found: one test per finding, named after
//! what must hold, beside the finding's input kept under crates/fuzz/seeds/<target>/.

use owlcms_tracker::plugins::manifest::PluginConfig;
use std::collections::BTreeMap;

/// Found by `plugin_config`: a select default spelt otherwise than its choice (`"no:ne"` for
/// `none`) passed validation, since it matches the choice, but was used as spelt. The board
/// with default options then had another view key than `?score=none`, and its mapping saw a
/// value that is none of the choices.
#[test]
fn a_default_is_the_value_a_url_would_give() {
    let config = PluginConfig::parse(
        r#"{"name": "X", "page": "standard-grid", "options": [
            {"key": "score", "label": "Score", "type": "select", "choices": ["none", "qpoints"], "default": "no:ne"},
            {"key": "size", "label": "Size", "type": "number", "min": 2, "max": 3},
            {"key": "title", "label": "Title", "type": "text", "default": "  Live  "}]}"#,
    )
    .expect("valid: the default matches a choice");
    let defaults = config.resolve_options(&BTreeMap::new(), &[]);
    let spelt: BTreeMap<String, String> =
        [("score", "none"), ("size", "2"), ("title", "Live")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(defaults, config.resolve_options(&spelt, &[]));
    assert_eq!(serde_json::to_string(&defaults).unwrap(), r#"{"score":"none","size":2,"title":"Live"}"#);
}

/// Not reached by the 10-minute `competition` run (61 672 executions): seen while writing its
/// clock property, input kept under crates/fuzz/seeds/competition/. A remaining time beyond
/// i64 (`"1e30"`, twenty nines) reads as `i64::MAX`; the clock's end, receipt + remaining,
/// overflowed: a panic in debug builds, a negative `endsAtMs` sent to every viewer in release.
#[test]
fn a_huge_remaining_time_ends_the_clock_at_the_end_of_time() {
    use owlcms_tracker::hub::{Competition, Input};
    let mut competition = Competition::default();
    for payload in [
        serde_json::json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "1e30"}),
        serde_json::json!({"breakTimerEventType": "BreakStarted", "breakMillisRemaining": "99999999999999999999"}),
    ] {
        competition.apply(Input::Timer(payload.as_object().cloned().unwrap()), 1_764_000_000_000);
    }
    let fop = &competition.fops["A"];
    assert_eq!(fop.athlete_clock.ends_at_ms(), Some(i64::MAX));
    assert_eq!(fop.break_clock.ends_at_ms(), Some(i64::MAX));
    assert_eq!(fop.athlete_clock.remaining_at(1_764_000_010_000), i64::MAX - 10_000);
}

/// Found by `competition` (2026-12-02, after ~4 100 executions, once it followed the clock
/// frames a page merges): an update that changed only OWLCMS's board mode (`CURRENT_ATHLETE` →
/// `WAIT`) was not a clock change for the hub, so the live-frame task built no `clock` frame
/// and every page kept the old mode until the next clock change; after that fix, in 2 146
/// executions, the same through a timer or decision frame carrying `mode`. Inputs kept under
/// crates/fuzz/seeds/competition/clock-mode-changed-by-*.
#[tokio::test]
async fn an_update_that_changes_the_board_mode_reaches_the_clock_frames() {
    use owlcms_tracker::hub::{HubHandle, Input};
    use owlcms_tracker::views::feeds::Feeds;
    use std::time::Duration;
    let shutdown = tokio_util::sync::CancellationToken::new();
    let hub = HubHandle::spawn(shutdown.clone());
    let feeds = Feeds::spawn(hub.clone(), shutdown.clone());
    let mut frames = feeds.watch("A");
    let payload = |mode: &str| {
        let payload = serde_json::json!({"fopName": "A", "uiEvent": "SwitchGroup", "mode": mode, "fopState": "CURRENT_ATHLETE_DISPLAYED"});
        payload.as_object().cloned().unwrap()
    };
    let mode_only = |mode: &str| serde_json::json!({"fopName": "A", "mode": mode}).as_object().cloned().unwrap();
    // Then (the second finding) a timer and a decision frame that carry a new mode and change
    // no clock: both are merged into the data the clock event reads.
    let inputs = [
        ("CURRENT_ATHLETE", Input::Update(payload("CURRENT_ATHLETE"))),
        ("WAIT", Input::Update(payload("WAIT"))),
        ("INTRO_COUNTDOWN", Input::Timer(mode_only("INTRO_COUNTDOWN"))),
        ("LIFT_COUNTDOWN", Input::Decision(mode_only("LIFT_COUNTDOWN"))),
    ];
    for (mode, input) in inputs {
        hub.apply(input).await.expect("the hub runs");
        let shown = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if frames.borrow_and_update().clock.mode.as_deref() == Some(mode) {
                    return;
                }
                frames.changed().await.expect("the feed runs");
            }
        })
        .await;
        assert!(shown.is_ok(), "the clock frames still say {:?}, not {mode}", frames.borrow().clock.mode);
    }
    shutdown.cancel();
}
