//! The relay deployment files (deploy/fly-relay.toml, deploy/fly-nats.toml, deploy/compose.yaml)
//! checked against the code: each tracker they describe is started as they say (its command
//! and environment, NATS pointed at a real nats-server here) and must serve; the names that
//! tie the apps together must agree.

mod common;
#[path = "common/nats.rs"]
mod nats;

use common::binary::BINARY;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn toml_file(name: &str) -> toml::Table {
    std::fs::read_to_string(repo().join("deploy").join(name)).unwrap().parse().unwrap()
}

/// compose.yaml is YAML in its JSON form, after its comment lines.
fn compose() -> Value {
    let text = std::fs::read_to_string(repo().join("deploy/compose.yaml")).unwrap();
    let json: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    serde_json::from_str(&json).expect("compose.yaml in JSON form")
}

/// Starts the binary with `args` and `env` (NATS_URL replaced by the test server's); returns
/// the health answer once it listens.
fn run(args: &[String], env: &[(String, String)], nats: &nats::Nats, dir: &Path) -> (u16, String) {
    let mut command = Command::new(BINARY);
    command.args(args).current_dir(dir).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (key, value) in env {
        let value = if key == "NATS_URL" { nats.url() } else { value.clone() };
        command.env(key, value);
    }
    command
        .env("PORT", "0")
        .env("LISTEN_ADDRESS", "127.0.0.1")
        .env("LOG_JSON", "true")
        .env("DATA_DIR", dir.join("data"))
        .env("PLUGINS_DIR", repo().join("plugins"));
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let value: Value = serde_json::from_str(&line).unwrap_or_default();
            if value.pointer("/fields/message").and_then(Value::as_str) == Some("listening")
                && let Some(addr) = value.pointer("/fields/addr").and_then(Value::as_str).map(str::to_owned)
            {
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("{args:?} with {env:?} listens"));
    let started = Instant::now();
    let answer = loop {
        let answer = get(&addr, "/api/health?live");
        if answer.0 == 200 || started.elapsed() > Duration::from_secs(10) {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    answer
}

fn get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let Ok(mut socket) = std::net::TcpStream::connect(addr) else { return (0, String::new()) };
    let _ = write!(socket, "GET {path} HTTP/1.0\r\nHost: test\r\n\r\n");
    let mut text = String::new();
    let _ = socket.read_to_string(&mut text);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default())
}

fn env_of(table: &toml::Table) -> Vec<(String, String)> {
    table["env"].as_table().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

#[test]
fn the_fly_relay_and_nats_apps_agree_with_the_code_and_each_other() {
    let nats = nats::Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let relay = toml_file("fly-relay.toml");
    let nats_app = toml_file("fly-nats.toml");
    let ingest: toml::Table = std::fs::read_to_string(repo().join("fly.toml")).unwrap().parse().unwrap();
    assert_ne!(relay["app"].as_str(), ingest["app"].as_str(), "relays are their own app");
    assert!(relay.get("mounts").is_none(), "a relay keeps nothing on disk");
    let env = env_of(&relay);
    let lookup = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap();
    // The relay reaches the NATS app by its private name, on NATS's port.
    assert_eq!(lookup("NATS_URL"), format!("nats://{}.internal:4222", nats_app["app"].as_str().unwrap()));
    let nats_args = nats_app["processes"]["app"].as_str().unwrap();
    let store = nats_app["mounts"]["destination"].as_str().unwrap();
    assert!(nats_args.contains("-js") && nats_args.contains(&format!("-sd {store}")), "JetStream on the volume");
    let service = relay["http_service"].as_table().unwrap();
    assert_eq!(service["internal_port"].as_integer().unwrap().to_string(), lookup("PORT"));
    let check = service["checks"].as_array().unwrap()[0]["path"].as_str().unwrap().to_owned();
    // Started as the app's process says, with its environment.
    let command: Vec<String> =
        relay["processes"]["app"].as_str().unwrap().split_whitespace().map(str::to_owned).collect();
    let (status, body) = run(&command, &env, &nats, dir.path());
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"role\":\"relay\""), "it runs as a relay: {body}");
    assert!(check.starts_with("/api/health"), "Fly checks the liveness endpoint the relay serves: {check}");
}

#[test]
fn every_tracker_in_the_compose_file_starts_as_written() {
    let nats = nats::Nats::start();
    let compose = compose();
    let services = compose["services"].as_object().unwrap();
    let nats_command: Vec<&str> =
        services["nats"]["command"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(nats_command.contains(&"-js"), "JetStream on");
    let mut relays = 0;
    for (name, service) in services.iter().filter(|(n, _)| *n != "nats") {
        let env: Vec<(String, String)> = service["environment"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert!(env.iter().any(|(k, v)| k == "NATS_URL" && v == "nats://nats:4222"), "{name} reaches the nats service");
        let command: Vec<String> =
            service["command"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        let dir = tempfile::tempdir().unwrap();
        let (status, body) = run(&command, &env, &nats, dir.path());
        assert_eq!(status, 200, "{name}: {body}");
        if command == ["relay"] {
            relays += 1;
            assert!(body.contains("\"role\":\"relay\""), "{name} is a relay: {body}");
        }
    }
    assert_eq!(relays, 2, "two relays");
}
