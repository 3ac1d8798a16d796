//! A relay node's HTTP side: `/api/stream` and `/api/view` from the followed frames (the
//! viewer's frames come from the same [`Pump`] as on the ingest node, so the bytes match, and
//! the same per-address stream cap), the ingest node's catalogue answers, `/local/…` and
//! `/plugins/…` from the mirror of its folders (the same routes as the ingest node's),
//! `/healthz`, and the web client's files (the same routes and cache headers).

use super::NatsOptions;
use super::node::{Node, WantedFull};
use crate::views::multi::multiplex;
use crate::views::stream::Pump;
use crate::web::limits::{HttpLimits, Slots, stream_slot};
use crate::web::sse::{board_params, boards_asked, event_stream, on_board};
use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::info;

/// How long a request waits for the ingest node to answer a view nobody here watched yet.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(5);

/// What a relay is started with.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// NATS.
    pub nats: NatsOptions,
    /// This relay's id in lease keys (`[a-zA-Z0-9_-]`).
    pub id: String,
    /// The web client's files.
    pub dist_dir: PathBuf,
    /// The relay's own plugins folder (the image's copy), served for plugin files the ingest
    /// node has not published (its built-in plugins, or before the first files arrive).
    pub plugins_dir: PathBuf,
    /// Where the mirror of the ingest node's files is written (emptied at start).
    pub mirror_dir: PathBuf,
    /// HTTP caps (the same flags as the ingest node's).
    pub http: HttpLimits,
}

/// A running relay.
pub struct Relay {
    addr: SocketAddr,
    node: Arc<Node>,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
}

impl Relay {
    /// Serves on `listener`.
    pub async fn with_listener(listener: TcpListener, options: RelayOptions) -> anyhow::Result<Relay> {
        let addr = listener.local_addr().context("while reading the listen address")?;
        let shutdown = CancellationToken::new();
        // Credentials or TLS that NATS refuses stop the relay here, with the reason.
        let (linked_tx, linked) = tokio::sync::watch::channel(false);
        let name = format!("owlcms-tracker relay {}", options.id);
        let client = super::connect(&options.nats, &name, linked_tx.clone()).await?;
        let mirror = options.mirror_dir.clone();
        let node = Node::start(
            options.nats.clone(),
            Some(client),
            (linked_tx, linked),
            options.id.clone(),
            mirror.clone(),
            shutdown.clone(),
        );
        let limits = options.http.clone();
        let streams = Slots::new("event streams", 0, limits.max_streams_per_address);
        let state = Served { node: node.clone(), limits: limits.clone(), streams };
        // The ingest node's JSON API answers are never cached; the same here.
        let api = Router::new()
            .route("/api/view", get(view))
            .route("/api/health", get(live))
            .route("/api/plugins", get(catalog))
            .route("/api/plugins/{id}", get(plugin))
            .route("/api/fops", get(catalog))
            .route("/api/languages", get(catalog))
            .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
        let app = Router::new()
            .route("/api/stream", get(stream))
            .route("/api/streams", get(board_streams))
            .route("/healthz", get(health))
            .merge(api)
            .merge(crate::web::files::local_routes(|kind| mirror.join("local").join(kind.dir())))
            .merge(crate::web::files::plugin_routes(
                Some(mirror.join("plugins").as_path()),
                Some(options.plugins_dir.as_path()),
            ))
            .route("/api/{*rest}", axum::routing::any(crate::web::not_found))
            .route("/local/{*rest}", axum::routing::any(crate::web::not_found))
            .merge(crate::web::static_files::routes(&options.dist_dir))
            .layer(axum::middleware::from_fn_with_state(limits.max_uri_bytes, crate::web::limits::url_guard))
            .with_state(state);
        let connections = Slots::new("connections", limits.max_connections, limits.max_connections_per_address);
        let token = shutdown.clone();
        let task =
            tokio::spawn(async move { crate::web::serve::serve(listener, app, &limits, connections, token).await });
        info!(%addr, id = %options.id, "listening");
        Ok(Relay { addr, node, shutdown, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Views followed now.
    pub fn wanted(&self) -> usize {
        self.node.wanted()
    }

    /// A token that stops the relay when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs until the shutdown token is cancelled.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("relay task panicked")?.context("while serving HTTP")
    }
}

/// What the handlers share.
#[derive(Clone)]
struct Served {
    node: Arc<Node>,
    limits: HttpLimits,
    /// Open event streams, capped per client address (the ingest node's cap and code).
    streams: Arc<Slots>,
}

fn plain(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "status": status.as_u16(), "error": message }))).into_response()
}

/// Follows the view and waits for the ingest node's first answer; `Err` is the response to
/// give instead of the view.
async fn open(
    node: &Arc<Node>,
    params: &BTreeMap<String, String>,
) -> Result<(tokio::sync::watch::Receiver<Arc<crate::views::ViewFrame>>, Option<String>), Response> {
    let (mut frames, mut meta) =
        node.want(params).map_err(|e: WantedFull| plain(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))?;
    let answered = match tokio::time::timeout(FIRST_VIEW_WAIT, meta.wait_for(|m| m.received)).await {
        Ok(Ok(meta)) => Some(meta.clone()),
        _ => None,
    };
    let Some(meta) = answered else {
        return Err(plain(StatusCode::SERVICE_UNAVAILABLE, "the results server has not sent this view yet"));
    };
    if let Some((status, body)) = meta.error {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err((status, [(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let _ = tokio::time::timeout(FIRST_VIEW_WAIT, frames.wait_for(|f| f.view.is_some() || f.error.is_some())).await;
    Ok((frames, meta.fop))
}

async fn stream(
    State(served): State<Served>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let slot = match stream_slot(&served.streams, &served.limits, &headers, peer) {
        Ok(slot) => slot,
        Err(refused) => return refused.into_response(),
    };
    let node = served.node;
    let (frames, fop) = match open(&node, &params).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let fop_rx = fop.as_deref().map(|f| node.fop(f));
    let mut pump = Pump::new(frames, fop_rx, node.feeds.clone(), last_id);
    let body = async_stream::stream! {
        let _slot = slot;
        while let Some(frame) = pump.next().await {
            yield Ok::<Bytes, Infallible>(frame);
        }
    };
    event_stream(Body::from_stream(body))
}

/// `/api/streams` as the ingest node serves it (several boards of one browser on one stream,
/// [`crate::views::multi`]): each board admitted and opened as on `/api/stream` here. A
/// refused board answers for the whole request, named by its index when the refusal is ours
/// (a view error relayed from the ingest node keeps the ingest's body).
async fn board_streams(
    State(served): State<Served>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let asked = match boards_asked(&pairs) {
        Ok(asked) => asked,
        Err(refused) => return refused.into_response(),
    };
    let node = served.node;
    let (mut pumps, mut slots) = (Vec::with_capacity(asked.len()), Vec::with_capacity(asked.len()));
    for (index, (query, last)) in asked.into_iter().enumerate() {
        let admitted = stream_slot(&served.streams, &served.limits, &headers, peer)
            .and_then(|slot| Ok((slot, board_params(query)?)))
            .map_err(|e| on_board(index, query, e).into_response());
        let (slot, params) = match admitted {
            Ok(admitted) => admitted,
            Err(response) => return response,
        };
        let (frames, fop) = match open(&node, &params).await {
            Ok(opened) => opened,
            Err(response) => return response,
        };
        let fop_rx = fop.as_deref().map(|f| node.fop(f));
        pumps.push(Pump::new(frames, fop_rx, node.feeds.clone(), last));
        slots.push(slot);
    }
    let frames = multiplex(pumps, node.feeds.heartbeat());
    let body = async_stream::stream! {
        let _slots = slots;
        for await chunk in frames {
            yield Ok::<Bytes, Infallible>(chunk);
        }
    };
    event_stream(Body::from_stream(body))
}

async fn view(State(served): State<Served>, Query(params): Query<BTreeMap<String, String>>) -> Response {
    // The mapping's input needs the hub and the mapping: only the ingest node has them.
    if params.get("debug").map(String::as_str) == Some("input") {
        return plain(
            StatusCode::NOT_IMPLEMENTED,
            "?debug=input is served by the ingest node only (the relay has no mapping)",
        );
    }
    let node = served.node;
    let (frames, _) = match open(&node, &params).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let frame = frames.borrow().clone();
    match (&frame.view, &frame.error) {
        (Some(view), _) => (
            [(header::CONTENT_TYPE, "application/json"), (header::ETAG, &format!("\"{}\"", view.id))],
            view.body.clone(),
        )
            .into_response(),
        (None, Some(error)) => plain(StatusCode::INTERNAL_SERVER_ERROR, error),
        (None, None) => plain(StatusCode::INTERNAL_SERVER_ERROR, "the view was not computed in time"),
    }
}

/// Liveness (the image's HEALTHCHECK and Fly's check): a relay without NATS still serves the
/// last boards, so it stays in rotation; readiness is `/healthz`.
async fn live(State(Served { node, .. }): State<Served>) -> Response {
    let linked = *node.linked.borrow();
    axum::Json(json!({ "role": "relay", "id": node.id, "nats": linked, "views": node.wanted() })).into_response()
}

/// Readiness: 503 while the NATS link is down.
async fn health(State(Served { node, .. }): State<Served>) -> Response {
    let linked = *node.linked.borrow();
    let body = json!({ "role": "relay", "id": node.id, "nats": linked, "views": node.wanted() });
    (if linked { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, axum::Json(body)).into_response()
}

/// `/api/plugins`, `/api/fops`, `/api/languages`: the ingest node's answer, byte for byte.
async fn catalog(State(served): State<Served>, uri: Uri, headers: HeaderMap) -> Response {
    served.node.catalog.answer(uri.path(), &headers).unwrap_or_else(not_yet)
}

/// `/api/plugins/<id>`: the ingest node's answer, or its answer to an unknown id.
async fn plugin(State(served): State<Served>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let catalog = &served.node.catalog;
    if let Some(answer) = catalog.answer(&format!("/api/plugins/{id}"), &headers) {
        return answer;
    }
    match catalog.plugin_ids() {
        Some(ids) => crate::web::unknown_plugin(&id, ids).into_response(),
        None => not_yet(),
    }
}

fn not_yet() -> Response {
    plain(StatusCode::SERVICE_UNAVAILABLE, "the results server has not sent its catalogue yet")
}
