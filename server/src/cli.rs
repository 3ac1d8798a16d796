//! Command-line flags, each with an environment-variable equivalent (names compatible with the
//! original tracker: `PORT`, `OWLCMS_UPDATEKEY`, `LEARNING_MODE`, `LOG_LEVEL`).

use clap::{Args, Parser, Subcommand};
use owlcms_simulator::speed::Speed;
use owlcms_tracker::ServerOptions;
use owlcms_tracker::web::limits::HttpLimits;
use owlcms_tracker::web::ops::OpsAccess;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// owlcms-tracker: live scoreboards from OWLCMS's WebSocket feed.
///
/// Point OWLCMS at ws://<this host>:<port>/ws ("URL for Video Data" in
/// Prepare Competition → Language and System Settings → Connections).
#[derive(Debug, Parser)]
#[command(name = "owlcms-tracker", version, about, long_about)]
pub(crate) struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server settings.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the tracker (the default).
    Serve,
    /// Serve viewers from NATS (needs --nats-url): no OWLCMS socket, no mapping (docs/relay.md).
    Relay,
    /// Play OWLCMS against a tracker: a whole competition over the real WebSocket protocol.
    Simulate(SimulateArgs),
    /// Write a synthetic competition database (V2 JSON) of the given size.
    Generate(GenerateArgs),
    /// Send learning-mode captures to a tracker, byte for byte, with their original timing.
    Replay(ReplayArgs),
    /// Probe a running tracker (for Docker's HEALTHCHECK: no curl needed). Exit 0 when healthy.
    Healthcheck(HealthcheckArgs),
    /// Check a plugin folder offline: config.json schema, mapping.jq compiled with shared.jq,
    /// a run on the bundled sample competition. Exit 1 on error (for CI of plugin repositories).
    CheckPlugin(CheckPluginArgs),
}

/// `check-plugin` settings.
#[derive(Debug, Args)]
pub(crate) struct CheckPluginArgs {
    /// Plugin folders (each with config.json and mapping.jq).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
}

/// `healthcheck` settings.
#[derive(Debug, Args)]
pub(crate) struct HealthcheckArgs {
    /// Port of the tracker on this host.
    #[arg(long, env = "PORT", default_value_t = 8096)]
    pub port: u16,
    /// Also require OWLCMS data (database and translations): readiness instead of liveness.
    #[arg(long, default_value_t = false)]
    pub ready: bool,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
}

/// `simulate` settings.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// Tracker WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8096/ws")]
    pub url: String,
    /// Pace: `realtime`, a factor such as `10`, or `max` (as fast as the tracker answers).
    #[arg(long, default_value = "10")]
    pub speed: Speed,
    /// Competition database (V2 JSON, bare or as OWLCMS's `database` message); the built-in
    /// demo competition when absent.
    #[arg(long)]
    pub database: Option<PathBuf>,
    /// Seed of the random outcomes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Start again when the competition ends.
    #[arg(long = "loop", default_value_t = false)]
    pub loop_forever: bool,
    /// Only these FOPs (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub fops: Option<Vec<String>>,
    /// At most this many sessions per FOP.
    #[arg(long)]
    pub sessions: Option<usize>,
    /// Update key to send (as OWLCMS's OWLCMS_UPDATEKEY).
    #[arg(long, env = "OWLCMS_UPDATEKEY", hide_env_values = true)]
    pub update_key: Option<String>,
}

/// `generate` settings.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Platforms (FOPs).
    #[arg(long, default_value_t = 2)]
    pub fops: usize,
    /// Sessions per platform.
    #[arg(long, default_value_t = 8)]
    pub sessions: usize,
    /// Athletes per session.
    #[arg(long, default_value_t = 15)]
    pub athletes: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file (standard output when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `replay` settings.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// Capture folder (`samples/captures/<start time>/`).
    pub dir: PathBuf,
    /// Tracker WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8096/ws")]
    pub url: String,
    /// Pace: `realtime` (original timing), a factor such as `10`, or `max`.
    #[arg(long, default_value = "realtime")]
    pub speed: Speed,
    /// Update key to put into the captured text frames (learning mode saves it redacted).
    #[arg(long, env = "OWLCMS_UPDATEKEY", hide_env_values = true)]
    pub update_key: Option<String>,
}

/// Settings of the running server.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
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
    /// Folder where the last database, translations and FOP states are saved, so that boards
    /// show them right after a restart. Empty to keep nothing.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: String,
    /// Folder of the web client built by Trunk.
    #[arg(long, env = "DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Folder for learning-mode captures.
    #[arg(long, env = "SAMPLES_DIR", default_value = "samples")]
    pub samples_dir: PathBuf,
    /// Demo mode: a built-in simulated OWLCMS drives a live competition through the real
    /// /ws path, looping forever. Leave off for real use.
    #[arg(long, env = "DEMO", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,
    /// Demo pace: `realtime`, a factor such as `4`, or `max`.
    #[arg(long, env = "DEMO_SPEED", default_value = "4")]
    pub demo_speed: Speed,
    /// Largest WebSocket message accepted from OWLCMS, in MiB.
    #[arg(long, env = "MAX_MESSAGE_MIB", default_value_t = 128)]
    pub max_message_mib: usize,
    /// Token that opens /diagnostics, /api/diagnostics and /metrics: send it as
    /// `Authorization: Bearer <token>` or `?token=<token>`. Unset: no token needed.
    #[arg(long, env = "OPS_TOKEN", hide_env_values = true)]
    pub ops_token: Option<String>,
    /// Answer /diagnostics, /api/diagnostics and /metrics only to clients on this machine
    /// (unless they send OPS_TOKEN). Off on a LAN laptop; on in the shipped fly.toml.
    #[arg(long, env = "OPS_LOOPBACK_ONLY", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub ops_loopback_only: bool,
    /// Seconds a client has to send a request's headers (also the idle keep-alive limit).
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Open HTTP connections in total (0: no cap).
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,
    /// Open HTTP connections from one address (0: no cap; behind a proxy all come from it).
    #[arg(long, env = "MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 4_000)]
    pub max_connections_per_address: usize,
    /// Open /api/stream streams from one client address (0: no cap).
    #[arg(long, env = "MAX_STREAMS_PER_ADDRESS", default_value_t = 2_000)]
    pub max_streams_per_address: usize,
    /// Distinct views (plugin, FOP, language, options) live at once; a request for one more
    /// gets a 503 until viewers leave (every view is a mapping task).
    #[arg(long, env = "MAX_VIEWS", default_value_t = 512)]
    pub max_views: usize,
    /// Header in which a trusted proxy passes the client's address (Fly.io: Fly-Client-IP),
    /// for the per-address stream cap. Unset: the connection's peer address.
    #[arg(long, env = "CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// NATS server URL(s), comma-separated: on `serve`, publish to relay nodes; on `relay`,
    /// where the frames come from (docs/relay.md). Unset: a single node.
    #[arg(long, env = "NATS_URL")]
    pub nats_url: Option<String>,
    /// NATS credentials file (`.creds`: JWT and NKey seed).
    #[arg(long, env = "NATS_CREDS")]
    pub nats_creds: Option<PathBuf>,
    /// NATS token.
    #[arg(long, env = "NATS_TOKEN", hide_env_values = true)]
    pub nats_token: Option<String>,
    /// NATS user (with --nats-password).
    #[arg(long, env = "NATS_USER")]
    pub nats_user: Option<String>,
    /// NATS password.
    #[arg(long, env = "NATS_PASSWORD", hide_env_values = true)]
    pub nats_password: Option<String>,
    /// CA certificate (PEM) that signed the NATS server's certificate.
    #[arg(long, env = "NATS_CA")]
    pub nats_ca: Option<PathBuf>,
    /// Refuse to talk to NATS without TLS.
    #[arg(long, env = "NATS_REQUIRE_TLS", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub nats_require_tls: bool,
    /// This relay's name in its leases (`relay` only; Fly sets FLY_MACHINE_ID). Default: the
    /// process id and start time.
    #[arg(long, env = "RELAY_ID")]
    pub relay_id: Option<String>,
}

impl ServeArgs {
    /// The server options these flags describe.
    pub(crate) fn options(&self) -> ServerOptions {
        // `ServerOptions` is non-exhaustive: start from its defaults.
        let mut options = ServerOptions::default();
        options.listen = SocketAddr::new(self.listen, self.port);
        options.update_key = self.update_key.clone().filter(|k| !k.is_empty());
        options.learning_mode = self.learning_mode;
        options.local_dir = self.local_dir.clone();
        options.samples_dir = self.samples_dir.clone();
        options.plugins_dir = self.plugins_dir.clone();
        options.dist_dir = self.dist_dir.clone();
        options.data_dir = (!self.data_dir.is_empty()).then(|| PathBuf::from(&self.data_dir));
        options.max_message_bytes = self.max_message_mib.max(1) * 1024 * 1024;
        options.http = HttpLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs.max(1)),
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
            max_streams_per_address: self.max_streams_per_address,
            client_ip_header: self.client_ip_header.clone().filter(|h| !h.is_empty()),
            ..HttpLimits::default()
        };
        options.max_views = self.max_views.max(1);
        options.nats = self.nats();
        options.ops = OpsAccess {
            token: self.ops_token.clone().filter(|t| !t.is_empty()),
            loopback_only: self.ops_loopback_only,
        };
        options
    }
}

impl ServeArgs {
    /// The NATS settings, when `--nats-url` is set.
    pub(crate) fn nats(&self) -> Option<owlcms_tracker::relay::NatsOptions> {
        let url = self.nats_url.clone().filter(|u| !u.is_empty())?;
        Some(owlcms_tracker::relay::NatsOptions {
            url,
            credentials: self.nats_creds.clone(),
            token: self.nats_token.clone().filter(|t| !t.is_empty()),
            user: self.nats_user.clone().zip(self.nats_password.clone()),
            ca: self.nats_ca.clone(),
            require_tls: self.nats_require_tls,
        })
    }

    /// The relay's settings (`relay`): `None` without `--nats-url`.
    pub(crate) fn relay(&self) -> Option<owlcms_tracker::relay::http::RelayOptions> {
        let id = self
            .relay_id
            .clone()
            .or_else(|| std::env::var("FLY_MACHINE_ID").ok())
            .unwrap_or_else(|| format!("r{}-{}", std::process::id(), owlcms_tracker::hub::now_ms()));
        let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        Some(owlcms_tracker::relay::http::RelayOptions {
            nats: self.nats()?,
            // Per relay: several may share a folder (tests, one host).
            mirror_dir: self.local_dir.join(format!(".relay-{id}")),
            id,
            dist_dir: self.dist_dir.clone(),
            plugins_dir: self.plugins_dir.clone(),
            http: self.options().http,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // fly.toml's [env] as the shipped app reads it (server/tests/deploy.rs checks the values).
    #[test]
    fn the_fly_settings_close_the_operator_pages_and_the_default_leaves_them_open() {
        let cli = Cli::try_parse_from([
            "owlcms-tracker",
            "--ops-loopback-only",
            "true",
            "--client-ip-header",
            "Fly-Client-IP",
            "--max-connections-per-address",
            "0",
        ])
        .unwrap();
        let options = cli.serve.options();
        assert!(options.ops.loopback_only && options.ops.is_restricted(), "operator pages closed on Fly");
        assert_eq!(options.http.client_ip_header.as_deref(), Some("Fly-Client-IP"));
        assert_eq!(options.http.max_connections_per_address, 0);
        let open = Cli::try_parse_from(["owlcms-tracker"]).unwrap().serve.options();
        assert!(!open.ops.is_restricted(), "open by default, for a laptop on the venue LAN");
    }
}
