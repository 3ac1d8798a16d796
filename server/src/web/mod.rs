//! The HTTP router: routing only. Handlers live in the sibling modules.

mod api;
mod diagnostics;
mod health;
mod languages;
pub mod limits;
pub mod ops;
mod owlcms_socket;
pub(crate) mod request;
pub mod serve;
mod sse;
mod static_files;
mod workbench;
pub mod wrong_url;

use crate::AppState;
use crate::error::AppError;
use crate::hub::AssetKind;
use axum::Router;
use axum::http::{HeaderValue, Uri, header};
use axum::routing::get;
use std::sync::Arc;
use tower_http::services::ServeDir;
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
    let mut local = Router::new();
    for kind in AssetKind::ALL {
        // Folders are swapped by symlink; ServeDir resolves the path per request.
        // A name without extension (a picture by membership number, a flag by team name) finds
        // the file whatever its image type.
        let by_stem = get(image_by_stem).with_state(state.assets.dir(kind));
        local = local
            .nest_service(&format!("/local/{}", kind.dir()), ServeDir::new(state.assets.dir(kind)).fallback(by_stem));
    }
    let local = local.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    ));
    // Plugin files (style.css) change while authors edit them: revalidate every time.
    let plugin_files = if state.registry.is_built_in() {
        Router::new().route("/plugins/{*path}", get(built_in_plugin_file))
    } else {
        Router::new().nest_service("/plugins", ServeDir::new(state.registry.dir()))
    }
    .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
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

async fn built_in_plugin_file(axum::extract::Path(path): axum::extract::Path<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match crate::plugins::registry::BuiltIn::get(&path) {
        Some(file) => {
            let kind = match path.rsplit('.').next() {
                Some("css") => "text/css",
                Some("json") => "application/json",
                Some("md") => "text/markdown; charset=utf-8",
                _ => "text/plain; charset=utf-8",
            };
            ([(header::CONTENT_TYPE, kind)], file.data.into_owned()).into_response()
        }
        None => AppError::NotFound(format!("no built-in plugin file {path}")).into_response(),
    }
}

/// Image types OWLCMS ships, in the order a name without extension is tried.
const IMAGE_TYPES: [(&str, &str); 6] = [
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
    ("gif", "image/gif"),
];

async fn image_by_stem(
    axum::extract::State(dir): axum::extract::State<std::path::PathBuf>,
    uri: Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let name =
        percent_encoding::percent_decode_str(uri.path().trim_start_matches('/')).decode_utf8_lossy().into_owned();
    let safe = !name.is_empty() && !name.contains(['/', '\\', '\0']) && name != "." && name != "..";
    if safe {
        for (ext, mime) in IMAGE_TYPES {
            if let Ok(bytes) = tokio::fs::read(dir.join(format!("{name}.{ext}"))).await {
                return ([(header::CONTENT_TYPE, mime)], bytes).into_response();
            }
        }
    }
    AppError::NotFound(format!("no file {name}")).into_response()
}

async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("nothing at {}", uri.path()))
}
