//! `owlcms-bench`: runs the benchmark against the release tracker and prints a table and JSON.
//! Usage: `cargo build --release && target/release/owlcms-bench --clients 1,100,1000,10000 --runs 3`;
//! `owlcms-bench soak [--minutes M]` runs the competition-day soak instead (`scripts/soak`).

use anyhow::Context;
use clap::Parser;
use owlcms_bench::scenario::{self, Load};
use owlcms_bench::stats::median;
use owlcms_bench::{Measured, Startup};
use serde_json::json;
use std::path::PathBuf;

/// Benchmark of owlcms-tracker: latencies, fan-out, ingest, memory.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Numbers of SSE viewers to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000,10000")]
    clients: Vec<usize>,
    /// Runs per number of viewers (the table shows medians).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The tracker binary (default: `owlcms-tracker` next to this one).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Plugins folder for the tracker.
    #[arg(long, default_value = "plugins")]
    plugins: PathBuf,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
    /// A few seconds' run to check that the bench works (used by CI).
    #[arg(long)]
    smoke: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("soak") {
        return owlcms_bench::soak::cli::main(std::env::args().skip(1)).await;
    }
    let args = Args::parse();
    // Each viewer is a socket here and in the tracker (which inherits this limit).
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("owlcms-tracker"),
    };
    anyhow::ensure!(binary.exists(), "no tracker binary at {} (build it first, or pass --binary)", binary.display());
    let load = if args.smoke { Load::SMOKE } else { Load::FULL };
    let mut all: Vec<Vec<Measured>> = Vec::new();
    for &clients in &args.clients {
        let mut runs = Vec::new();
        for run in 0..args.runs {
            eprintln!("… {clients} viewers, run {}/{}", run + 1, args.runs);
            runs.push(
                scenario::run(&binary, &args.plugins, clients, load)
                    .await
                    .with_context(|| format!("{clients} viewers"))?,
            );
        }
        all.push(runs);
    }
    let startup: Startup = scenario::startup(&binary, &args.plugins).await?;
    print_table(&all, &startup);
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let machine = json!({"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim()});
    let report = json!({"machine": machine, "runs": all, "startup": startup});
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("results written to {}", args.out.display());
    Ok(())
}

fn med(runs: &[Measured], f: impl Fn(&Measured) -> f64) -> f64 {
    median(&mut runs.iter().map(f).collect::<Vec<_>>())
}

fn print_table(all: &[Vec<Measured>], startup: &Startup) {
    println!(
        "| viewers | ready | clock p50/p95/p99/max ms | clock lost | view p50/p95/p99/max ms | views lost | timers/s | updates/s | RSS idle/loaded/with viewers MiB | CPU cores | bytes/viewer/lift | clock CPU µs/delivery | clock frame B | patches/viewer |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for runs in all {
        let first = &runs[0];
        println!(
            "| {} | {:.0} | {:.1} / {:.1} / {:.1} / {:.1} | {:.0} | {:.1} / {:.1} / {:.1} / {:.1} | {:.0} | {:.0} | {:.0} | {:.1} / {:.1} / {:.1} | {:.2} | {:.0} | {:.1} | {:.0} | {:.0} |",
            first.clients,
            med(runs, |m| m.clients_ready as f64),
            med(runs, |m| m.clock.p50),
            med(runs, |m| m.clock.p95),
            med(runs, |m| m.clock.p99),
            med(runs, |m| m.clock.max),
            med(runs, |m| m.clock_lost as f64),
            med(runs, |m| m.view.p50),
            med(runs, |m| m.view.p95),
            med(runs, |m| m.view.p99),
            med(runs, |m| m.view.max),
            med(runs, |m| m.view_lost as f64),
            med(runs, |m| m.timers_per_second),
            med(runs, |m| m.updates_per_second),
            med(runs, |m| m.rss_idle_mib),
            med(runs, |m| m.rss_loaded_mib),
            med(runs, |m| m.rss_clients_mib),
            med(runs, |m| m.cpu_cores),
            med(runs, |m| m.bytes_per_viewer_per_lift),
            med(runs, |m| m.clock_cpu_us_per_delivery),
            med(runs, |m| m.clock_frame_bytes),
            med(runs, |m| m.patches_per_viewer),
        );
    }
    println!(
        "\nstart → listening: {:.0} ms empty, {:.0} ms restoring a saved competition",
        startup.empty_ms, startup.restored_ms
    );
}
