//! A relay node's HTTP side: `/api/stream` and `/api/view` from the followed frames (the
//! viewer's frames come from the same [`Pump`] as on the ingest node, so the bytes match),
//! `/healthz`, the web client's files and the plugins' files (from the relay's own copy).

use super::NatsOptions;
use super::node::{Node, WantedFull};
use crate::views::stream::Pump;
use crate::web::limits::{HttpLimits, Slots};
use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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
    /// The plugins' files (`style.css`…), from the relay's own copy (the image ships them).
    pub plugins_dir: PathBuf,
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
        let node = Node::start(options.nats.clone(), options.id.clone(), shutdown.clone());
        let index = options.dist_dir.join("index.html");
        let files = tower_http::services::ServeDir::new(&options.dist_dir)
            .fallback(tower_http::services::ServeFile::new(index));
        let app = Router::new()
            .route("/api/stream", get(stream))
            .route("/api/view", get(view))
            .route("/healthz", get(health))
            .route("/api/health", get(live))
            .nest_service("/plugins", tower_http::services::ServeDir::new(&options.plugins_dir))
            .fallback_service(files)
            .with_state(node.clone());
        let limits = options.http.clone();
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
    State(node): State<Arc<Node>>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (frames, fop) = match open(&node, &params).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let fop_rx = fop.as_deref().map(|f| node.fop(f));
    let mut pump = Pump::new(frames, fop_rx, node.feeds.clone(), last_id, node.shutdown.clone());
    let body = async_stream::stream! {
        while let Some(frame) = pump.next().await {
            yield Ok::<Bytes, Infallible>(frame);
        }
    };
    let mut response = Response::new(Body::from_stream(body));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

async fn view(State(node): State<Arc<Node>>, Query(params): Query<BTreeMap<String, String>>) -> Response {
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
async fn live(State(node): State<Arc<Node>>) -> Response {
    let linked = *node.linked.borrow();
    axum::Json(json!({ "role": "relay", "id": node.id, "nats": linked, "views": node.wanted() })).into_response()
}

/// Readiness: 503 while the NATS link is down.
async fn health(State(node): State<Arc<Node>>) -> Response {
    let linked = *node.linked.borrow();
    let body = json!({ "role": "relay", "id": node.id, "nats": linked, "views": node.wanted() });
    (if linked { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, axum::Json(body)).into_response()
}
