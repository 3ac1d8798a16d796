//! `GET /api/stream`: one Server-Sent Events stream per viewer. The HTTP side only: the
//! request is resolved to a view, the per-address and view caps are applied, and the body
//! pumps the frames the views layer built once for everyone ([`crate::views::stream::Pump`]).
//! A viewer that falls behind gets the latest frames; it never slows anyone else.

use super::limits::client_address;
use super::request::resolve;
use crate::AppState;
use crate::error::AppError;
use crate::views::stream::Pump;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a new stream waits for a view computed for the first time.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(5);

pub(super) async fn stream(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let request = resolve(&app, &params)?;
    let address = client_address(&app.options.http, &headers, peer);
    let slot = app.streams.acquire(address).map_err(|_| {
        AppError::TooManyRequests(format!(
            "{address} holds the maximum of {} open streams; close some boards or raise MAX_STREAMS_PER_ADDRESS",
            app.options.http.max_streams_per_address
        ))
    })?;
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut view_rx = app.views.subscribe(request.key.clone())?;
    let feeds = app.views.feeds().clone();
    let fop_rx = request.key.fop.as_deref().map(|f| feeds.watch(f));
    // The first event is the full view: give a view that nobody watched yet time to compute.
    let computed = view_rx.wait_for(|f| f.view.is_some() || f.error.is_some());
    let _ = tokio::time::timeout(FIRST_VIEW_WAIT, computed).await;
    let mut pump = Pump::new(view_rx, fop_rx, feeds, last_id, app.shutdown.clone());
    let guard = ClientCount::new(app.clone());
    let frames = async_stream::stream! {
        let _counted = (guard, slot);
        while let Some(frame) = pump.next().await {
            yield Ok::<Bytes, Infallible>(frame);
        }
    };
    let mut response = Response::new(Body::from_stream(frames));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies that buffer responses (nginx) would hold the frames back.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// Counts an open stream for diagnostics and metrics, until the stream is dropped.
struct ClientCount(Arc<AppState>);

impl ClientCount {
    fn new(app: Arc<AppState>) -> ClientCount {
        app.sse_clients.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ClientCount(app)
    }
}

impl Drop for ClientCount {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
