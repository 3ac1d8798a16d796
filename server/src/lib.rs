//! owlcms-tracker: receives OWLCMS's live WebSocket feed and serves scoreboards to browsers.
//!
//! Data flow: `ingest` (the `/ws` endpoint) decodes frames with `protocol` and sends typed
//! inputs to the `hub`, the single owner of competition state; `web` serves what the hub
//! publishes. [`Server`] wires them together; `main.rs` only parses flags and signals.

pub mod assets;
pub mod error;
pub mod hash;
pub mod hub;
pub mod ingest;
pub mod mapping;
pub mod persist;
pub mod plugins;
pub mod protocol;
pub mod relay;
pub mod scoring;
pub mod telemetry;
mod throttle;
pub mod views;
pub mod web;

use anyhow::Context;
use assets::AssetStore;
use hub::HubHandle;
use ingest::IngestContext;
use ingest::learning::Learning;
use plugins::registry::Registry;
use protocol::archive::Limits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;
use views::Views;

/// Everything the server can be configured with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Shared secret OWLCMS must send (`OWLCMS_UPDATEKEY`); `None` accepts any sender.
    pub update_key: Option<String>,
    /// Save every OWLCMS frame under `samples_dir/captures/`.
    pub learning_mode: bool,
    /// Where asset ZIPs are extracted and served from (`/local/...`).
    pub local_dir: PathBuf,
    /// Where learning-mode captures go.
    pub samples_dir: PathBuf,
    /// Plugin folders (watched for changes).
    pub plugins_dir: PathBuf,
    /// The client bundle built by Trunk.
    pub dist_dir: PathBuf,
    /// Where state is saved to survive restarts (`None`: not saved).
    pub data_dir: Option<PathBuf>,
    /// Largest WebSocket message and frame accepted from OWLCMS.
    pub max_message_bytes: usize,
    /// ZIP entry-count and size caps.
    pub zip_limits: Limits,
    /// Most binary frames held before a connection authenticates.
    pub max_pending_frames: usize,
    /// Most bytes held before a connection authenticates.
    pub max_pending_bytes: usize,
    /// Least time between two 428 requests for the same data on one connection.
    pub request_interval: Duration,
    /// Caps on HTTP clients (parser limits, connections, streams per address).
    pub http: web::limits::HttpLimits,
    /// Who may read the operator endpoints.
    pub ops: web::ops::OpsAccess,
    /// Most distinct views live at once (each runs its own mapping task).
    pub max_views: usize,
    /// Publish to NATS for relay nodes (`--nats-url`); `None`: a single node.
    pub nats: Option<relay::NatsOptions>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from(([0, 0, 0, 0], 8096)),
            update_key: None,
            learning_mode: false,
            local_dir: PathBuf::from("local"),
            samples_dir: PathBuf::from("samples"),
            plugins_dir: PathBuf::from("plugins"),
            dist_dir: PathBuf::from("dist"),
            data_dir: None,
            // OWLCMS's reference receiver accepts 100 MiB; pictures ZIPs can be large.
            max_message_bytes: 128 * 1024 * 1024,
            zip_limits: Limits::default(),
            // OWLCMS sends database, translations and flags before its first text frame.
            max_pending_frames: 16,
            max_pending_bytes: 256 * 1024 * 1024,
            request_interval: Duration::from_secs(10),
            http: web::limits::HttpLimits::default(),
            ops: web::ops::OpsAccess::default(),
            max_views: 512,
            nats: None,
        }
    }
}

/// Shared state of the HTTP handlers.
pub struct AppState {
    /// The hub.
    pub hub: HubHandle,
    /// OWLCMS ingest settings.
    pub ingest: Arc<IngestContext>,
    /// Asset folders.
    pub assets: AssetStore,
    /// Plugin catalogue.
    pub registry: Arc<Registry>,
    /// View cache.
    pub views: Arc<Views>,
    /// Cancelled when the server shuts down.
    pub shutdown: CancellationToken,
    /// Open SSE streams.
    pub sse_clients: std::sync::atomic::AtomicUsize,
    /// The options the server was started with.
    pub options: ServerOptions,
    /// When the server started.
    pub started: Instant,
    /// OWLCMS requests on wrong URLs, for diagnostics.
    pub wrong_urls: web::wrong_url::WrongUrls,
    /// Open event streams, capped per client address.
    pub streams: Arc<web::limits::Slots>,
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    hub: HubHandle,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    learning_dir: Option<PathBuf>,
    persistence: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds the listen address and starts serving.
    pub async fn start(options: ServerOptions) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("while binding {} (is another tracker running?)", options.listen))?;
        Server::with_listener(listener, options).await
    }

    /// Starts serving on an already bound listener (tests bind `127.0.0.1:0`).
    pub async fn with_listener(listener: TcpListener, options: ServerOptions) -> anyhow::Result<Server> {
        let addr = listener.local_addr().context("while reading the listen address")?;
        let shutdown = CancellationToken::new();
        let hub = HubHandle::spawn(shutdown.clone());
        // The last known state is in place before the first request is served.
        let persistence = match &options.data_dir {
            Some(dir) => {
                persist::restore(&hub, dir).await;
                Some(persist::spawn(hub.clone(), dir.clone(), shutdown.clone()))
            }
            None => None,
        };
        let assets = AssetStore::new(&options.local_dir)
            .with_context(|| format!("while creating the local files folder {}", options.local_dir.display()))?;
        let learning = if options.learning_mode {
            Some(Learning::start(&options.samples_dir).with_context(|| {
                format!("while creating the learning-mode folder under {}", options.samples_dir.display())
            })?)
        } else {
            None
        };
        let learning_dir = learning.as_ref().map(|l| l.dir().to_path_buf());
        let ingest = Arc::new(IngestContext::new(
            hub.clone(),
            options.update_key.clone(),
            options.zip_limits,
            (options.max_pending_frames, options.max_pending_bytes),
            options.request_interval,
            assets.clone(),
            learning,
            shutdown.clone(),
        ));
        if !options.dist_dir.join("index.html").is_file() {
            tracing::warn!(
                dist = %options.dist_dir.display(),
                "web client not built: pages show a notice until it is (./scripts/run builds it)"
            );
        }
        let registry = Registry::load(&options.plugins_dir);
        if let Err(error) = registry.watch_folder(shutdown.clone()) {
            tracing::warn!(%error, "cannot watch the plugins folder; edits need a restart");
        }
        let views = Views::new(hub.clone(), registry.clone(), assets.clone(), options.max_views, shutdown.clone());
        let limits = options.http.clone();
        let streams = web::limits::Slots::new("event streams", 0, limits.max_streams_per_address);
        let connections =
            web::limits::Slots::new("connections", limits.max_connections, limits.max_connections_per_address);
        if options.ops.is_restricted() {
            info!(
                token = options.ops.token.is_some(),
                loopback_only = options.ops.loopback_only,
                "operator endpoints restricted"
            );
        }
        let state = Arc::new(AppState {
            hub: hub.clone(),
            ingest,
            assets,
            registry,
            views,
            shutdown: shutdown.clone(),
            sse_clients: Default::default(),
            options,
            started: Instant::now(),
            wrong_urls: Default::default(),
            streams,
        });
        if let Some(nats) = state.options.nats.clone() {
            relay::publish::spawn(state.clone(), nats);
        }
        let app = web::router(state);
        let token = shutdown.clone();
        let task = tokio::spawn(async move { web::serve::serve(listener, app, &limits, connections, token).await });
        info!(%addr, "listening");
        Ok(Server { addr, hub, shutdown, task, learning_dir, persistence })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The hub, for in-process readers and tests.
    pub fn hub(&self) -> &HubHandle {
        &self.hub
    }

    /// The learning-mode capture folder, when learning mode is on.
    pub fn learning_dir(&self) -> Option<&PathBuf> {
        self.learning_dir.as_ref()
    }

    /// A token that stops the server when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs until the shutdown token is cancelled and connections have ended.
    pub async fn wait(self) -> anyhow::Result<()> {
        let served = self.task.await.context("server task panicked")?.context("while serving HTTP");
        // The writer saves once more when the shutdown token is cancelled.
        if let Some(persistence) = self.persistence {
            let _ = persistence.await;
        }
        served
    }

    /// Stops accepting, closes OWLCMS connections (1001) and waits for the server to end.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }
}
