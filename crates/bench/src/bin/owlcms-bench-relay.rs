//! `owlcms-bench-relay`: the cost of a relay hop (issue 14). Starts a nats-server with
//! JetStream, an ingest node playing the built-in simulated session, and one relay; opens N
//! viewers on each for the same view, and measures, for every view version, how long after
//! the first ingest viewer had it each viewer had it (ingest viewers: the fan-out spread;
//! relay viewers: that plus the hop), the relay's CPU, and NATS messages and bytes per
//! OWLCMS message. Usage: `target/release/owlcms-bench-relay --viewers 1000 --seconds 30`.

use anyhow::Context;
use clap::Parser;
use owlcms_bench::procfs::cpu_time;
use owlcms_bench::stats::percentiles;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Relay hop benchmark.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Viewers on the ingest node and as many on the relay.
    #[arg(long, default_value_t = 1000)]
    viewers: usize,
    /// Seconds measured.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The tracker binary (default: next to this one).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Plugins folder.
    #[arg(long, default_value = "plugins")]
    plugins: PathBuf,
    /// The view every viewer watches.
    #[arg(long, default_value = "plugin=lifting-order&fop=A")]
    view: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// A child process ended when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tracker(binary: &Path, plugins: &Path, args: &[&str]) -> anyhow::Result<(Process, SocketAddr)> {
    let mut child = Command::new(binary)
        .args(["--listen", "127.0.0.1", "--port", "0", "--log-json", "--log-level", "warn,owlcms_tracker=info"])
        .args(["--max-connections-per-address", "0", "--max-streams-per-address", "0", "--data-dir", ""])
        .arg("--plugins-dir")
        .arg(plugins)
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let value: Value = serde_json::from_str(&line).unwrap_or_default();
            if value.pointer("/fields/message").and_then(Value::as_str) == Some("listening")
                && let Some(addr) = value.pointer("/fields/addr").and_then(Value::as_str).and_then(|a| a.parse().ok())
            {
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).context("the tracker did not start listening")?;
    Ok((Process(child), addr))
}

async fn http_get(addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut socket = tokio::net::TcpStream::connect(addr).await?;
    socket.write_all(format!("GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n").as_bytes()).await?;
    let mut text = String::new();
    socket.read_to_string(&mut text).await?;
    Ok(text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default())
}

/// Arrival times of each view version, per node, per viewer.
type Arrivals = Arc<Mutex<HashMap<String, Vec<(bool, Instant)>>>>;

/// One viewer: HTTP/1.0, so the body is the bare event stream (no chunk framing).
async fn viewer(addr: SocketAddr, path: String, relay: bool, arrivals: Arrivals) -> anyhow::Result<()> {
    let mut socket = tokio::net::TcpStream::connect(addr).await?;
    socket.write_all(format!("GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n").as_bytes()).await?;
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        let now = Instant::now();
        buffer.extend_from_slice(&chunk[..n]);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let versioned = text.contains("event: view\n") || text.contains("event: patch\n");
            if let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")).filter(|_| versioned) {
                arrivals.lock().entry(id.to_owned()).or_default().push((relay, now));
            }
        }
    }
}

fn varz(port: u16) -> Value {
    let text = std::process::Command::new("curl").args(["-s", &format!("http://127.0.0.1:{port}/varz")]).output();
    text.ok().and_then(|o| serde_json::from_slice(&o.stdout).ok()).unwrap_or_default()
}

fn owlcms_messages(metrics: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("owlcms_tracker_messages_total"))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("owlcms-tracker"),
    };
    let store = std::env::temp_dir().join(format!("owlcms-bench-relay-{}", std::process::id()));
    let (port, monitor) = (free_port(), free_port());
    let _nats = Process(
        Command::new("nats-server")
            .args(["-js", "-sd"])
            .arg(&store)
            .args(["-p", &port.to_string(), "-m", &monitor.to_string(), "-a", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("nats-server (apt-get install nats-server)")?,
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let url = format!("nats://127.0.0.1:{port}");
    let (_ingest, ingest) = tracker(&binary, &args.plugins, &["--nats-url", &url, "--demo", "--demo-speed", "10"])?;
    let (relay_process, relay) = tracker(&binary, &args.plugins, &["--nats-url", &url, "relay"])?;
    let relay_pid = relay_process.0.id();
    let path = format!("/api/stream?{}", args.view);
    // The session is under way and the view exists on both nodes.
    tokio::time::sleep(Duration::from_secs(3)).await;
    http_get(relay, &format!("/api/view?{}", args.view)).await?;
    let arrivals: Arrivals = Arc::default();
    for i in 0..args.viewers * 2 {
        let (addr, on_relay) = if i % 2 == 0 { (ingest, false) } else { (relay, true) };
        tokio::spawn(viewer(addr, path.clone(), on_relay, arrivals.clone()));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    arrivals.lock().clear();
    let (nats_before, owlcms_before, cpu_before) =
        (varz(monitor), owlcms_messages(&http_get(ingest, "/metrics").await?), cpu_time(relay_pid));
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let elapsed = started.elapsed();
    let (nats_after, owlcms_after, cpu_after) =
        (varz(monitor), owlcms_messages(&http_get(ingest, "/metrics").await?), cpu_time(relay_pid));
    let arrivals = arrivals.lock().clone();
    let (mut on_ingest, mut on_relay) = (Vec::new(), Vec::new());
    let mut complete = 0;
    for times in arrivals.values() {
        let Some(first) = times.iter().filter(|(r, _)| !r).map(|(_, t)| *t).min() else { continue };
        let relayed = times.iter().filter(|(r, _)| *r).count();
        // Versions every viewer of both nodes got (a viewer that was busy may skip one).
        if relayed >= args.viewers && times.len() >= args.viewers * 2 {
            complete += 1;
        }
        for (relay, at) in times {
            let latency = at.saturating_duration_since(first);
            if *relay { on_relay.push(latency) } else { on_ingest.push(latency) }
        }
    }
    let delta = |key: &str| nats_after[key].as_f64().unwrap_or(0.0) - nats_before[key].as_f64().unwrap_or(0.0);
    let owlcms = (owlcms_after - owlcms_before).max(1.0);
    let report = json!({
        "viewersPerNode": args.viewers,
        "seconds": elapsed.as_secs_f64(),
        "versions": arrivals.len(),
        "versionsEveryViewerGot": complete,
        "ingestViewersMs": percentiles(&mut on_ingest),
        "relayViewersMs": percentiles(&mut on_relay),
        "relayCpuCores": (cpu_after - cpu_before).as_secs_f64() / elapsed.as_secs_f64(),
        "relayCpuMicrosPerDelivery": (cpu_after - cpu_before).as_secs_f64() * 1e6 / (on_relay.len().max(1) as f64),
        "owlcmsMessages": owlcms,
        "natsInMsgsPerOwlcmsMessage": delta("in_msgs") / owlcms,
        "natsInBytesPerOwlcmsMessage": delta("in_bytes") / owlcms,
        "natsOutMsgsPerOwlcmsMessage": delta("out_msgs") / owlcms,
        "natsOutBytesPerOwlcmsMessage": delta("out_bytes") / owlcms,
        "natsOutBytesPerSecond": delta("out_bytes") / elapsed.as_secs_f64(),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    drop(relay_process);
    let _ = std::fs::remove_dir_all(&store);
    Ok(())
}
