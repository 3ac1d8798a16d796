//! The short competition-day soak of the test suite: 75 s of the generated meet at maximum
//! speed into the debug tracker, 200 viewers joining and leaving, a plugin edit every 3 s and
//! an OWLCMS reconnect every 25 s. `scripts/soak` runs the long one on the release build.

use owlcms_bench::soak::{self, SoakOptions};
use std::path::Path;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_competition_day() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let options = SoakOptions {
        binary: e2e::tracker_binary(),
        plugins: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins"),
        duration: Duration::from_secs(75),
        viewers: 200,
        churn_per_second: 0.02,
        edit_every: Duration::from_secs(3),
        reconnect_every: Duration::from_secs(25),
        sample_every: Duration::from_secs(5),
        warm_up: Duration::from_secs(25),
        seed: 19,
    };
    let r = soak::run(&options, |line| eprintln!("{line}")).await.unwrap();
    eprint!("{}", soak::cli::summary(&r));
    // It played: OWLCMS sent a competition's worth of events, reconnected, plugins changed.
    assert!(r.owlcms_messages.get("update").copied().unwrap_or(0) > 100, "{:?}", r.owlcms_messages);
    assert!(r.owlcms_messages.get("timer").copied().unwrap_or(0) > 100, "{:?}", r.owlcms_messages);
    assert!(r.owlcms_connections >= 3, "reconnects: {}", r.owlcms_connections);
    assert!(r.plugin_edits >= 20 && r.viewers_left >= 100, "edits {}, left {}", r.plugin_edits, r.viewers_left);
    // Every viewer's board is what /api/view says, frame by frame rebuilt.
    assert!(r.verdict.compared >= 190, "{:?}", r.verdict);
    assert_eq!(r.verdict.equal, r.verdict.compared, "{:?}", r.verdict.differences);
    assert_eq!(r.board_errors, 0, "{:?}", r.viewer_problems);
    // Nothing at error level but one explained cause: a debug build on an overloaded machine
    // can run the 240-athlete team mappings past their 3 s wall-clock limit (BENCHMARKS.md,
    // soak findings), which stops that plugin; each `/api/view` of it then answers 500, and
    // the HTTP trace layer logs a "request failed" and a "response failed" line for each.
    let stopped = |m: &str| m.starts_with("request failed") && m.contains("ran longer than");
    let count =
        |f: &dyn Fn(&str) -> bool| r.logs.errors.iter().filter(|(m, _)| f(m)).map(|(_, l)| l.count).sum::<u64>();
    let (stopped_lines, responses) = (count(&stopped), count(&|m| m == "response failed"));
    let unexplained: Vec<&String> =
        r.logs.errors.keys().filter(|m| !stopped(m) && m.as_str() != "response failed").collect();
    assert!(unexplained.is_empty() && responses == stopped_lines, "{:?}", r.logs.errors);
    if stopped_lines > 0 {
        eprintln!("note: {stopped_lines} requests met a mapping stopped at its wall-clock limit (slow debug build)");
    }
    assert!(r.clean_exit);
    // No growth after warm-up: descriptors and tasks follow the viewers (as many at the end
    // as when warm), memory stays within a margin of the warm figure. The memory bound
    // depends on issue 13's delivery changes: before them, on a slow or loaded machine, RSS
    // rises through a short run while the 1 024-event ring of FOP snapshots fills (seen here:
    // 318 → 533 MiB with a load average of 16; 375 → 422 MiB on a quieter one).
    let (warm, end) = (&r.warm, &r.end);
    assert!(warm.at_seconds > 0.0, "a warm sample was taken");
    assert!(end.fds <= warm.fds + 40, "fds {} → {}", warm.fds, end.fds);
    assert!(end.tasks <= warm.tasks + 40, "tasks {} → {}", warm.tasks, end.tasks);
    assert!(end.rss_mib <= warm.rss_mib * 1.5 + 32.0, "RSS {:.0} → {:.0} MiB", warm.rss_mib, end.rss_mib);
}
