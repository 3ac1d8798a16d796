//! Command-line flags, each with an environment-variable equivalent (names compatible with the
//! original tracker: `PORT`, `OWLCMS_UPDATEKEY`, `LEARNING_MODE`, `LOG_LEVEL`).

use crate::ServerOptions;
use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// owlcms-tracker: live scoreboards from OWLCMS's WebSocket feed.
///
/// Point OWLCMS at ws://<this host>:<port>/ws ("URL for Video Data" in
/// Prepare Competition → Language and System Settings → Connections).
#[derive(Debug, Parser)]
#[command(name = "owlcms-tracker", version, about, long_about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server settings.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the tracker (the default).
    Serve,
}

/// Settings of the running server.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port for HTTP, SSE and OWLCMS's WebSocket (`/ws`).
    #[arg(long, env = "PORT", default_value_t = 8096)]
    pub port: u16,
    /// Address to listen on. All interfaces by default, since OWLCMS runs on another machine.
    #[arg(long, env = "LISTEN_ADDRESS", default_value = "0.0.0.0")]
    pub listen: IpAddr,
    /// Shared secret OWLCMS must send as `updateKey` (OWLCMS's OWLCMS_UPDATEKEY / video data
    /// key). Frames with a wrong or missing key are refused and the connection is closed.
    #[arg(long, env = "OWLCMS_UPDATEKEY", hide_env_values = true)]
    pub update_key: Option<String>,
    /// Save every frame OWLCMS sends under <samples-dir>/captures/<start time>/, byte for
    /// byte, for `replay` and for bug reports.
    #[arg(long, env = "LEARNING_MODE", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub learning_mode: bool,
    /// Log filter when RUST_LOG is not set: error, warn, info, debug, trace, or
    /// directives like `owlcms_tracker=debug,tower_http=info`.
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "LOG_JSON", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub log_json: bool,
    /// Folder where flags, logos and pictures from OWLCMS are extracted (served at /local/...).
    #[arg(long, env = "LOCAL_FILES_DIR", default_value = "local")]
    pub local_dir: PathBuf,
    /// Folder of plugins (one sub-folder each, with config.json and mapping.jq); watched, so
    /// edits take effect while the server runs.
    #[arg(long, env = "PLUGINS_DIR", default_value = "plugins")]
    pub plugins_dir: PathBuf,
    /// Folder of the web client built by Trunk.
    #[arg(long, env = "DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Folder for learning-mode captures.
    #[arg(long, env = "SAMPLES_DIR", default_value = "samples")]
    pub samples_dir: PathBuf,
    /// Largest WebSocket message accepted from OWLCMS, in MiB.
    #[arg(long, env = "MAX_MESSAGE_MIB", default_value_t = 128)]
    pub max_message_mib: usize,
}

impl ServeArgs {
    /// The server options these flags describe.
    pub fn options(&self) -> ServerOptions {
        ServerOptions {
            listen: SocketAddr::new(self.listen, self.port),
            update_key: self.update_key.clone().filter(|k| !k.is_empty()),
            learning_mode: self.learning_mode,
            local_dir: self.local_dir.clone(),
            samples_dir: self.samples_dir.clone(),
            plugins_dir: self.plugins_dir.clone(),
            dist_dir: self.dist_dir.clone(),
            max_message_bytes: self.max_message_mib.max(1) * 1024 * 1024,
            ..ServerOptions::default()
        }
    }
}
