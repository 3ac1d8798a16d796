//! The competition-day soak (`owlcms-bench soak`): a generated meet (2 platforms × 8 sessions
//! × 15 athletes) played at maximum speed into the real tracker binary, with viewers across
//! plugins, FOPs and languages joining and leaving, a plugin edited every few seconds and
//! OWLCMS reconnecting every minute; the tracker's memory, descriptors, threads and tasks are
//! sampled throughout, every viewer's final board is compared with `/api/view`, and the
//! tracker's warnings and errors are listed.

pub mod board;
pub mod cli;
pub mod owlcms;
pub mod process;
pub mod viewers;

use owlcms_simulator::generator::{Size, generate};
use owlcms_simulator::meet::Meet;
use process::{Logs, Sample, Soaked};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use viewers::{Fleet, Verdict};

/// How a soak runs.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// The tracker binary.
    pub binary: PathBuf,
    /// The plugins to copy for the tracker (the copy is edited).
    pub plugins: PathBuf,
    /// How long OWLCMS plays.
    pub duration: Duration,
    /// Viewers connected at any time.
    pub viewers: usize,
    /// Share of the viewers that leave (and are replaced) every second.
    pub churn_per_second: f64,
    /// Time between two plugin edits.
    pub edit_every: Duration,
    /// Time between two OWLCMS reconnects.
    pub reconnect_every: Duration,
    /// Time between two resource samples.
    pub sample_every: Duration,
    /// Time after which resources are taken as warm (growth is measured from there).
    pub warm_up: Duration,
    /// Seed of the meet, the viewers' choices and the edits.
    pub seed: u64,
}

/// Everything a soak measured.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SoakReport {
    /// Seconds OWLCMS played.
    pub seconds: f64,
    /// OWLCMS frames the tracker received, by type (`/api/diagnostics`).
    pub owlcms_messages: BTreeMap<String, u64>,
    /// OWLCMS connections opened (the first one included).
    pub owlcms_connections: u64,
    /// Plugin edits made.
    pub plugin_edits: u64,
    /// Distinct boards (plugin, FOP, language) the viewers picked from.
    pub boards: usize,
    /// Viewers opened in all, and those that left.
    pub viewers_joined: u64,
    /// See `viewers_joined`.
    pub viewers_left: u64,
    /// Frames the viewers received, by kind.
    pub frames: BTreeMap<String, u64>,
    /// Streams that failed while watched, and frames that did not apply.
    pub stream_failures: u64,
    /// See `stream_failures`.
    pub board_errors: u64,
    /// The first viewer problems, word for word.
    pub viewer_problems: Vec<String>,
    /// Resource samples, in order; the first after warm-up is `warm`.
    pub samples: Vec<Sample>,
    /// The sample the growth is measured from (the first after the warm-up).
    pub warm: Sample,
    /// The last sample, with OWLCMS stopped and the viewers still connected.
    pub end: Sample,
    /// Final boards against `/api/view`.
    pub verdict: Verdict,
    /// The tracker's log.
    pub logs: Logs,
    /// Whether the tracker stopped cleanly on SIGTERM.
    pub clean_exit: bool,
}

/// The generated competition of the soak.
pub fn meet(seed: u64) -> Meet {
    Meet::from_database(generate(Size { fops: 2, sessions: 8, athletes: 15 }, seed)).expect("a generated meet")
}

/// The boards viewers pick from: every plugin of the catalog, on each FOP it needs, in each
/// language the tracker has.
async fn boards(client: &reqwest::Client, tracker: &Soaked) -> anyhow::Result<Vec<String>> {
    let catalog: Value = client.get(tracker.http("/api/plugins")).send().await?.json().await?;
    let known: Vec<&str> =
        catalog["languages"].as_array().into_iter().flatten().filter_map(|l| l["id"].as_str()).collect();
    // A few languages of different scripts and word lengths, where the tracker has them.
    let languages: Vec<String> =
        ["en", "fr", "de", "ru"].into_iter().filter(|l| known.contains(l)).map(str::to_owned).collect();
    let fops: Vec<String> =
        catalog["fops"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(str::to_owned)).collect();
    let mut out = Vec::new();
    for plugin in catalog["plugins"].as_array().into_iter().flatten() {
        let Some(id) = plugin["id"].as_str() else { continue };
        if plugin["available"] != true || plugin["hidden"] == true {
            continue;
        }
        let on: Vec<Option<&String>> =
            if plugin["fopRequired"] == true { fops.iter().map(Some).collect() } else { vec![None] };
        for fop in on {
            for lang in &languages {
                let fop = fop.map(|f| format!("&fop={f}")).unwrap_or_default();
                out.push(format!("plugin={id}{fop}&lang={lang}"));
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "no boards in the catalog: {catalog}");
    Ok(out)
}

/// Waits until the tracker has the database, translations and both FOPs.
async fn wait_ready(client: &reqwest::Client, tracker: &Soaked) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let catalog: Value = client.get(tracker.http("/api/plugins")).send().await?.json().await?;
        let fops = catalog["fops"].as_array().map_or(0, Vec::len);
        let languages = catalog["languages"].as_array().map_or(0, Vec::len);
        if !catalog["competition"].is_null() && fops >= 2 && languages > 1 {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the tracker did not get the competition in 60 s: competition {}, {fops} FOPs, {languages} languages",
            catalog["competition"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Edits one plugin's mapping so that its views change: the original, plus a field.
fn edit_plugin(originals: &[(PathBuf, String)], n: u64, rng: &mut impl Rng) -> std::io::Result<()> {
    let (path, original) = &originals[rng.random_range(0..originals.len())];
    std::fs::write(path, format!("{original}\n| . + {{soakEdit: {n}}}\n"))
}

/// The plugins' mappings as shipped, to edit from.
fn mappings(tracker: &Soaked) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&tracker.plugins)? {
        let path = entry?.path().join("mapping.jq");
        if path.is_file() {
            let text = std::fs::read_to_string(&path)?;
            out.push((path, text));
        }
    }
    out.sort();
    Ok(out)
}

/// Runs a soak; `progress` receives a line now and then.
pub async fn run(options: &SoakOptions, progress: impl Fn(&str)) -> anyhow::Result<SoakReport> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut tracker = Soaked::start(&options.binary, &options.plugins)?;
    let client = reqwest::Client::new();
    let ws = format!("ws://{}/ws", tracker.addr);
    let original = meet(options.seed);
    let mut report = SoakReport::default();
    let mut connection = owlcms::Connection::open(&ws, original.clone(), options.seed);
    report.owlcms_connections = 1;
    wait_ready(&client, &tracker).await?;
    let queries = boards(&client, &tracker).await?;
    report.boards = queries.len();
    let mut fleet = Fleet::new(&format!("http://{}", tracker.addr), queries);
    for i in 0..options.viewers {
        fleet.join(i);
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let originals = mappings(&tracker)?;
    let started = Instant::now();
    let mut next = Next { edit: options.edit_every, reconnect: options.reconnect_every, sample: Duration::ZERO };
    let mut churn_debt = 0.0;
    let warm_after = options.warm_up;
    while started.elapsed() < options.duration {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = started.elapsed();
        churn_debt += options.churn_per_second * options.viewers as f64;
        fleet.churn(churn_debt as usize, &mut rng);
        churn_debt = churn_debt.fract();
        if now >= next.edit {
            report.plugin_edits += 1;
            edit_plugin(&originals, report.plugin_edits, &mut rng)?;
            next.edit = now + options.edit_every;
        }
        if now >= next.reconnect || connection.finished() {
            let played = connection.close().await;
            let meet = played.map(|m| owlcms::remaining(m, &original)).unwrap_or_else(|_| original.clone());
            connection = owlcms::Connection::open(&ws, meet, options.seed + report.owlcms_connections);
            report.owlcms_connections += 1;
            next.reconnect = now + options.reconnect_every;
        }
        if now >= next.sample {
            let sample = process::sample(&tracker, &client, now, fleet.len()).await;
            progress(&format!(
                "{:>5.0} s  RSS {:>6.1} MiB  fds {:>5}  threads {:>3}  tasks {:>5}  streams {:>5}  views {}",
                sample.at_seconds,
                sample.rss_mib,
                sample.fds,
                sample.threads,
                sample.tasks,
                sample.sse_clients,
                fleet.counters.views.load(std::sync::atomic::Ordering::Relaxed)
            ));
            if report.warm.at_seconds == 0.0 && now >= warm_after {
                report.warm = sample.clone();
            }
            report.samples.push(sample);
            next.sample = now + options.sample_every;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    let _ = connection.close().await;
    // OWLCMS stopped, edits stopped: the boards settle, then each must equal /api/view.
    tokio::time::sleep(Duration::from_secs(2)).await;
    report.end = process::sample(&tracker, &client, started.elapsed(), fleet.len()).await;
    report.samples.push(report.end.clone());
    let diagnostics: Value = client.get(tracker.http("/api/diagnostics")).send().await?.json().await?;
    report.owlcms_messages = serde_json::from_value(diagnostics["messages"].clone()).unwrap_or_default();
    report.verdict = fleet.verify(Duration::from_secs(10)).await;
    report.viewers_joined = fleet.joined;
    report.viewers_left = fleet.left;
    let c = &fleet.counters;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
    report.frames = BTreeMap::from([
        ("view".to_owned(), load(&c.views)),
        ("patch".to_owned(), load(&c.patches)),
        ("clock".to_owned(), load(&c.clocks)),
        ("decision".to_owned(), load(&c.decisions)),
        ("other".to_owned(), load(&c.others)),
    ]);
    report.stream_failures = load(&c.stream_failures);
    report.board_errors = load(&c.board_errors);
    report.viewer_problems = c.problems.lock().clone();
    report.clean_exit = tracker.stop();
    report.logs = tracker.logs();
    Ok(report)
}

struct Next {
    edit: Duration,
    reconnect: Duration,
    sample: Duration,
}
