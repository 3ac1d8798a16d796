//! A real `nats-server` with JetStream on a free loopback port, its store in a temp folder
//! (kept across a restart of the same server, as a real deployment's volume is), and a raw
//! SSE reader that keeps every frame's bytes (for byte-for-byte comparisons between nodes).
// Each test crate uses a part of it.
#![allow(dead_code)]

use futures_util::StreamExt;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nats-server.
pub(crate) struct Nats {
    child: Option<Child>,
    pub port: u16,
    store: tempfile::TempDir,
    /// Extra server flags (authentication, TLS).
    extra: Vec<String>,
    /// `nats` or `tls`, for [`Nats::url`].
    scheme: &'static str,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Nats {
    pub(crate) fn start() -> Nats {
        Nats::start_with(&[])
    }

    /// A server with extra flags (`--user a --pass b`, `--auth token`, `--tls …`).
    pub(crate) fn start_with(extra: &[&str]) -> Nats {
        let scheme = if extra.contains(&"--tls") { "tls" } else { "nats" };
        let mut nats = Nats {
            child: None,
            port: free_port(),
            store: tempfile::tempdir().unwrap(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            scheme,
        };
        nats.resume();
        nats
    }

    /// `nats://127.0.0.1:<port>` (`tls://` with TLS).
    pub(crate) fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    /// Starts the server (again) on the same port and store.
    pub(crate) fn resume(&mut self) {
        let store: PathBuf = self.store.path().to_path_buf();
        let child = Command::new("nats-server")
            .args(["-js", "-sd"])
            .arg(&store)
            .args(["-p", &self.port.to_string(), "-a", "127.0.0.1"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server installed (scripts/test installs it)");
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "nats-server listens");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (SIGKILL: as a crash or a lost network looks to its clients).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One SSE frame as received: its event name, id and the exact bytes of the block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawFrame {
    pub event: String,
    pub id: String,
    pub data: String,
    pub bytes: Vec<u8>,
}

/// Frames of one stream, read in the background into a channel.
pub(crate) struct RawStream {
    rx: tokio::sync::mpsc::UnboundedReceiver<RawFrame>,
}

impl RawStream {
    pub(crate) async fn connect(url: &str) -> RawStream {
        let response = reqwest::Client::new().get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "stream {url}");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut buffer: Vec<u8> = Vec::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.extend_from_slice(&chunk);
                while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
                    let block: Vec<u8> = buffer.drain(..end + 2).collect();
                    // The `retry:` line rides on the first frame: it is not part of the frame.
                    let text = String::from_utf8_lossy(&block).into_owned();
                    let text = text.strip_prefix("retry: 2000\n").unwrap_or(&text).to_owned();
                    let field =
                        |name: &str| text.lines().filter_map(|l| l.strip_prefix(name)).collect::<Vec<_>>().join("\n");
                    let frame = RawFrame {
                        event: field("event: "),
                        id: field("id: "),
                        data: field("data: "),
                        bytes: text.as_bytes().to_vec(),
                    };
                    if tx.send(frame).is_err() {
                        return;
                    }
                }
            }
        });
        RawStream { rx }
    }

    /// The next frame within `wait`.
    pub(crate) async fn next(&mut self, wait: Duration) -> Option<RawFrame> {
        tokio::time::timeout(wait, self.rx.recv()).await.ok().flatten()
    }

    /// Every frame that arrives within `wait`.
    pub(crate) async fn collect(&mut self, wait: Duration) -> Vec<RawFrame> {
        let until = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        while let Ok(Some(frame)) = tokio::time::timeout_at(until, self.rx.recv()).await {
            out.push(frame);
        }
        out
    }
}
