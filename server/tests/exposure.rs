//! What a public deployment shows: operator endpoints behind a token or loopback, the update
//! key absent from logs, diagnostics, saved state and learning-mode captures, and `replay
//! --update-key` putting a key back into redacted captures.

mod common;

use common::binary::{BINARY, Tracker};
use common::*;
use owlcms_tracker::{Server, ServerOptions};
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::process::Command;
use std::time::Duration;

const OPS: [&str; 3] = ["/diagnostics", "/api/diagnostics", "/metrics"];

async fn status_of(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn operator_endpoints_need_the_token_when_one_is_set() {
    let open = TestServer::start().await;
    for path in OPS {
        assert_eq!(status_of(reqwest::Client::new().get(open.http(path))).await.0, 200, "{path} open by default");
    }
    let t = TestServer::with(|o| o.ops.token = Some("ops-7c1e".into())).await;
    let client = reqwest::Client::new();
    for path in OPS {
        let response = client.get(t.http(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path} without the token");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("OPS_TOKEN"), "{body}");
        let (status, _) = status_of(client.get(t.http(path)).bearer_auth("wrong")).await;
        assert_eq!(status, 401, "{path} with a wrong token");
        let (status, body) = status_of(client.get(t.http(path)).bearer_auth("ops-7c1e")).await;
        assert_eq!(status, 200, "{path} with the bearer token: {body}");
        let (status, _) = status_of(client.get(t.http(&format!("{path}?token=ops-7c1e")))).await;
        assert_eq!(status, 200, "{path}?token=");
    }
    let (status, _) = status_of(client.get(t.http("/api/health"))).await;
    assert_eq!(status, 503, "health is not an operator endpoint (503: no OWLCMS data yet)");
}

#[tokio::test]
async fn health_counts_owlcms_connections_without_their_address() {
    let (t, _owlcms) = ready().await;
    let report: Value = reqwest::get(t.http("/api/diagnostics")).await.unwrap().json().await.unwrap();
    let peer = report["connections"][0]["peer"].as_str().expect("diagnostics name the peer").to_owned();
    assert!(peer.starts_with("127.0.0.1:"), "{peer}");
    let response = reqwest::get(t.http("/api/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let health: Value = serde_json::from_str(&text).unwrap();
    let connections = health["connections"].as_array().unwrap();
    assert_eq!(connections.len(), 1, "{health}");
    assert_eq!(connections[0]["authenticated"], true);
    assert!(connections[0].get("peer").is_none(), "{health}");
    assert!(!text.contains(&peer), "health shows OWLCMS's address: {text}");
}

/// This machine's address on a real interface, if it has one.
fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").or_else(|_| socket.connect("10.255.255.1:9")).ok()?;
    Some(socket.local_addr().ok()?.ip()).filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

#[tokio::test]
async fn loopback_only_refuses_other_addresses_unless_they_bring_the_token() {
    let lan = lan_address().expect("the test machine has a non-loopback interface");
    let dir = tempfile::tempdir().unwrap();
    let mut options = ServerOptions::default();
    options.local_dir = dir.path().join("local");
    options.samples_dir = dir.path().join("samples");
    options.plugins_dir = dir.path().join("no-plugins");
    options.ops.loopback_only = true;
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Server::with_listener(listener, options.clone()).await.unwrap();
    let client = reqwest::Client::new();
    for path in OPS {
        let local = format!("http://127.0.0.1:{port}{path}");
        assert_eq!(status_of(client.get(&local)).await.0, 200, "{path} from loopback");
        let remote = format!("http://{}{path}", SocketAddr::new(lan, port));
        let (status, body) = status_of(client.get(&remote)).await;
        assert_eq!(status, 403, "{path} from {lan}: {body}");
        assert!(body.contains("OPS_LOOPBACK_ONLY"), "{body}");
    }
    let health = format!("http://{}/api/health?live", SocketAddr::new(lan, port));
    assert_eq!(status_of(client.get(&health)).await.0, 200, "boards and health stay public");
    server.stop().await.unwrap();
    // Loopback-only with a token: the token opens them from elsewhere.
    options.ops.token = Some("ops-42".into());
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Server::with_listener(listener, options).await.unwrap();
    let remote = format!("http://{}/metrics", SocketAddr::new(lan, port));
    assert_eq!(status_of(client.get(&remote)).await.0, 401);
    assert_eq!(status_of(client.get(&remote).bearer_auth("ops-42")).await.0, 200);
    assert_eq!(status_of(client.get(format!("http://127.0.0.1:{port}/metrics"))).await.0, 200);
    server.stop().await.unwrap();
}

const KEY: &str = "Key-Z9q4-Never-Shown";

#[tokio::test]
async fn the_update_key_never_appears_in_logs_diagnostics_state_or_captures() {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = Tracker::start(
        dir.path(),
        &["--update-key", KEY, "--learning-mode", "--data-dir", "data", "--log-level", "debug,owlcms_tracker=trace"],
    );
    let mut wrong = Owlcms::connect(&tracker.ws_url()).await.with_key("Wrong-Guess-1");
    wrong.request("timer", &json!({"fopName": "A"})).await;
    let mut owlcms = Owlcms::connect(&tracker.ws_url()).await.with_key(KEY);
    startup(&mut owlcms).await;
    let sent = owlcms.envelope("update", &without_key(sample(LIFTING_ORDER)));
    assert_eq!(owlcms.request_raw(&sent).await["status"], 200);
    let mut pages = String::new();
    for path in [
        "/api/diagnostics",
        "/diagnostics",
        "/metrics",
        "/api/health",
        "/api/view?plugin=lifting-order&fop=A",
        "/api/plugins",
        "/api/fops",
    ] {
        let response = reqwest::get(tracker.http(path)).await.unwrap();
        pages.push_str(&response.text().await.unwrap());
    }
    assert!(pages.contains("lifting-order"), "the pages were served");
    assert!(!pages.contains(KEY), "the key is on a page");
    tokio::time::sleep(Duration::from_millis(1500)).await; // one save interval
    let captures = dir.path().join("samples/captures");
    assert!(tracker.stop().success());
    let logs = tracker.logs();
    assert!(logs.len() > 20, "debug and trace lines were logged: {}", logs.len());
    assert!(logs.iter().any(|l| l.contains("wrong or missing updateKey")), "the refusal is logged");
    assert!(
        logs.iter().all(|l| !l.contains(KEY)),
        "the key is in the log: {:?}",
        logs.iter().find(|l| l.contains(KEY))
    );
    // Saved state and captures.
    for entry in walk(&dir.path().join("data")) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "the key is in {}", entry.display());
    }
    let files = walk(&captures);
    let texts: Vec<String> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(texts.len() >= 3, "captured text frames: {}", texts.len());
    assert!(texts.iter().all(|t| !t.contains(KEY)), "the key is in a capture");
    let redacted = sent.replace(KEY, "<redacted>");
    assert!(texts.contains(&redacted), "the update is saved byte for byte but for the key");
    // Replay puts a key back: a tracker with the key accepts every frame.
    let again = TestServer::with(|o| o.update_key = Some(KEY.into())).await;
    let capture = files[0].parent().unwrap().to_owned();
    let done = replay(&capture, &again.ws_url(), Some(KEY)).await;
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stdout));
    let (status, health) = again.health().await;
    assert_eq!(status, 200, "database, translations and the update arrived: {health}");
    assert_eq!(again.view_envelope("plugin=lifting-order&fop=A").await["plugin"], "lifting-order");
    let report: Value = reqwest::get(again.http("/api/diagnostics")).await.unwrap().json().await.unwrap();
    assert_eq!(report["authFailures"], 0, "{report}");
    // Without a key the redacted frames are refused.
    let fresh = TestServer::with(|o| o.update_key = Some(KEY.into())).await;
    let _ = replay(&capture, &fresh.ws_url(), None).await;
    let report: Value = reqwest::get(fresh.http("/api/diagnostics")).await.unwrap().json().await.unwrap();
    assert!(report["authFailures"].as_u64().unwrap() >= 1, "{report}");
}

/// `owlcms-tracker replay <capture> --speed max [--update-key KEY]`, off the test's runtime
/// (which serves the in-process tracker meanwhile).
async fn replay(capture: &std::path::Path, url: &str, key: Option<&str>) -> std::process::Output {
    let mut command = Command::new(BINARY);
    command.arg("replay").arg(capture).args(["--url", url, "--speed", "max"]).env_remove("OWLCMS_UPDATEKEY");
    if let Some(key) = key {
        command.args(["--update-key", key]);
    }
    let run = tokio::task::spawn_blocking(move || command.output().unwrap());
    tokio::time::timeout(PATIENCE, run).await.expect("the replay ends").unwrap()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}
