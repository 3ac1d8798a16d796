//! OWLCMS pointed at the tracker the wrong way, answered clearly and remembered for
//! `/diagnostics`: an `http://` (publicresults-style) URL makes OWLCMS POST to `/update`,
//! `/timer`, `/decision`, `/config` (and older builds `/database`) under it; a `ws://` URL
//! without `/ws` opens the WebSocket on another path; an update key sent to a tracker that has
//! none. Each answer and hint names the exact URL OWLCMS should use, built from the request.

use crate::AppState;
use crate::error::AppError;
use crate::hub::now_ms;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// The last path segments OWLCMS's HTTP forwarder posts to (`ForwardingDestination`), and the
/// legacy database upload.
const PUBLICRESULTS_PATHS: [&str; 5] = ["update", "timer", "decision", "database", "config"];

/// How OWLCMS reached the tracker wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum WrongUrlKind {
    /// An HTTP POST to a publicresults path: OWLCMS has an `http://` URL.
    HttpPost,
    /// A WebSocket upgrade on another path than `/ws`.
    WebSocketPath,
}

/// The last time a kind was seen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WrongUrlSeen {
    /// How many times.
    pub count: u64,
    /// Server epoch milliseconds of the last one.
    pub last_ms: i64,
    /// Method and path of the last one (`POST /update`).
    pub last_request: String,
    /// Who sent it.
    pub peer: String,
    /// The URL OWLCMS should use, as the last request's host header gives it.
    pub owlcms_url: String,
}

/// Wrong-URL requests seen since start, by kind.
#[derive(Debug, Default)]
pub struct WrongUrls {
    seen: Mutex<BTreeMap<WrongUrlKind, WrongUrlSeen>>,
}

impl WrongUrls {
    fn record(&self, kind: WrongUrlKind, request: String, peer: String, owlcms_url: String) {
        let mut seen = self.seen.lock();
        let entry = seen.entry(kind).or_insert_with(|| WrongUrlSeen {
            count: 0,
            last_ms: 0,
            last_request: String::new(),
            peer: String::new(),
            owlcms_url: String::new(),
        });
        entry.count += 1;
        entry.last_ms = now_ms();
        entry.last_request = request;
        entry.peer = peer;
        entry.owlcms_url = owlcms_url;
    }

    /// Everything seen, by kind.
    pub fn snapshot(&self) -> BTreeMap<WrongUrlKind, WrongUrlSeen> {
        self.seen.lock().clone()
    }

    /// One hint per kind seen, naming the URL to use.
    pub fn hints(&self) -> Vec<String> {
        self.snapshot()
            .into_iter()
            .map(|(kind, s)| match kind {
                WrongUrlKind::HttpPost => format!(
                    "OWLCMS sent HTTP requests ({}, {} time(s), last from {}): its URL is an http:// address as for publicresults. \
This tracker receives over WebSocket only: in OWLCMS, Prepare Competition → Language and System Settings → Connections, set \"URL for Video Data\" to {}.",
                    s.last_request, s.count, s.peer, s.owlcms_url
                ),
                WrongUrlKind::WebSocketPath => format!(
                    "A WebSocket connection was opened on the wrong path ({}, {} time(s), last from {}): set OWLCMS's \"URL for Video Data\" to {} (the path must be /ws).",
                    s.last_request, s.count, s.peer, s.owlcms_url
                ),
            })
            .collect()
    }
}

/// `ws://<host>/ws` (or `wss://` behind a TLS proxy), from the request's headers.
pub fn owlcms_url(headers: &HeaderMap) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let host = text("x-forwarded-host").or_else(|| text(header::HOST.as_str())).unwrap_or("<this host>:8096");
    let secure = text("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}/ws", if secure { "wss" } else { "ws" })
}

/// Answers OWLCMS's wrong-URL requests before routing (a WebSocket upgrade anywhere but
/// `/ws`, a POST to a publicresults path) so they fail visibly instead of hanging or
/// receiving a web page.
pub async fn guard(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let headers = request.headers();
    let upgrade = headers.get(header::UPGRADE).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let last_segment = path.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let kind = if upgrade && path != "/ws" {
        Some(WrongUrlKind::WebSocketPath)
    } else if request.method() == Method::POST && PUBLICRESULTS_PATHS.contains(&last_segment.as_str()) {
        Some(WrongUrlKind::HttpPost)
    } else {
        None
    };
    let Some(kind) = kind else { return next.run(request).await };
    let url = owlcms_url(headers);
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or_else(String::new, |c| c.0.to_string());
    app.wrong_urls.record(kind, format!("{} {path}", request.method()), peer, url.clone());
    let message = match kind {
        WrongUrlKind::WebSocketPath => format!("WebSocket connections go to /ws, not {path}"),
        WrongUrlKind::HttpPost => {
            format!("this tracker receives OWLCMS over WebSocket, not HTTP POST to {path} (a publicresults URL)")
        }
    };
    let hint = format!("set OWLCMS's URL for Video Data to {url}");
    AppError::WrongUrl { message, hint, url }.into_response()
}
