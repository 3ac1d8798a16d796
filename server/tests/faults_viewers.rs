//! Faults on the delivery side, against the real binary (so its memory and descriptors can be
//! read from `/proc`): a thousand viewers that stop reading their streams, and a storm of
//! OWLCMS reconnects.

mod common;

use common::binary::Tracker;
use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// One test at a time: each loads a debug tracker on a 2-core machine, and the other's load
/// would make the first miss its 1 s deadlines for reasons that are not the fault tested.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Every viewer and OWLCMS connection of these tests comes from 127.0.0.1: no per-address caps.
const NO_ADDRESS_CAPS: [&str; 4] = ["--max-connections-per-address", "0", "--max-streams-per-address", "0"];

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")?.split_whitespace().next()?.parse().ok()).unwrap();
    kib / 1024.0
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

/// Sockets of the tracker's port with unsent data, and those bytes (`ss` from iproute2;
/// `None` where it is not installed).
fn kernel_send_queues(port: u16) -> Option<(usize, u64)> {
    let filter = format!("( sport = :{port} )");
    let out = std::process::Command::new("ss").args(["-tnH", "state", "established", &filter]).output().ok()?;
    let queues: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1)?.parse().ok())
        .filter(|q| *q > 0)
        .collect();
    Some((queues.len(), queues.iter().sum()))
}

async fn metric(tracker: &Tracker, name: &str) -> f64 {
    let text = reqwest::get(tracker.http("/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("owlcms_tracker_{name} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)?.parse().ok()).unwrap_or_else(|| panic!("{name} in {text}"))
}

/// The captured lifting-order update with another requested weight: a new view on every board.
fn update_with_weight(weight: u32) -> Value {
    let mut update = without_key(sample(LIFTING_ORDER));
    update["weight"] = json!(weight.to_string());
    update
}

/// A viewer that sends its request and never reads again, with a small receive buffer so the
/// tracker's side of the socket fills after a few events.
async fn stalled_viewer(tracker: &Tracker, path: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(tracker.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: stalled\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// Reads `sse` until an event of `kind` (whose data contains `needle`) comes; `None` past `within`.
async fn arrival(sse: &mut SseClient, kind: &str, needle: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    tokio::time::timeout(within, async {
        loop {
            let event = sse.next().await;
            // A view arrives whole or as a patch: look in the view the client now holds.
            let view_patched = kind == "view" && event.event == "patch";
            let holds = || sse.view.as_ref().is_some_and(|(v, _)| v.to_string().contains(needle));
            if (event.event == kind && event.data.contains(needle)) || (view_patched && holds()) {
                return started.elapsed();
            }
        }
    })
    .await
    .ok()
}

/// Drops whatever `sse` received so far (the stream is quiet for 100 ms afterwards).
async fn drain(sse: &mut SseClient) {
    while tokio::time::timeout(Duration::from_millis(100), sse.next()).await.is_ok() {}
}

const STALLED: usize = 1000;
/// What a thousand stalled viewers and 1 560 events may add to the tracker's memory: measured
/// +25 MiB in the debug build (52 → 77 MiB, the test prints it), bound with a 4× margin.
const RSS_GROWTH_BOUND_MIB: f64 = 100.0;

#[tokio::test]
async fn a_thousand_stalled_viewers_neither_delay_the_others_nor_grow_memory() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::start(dir.path(), &NO_ADDRESS_CAPS);
    let pid = tracker.child.id();
    let mut owlcms = Owlcms::connect(&tracker.ws_url()).await;
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("update", &update_with_weight(100)).await["status"], 200);
    let boards = [
        "plugin=lifting-order&fop=A",
        "plugin=lifting-order&fop=A&lang=fr",
        "plugin=attempt-board&fop=A",
        "plugin=rankings&fop=A&lang=de",
        "plugin=attempt-bar&fop=A&lang=fr",
        "plugin=start-order&fop=A",
    ];
    let mut healthy = Vec::new();
    for query in &boards[..3] {
        healthy.push(SseClient::connect(&tracker.http(&format!("/api/stream?{query}")), None).await);
    }
    let rss_before = rss_mib(pid);
    let mut stalled = Vec::with_capacity(STALLED);
    for i in 0..STALLED {
        stalled.push(stalled_viewer(&tracker, &format!("/api/stream?{}", boards[i % boards.len()])).await);
    }
    let deadline = Instant::now() + PATIENCE;
    while metric(&tracker, "sse_clients").await < (STALLED + healthy.len()) as f64 {
        assert!(Instant::now() < deadline, "every stalled viewer got its stream");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rss_connected = rss_mib(pid);
    for sse in &mut healthy {
        drain(sse).await;
    }
    // OWLCMS plays on: new views (a new requested weight) and clock events, alternately.
    let (mut worst_view, mut worst_clock, mut rss_peak) = (Duration::ZERO, Duration::ZERO, 0f64);
    for step in 0..30u32 {
        let weight = 120 + step;
        assert_eq!(owlcms.request("update", &update_with_weight(weight)).await["status"], 200);
        for (i, sse) in healthy.iter_mut().enumerate() {
            let needle = format!("\"weight\":\"{weight}\"");
            let took = arrival(sse, "view", &needle, Duration::from_secs(1)).await;
            let took = took
                .unwrap_or_else(|| panic!("step {step}: viewer {} got no view with {needle} within 1 s", boards[i]));
            worst_view = worst_view.max(took);
        }
        let timer = json!({"fopName": "A", "fopState": "CURRENT_ATHLETE_DISPLAYED", "mode": "CURRENT_ATHLETE",
            "athleteTimerEventType": "SetTime", "athleteMillisRemaining": (50_000 + step).to_string()});
        assert_eq!(owlcms.request("timer", &timer).await["status"], 200);
        for (i, sse) in healthy.iter_mut().enumerate() {
            let took = arrival(sse, "clock", "", Duration::from_secs(1)).await;
            let took =
                took.unwrap_or_else(|| panic!("step {step}: viewer {} got no clock event within 1 s", boards[i]));
            worst_clock = worst_clock.max(took);
        }
        rss_peak = rss_peak.max(rss_mib(pid));
    }
    let rss_paced = rss_mib(pid);
    // Then a burst longer than the tracker's shared event ring (1 024 events), which the
    // stalled viewers' streams fall behind; the healthy viewers still see the last clock.
    let burst = Instant::now();
    for k in 0..1500u32 {
        let timer = json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": (10_000 + k).to_string()});
        assert_eq!(owlcms.request("timer", &timer).await["status"], 200);
        if k % 100 == 0 {
            rss_peak = rss_peak.max(rss_mib(pid));
        }
    }
    let burst = burst.elapsed();
    assert_eq!(owlcms.request("update", &update_with_weight(999)).await["status"], 200);
    for (i, sse) in healthy.iter_mut().enumerate() {
        let took = arrival(sse, "view", "\"weight\":\"999\"", PATIENCE).await;
        assert!(took.is_some(), "viewer {} got the view after the burst", boards[i]);
    }
    let rss_after = rss_mib(pid);
    rss_peak = rss_peak.max(rss_after);
    eprintln!(
        "{STALLED} stalled viewers: RSS {rss_before:.0} MiB before, {rss_connected:.0} connected, {rss_paced:.0} after \
30 updates and 30 timers, {rss_after:.0} after 1 500 more timers in {burst:?} (peak {rss_peak:.0}); worst healthy \
view {worst_view:?}, clock {worst_clock:?}"
    );
    let grown = rss_peak - rss_before;
    assert!(grown < RSS_GROWTH_BOUND_MIB, "stalled viewers grew RSS by {grown:.0} MiB (bound {RSS_GROWTH_BOUND_MIB})");
    if let Some((stuck, bytes)) = kernel_send_queues(tracker.addr.port()) {
        // Not the tracker's memory, but the machine's: worth knowing for a small cloud machine.
        eprintln!("kernel send queues: {stuck} sockets hold unsent bytes, {:.0} MiB in all", bytes as f64 / 1048576.0);
        assert!(stuck >= STALLED, "the stalled viewers' sockets are full (else nothing was tested)");
    }
    // The stalled viewers are still connected (nobody closed them), and leaving frees them.
    assert!(metric(&tracker, "sse_clients").await >= STALLED as f64);
    drop(stalled);
    let deadline = Instant::now() + PATIENCE;
    while metric(&tracker, "sse_clients").await > healthy.len() as f64 {
        assert!(Instant::now() < deadline, "closed stalled streams are freed");
        // A closed socket is noticed when the tracker writes to it: keep events coming.
        let timer = json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": "30000"});
        owlcms.request("timer", &timer).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn connections(tracker: &Tracker) -> usize {
    let report: Value = reqwest::get(tracker.http("/api/diagnostics")).await.unwrap().json().await.unwrap();
    report["connections"].as_array().unwrap().len()
}

/// The startup frames OWLCMS sends on every connection (database, translations, flags), built
/// once: the storm is about the tracker, not about zipping the sample a hundred times.
fn startup_frames() -> std::sync::Arc<Vec<Vec<u8>>> {
    std::sync::Arc::new(vec![
        database_zip_frame(&database_json()),
        translations_zip_frame(&translations_json()),
        flags_zip_frame(&[("Spydeberg Atletene.svg", b"<svg/>")]),
    ])
}

/// How long a storm client waits for the reply to its update: the tracker works through a
/// hundred whole databases in a few seconds, and a debug build on a loaded machine queues.
const STORM_PATIENCE: Duration = Duration::from_secs(120);

/// The reply to the last frame sent (resource requests and pings skipped), or a panic.
async fn storm_reply(owlcms: &mut Owlcms) -> Value {
    tokio::time::timeout(STORM_PATIENCE, async {
        loop {
            match owlcms.next_raw().await {
                Some(Ok(Message::Text(text))) => {
                    let reply: Value = serde_json::from_str(text.as_str()).unwrap();
                    if reply["reason"] != "plugin_preconditions" {
                        return reply;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a reply, got {other:?}"),
            }
        }
    })
    .await
    .expect("the update was answered")
}

/// One OWLCMS reconnect: the startup data and an update, then a close of one of three kinds.
async fn reconnect(url: String, frames: std::sync::Arc<Vec<Vec<u8>>>, i: u32) {
    let mut owlcms = Owlcms::connect(&url).await;
    for frame in frames.iter() {
        owlcms.send_binary(frame.clone()).await;
    }
    let update = owlcms.envelope("update", &update_with_weight(200 + i));
    owlcms.send_raw(&update).await;
    match i % 3 {
        // A proper close after the update's reply.
        0 => {
            answered_200(&mut owlcms, i).await;
            owlcms.close().await;
        }
        // Gone after the reply, without a close frame (OWLCMS killed, network lost).
        1 => answered_200(&mut owlcms, i).await,
        // Gone right after sending, the reply never read.
        _ => {}
    }
}

/// The first reply of a storm connection is its update's: the startup frames are answered
/// only when refused. The whole reply is kept in the failure, since a refusal names its cause.
async fn answered_200(owlcms: &mut Owlcms, i: u32) {
    let reply = storm_reply(owlcms).await;
    assert_eq!(reply["status"], 200, "reconnect {i}: {reply}");
}

// Two workers: the storm's clients mask every byte they send (as WebSocket clients must),
// which must not delay the 100 ms pace of new connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_storm_leaks_nothing_and_wipes_nothing() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::start(dir.path(), &NO_ADDRESS_CAPS);
    let pid = tracker.child.id();
    let mut first = Owlcms::connect(&tracker.ws_url()).await;
    startup(&mut first).await;
    assert_eq!(first.request("update", &update_with_weight(150)).await["status"], 200);
    first.close().await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fds_before = open_fds(pid);
    let tasks_before = metric(&tracker, "tokio_alive_tasks").await;
    // 100 reconnects in 10 s: one every 100 ms, overlapping when one takes longer.
    let frames = startup_frames();
    let started = Instant::now();
    let mut storm = Vec::new();
    let mut pace = tokio::time::interval(Duration::from_millis(100));
    for i in 0..100u32 {
        pace.tick().await;
        storm.push(tokio::spawn(reconnect(tracker.ws_url(), frames.clone(), i)));
    }
    let opened = started.elapsed();
    let mut failed = Vec::new();
    for task in storm {
        if let Err(error) = task.await {
            failed.push(error.to_string());
        }
    }
    let took = started.elapsed();
    if !failed.is_empty() {
        let logs = tracker.logs();
        let errors: Vec<&String> = logs
            .iter()
            .filter(|l| l.contains("\"ERROR\"") || l.contains("panicked") || l.contains("frame refused"))
            .take(10)
            .collect();
        panic!("{} reconnects failed, first: {}; the tracker's errors: {errors:#?}", failed.len(), failed[0]);
    }
    let deadline = Instant::now() + STORM_PATIENCE;
    while connections(&tracker).await > 0 || metric(&tracker, "owlcms_connections").await > 0.0 {
        assert!(Instant::now() < deadline, "every closed connection is forgotten");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (fds_after, tasks_after) = (open_fds(pid), metric(&tracker, "tokio_alive_tasks").await);
    eprintln!(
        "100 reconnects opened in {opened:?}, all done in {took:?}: fds {fds_before} → {fds_after}, tasks {tasks_before} → {tasks_after}, \
RSS {:.0} MiB",
        rss_mib(pid)
    );
    // Paced at 10 a second; a loaded machine delays the client's own ticks a little.
    assert!(opened < Duration::from_secs(12), "the storm was not 100 reconnects in 10 s: {opened:?}");
    // Each reconnect sends a whole database (decoded again by a debug build): they overlap.
    assert!(took < STORM_PATIENCE, "the tracker took {took:?} to answer the storm");
    assert!(fds_after <= fds_before + 2, "descriptors leaked: {fds_before} → {fds_after}");
    assert!(tasks_after <= tasks_before + 2.0, "tasks leaked: {tasks_before} → {tasks_after}");
    // Nothing wiped: the competition and the boards are there, with the last update applied.
    let health: Value = reqwest::get(tracker.http("/api/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["database"]["athletes"], 39, "{health}");
    let view: Value =
        reqwest::get(tracker.http("/api/view?plugin=lifting-order&fop=A")).await.unwrap().json().await.unwrap();
    assert!(view["view"]["rows"].as_array().is_some_and(|r| r.len() > 3), "{view}");
    // Every connection sent the flags at about the same time: the folder is still served.
    let flag = reqwest::get(tracker.http("/local/flags/Spydeberg%20Atletene.svg")).await.unwrap();
    assert_eq!(flag.status(), 200, "the flags sent by the storm are served");
    assert_eq!(flag.text().await.unwrap(), "<svg/>");
    let report: Value = reqwest::get(tracker.http("/api/diagnostics")).await.unwrap().json().await.unwrap();
    assert!(report["messages"]["update"].as_u64().unwrap() >= 101, "{report}");
    // The next OWLCMS connection is heard: its update shows.
    let mut next = Owlcms::connect(&tracker.ws_url()).await;
    assert_eq!(next.request("update", &update_with_weight(777)).await["status"], 200);
    // Counted once its first frame is answered (the hub hears of a connection asynchronously).
    assert_eq!(connections(&tracker).await, 1);
    let text = reqwest::get(tracker.http("/api/view?plugin=lifting-order&fop=A")).await.unwrap().text().await.unwrap();
    assert!(text.contains("\"weight\":\"777\""), "{text}");
}
