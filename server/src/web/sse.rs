//! `GET /api/stream`: one Server-Sent Events stream per viewer, and `GET /api/streams`: several
//! boards of one browser on one stream. The HTTP side only: each board's request is resolved
//! to a view, the per-address and view caps are applied, and the body pumps the frames the
//! views layer built once for everyone ([`crate::views::stream::Pump`],
//! [`crate::views::multi`]).
//! A viewer that falls behind gets the latest frames; it never slows anyone else.

use super::limits::Slot;
use super::limits::{client_address, slot_for};
use super::request::resolve;
use crate::AppState;
use crate::error::AppError;
use crate::views::ViewFrame;
use crate::views::feeds::FopFrames;
use crate::views::multi::{MAX_BOARDS, multiplex};
use crate::views::stream::Pump;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a new stream waits for a view computed for the first time.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(5);

pub(super) async fn stream(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let address = client_address(&app.options.http, &headers, peer);
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut board = Board::open(&app, &params, address, last_id)?;
    board.first_view().await;
    let (mut pump, counted) = board.into_pump(&app);
    let frames = async_stream::stream! {
        let _counted = counted;
        while let Some(frame) = pump.next().await {
            yield Ok::<Bytes, Infallible>(frame);
        }
    };
    Ok(event_stream(Body::from_stream(frames)))
}

/// `GET /api/streams?b=<board query>&b=…[&last=<version>&last=…]`: several boards on one
/// stream ([`crate::views::multi`]). Each `b` is the query a board gives `/api/stream`,
/// resolved and capped exactly as there (each board takes one of its address's stream slots:
/// it costs the server what its own stream would); a bad board refuses the whole request
/// with its index and query in the JSON error. `last`, when given, has one entry per board
/// (empty for none): the version that board holds, as `Last-Event-ID` would say on its own
/// stream (that header names one board's version only, so it is ignored here).
pub(super) async fn streams(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let address = client_address(&app.options.http, &headers, peer);
    let asked = boards_asked(&pairs)?;
    let mut boards = Vec::with_capacity(asked.len());
    for (index, (query, last)) in asked.into_iter().enumerate() {
        let params = board_params(query).map_err(|e| on_board(index, query, e))?;
        boards.push(Board::open(&app, &params, address, last).map_err(|e| on_board(index, query, e))?);
    }
    futures_util::future::join_all(boards.iter_mut().map(Board::first_view)).await;
    let (pumps, counted): (Vec<Pump>, Vec<_>) = boards.into_iter().map(|b| b.into_pump(&app)).unzip();
    let frames = multiplex(pumps, app.views.feeds().heartbeat());
    let frames = async_stream::stream! {
        let _counted = counted;
        for await chunk in frames {
            yield Ok::<Bytes, Infallible>(chunk);
        }
    };
    Ok(event_stream(Body::from_stream(frames)))
}

/// The boards an `/api/streams` request asks for: each `b` query and the version its `last`
/// says the browser holds; refused when there are none, too many, or `last`s that do not pair
/// up (relays read the same request the same way).
pub(crate) fn boards_asked(pairs: &[(String, String)]) -> Result<Vec<(&str, Option<String>)>, AppError> {
    let queries: Vec<&str> = pairs.iter().filter(|(k, _)| k == "b").map(|(_, v)| v.as_str()).collect();
    let held: Vec<&str> = pairs.iter().filter(|(k, _)| k == "last").map(|(_, v)| v.as_str()).collect();
    let problem = if queries.is_empty() {
        Some("missing ?b=<board query> (one per board, each as /api/stream takes it)".to_owned())
    } else if queries.len() > MAX_BOARDS {
        Some(format!("{} boards asked; one stream carries at most {MAX_BOARDS}", queries.len()))
    } else if !held.is_empty() && held.len() != queries.len() {
        Some(format!("{} `last` for {} boards: give one per board (empty for none)", held.len(), queries.len()))
    } else {
        None
    };
    if let Some(message) = problem {
        return Err(AppError::BadRequest { message, details: json!({ "maxBoards": MAX_BOARDS }) });
    }
    let last = |index: usize| held.get(index).filter(|h| !h.is_empty()).map(|h| (*h).to_owned());
    Ok(queries.iter().enumerate().map(|(index, query)| (*query, last(index))).collect())
}

/// A board's query (`plugin=…&fop=…`) as `/api/stream` would read it.
pub(crate) fn board_params(query: &str) -> Result<BTreeMap<String, String>, AppError> {
    let bad =
        |why: String| AppError::BadRequest { message: format!("not a query string: {why}"), details: Value::Null };
    let uri: Uri = format!("/?{query}").parse().map_err(|e: axum::http::uri::InvalidUri| bad(e.to_string()))?;
    Query::<BTreeMap<String, String>>::try_from_uri(&uri).map(|q| q.0).map_err(|e| bad(e.body_text()))
}

/// The error of board `index` as the answer to the whole request: the board is named in the
/// message and, for the errors that carry details, as `details.board`.
pub(crate) fn on_board(index: usize, query: &str, error: AppError) -> AppError {
    let name = |message: String| format!("board {index} ({query}): {message}");
    let with_board = |details: Value| {
        let mut details = if details.is_object() { details } else { json!({}) };
        details["board"] = json!(index);
        details
    };
    match error {
        AppError::BadRequest { message, details } => {
            AppError::BadRequest { message: name(message), details: with_board(details) }
        }
        AppError::Unknown { message, details } => {
            AppError::Unknown { message: name(message), details: with_board(details) }
        }
        AppError::TooManyRequests(message) => AppError::TooManyRequests(name(message)),
        AppError::Unavailable(message) => AppError::Unavailable(name(message)),
        other => other,
    }
}

/// One board resolved, admitted and subscribed; the part `/api/stream` and `/api/streams`
/// share, so a board is validated and capped the same way on both.
struct Board {
    view_rx: watch::Receiver<Arc<ViewFrame>>,
    fop_rx: Option<watch::Receiver<Arc<FopFrames>>>,
    last_id: Option<String>,
    slot: Slot,
}

impl Board {
    fn open(
        app: &Arc<AppState>,
        params: &BTreeMap<String, String>,
        address: IpAddr,
        last_id: Option<String>,
    ) -> Result<Board, AppError> {
        let request = resolve(app, params)?;
        let slot = slot_for(&app.streams, &app.options.http, address)?;
        let view_rx = app.views.subscribe(request.key.clone())?;
        let fop_rx = request.key.fop.as_deref().map(|f| app.views.feeds().watch(f));
        Ok(Board { view_rx, fop_rx, last_id, slot })
    }

    /// The first event is the full view: gives a view that nobody watched yet time to compute.
    async fn first_view(&mut self) {
        let computed = self.view_rx.wait_for(|f| f.view.is_some() || f.error.is_some());
        let _ = tokio::time::timeout(FIRST_VIEW_WAIT, computed).await;
    }

    /// The board's pump, and what keeps it counted (its slot and the open-stream count) while
    /// the response lives.
    fn into_pump(self, app: &Arc<AppState>) -> (Pump, (ClientCount, Slot)) {
        let feeds = app.views.feeds().clone();
        let pump = Pump::new(self.view_rx, self.fop_rx, feeds, self.last_id);
        (pump, (ClientCount::new(app.clone()), self.slot))
    }
}

/// An event-stream response around `body`.
pub(crate) fn event_stream(body: Body) -> Response {
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies that buffer responses (nginx) would hold the frames back.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
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
