//! A real `nats-server` with JetStream on a free loopback port, its store in a temp folder
//! (kept across a restart of the same server, as a real deployment's volume is), with extra
//! flags for authentication or TLS. Shared by the server's relay tests and the browser test.
// Each test crate uses a part of it.
#![allow(dead_code)]

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
