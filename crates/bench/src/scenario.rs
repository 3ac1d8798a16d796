//! One benchmark run for N viewers, and the start-up measurements.

use super::fleet::{self, Marks, Observed};
use super::server::Tracker;
use super::stats::percentiles;
use super::{Measured, Startup, procfs};
use futures_util::StreamExt;
use owlcms_simulator::assets;
use owlcms_simulator::generator::{Size, generate};
use owlcms_simulator::link::{Link, LinkError, Resends, VERSION};
use owlcms_simulator::meet::Meet;
use owlcms_simulator::payload::{self, FopState};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const MIB: f64 = 1024.0 * 1024.0;

/// How much traffic a run sends.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Clock events measured.
    pub clocks: usize,
    /// View updates measured.
    pub views: usize,
    /// Timer messages for the throughput measure.
    pub throughput_timers: usize,
    /// Update messages for the throughput measure.
    pub throughput_updates: usize,
}

impl Load {
    /// The full benchmark.
    pub const FULL: Load = Load { clocks: 40, views: 10, throughput_timers: 2000, throughput_updates: 300 };
    /// A few seconds' smoke run (CI).
    pub const SMOKE: Load = Load { clocks: 5, views: 2, throughput_timers: 50, throughput_updates: 10 };
}

/// The session the bench plays: 1 FOP, 15 athletes, generated.
fn bench_meet() -> Meet {
    let database = generate(Size { fops: 1, sessions: 1, athletes: 15 }, 42);
    Meet::from_database(database).expect("a generated competition")
}

async fn feed_startup(link: &Link, meet: &Meet) -> Result<(), LinkError> {
    let (metadata, database) = assets::database_frames(VERSION, &meet.database);
    link.raw_text(metadata).await?;
    link.binary(database).await?;
    link.binary(assets::translations_frame(VERSION, &assets::translations_json())).await?;
    link.binary(assets::flags_frame(VERSION, &meet.teams)).await?;
    Ok(())
}

fn lifting_state(meet: &Meet) -> FopState {
    let mut state = FopState::new("A", None);
    state.session = meet.sessions.get("A").and_then(|s| s.first().cloned());
    state.fop_state = "CURRENT_ATHLETE_DISPLAYED";
    state.mode = "CURRENT_ATHLETE";
    state
}

fn update_with_weight(meet: &Meet, state: &FopState, weight: i64) -> Value {
    let mut update = payload::update(meet, state, "LiftingOrderUpdated");
    update["weight"] = json!(weight.to_string());
    update
}

/// Runs one measurement with `clients` viewers against a fresh tracker.
pub async fn run(binary: &Path, plugins: &Path, clients: usize, load: Load) -> anyhow::Result<Measured> {
    let tracker = Tracker::start(binary, plugins, None)?;
    let pid = tracker.pid();
    let addr = tracker.addr;
    let mut m =
        Measured { clients, start_ms: tracker.start_to_listening.as_secs_f64() * 1000.0, ..Measured::default() };
    tokio::time::sleep(Duration::from_millis(300)).await;
    m.rss_idle_mib = procfs::rss_bytes(pid) as f64 / MIB;
    let meet = bench_meet();
    let link = Link::connect(&format!("ws://{addr}/ws"), Resends::default(), None).await?;
    feed_startup(&link, &meet).await?;
    let state = lifting_state(&meet);
    link.text("update", update_with_weight(&meet, &state, 100)).await?;
    m.rss_loaded_mib = procfs::rss_bytes(pid) as f64 / MIB;

    let (marks, observed, stop) = (Arc::new(Marks::default()), Arc::new(Observed::default()), CancellationToken::new());
    let connect_start = Instant::now();
    fleet::open(clients, addr, "/api/stream?plugin=lifting-order&fop=A", marks.clone(), observed.clone(), stop.clone())
        .await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while observed.ready.load(Ordering::Relaxed) + observed.failed.load(Ordering::Relaxed) < clients
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    m.connect_seconds = connect_start.elapsed().as_secs_f64();
    m.clients_ready = observed.ready.load(Ordering::Relaxed);
    let cpu_start = (procfs::cpu_time(pid), Instant::now());

    // Clock events: SetTime with a unique remaining time as the marker, 20 per second.
    for k in 0..load.clocks {
        let mark = 50_000 + k as i64;
        let timer = json!({"fopName": "A", "fopState": "CURRENT_ATHLETE_DISPLAYED", "mode": "CURRENT_ATHLETE",
            "athleteTimerEventType": "SetTime", "athleteMillisRemaining": mark.to_string()});
        marks.clocks.lock().insert(mark, Instant::now());
        link.text("timer", timer).await?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // CPU per clock delivery: the clock phase alone, once its last frames are out.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let clock_cpu = procfs::cpu_time(pid) - cpu_start.0;
    let delivered = observed.clock.lock().len().max(1);
    m.clock_cpu_us_per_delivery = clock_cpu.as_secs_f64() * 1e6 / delivered as f64;
    let frames = observed.clock_frames.load(Ordering::Relaxed).max(1);
    m.clock_frame_bytes = observed.clock_bytes.load(Ordering::Relaxed) as f64 / frames as f64;
    // View updates: a new requested weight each time, 3 per second.
    for k in 0..load.views {
        let weight = 200 + k as i64;
        let update = update_with_weight(&meet, &state, weight);
        marks.views.lock().insert(weight, Instant::now());
        link.text("update", update).await?;
        tokio::time::sleep(Duration::from_millis(330)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu_end = (procfs::cpu_time(pid), Instant::now());
    m.cpu_cores = (cpu_end.0 - cpu_start.0).as_secs_f64() / (cpu_end.1 - cpu_start.1).as_secs_f64();
    let mut clock = observed.clock.lock().clone();
    m.clock_lost = (load.clocks * m.clients_ready) as i64 - clock.len() as i64;
    m.clock = percentiles(&mut clock);
    let views = observed.views.lock().clone();
    let mut completed: Vec<Duration> = Vec::new();
    for samples in views.values() {
        if samples.len() >= m.clients_ready {
            completed.push(samples.iter().copied().max().unwrap_or_default());
        }
    }
    m.view_lost = load.views as i64 - completed.len() as i64;
    m.view = percentiles(&mut completed);

    // Bytes per viewer for one lift.
    observed.bytes.store(0, Ordering::Relaxed);
    lift(&link, &meet, &state).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    m.bytes_per_viewer_per_lift = observed.bytes.load(Ordering::Relaxed) as f64 / m.clients_ready.max(1) as f64;
    m.rss_clients_mib = procfs::rss_bytes(pid) as f64 / MIB;
    m.patches_per_viewer = observed.patches.load(Ordering::Relaxed) as f64 / m.clients_ready.max(1) as f64;

    // Ingest throughput with these viewers connected, 64 messages in flight.
    let started = Instant::now();
    let timers = futures_util::stream::iter(0..load.throughput_timers)
        .map(|i| {
            let timer = json!({"fopName": "A", "athleteTimerEventType": "SetTime", "athleteMillisRemaining": (i % 60_000).to_string()});
            link.text("timer", timer)
        })
        .buffer_unordered(64);
    timers.for_each(|_| async {}).await;
    m.timers_per_second = load.throughput_timers as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let updates: Vec<Value> =
        (0..load.throughput_updates).map(|i| update_with_weight(&meet, &state, 300 + i as i64)).collect();
    futures_util::stream::iter(updates.into_iter().map(|u| link.text("update", u)))
        .buffer_unordered(64)
        .for_each(|_| async {})
        .await;
    m.updates_per_second = load.throughput_updates as f64 / started.elapsed().as_secs_f64();

    stop.cancel();
    drop(link);
    tracker.stop();
    Ok(m)
}

/// One lift as OWLCMS sends it.
async fn lift(link: &Link, meet: &Meet, state: &FopState) -> Result<(), LinkError> {
    let mut state = state.clone();
    link.text("update", update_with_weight(meet, &state, 150)).await?;
    for event in ["StartTime", "StopTime"] {
        link.text("timer", payload::athlete_timer(meet, &state, event, 41_000, owlcms_simulator::wire::now_ms()))
            .await?;
    }
    state.fop_state = "DOWN_SIGNAL_VISIBLE";
    link.text("decision", payload::decision(meet, &state, "DOWN_SIGNAL", None, false)).await?;
    link.text("decision", payload::decision(meet, &state, "FULL_DECISION", Some([true, true, false]), false)).await?;
    link.text("decision", payload::decision(meet, &state, "RESET", None, false)).await?;
    link.text("update", update_with_weight(meet, &state, 151)).await?;
    Ok(())
}

/// Start-up time empty, and with a saved competition to restore.
pub async fn startup(binary: &Path, plugins: &Path) -> anyhow::Result<Startup> {
    let empty = Tracker::start(binary, plugins, None)?;
    let empty_ms = empty.start_to_listening.as_secs_f64() * 1000.0;
    empty.stop();
    let data = tempfile_dir()?;
    let first = Tracker::start(binary, plugins, Some(&data))?;
    let meet = bench_meet();
    let link = Link::connect(&format!("ws://{}/ws", first.addr), Resends::default(), None).await?;
    feed_startup(&link, &meet).await?;
    link.text("update", update_with_weight(&meet, &lifting_state(&meet), 100)).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(link);
    first.stop();
    let restored = Tracker::start(binary, plugins, Some(&data))?;
    let restored_ms = restored.start_to_listening.as_secs_f64() * 1000.0;
    restored.stop();
    let _ = std::fs::remove_dir_all(&data);
    Ok(Startup { empty_ms, restored_ms })
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("owlcms-bench-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
