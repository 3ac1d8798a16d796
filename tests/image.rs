//! The container image as operators run it (published port, data volume, mounted plugins
//! folder, fly.toml's environment), checked from the host with podman. The image is built by
//! `scripts/test-image`, which runs this test with `IMAGE` set (`./scripts/test` runs both).

use e2e::{free_port, tracker_binary};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant, SystemTime};

const PATIENCE: Duration = Duration::from_secs(60);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn podman(args: &[&str]) -> Output {
    Command::new("podman").args(args).output().expect("podman (installed by scripts/test-image)")
}

fn podman_ok(args: &[&str]) -> String {
    let out = podman(args);
    assert!(out.status.success(), "podman {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `KEY = "value"` lines of one fly.toml table (no toml crate in this package).
fn fly_table(table: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("fly.toml")).unwrap();
    let mut inside = false;
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[{table}]");
        } else if let Some((k, v)) = line.split_once('=').filter(|_| inside && !line.starts_with('#')) {
            pairs.push((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
        }
    }
    pairs
}

fn kill_timeout() -> Duration {
    let text = std::fs::read_to_string(repo().join("fly.toml")).unwrap();
    let line = text.lines().find(|l| l.starts_with("kill_timeout")).expect("fly.toml kill_timeout");
    let seconds = line.split('"').nth(1).unwrap().trim_end_matches('s');
    Duration::from_secs(seconds.parse().unwrap())
}

/// A container of the image; removed (with its logs printed on failure) on drop.
struct Container {
    name: String,
    port: u16,
}

impl Container {
    /// `docker run -d -p <port>:8096 -v <volume>:/data -v <plugins>:/app/plugins` with fly.toml's env.
    fn run(image: &str, name: &str, volume: &str, plugins: &Path) -> Container {
        let _ = podman(&["rm", "-f", "-t", "0", name]);
        let port = free_port();
        let mut args = vec![
            "run".to_string(),
            "-d".into(),
            "--name".into(),
            name.into(),
            "-p".into(),
            format!("127.0.0.1:{port}:8096"),
            "-v".into(),
            format!("{volume}:/data"),
            "-v".into(),
            format!("{}:/app/plugins", plugins.display()),
        ];
        for (k, v) in fly_table("env") {
            args.extend(["-e".into(), format!("{k}={v}")]);
        }
        args.push(image.into());
        podman_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        Container { name: name.into(), port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Runs the image's HEALTHCHECK until it passes.
    fn wait_healthy(&self) -> Duration {
        let started = Instant::now();
        loop {
            if podman(&["healthcheck", "run", &self.name]).status.success() {
                return started.elapsed();
            }
            assert!(started.elapsed() < PATIENCE, "HEALTHCHECK never passed:\n{}", self.logs());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn logs(&self) -> String {
        let out = podman(&["logs", &self.name]);
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- logs of {} ---\n{}", self.name, self.logs());
        }
        let _ = podman(&["rm", "-f", "-t", "0", &self.name]);
    }
}

/// An SSE stream read chunk by chunk: `(event, id, data)` triples.
struct Sse {
    response: reqwest::Response,
    buffer: String,
}

impl Sse {
    async fn open(url: &str) -> Sse {
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        Sse { response, buffer: String::new() }
    }

    async fn next_event(&mut self) -> (String, String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| -> String {
                    let prefix = format!("{name}:");
                    let values: Vec<&str> =
                        block.lines().filter_map(|l| l.strip_prefix(&prefix)).map(str::trim_start).collect();
                    values.join("\n")
                };
                if !field("data").is_empty() {
                    return (field("event"), field("id"), field("data"));
                }
                continue;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk()).await;
            let chunk = chunk.expect("an SSE event within the patience").unwrap().expect("stream open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next `view` event whose view satisfies `wanted`.
    async fn view_where(&mut self, wanted: impl Fn(&Value) -> bool) -> (String, Value) {
        let started = Instant::now();
        loop {
            assert!(started.elapsed() < PATIENCE, "no such view event");
            let (event, id, data) = self.next_event().await;
            if event == "view" {
                let view: Value = serde_json::from_str(&data).unwrap();
                if wanted(&view) {
                    return (id, view);
                }
            }
        }
    }
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The boards compared across the restart.
const BOARDS: [&str; 3] = ["plugin=lifting-order&fop=A", "plugin=lifting-order&fop=B", "plugin=start-order&fop=A"];

fn next_lifter(view: &Value) -> Option<&str> {
    let bar = view.pointer("/view/attemptBar").filter(|bar| bar["hasAthlete"] == true)?;
    bar["name"].as_str()
}

/// Athlete rows of a standard-grid view.
fn athletes(envelope: &Value) -> usize {
    let rows = envelope.pointer("/view/rows").and_then(Value::as_array);
    rows.map_or(0, |rows| rows.iter().filter(|r| r["name"].as_str().is_some_and(|n| !n.is_empty())).count())
}

/// Paths where two JSON documents differ (for a readable assertion message).
fn differences(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                differences(
                    &x.get(key).cloned().unwrap_or_default(),
                    &y.get(key).cloned().unwrap_or_default(),
                    format!("{path}/{key}"),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, format!("{path}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} → {b}")),
        _ => {}
    }
}

struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_image_runs_as_operators_run_it() {
    let image = std::env::var("IMAGE").expect("IMAGE: run scripts/test-image (it builds the image)");
    let scratch = tempfile::tempdir().unwrap();
    let plugins = scratch.path().join("plugins");
    e2e_copy(&repo().join("plugins"), &plugins);
    // The tracker runs as an unprivileged user: the mounted folder must be readable by it.
    assert!(Command::new("chmod").args(["-R", "a+rX"]).arg(scratch.path()).status().unwrap().success());
    let volume = "owlcms-tracker-image-test-data";
    let _ = podman(&["volume", "rm", "-f", volume]);
    podman_ok(&["volume", "create", volume]);
    let data = PathBuf::from(podman_ok(&["volume", "inspect", "-f", "{{.Mountpoint}}", volume]));

    let first = Container::run(&image, "owlcms-tracker-image-test-1", volume, &plugins);
    let healthy = first.wait_healthy();
    eprintln!("HEALTHCHECK passed {:.1} s after `podman run`", healthy.as_secs_f64());

    // Not root: the image's USER, seen on the host's process table.
    let user = podman_ok(&["image", "inspect", "-f", "{{.Config.User}}", &image]);
    let pid = podman_ok(&["inspect", "-f", "{{.State.Pid}}", &first.name]);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap().split_whitespace().next().unwrap();
    assert_eq!(user.split(':').next(), Some(uid), "the process runs as USER {user}");
    assert_ne!(uid, "0");

    // The landing page and the client bundle (precompressed) are served.
    let landing = reqwest::get(first.url("/")).await.unwrap();
    assert_eq!(landing.status(), 200);
    let html = landing.text().await.unwrap();
    let wasm = html
        .split(['"', '\''])
        .find(|s| s.ends_with(".wasm"))
        .unwrap_or_else(|| panic!("index.html names the client's .wasm:\n{html}"))
        .to_string();
    let wasm_url = first.url(&format!("/{}", wasm.trim_start_matches('/')));
    let response = reqwest::Client::new().get(&wasm_url).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(response.status(), 200, "{wasm_url}");
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(response.headers()["content-encoding"], "br");
    let plain = reqwest::get(&wasm_url).await.unwrap().bytes().await.unwrap();
    assert!(plain.starts_with(b"\0asm"), "the client's WebAssembly");

    // OWLCMS (the simulator) feeds /ws; boards show live data.
    let simulator = Simulator(
        Command::new(tracker_binary())
            .args(["simulate", "--url", &format!("ws://127.0.0.1:{}/ws", first.port), "--speed", "20", "--loop"])
            .spawn()
            .unwrap(),
    );
    let mut stream = Sse::open(&first.url("/api/stream?plugin=lifting-order&fop=A")).await;
    let (first_id, view) = stream.view_where(|v| next_lifter(v).is_some()).await;
    let (later_id, _) = stream.view_where(|_| true).await;
    assert_ne!(first_id, later_id, "a live change reaches the open stream");
    let (status, envelope) = get_json(&first.url("/api/view?plugin=lifting-order&fop=A")).await;
    assert_eq!(status, 200, "{envelope}");
    assert!(athletes(&envelope) > 0, "/api/view shows the session's athletes: {envelope}");
    eprintln!("live: next lifter on A {:?}", next_lifter(&view));

    // A plugin edited in the mounted folder changes the open view.
    let mapping = plugins.join("lifting-order/mapping.jq");
    let program = std::fs::read_to_string(&mapping).unwrap();
    std::fs::write(&mapping, format!("{}\n| .imageTest = \"edited on the host\"\n", program.trim_end())).unwrap();
    let edited = Instant::now();
    stream.view_where(|v| v.pointer("/view/imageTest").and_then(Value::as_str) == Some("edited on the host")).await;
    eprintln!("plugin edit reached the open view in {:.1} s", edited.elapsed().as_secs_f64());

    // OWLCMS goes away; the boards as they are now must survive a restart.
    drop(simulator);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut before = Vec::new();
    for board in BOARDS {
        let (status, envelope) = get_json(&first.url(&format!("/api/view?{board}"))).await;
        assert_eq!(status, 200, "{board}: {envelope}");
        before.push(envelope["view"].clone());
    }

    // SIGTERM (what `docker stop` and Fly send) stops it gracefully within kill_timeout.
    let limit = kill_timeout();
    let stopping = SystemTime::now();
    let started = Instant::now();
    podman_ok(&["stop", "-t", &limit.as_secs().to_string(), &first.name]);
    let stopped = started.elapsed();
    let code = podman_ok(&["inspect", "-f", "{{.State.ExitCode}}", &first.name]);
    assert_eq!(code, "0", "graceful exit, not SIGKILL (137):\n{}", first.logs());
    assert!(stopped < limit, "stopped in {stopped:?}, kill_timeout {limit:?}");
    eprintln!("SIGTERM → exit 0 in {:.2} s (kill_timeout {} s)", stopped.as_secs_f64(), limit.as_secs());
    let state = data.join("state.json");
    let modified = std::fs::metadata(&state).and_then(|m| m.modified()).expect("state.json in the volume");
    assert!(modified >= stopping - Duration::from_secs(1), "state saved at shutdown");
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let fops: Vec<&str> = saved["fops"].as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(fops.contains(&"A") && fops.contains(&"B"), "saved FOPs {fops:?}");
    drop(first);

    // A new container on the same volume serves the same boards, with no OWLCMS connected.
    let second = Container::run(&image, "owlcms-tracker-image-test-2", volume, &plugins);
    second.wait_healthy();
    let (status, health) = get_json(&second.url("/api/health")).await;
    assert_eq!(status, 200, "ready from the saved state: {health}");
    for (board, view) in BOARDS.iter().zip(&before) {
        let (status, envelope) = get_json(&second.url(&format!("/api/view?{board}"))).await;
        assert_eq!(status, 200, "{board}: {envelope}");
        let mut changed = Vec::new();
        differences(view, &envelope["view"], String::new(), &mut changed);
        // The one connection-dependent text (shared.jq: .status.owlcmsConnected), by design.
        changed.retain(|c| !c.starts_with("/waitingMessage:"));
        assert!(changed.is_empty(), "{board} after the restart:\n{}", changed.join("\n"));
    }
    drop(second);
    let _ = podman(&["volume", "rm", "-f", volume]);
}

fn e2e_copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            e2e_copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
