//! Relay nodes over NATS JetStream (issue 14): the ingest node publishes the frames its views
//! and FOP feeds build into key-value buckets; relay nodes serve `/api/stream` and `/api/view`
//! from them with the same [`crate::views::stream::Pump`], so a viewer gets the same bytes on
//! every node. Demand flows back as leases in a third bucket. Design: docs/relay.md.

pub mod catalog;
pub mod files;
pub mod follow;
pub mod http;
pub mod mirror;
pub mod node;
pub mod publish;
pub mod wire;

use async_nats::jetstream::{self, kv, stream};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Bucket of the last record of every wanted view (key: demand id).
pub const VIEWS_BUCKET: &str = "tracker_views";
/// Bucket of the last record of every FOP (key: FOP name in hex).
pub const FOPS_BUCKET: &str = "tracker_fops";
/// Bucket of the relays' leases (key: `<demand id>.<relay id>`, value: the query as JSON).
pub const DEMAND_BUCKET: &str = "tracker_demand";
/// Bucket of the ingest node's catalogue answers (key: the URL path in hex, value: a
/// [`wire::ResponseRecord`]): `/api/plugins`, `/api/plugins/<id>`, `/api/fops`, `/api/languages`.
pub const CATALOG_BUCKET: &str = "tracker_catalog";
/// Bucket of the files of the ingest node's local and plugins folders (key: the path in hex,
/// value: a [`wire::FileRecord`]).
pub const FILES_BUCKET: &str = "tracker_files";
/// Largest file the ingest node publishes (NATS's default message cap is 1 MiB; a record
/// carries a short header too). Larger files are served by the ingest node only (logged).
pub const MAX_FILE_BYTES: usize = 1024 * 1024 - 8 * 1024;
/// Most bytes the files bucket holds (puts beyond fail and are logged).
pub const MAX_FILES_BUCKET_BYTES: i64 = 2 * 1024 * 1024 * 1024;
/// A lease not renewed for this long is gone (the bucket's max age, and the ingest's sweep).
pub const LEASE: Duration = Duration::from_secs(30);
/// How often a relay renews its leases.
pub const RENEW_EVERY: Duration = Duration::from_secs(10);

/// How to reach NATS (`--nats-url` and the credential / TLS flags).
#[derive(Debug, Clone, Default)]
pub struct NatsOptions {
    /// Server URL(s), comma-separated (`nats://host:4222`, `tls://…`).
    pub url: String,
    /// A `.creds` file (JWT + NKey seed), for NATS accounts.
    pub credentials: Option<PathBuf>,
    /// A token, when the server uses token authentication.
    pub token: Option<String>,
    /// User and password, when the server uses them.
    pub user: Option<(String, String)>,
    /// A CA certificate (PEM) to verify the server with.
    pub ca: Option<PathBuf>,
    /// Refuse a connection without TLS.
    pub require_tls: bool,
}

/// Failures to reach NATS or its buckets.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The credentials file could not be read.
    #[error("while reading the NATS credentials {path}: {source}")]
    Credentials {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No connection.
    #[error("while connecting to NATS at {url}: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// NATS refused the credentials or the TLS handshake: a configuration error, not retried.
    #[error("NATS at {url} refused this node: {message}")]
    Refused {
        /// The URL.
        url: String,
        /// Why, and which flags to check.
        message: String,
    },
    /// A bucket could not be opened or created (is JetStream enabled, `-js`?).
    #[error("while opening the JetStream bucket {bucket}: {message} (is JetStream enabled on the NATS server?)")]
    Bucket {
        /// The bucket.
        bucket: &'static str,
        /// Why.
        message: String,
    },
}

/// The buckets.
#[derive(Clone)]
pub struct Buckets {
    /// Views' last records.
    pub views: kv::Store,
    /// FOPs' last records.
    pub fops: kv::Store,
    /// Leases.
    pub demand: kv::Store,
    /// Catalogue answers.
    pub catalog: kv::Store,
    /// Local and plugin files.
    pub files: kv::Store,
}

/// Connects; `events` learns when the link drops and comes back. Credentials or TLS that
/// NATS refuses are an error at once (a configuration mistake must not look like a hang); a
/// server that does not answer yet is retried in the background, and after a first success
/// the client reconnects by itself, forever (a relay must outlive a NATS restart).
pub async fn connect(
    options: &NatsOptions,
    name: &str,
    events: tokio::sync::watch::Sender<bool>,
) -> Result<async_nats::Client, RelayError> {
    use async_nats::ConnectErrorKind as Kind;
    match connect_options(options, name, events.clone(), false).await?.connect(options.url.as_str()).await {
        Ok(client) => return Ok(client),
        Err(error) if matches!(error.kind(), Kind::AuthorizationViolation | Kind::Authentication) => {
            return Err(RelayError::Refused {
                url: options.url.clone(),
                message: format!(
                    "{error}: NATS refused the credentials (check --nats-user/--nats-password, --nats-token or --nats-creds)"
                ),
            });
        }
        // rustls' refusals (an unknown CA, a name mismatch) come as I/O errors.
        Err(error)
            if error.kind() == Kind::Tls
                || ["certificate", "TLS", "tls", "handshake"].iter().any(|w| error.to_string().contains(w)) =>
        {
            return Err(RelayError::Refused {
                url: options.url.clone(),
                message: format!("{error}: the TLS handshake failed (check --nats-ca and the server's certificate)"),
            });
        }
        Err(error) => {
            tracing::warn!(url = %options.url, %error, "NATS does not answer yet; retrying in the background")
        }
    }
    connect_options(options, name, events, true)
        .await?
        .connect(options.url.as_str())
        .await
        .map_err(|e| RelayError::Connect { url: options.url.clone(), message: e.to_string() })
}

async fn connect_options(
    options: &NatsOptions,
    name: &str,
    events: tokio::sync::watch::Sender<bool>,
    retry: bool,
) -> Result<async_nats::ConnectOptions, RelayError> {
    let mut connect = match &options.credentials {
        Some(path) => async_nats::ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|source| RelayError::Credentials { path: path.clone(), source })?,
        None => async_nats::ConnectOptions::new(),
    };
    if let Some(token) = &options.token {
        connect = connect.token(token.clone());
    }
    if let Some((user, password)) = &options.user {
        connect = connect.user_and_password(user.clone(), password.clone());
    }
    if let Some(ca) = &options.ca {
        connect = connect.add_root_certificates(ca.clone());
    }
    if retry {
        connect = connect.retry_on_initial_connect();
    }
    let refused = std::sync::Arc::new(crate::throttle::Throttle::new());
    Ok(connect
        .require_tls(options.require_tls)
        .name(name)
        .max_reconnects(None)
        .reconnect_delay_callback(|attempt| Duration::from_millis((100 * attempt as u64).min(1000)))
        .event_callback(move |event| {
            let (events, refused) = (events.clone(), refused.clone());
            async move {
                match event {
                    async_nats::Event::Connected => {
                        tracing::info!("NATS connected");
                        events.send_replace(true);
                    }
                    async_nats::Event::Disconnected => {
                        tracing::warn!("NATS link lost; serving the last frames until it is back");
                        events.send_replace(false);
                    }
                    // Credentials changed on the server while this node runs: say so, not just retry.
                    async_nats::Event::ClientError(error) if error.to_string().contains("authorization") => {
                        if let Some(count) = refused.due() {
                            tracing::error!(%error, attempts = count, "NATS refuses this node's credentials");
                        }
                    }
                    other => tracing::debug!(event = %other, "NATS event"),
                }
            }
        }))
}

/// Opens (or creates) the buckets.
pub async fn buckets(client: &async_nats::Client) -> Result<Buckets, RelayError> {
    let js = jetstream::new(client.clone());
    let open = |bucket: &'static str, max_age: Duration, max_bytes: i64| {
        let js = js.clone();
        async move {
            if let Ok(store) = js.get_key_value(bucket).await {
                return Ok(store);
            }
            // The bucket's stream as `create_key_value` makes it, created directly: that call
            // first reads the account info, whose reply from NATS 2.9 (Debian 12's) this
            // client version cannot parse.
            let config = stream::Config {
                name: format!("KV_{bucket}"),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_messages_per_subject: 1,
                max_age,
                max_bytes,
                storage: stream::StorageType::File,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                num_replicas: 1,
                discard: stream::DiscardPolicy::New,
                // Must not exceed the age limit (leases expire after LEASE).
                duplicate_window: if max_age.is_zero() {
                    Duration::from_secs(120)
                } else {
                    max_age.min(Duration::from_secs(120))
                },
                ..stream::Config::default()
            };
            let created = js.get_or_create_stream(config).await;
            match js.get_key_value(bucket).await {
                Ok(store) => Ok(store),
                Err(error) => Err(RelayError::Bucket {
                    bucket,
                    message: created.err().map_or_else(|| error.to_string(), |e| e.to_string()),
                }),
            }
        }
    };
    Ok(Buckets {
        views: open(VIEWS_BUCKET, Duration::ZERO, -1).await?,
        fops: open(FOPS_BUCKET, Duration::ZERO, -1).await?,
        demand: open(DEMAND_BUCKET, LEASE, -1).await?,
        catalog: open(CATALOG_BUCKET, Duration::ZERO, -1).await?,
        files: open(FILES_BUCKET, Duration::ZERO, MAX_FILES_BUCKET_BYTES).await?,
    })
}

/// The demand id of a query: what a relay and the ingest node both name a wanted view by (the
/// relay has no catalogue: the ingest node resolves the query).
pub fn demand_id(query: &BTreeMap<String, String>) -> String {
    let text = serde_json::to_string(query).unwrap_or_default();
    crate::hash::sha256_hex(text.as_bytes())[7..31].to_owned()
}
