//! The `owlcms-tracker` binary: flags, logging, signals; everything else is in the library.

use anyhow::Context;
use clap::Parser;
use owlcms_tracker::config::{Cli, Command};
use owlcms_tracker::{Server, telemetry};
use std::process::ExitCode;
use tracing::{error, info};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.serve.log_level, cli.serve.log_json);
    let result = match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Serve => serve(&cli).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(cli: &Cli) -> anyhow::Result<()> {
    let options = cli.serve.options();
    let port = options.listen.port();
    let keyed = options.update_key.is_some();
    let server = Server::start(options).await?;
    info!(
        "connect OWLCMS: set \"URL for Video Data\" to ws://<this host>:{port}/ws{}",
        if keyed { " and the same update key" } else { "" }
    );
    let token = server.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("shutting down");
        token.cancel();
    });
    server.wait().await.context("while serving")
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
