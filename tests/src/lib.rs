//! Helpers shared by the black-box tests: find (or build) the `owlcms-tracker` binary and run
//! it as a child process on a free loopback port.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Path of the `owlcms-tracker` binary of the current build profile, built if missing.
pub fn tracker_binary() -> PathBuf {
    // Test executables live in target/<profile>/deps/; the binary sits one level up.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let binary = profile_dir.join("owlcms-tracker");
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let release = profile_dir.ends_with("release");
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "owlcms-tracker", "--bin", "owlcms-tracker"]);
        if release {
            build.arg("--release");
        }
        assert!(build.status().expect("cargo build").success(), "building owlcms-tracker failed");
    }
    binary
}

/// A loopback port that was free a moment ago (for servers that must know their port before
/// they start, e.g. `--demo`, whose simulator connects to the configured port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// A running tracker process; killed on drop.
pub struct Tracker {
    /// The child process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its working directory.
    pub dir: tempfile::TempDir,
}

impl Tracker {
    /// Starts the binary on 127.0.0.1 with a free port, in a fresh working directory, with
    /// extra arguments and environment, and waits for its "listening" log line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Tracker {
        Tracker::start_on(0, args, env)
    }

    /// Like `start`, on a given port (0: a free one), e.g. to restart a server where its
    /// clients expect it.
    pub fn start_on(port: u16, args: &[&str], env: &[(&str, &str)]) -> Tracker {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(tracker_binary());
        command
            .args(["--listen", "127.0.0.1", "--port", &port.to_string(), "--log-json"])
            .args(args)
            .current_dir(dir.path())
            .env_remove("RUST_LOG")
            .env_remove("OWLCMS_UPDATEKEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start owlcms-tracker");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
                if value.pointer("/fields/message").and_then(|m| m.as_str()) == Some("listening") {
                    let addr = value.pointer("/fields/addr").and_then(|a| a.as_str()).unwrap_or_default();
                    let _ = tx.send(addr.parse::<SocketAddr>().ok());
                }
            }
        });
        let addr =
            rx.recv_timeout(Duration::from_secs(30)).ok().flatten().expect("owlcms-tracker logged its listen address");
        Tracker { child, addr, dir }
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends a signal by name (`TERM`, `KILL`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status();
        assert!(status.expect("kill").success());
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
