//! Operations, against the real binary and in process: signals, state that survives `kill -9`,
//! the healthcheck subcommand, diagnostics, metrics, and the built-in plugin fallback.

mod common;

use common::binary::{signal, wait_exit};
use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_owlcms-tracker");

/// Starts the binary on a free loopback port in `dir`; returns it with its address.
fn tracker(dir: &Path, args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1", "--port", "0", "--log-json", "--plugins-dir"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let value: Value = serde_json::from_str(&line).unwrap_or_default();
            if value.pointer("/fields/message").and_then(Value::as_str) == Some("listening") {
                let _ = tx.send(
                    value.pointer("/fields/addr").and_then(Value::as_str).unwrap_or("").parse::<SocketAddr>().unwrap(),
                );
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).expect("the tracker logged its address");
    (child, addr)
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn sigterm_with_open_sse_and_websocket_exits_0_within_2_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = tracker(dir.path(), &["--data-dir", "data"]);
    let mut owlcms = Owlcms::connect(&format!("ws://{addr}/ws")).await;
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let mut sse = SseClient::connect(&format!("http://{addr}/api/stream?plugin=lifting-order&fop=A"), None).await;
    sse.next_of("view").await;
    let started = Instant::now();
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(2));
    eprintln!("SIGTERM → exit in {:?}", started.elapsed());
    assert!(status.success(), "{status}");
    owlcms.expect_close(1001).await;
    assert!(dir.path().join("data/state.json").is_file(), "state flushed on the way out");
}

#[tokio::test]
async fn kill_9_mid_competition_then_restart_serves_the_same_view_before_owlcms_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = tracker(dir.path(), &["--data-dir", "data"]);
    // A real OWLCMS-like feed: the simulator binary, stopped in the middle of a session.
    let mut simulator = Command::new(BINARY)
        .args(["simulate", "--url", &format!("ws://{addr}/ws"), "--speed", "50", "--fops", "A"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://{addr}/api/view?plugin=lifting-order&fop=A");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, view) = get_json(&url).await;
        if status == 200
            && view["view"]["rows"].as_array().is_some_and(|r| r.len() > 3)
            && view["view"]["attemptBar"]["weight"] != ""
        {
            break;
        }
        assert!(Instant::now() < deadline, "the simulated session started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    simulator.kill().unwrap();
    simulator.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await; // at least one save interval
    let before = reqwest::get(&url).await.unwrap().text().await.unwrap();
    signal(&child, "KILL");
    child.wait().unwrap();
    let (mut again, addr) = tracker(dir.path(), &["--data-dir", "data"]);
    let after =
        reqwest::get(format!("http://{addr}/api/view?plugin=lifting-order&fop=A")).await.unwrap().text().await.unwrap();
    assert_eq!(after, before, "same view, before any OWLCMS message");
    let (_, health) = get_json(&format!("http://{addr}/api/health")).await;
    assert!(health["connections"].as_array().unwrap().is_empty());
    assert_eq!(health["database"]["loaded"], true);
    signal(&again, "TERM");
    wait_exit(&mut again, Duration::from_secs(5));
}

#[tokio::test]
async fn corrupt_saved_state_is_reported_and_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/database.json"), b"{\"checksum\": \"x\", \"database\": {\"athl").unwrap();
    std::fs::write(dir.path().join("data/state.json"), b"[1, 2").unwrap();
    let (mut child, addr) = tracker(dir.path(), &["--data-dir", "data"]);
    let (status, health) = get_json(&format!("http://{addr}/api/health")).await;
    assert_eq!(status, 503);
    assert_eq!(health["database"]["loaded"], false);
    signal(&child, "TERM");
    assert!(wait_exit(&mut child, Duration::from_secs(5)).success());
}

#[tokio::test]
async fn healthcheck_subcommand_probes_liveness_and_readiness() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = tracker(dir.path(), &[]);
    let port = addr.port().to_string();
    let probe = |ready: bool| {
        let mut command = Command::new(BINARY);
        command.args(["healthcheck", "--port", &port]);
        if ready {
            command.arg("--ready");
        }
        command.output().unwrap()
    };
    let live = probe(false);
    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stdout));
    assert!(!probe(true).status.success(), "not ready before OWLCMS sends data");
    let mut owlcms = Owlcms::connect(&format!("ws://{addr}/ws")).await;
    startup(&mut owlcms).await;
    assert!(probe(true).status.success());
    signal(&child, "TERM");
    wait_exit(&mut child, Duration::from_secs(5));
    let down = probe(false);
    assert!(!down.status.success(), "no tracker: unhealthy");
}

#[tokio::test]
async fn diagnostics_and_metrics_explain_the_situation() {
    let t = TestServer::with(|o| o.update_key = Some(SAMPLE_KEY.into())).await;
    let (_, report) = get_json(&t.http("/api/diagnostics")).await;
    let hints = report["hints"].to_string();
    assert!(hints.contains("URL for Video Data") && hints.contains("/ws"), "{hints}");
    let mut wrong = t.owlcms().await.with_key("nope");
    wrong.request("timer", &serde_json::json!({"fopName": "A"})).await;
    let mut owlcms = t.owlcms().await.with_key(SAMPLE_KEY);
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let mut sse = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    sse.next_of("view").await;
    let (_, report) = get_json(&t.http("/api/diagnostics")).await;
    assert_eq!(report["protocolVersion"], VERSION);
    assert_eq!(report["authFailures"], 1);
    assert!(report["hints"].to_string().contains("update key"), "{}", report["hints"]);
    assert_eq!(report["views"][0]["plugin"], "lifting-order");
    assert_eq!(report["views"][0]["viewers"], 1);
    assert_eq!(report["sseClients"], 1);
    assert!(report["messages"]["update"].as_u64().unwrap() >= 1);
    let page = reqwest::get(t.http("/diagnostics")).await.unwrap().text().await.unwrap();
    assert!(page.contains("<h1>Diagnostics</h1>") && page.contains("lifting-order"), "{page}");
    let metrics = reqwest::get(t.http("/metrics")).await.unwrap().text().await.unwrap();
    for line in [
        "owlcms_tracker_owlcms_connections 1",
        "owlcms_tracker_database_loaded 1",
        "owlcms_tracker_auth_failures_total 1",
        "owlcms_tracker_sse_clients 1",
        "owlcms_tracker_messages_total{type=\"update\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing {line:?} in\n{metrics}");
    }
}

#[tokio::test]
async fn built_in_plugins_serve_when_the_folder_is_absent() {
    let t = TestServer::with(|o| o.plugins_dir = "/nonexistent/plugins".into()).await;
    let (_, plugins) = get_json(&t.http("/api/plugins")).await;
    assert_eq!(plugins["plugins"].as_array().unwrap().len(), 16);
    let config = reqwest::get(t.http("/plugins/lifting-order/config.json")).await.unwrap();
    assert_eq!(config.status(), 200);
    assert!(config.text().await.unwrap().contains("Lifting Order"));
}
