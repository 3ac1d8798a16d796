//! The HTTP router: routing only. Handlers live in the sibling modules.

mod api;
pub(crate) use api::unknown_plugin;
mod diagnostics;
pub mod files;
mod health;
mod languages;
pub mod limits;
pub mod ops;
mod owlcms_socket;
pub(crate) mod request;
pub mod serve;
pub(crate) mod sse;
pub(crate) mod static_files;
mod workbench;
pub mod wrong_url;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::http::{HeaderValue, Uri, header};
use axum::routing::get;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Builds the application router.
pub fn router(state: Arc<AppState>) -> Router {
    let ops_only = axum::middleware::from_fn_with_state(state.clone(), ops::guard);
    let api = Router::new()
        .route("/api/health", get(health::health))
        .route("/api/plugins", get(api::plugins))
        .route("/api/plugins/{id}", get(api::plugin))
        .route("/api/fops", get(api::fops))
        .route("/api/languages", get(api::languages))
        .route("/api/view", get(api::view))
        .route("/api/diagnostics", get(diagnostics::json).route_layer(ops_only.clone()))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    let local = files::local_routes(|kind| state.assets.dir(kind));
    let plugin_files = files::plugin_routes((!state.registry.is_built_in()).then(|| state.registry.dir()), None);
    let traced = Router::new()
        .route("/ws", get(owlcms_socket::upgrade))
        .route("/api/workbench", get(workbench::stream))
        .route("/diagnostics", get(diagnostics::page).route_layer(ops_only.clone()))
        .route("/metrics", get(diagnostics::metrics).route_layer(ops_only))
        .merge(api)
        .merge(local)
        .merge(plugin_files)
        .route("/api/{*rest}", axum::routing::any(not_found))
        .route("/local/{*rest}", axum::routing::any(not_found))
        .merge(static_files::routes(&state.options.dist_dir))
        .layer(TraceLayer::new_for_http());
    // Event streams stay out of the trace layer: it would wrap every frame of every viewer's
    // body (thousands of viewers, a clock tick each); streams are counted in /metrics instead.
    Router::new()
        .route("/api/stream", get(sse::stream))
        .route("/api/streams", get(sse::streams))
        .merge(traced)
        .layer(axum::middleware::from_fn_with_state(state.clone(), wrong_url::guard))
        .layer(axum::middleware::from_fn_with_state(state.options.http.max_uri_bytes, limits::url_guard))
        .with_state(state)
}

/// The JSON 404 of a path nothing serves (relays answer the same).
pub(crate) async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("nothing at {}", uri.path()))
}
