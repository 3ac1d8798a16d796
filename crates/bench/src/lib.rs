//! The benchmark harness: starts the tracker, feeds it realistic OWLCMS traffic over a real
//! WebSocket (the simulator's messages for a 15-athlete session), opens N real SSE viewers and
//! measures event latencies, ingest throughput, memory, CPU and start-up time; and the
//! competition-day soak ([`soak`]).

pub mod fleet;
pub mod procfs;
pub mod scenario;
pub mod server;
pub mod soak;
pub mod stats;

use serde::Serialize;
use stats::Percentiles;

/// mimalloc's settings of the tracker as shipped (scripts/run, the image): arena memory
/// committed lazily and freed memory returned at once (RSS at 10 000 viewers 260 → 157 MiB,
/// BENCHMARKS.md "Delivery").
pub const MIMALLOC: [(&str, &str); 2] = [("MIMALLOC_ARENA_EAGER_COMMIT", "0"), ("MIMALLOC_PURGE_DELAY", "0")];

/// Everything measured for one number of viewers (one run).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Measured {
    /// Viewers asked for.
    pub clients: usize,
    /// Viewers that got their first view.
    pub clients_ready: usize,
    /// Seconds until every viewer had its first view.
    pub connect_seconds: f64,
    /// Clock event latency, WebSocket send → viewer receipt.
    pub clock: Percentiles,
    /// Clock events that never arrived (expected − received).
    pub clock_lost: i64,
    /// View update latency, update sent → the last viewer has the new view.
    pub view: Percentiles,
    /// View updates not received by every viewer.
    pub view_lost: i64,
    /// Timer messages acknowledged per second.
    pub timers_per_second: f64,
    /// Update messages acknowledged per second.
    pub updates_per_second: f64,
    /// Server RSS before OWLCMS connects (MiB).
    pub rss_idle_mib: f64,
    /// Server RSS after the database and translations are loaded (MiB).
    pub rss_loaded_mib: f64,
    /// Server RSS with the viewers connected, after the measurements (MiB).
    pub rss_clients_mib: f64,
    /// Server CPU while the viewers were measured (share of one core).
    pub cpu_cores: f64,
    /// Server CPU time per clock frame delivered to a viewer, during the clock phase (µs).
    pub clock_cpu_us_per_delivery: f64,
    /// Mean size of a `clock` frame on the wire, SSE framing included (bytes).
    pub clock_frame_bytes: f64,
    /// `patch` frames each viewer received in the whole run.
    pub patches_per_viewer: f64,
    /// Bytes each viewer received for one lift (update, clock start/stop, decisions, update).
    pub bytes_per_viewer_per_lift: f64,
    /// Milliseconds from process start to listening.
    pub start_ms: f64,
}

/// Start-up times.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Startup {
    /// Process start → listening, with nothing saved (ms).
    pub empty_ms: f64,
    /// Process start → listening, restoring a saved database and session (ms).
    pub restored_ms: f64,
}
