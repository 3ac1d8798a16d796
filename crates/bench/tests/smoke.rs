//! The benchmark harness still works: a few seconds' run with three viewers against the
//! debug build of the tracker (numbers are not checked here; `owlcms-bench` reports them).

use owlcms_bench::scenario::{self, Load};
use std::path::Path;

#[tokio::test]
async fn bench_smoke_run() {
    // Another package's binary: found (or built) next to this test, as the black-box tests do.
    let tracker = e2e::tracker_binary();
    let binary = tracker.as_path();
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let m = scenario::run(binary, &plugins, 3, Load::SMOKE).await.unwrap();
    assert_eq!(m.clients_ready, 3);
    assert_eq!(m.clock.count, 5 * 3, "every viewer got every clock event");
    assert_eq!(m.clock_lost, 0);
    assert_eq!((m.view.count, m.view_lost), (2, 0));
    assert!(m.timers_per_second > 0.0 && m.updates_per_second > 0.0);
    assert!(m.rss_idle_mib > 0.0 && m.rss_clients_mib >= m.rss_idle_mib * 0.5);
    assert!(m.bytes_per_viewer_per_lift > 100.0);
    let startup = scenario::startup(binary, &plugins).await.unwrap();
    assert!(startup.empty_ms > 0.0 && startup.restored_ms > 0.0);
}
