//! Black-box tests of the built `owlcms-tracker` binary: flags, startup, health, signals.

use e2e::{Tracker, tracker_binary};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn help_documents_every_setting_and_its_environment_variable() {
    let output = Command::new(tracker_binary()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--port",
        "[env: PORT=",
        "--listen",
        "LISTEN_ADDRESS",
        "--update-key",
        "OWLCMS_UPDATEKEY",
        "--learning-mode",
        "LEARNING_MODE",
        "--log-level",
        "LOG_LEVEL",
        "--local-dir",
        "LOCAL_FILES_DIR",
        "--samples-dir",
        "SAMPLES_DIR",
        "ws://<this host>:<port>/ws",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn a_bad_flag_value_is_a_clear_error() {
    let output = Command::new(tracker_binary()).args(["--port", "eighty"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("invalid value 'eighty' for '--port <PORT>'"), "{stderr}");
}

#[tokio::test]
async fn starts_answers_health_and_exits_cleanly_on_sigterm() {
    let mut tracker = Tracker::start(&[], &[("LEARNING_MODE", "true")]);
    let response = reqwest::get(tracker.url("/api/health")).await.unwrap();
    assert_eq!(response.status(), 503, "no OWLCMS data yet");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert!(tracker.dir.path().join("samples/captures").is_dir(), "LEARNING_MODE=true from the environment");
    assert!(tracker.dir.path().join("local").is_dir());
    let started = Instant::now();
    tracker.signal("TERM");
    loop {
        if let Some(status) = tracker.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running 5 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}
