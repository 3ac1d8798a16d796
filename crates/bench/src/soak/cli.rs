//! `owlcms-bench soak`: its command line, and the summary it prints (the JSON report goes to
//! a file).

use super::{SoakOptions, SoakReport};
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// The competition-day soak: a generated meet at maximum speed, viewers joining and leaving,
/// plugin edits, OWLCMS reconnects; resources sampled, final boards checked.
#[derive(Debug, Parser)]
#[command(name = "owlcms-bench soak")]
pub struct SoakArgs {
    /// Minutes OWLCMS plays.
    #[arg(long, default_value_t = 5.0)]
    pub minutes: f64,
    /// Viewers connected at any time.
    #[arg(long, default_value_t = 1000)]
    pub viewers: usize,
    /// Seconds between two plugin edits.
    #[arg(long, default_value_t = 5)]
    pub edit_every: u64,
    /// Seconds between two OWLCMS reconnects.
    #[arg(long, default_value_t = 60)]
    pub reconnect_every: u64,
    /// Share of the viewers replaced every second.
    #[arg(long, default_value_t = 0.01)]
    pub churn: f64,
    /// The tracker binary (default: `owlcms-tracker` next to this one).
    #[arg(long)]
    pub binary: Option<PathBuf>,
    /// Plugins folder (copied: the soak edits the copy).
    #[arg(long, default_value = "plugins")]
    pub plugins: PathBuf,
    /// Where to write the JSON report.
    #[arg(long, default_value = "target/bench/soak.json")]
    pub out: PathBuf,
}

impl SoakArgs {
    /// The options these arguments ask for.
    pub fn options(&self, binary: PathBuf) -> SoakOptions {
        SoakOptions {
            binary,
            plugins: self.plugins.clone(),
            duration: Duration::from_secs_f64(self.minutes * 60.0),
            viewers: self.viewers,
            churn_per_second: self.churn,
            edit_every: Duration::from_secs(self.edit_every),
            reconnect_every: Duration::from_secs(self.reconnect_every),
            sample_every: Duration::from_secs(10),
            warm_up: Duration::from_secs_f64(self.minutes * 12.0),
            seed: 19,
        }
    }
}

/// Runs `owlcms-bench soak <args>` (the arguments after `soak`).
pub async fn main(args: impl IntoIterator<Item = String>) -> anyhow::Result<()> {
    let args = SoakArgs::parse_from(args);
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("owlcms-tracker"),
    };
    anyhow::ensure!(binary.exists(), "no tracker binary at {} (build it first, or pass --binary)", binary.display());
    // Each viewer is a socket here and in the tracker (which inherits this limit).
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let report = super::run(&args.options(binary), |line| eprintln!("{line}")).await?;
    print!("{}", summary(&report));
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("report written to {}", args.out.display());
    anyhow::ensure!(report.verdict.equal == report.verdict.compared, "some final boards differ from /api/view");
    Ok(())
}

/// The human summary of a soak.
pub fn summary(r: &SoakReport) -> String {
    let events: u64 = r.owlcms_messages.values().sum();
    let kinds: Vec<String> = r.owlcms_messages.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let frames: Vec<String> = r.frames.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let (w, e) = (&r.warm, &r.end);
    let mut out = format!(
        "soak: {:.0} s, {events} OWLCMS messages ({}), {} OWLCMS connections, {} plugin edits\n\
viewers: {} boards, {} joined, {} left, frames {}; {} stream failures, {} board errors\n\
resources (warm at {:.0} s → end): RSS {:.1} → {:.1} MiB, fds {} → {}, threads {} → {}, tasks {} → {} \
(first sample: RSS {:.1} MiB, fds {}, tasks {})\n\
final boards: {} of {} equal to /api/view\n\
log: {:?}; tracker exited cleanly: {}\n",
        r.seconds,
        kinds.join(", "),
        r.owlcms_connections,
        r.plugin_edits,
        r.boards,
        r.viewers_joined,
        r.viewers_left,
        frames.join(", "),
        r.stream_failures,
        r.board_errors,
        w.at_seconds,
        w.rss_mib,
        e.rss_mib,
        w.fds,
        e.fds,
        w.threads,
        e.threads,
        w.tasks,
        e.tasks,
        r.samples.first().map_or(0.0, |s| s.rss_mib),
        r.samples.first().map_or(0, |s| s.fds),
        r.samples.first().map_or(0, |s| s.tasks),
        r.verdict.equal,
        r.verdict.compared,
        r.logs.levels,
        r.clean_exit,
    );
    for difference in &r.verdict.differences {
        out.push_str(&format!("  board differs: {difference}\n"));
    }
    for (message, logged) in &r.logs.errors {
        out.push_str(&format!("  ERROR ×{}: {message} (first: {})\n", logged.count, logged.example));
    }
    for (message, logged) in &r.logs.warnings {
        out.push_str(&format!("  WARN ×{}: {message} (first: {})\n", logged.count, logged.example));
    }
    for problem in &r.viewer_problems {
        out.push_str(&format!("  viewer: {problem}\n"));
    }
    out
}
