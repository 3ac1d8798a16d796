//! The tracker under soak: started on a private copy of the plugins (which the soak edits) and
//! a private data folder, every log line it writes read back (levels counted, warnings and
//! errors kept), and its resources sampled from `/proc` and `/metrics`.

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The tracker could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Copying the plugins or making the folders failed.
    #[error("preparing the tracker's folders: {0}")]
    Folders(#[from] std::io::Error),
    /// The process did not log its address in time.
    #[error("the tracker did not start listening within 30 s")]
    NotListening,
}

/// Log lines by level, with the warnings and errors (by message and `error` field, counted,
/// with the first line's other fields as an example).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Logs {
    /// Lines per level (`INFO`, `WARN`, `ERROR`…; `TEXT` for lines that are not JSON).
    pub levels: BTreeMap<String, u64>,
    /// Error lines by message.
    pub errors: BTreeMap<String, Logged>,
    /// Warning lines by message.
    pub warnings: BTreeMap<String, Logged>,
}

/// Lines of one message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Logged {
    /// How many.
    pub count: u64,
    /// The first one's fields (but the message), shortened.
    pub example: String,
}

impl Logs {
    fn record(&mut self, line: &str) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let level = value["level"].as_str().unwrap_or("TEXT").to_owned();
        let mut message = value.pointer("/fields/message").and_then(|m| m.as_str()).unwrap_or(line).to_owned();
        // Lines of one message with different causes are told apart by their `error` field.
        if let Some(error) = value.pointer("/fields/error").and_then(|e| e.as_str()) {
            message = format!("{message}: {}", error.chars().take(160).collect::<String>());
        }
        let kept = match level.as_str() {
            "ERROR" => Some(&mut self.errors),
            "WARN" => Some(&mut self.warnings),
            _ => None,
        };
        if let Some(kept) = kept {
            let entry = kept.entry(message).or_insert_with(|| {
                let mut fields = value["fields"].clone();
                if let Some(map) = fields.as_object_mut() {
                    map.remove("message");
                }
                Logged { count: 0, example: fields.to_string().chars().take(300).collect() }
            });
            entry.count += 1;
        }
        *self.levels.entry(level).or_default() += 1;
    }
}

/// A running tracker; killed on drop.
pub struct Soaked {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its private plugins folder (the soak edits it).
    pub plugins: PathBuf,
    logs: Arc<parking_lot::Mutex<Logs>>,
    _dir: tempfile::TempDir,
}

impl Soaked {
    /// Starts `binary` on a free loopback port with a copy of `plugins`.
    pub fn start(binary: &Path, plugins: &Path) -> Result<Soaked, StartError> {
        let dir = tempfile::tempdir()?;
        let own_plugins = dir.path().join("plugins");
        copy_dir(plugins, &own_plugins)?;
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1", "--port", "0", "--log-json", "--log-level", "info"])
            // Every viewer of the soak comes from 127.0.0.1: no per-address caps.
            .args(["--max-connections-per-address", "0", "--max-streams-per-address", "0"])
            .arg("--plugins-dir")
            .arg(&own_plugins)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--local-dir")
            .arg(dir.path().join("local"))
            .arg("--samples-dir")
            .arg(dir.path().join("samples"))
            .env_remove("RUST_LOG")
            .env_remove("OWLCMS_UPDATEKEY")
            .envs(crate::MIMALLOC.iter().filter(|(k, _)| std::env::var_os(k).is_none()).copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let logs = Arc::new(parking_lot::Mutex::new(Logs::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        read_logs(child.stdout.take().expect("piped stdout"), logs.clone(), Some(tx));
        read_logs(child.stderr.take().expect("piped stderr"), logs.clone(), None);
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                return Err(StartError::NotListening);
            }
        };
        Ok(Soaked { child, addr, plugins: own_plugins, logs, _dir: dir })
    }

    /// Process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://addr` + `path`.
    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The log so far.
    pub fn logs(&self) -> Logs {
        self.logs.lock().clone()
    }

    /// SIGTERM, and the exit (SIGKILL after 10 s); `true` when it exited by itself.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The collectors read the last lines (the shutdown) after the exit.
                std::thread::sleep(Duration::from_millis(200));
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Soaked {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_logs(
    source: impl Read + Send + 'static,
    logs: Arc<parking_lot::Mutex<Logs>>,
    listening: Option<std::sync::mpsc::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(source).lines().map_while(Result::ok) {
            if let Some(tx) = &listening {
                let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if value.pointer("/fields/message").and_then(|m| m.as_str()) == Some("listening")
                    && let Some(addr) = value.pointer("/fields/addr").and_then(|a| a.as_str()?.parse().ok())
                {
                    let _ = tx.send(addr);
                }
            }
            logs.lock().record(&line);
        }
    });
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The tracker's resources at one moment of the soak.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Seconds since the soak started.
    pub at_seconds: f64,
    /// Resident memory (MiB).
    pub rss_mib: f64,
    /// Open file descriptors.
    pub fds: usize,
    /// OS threads.
    pub threads: usize,
    /// Tasks alive on its tokio runtime (`/metrics`).
    pub tasks: u64,
    /// Open SSE streams (`/metrics`).
    pub sse_clients: u64,
    /// Viewers the soak had open.
    pub viewers: usize,
}

/// Reads `/proc/<pid>` and `/metrics` now.
pub async fn sample(tracker: &Soaked, client: &reqwest::Client, at: Duration, viewers: usize) -> Sample {
    let pid = tracker.pid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> u64 {
        status.lines().find_map(|l| l.strip_prefix(name)?.split_whitespace().next()?.parse().ok()).unwrap_or(0)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0);
    let metrics = match client.get(tracker.http("/metrics")).send().await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let metric = |name: &str| -> u64 {
        let prefix = format!("owlcms_tracker_{name} ");
        metrics.lines().find_map(|l| l.strip_prefix(&prefix)?.parse().ok()).unwrap_or(0)
    };
    Sample {
        at_seconds: at.as_secs_f64(),
        rss_mib: field("VmRSS:") as f64 / 1024.0,
        fds,
        threads: field("Threads:") as usize,
        tasks: metric("tokio_alive_tasks"),
        sse_clients: metric("sse_clients"),
        viewers,
    }
}
