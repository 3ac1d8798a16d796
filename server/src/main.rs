//! The `owlcms-tracker` binary: flags, logging, signals, and the tools that play OWLCMS
//! (`--demo`, `simulate`, `generate`, `replay`, from the `owlcms-simulator` crate); the
//! tracker itself is the library.

mod cli;

use anyhow::Context;
use clap::Parser;
use cli::{CheckPluginArgs, Cli, Command, GenerateArgs, HealthcheckArgs, ReplayArgs, SimulateArgs};
use owlcms_simulator::{self as simulator, SimulatorOptions, meet::Meet};
use owlcms_tracker::{Server, telemetry};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

// mimalloc on every build: glibc's per-thread arenas doubled the RSS of a busy tracker (the demo
// at full speed with 20 viewers: 141 MiB, 101 with MALLOC_ARENA_MAX=2), and musl's allocator
// (the image) would slow it down; malloc/free were a third of the mapping's own time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::CheckPlugin(args)) = &cli.command {
        // Its report is the output; only warnings may add to it.
        telemetry::init("warn", false);
        return check_plugins(args).await;
    }
    telemetry::init(&cli.serve.log_level, cli.serve.log_json);
    let result = match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Serve => serve(&cli).await,
        Command::Relay => relay(&cli).await,
        Command::Simulate(args) => simulate(args).await,
        Command::Generate(args) => generate(args),
        Command::Replay(args) => replay(args).await,
        Command::Healthcheck(args) => healthcheck(args),
        Command::CheckPlugin(args) => return check_plugins(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn relay(cli: &Cli) -> anyhow::Result<()> {
    if let Ok(limit) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::debug!(limit, "open file limit");
    }
    let options = cli.serve.relay().ok_or_else(|| anyhow::anyhow!("relay needs --nats-url (or NATS_URL)"))?;
    let listen = std::net::SocketAddr::new(cli.serve.listen, cli.serve.port);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let signalled = wait_for_signal();
    let relay = owlcms_tracker::relay::http::Relay::with_listener(listener, options).await?;
    let token = relay.shutdown_token();
    tokio::spawn(async move {
        signalled.await;
        token.cancel();
    });
    relay.wait().await
}

async fn serve(cli: &Cli) -> anyhow::Result<()> {
    // Every viewer holds a socket: allow as many as the system lets this process have.
    if let Ok(limit) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::debug!(limit, "open file limit");
    }
    let options = cli.serve.options();
    let keyed = options.update_key.is_some();
    let signalled = wait_for_signal();
    let server = Server::start(options).await?;
    // The bound port (differs from the flag with --port 0).
    let port = server.addr().port();
    let token = server.shutdown_token();
    if cli.serve.demo {
        info!(
            "DEMO MODE: a simulated OWLCMS plays a competition through ws://127.0.0.1:{port}/ws (pace ×{:?}); \
             open http://localhost:{port}. For real use start without --demo.",
            cli.serve.demo_speed
        );
        let mut options = SimulatorOptions::new(&format!("ws://127.0.0.1:{port}/ws"));
        options.speed = cli.serve.demo_speed;
        options.loop_forever = true;
        options.update_key = cli.serve.update_key.clone();
        let stop = token.clone();
        tokio::spawn(async move {
            let meet = match Meet::demo() {
                Ok(meet) => meet,
                Err(e) => return tracing::error!("demo competition unavailable: {e}"),
            };
            if let Err(e) = simulator::run(meet, options, stop).await {
                tracing::error!("demo simulator stopped: {e}");
            }
        });
    } else {
        info!("LIVE MODE: waiting for OWLCMS (no demo; start with --demo to see a simulated competition)");
    }
    info!(
        "connect OWLCMS: set \"URL for Video Data\" to ws://<this host>:{port}/ws{}",
        if keyed { " and the same update key" } else { "" }
    );
    tokio::spawn(async move {
        signalled.await;
        info!("shutting down");
        token.cancel();
    });
    server.wait().await.context("while serving")
}

async fn simulate(args: &SimulateArgs) -> anyhow::Result<()> {
    let meet = match &args.database {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("while reading {}", path.display()))?;
            let value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
            Meet::from_database(value)?
        }
        None => Meet::demo()?,
    };
    let mut options = SimulatorOptions::new(&args.url);
    options.speed = args.speed;
    options.seed = args.seed;
    options.loop_forever = args.loop_forever;
    options.fops = args.fops.clone();
    options.max_sessions = args.sessions;
    options.update_key = args.update_key.clone();
    let stop = CancellationToken::new();
    let token = stop.clone();
    let signalled = wait_for_signal();
    tokio::spawn(async move {
        signalled.await;
        token.cancel();
    });
    let meet = simulator::run(meet, options, stop).await?;
    let lifts: usize = meet.lifters.values().map(|l| l.attempts_done()).sum();
    info!(athletes = meet.lifters.len(), lifts, "simulation finished");
    Ok(())
}

fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let size = simulator::generator::Size { fops: args.fops, sessions: args.sessions, athletes: args.athletes };
    let database = simulator::generator::generate(size, args.seed);
    let text = serde_json::to_string_pretty(&database)?;
    match &args.out {
        Some(path) => std::fs::write(path, text).with_context(|| format!("while writing {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(())
}

async fn replay(args: &ReplayArgs) -> anyhow::Result<()> {
    let done = simulator::replay::replay_keyed(&args.dir, &args.url, args.speed, args.update_key.as_deref()).await?;
    info!(text = done.text, binary = done.binary, "replayed");
    Ok(())
}

/// Checks each folder; prints what passed on stdout and each problem as `file:line: message`
/// on stderr; fails when any folder fails.
async fn check_plugins(args: &CheckPluginArgs) -> ExitCode {
    let mut failed = 0;
    for dir in &args.dirs {
        match owlcms_tracker::plugins::check::check_dir(dir).await {
            Ok(report) => {
                let config = &report.config;
                let n = config.options.len();
                let options = format!("{n} option{}", if n == 1 { "" } else { "s" });
                println!("ok {}: config.json valid (\"{}\", page {}, {options})", report.id, config.name, config.page);
                println!("   mapping.jq compiled with {}", report.shared);
                for run in &report.runs {
                    println!("   {run}");
                }
            }
            Err(problem) => {
                failed += 1;
                eprintln!("error: {problem}");
            }
        }
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// One HTTP/1.0 request to the local tracker; exit code 0 only for a 200.
fn healthcheck(args: &HealthcheckArgs) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let path = if args.ready { "/api/health" } else { "/api/health?live" };
    let timeout = std::time::Duration::from_secs(args.timeout.max(1));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("no tracker on {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response).context("while reading the health answer")?;
    let status = response.split_whitespace().nth(1).unwrap_or("?");
    anyhow::ensure!(status == "200", "tracker on {addr} answered {status} to {path}");
    println!("healthy ({path} → 200)");
    Ok(())
}

/// Installs the SIGTERM/SIGINT handlers now (before the server announces itself, so an early
/// signal is never the default "terminate") and returns a future that resolves on either.
fn wait_for_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    }
}
