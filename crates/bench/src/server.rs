//! Starting the tracker under test as a child process and timing how long it takes to serve.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tracker process.
pub struct Tracker {
    /// The process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// From spawn to its "listening" log line.
    pub start_to_listening: Duration,
}

impl Tracker {
    /// Starts `binary` on a free loopback port; `data_dir` enables saved state.
    pub fn start(binary: &Path, plugins: &Path, data_dir: Option<&Path>) -> std::io::Result<Tracker> {
        let started = Instant::now();
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1", "--port", "0", "--log-json", "--log-level", "warn,owlcms_tracker=info"])
            // Every bench viewer comes from 127.0.0.1: no per-address caps.
            .args(["--max-connections-per-address", "0", "--max-streams-per-address", "0"])
            .arg("--plugins-dir")
            .arg(plugins)
            .arg("--data-dir")
            .arg(data_dir.map(PathBuf::from).unwrap_or_default())
            .arg("--local-dir")
            .arg(std::env::temp_dir().join(format!("owlcms-bench-local-{}", std::process::id())))
            .env_remove("RUST_LOG")
            // The allocator settings scripts/run and the image run with (unless set already).
            .envs(crate::MIMALLOC.iter().filter(|(k, _)| std::env::var_os(k).is_none()).copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if value.pointer("/fields/message").and_then(|m| m.as_str()) == Some("listening") {
                    let addr = value.pointer("/fields/addr").and_then(|a| a.as_str()).and_then(|a| a.parse().ok());
                    let _ = tx.send((addr, Instant::now()));
                }
            }
        });
        let (addr, at) = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| std::io::Error::other("the tracker did not start listening within 30 s"))?;
        let addr = addr.ok_or_else(|| std::io::Error::other("unreadable listen address"))?;
        Ok(Tracker { child, addr, start_to_listening: at - started })
    }

    /// Process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it with SIGTERM (then SIGKILL after 5 s).
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
