//! The real `owlcms-tracker` binary on a free loopback port, with every log line it writes
//! (stdout and stderr) kept for the test to search.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const BINARY: &str = env!("CARGO_BIN_EXE_owlcms-tracker");

/// A running tracker process.
pub(crate) struct Tracker {
    pub child: Child,
    pub addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

fn collect(
    source: impl Read + Send + 'static,
    lines: Arc<Mutex<Vec<String>>>,
    tx: Option<std::sync::mpsc::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(source).lines().map_while(Result::ok) {
            let value: Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(tx) = &tx
                && value.pointer("/fields/message").and_then(Value::as_str) == Some("listening")
                && let Some(addr) = value.pointer("/fields/addr").and_then(Value::as_str).and_then(|a| a.parse().ok())
            {
                let _ = tx.send(addr);
            }
            lines.lock().unwrap().push(line);
        }
    });
}

impl Tracker {
    /// Starts the binary in `dir` (JSON logs, the project's plugins) with extra `args`.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Tracker {
        Tracker::start_with_plugins(dir, &Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins"), args)
    }

    /// Like `start`, with the plugins of `plugins` (a copy a test edits).
    pub(crate) fn start_with_plugins(dir: &Path, plugins: &Path, args: &[&str]) -> Tracker {
        let mut child = Command::new(BINARY)
            .args(["--listen", "127.0.0.1", "--port", "0", "--log-json", "--plugins-dir"])
            .arg(plugins)
            .args(args)
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .env_remove("OWLCMS_UPDATEKEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        collect(child.stdout.take().unwrap(), lines.clone(), Some(tx));
        collect(child.stderr.take().unwrap(), lines.clone(), None);
        let addr = rx.recv_timeout(Duration::from_secs(20)).expect("the tracker logged its address");
        Tracker { child, addr, lines }
    }

    pub(crate) fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Every line logged so far.
    pub(crate) fn logs(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until a logged line contains `needle`; returns it.
    pub(crate) fn wait_for_log(&self, needle: &str, limit: Duration) -> Option<String> {
        let started = Instant::now();
        loop {
            if let Some(line) = self.logs().into_iter().find(|l| l.contains(needle)) {
                return Some(line);
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `count` logged lines contain `needle`; returns the last of them.
    pub(crate) fn wait_for_log_count(&self, needle: &str, count: usize, limit: Duration) -> Option<String> {
        let started = Instant::now();
        loop {
            let found: Vec<String> = self.logs().into_iter().filter(|l| l.contains(needle)).collect();
            if found.len() >= count {
                return found.last().cloned();
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then waits (at most 10 s) for the exit.
    pub(crate) fn stop(&mut self) -> ExitStatus {
        signal(&self.child, "TERM");
        let status = wait_exit(&mut self.child, Duration::from_secs(10));
        // The last lines (the shutdown) are read before the collectors see the end.
        std::thread::sleep(Duration::from_millis(100));
        status
    }

    /// SIGKILL: no chance to save anything.
    pub(crate) fn kill9(&mut self) {
        signal(&self.child, "KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn signal(child: &Child, name: &str) {
    assert!(Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap().success());
}

pub(crate) fn wait_exit(child: &mut Child, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
