//! The HTTP router: routing only. Handlers live in the sibling modules.

mod health;
mod owlcms_socket;

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
    let mut router = Router::new().route("/ws", get(owlcms_socket::upgrade)).route("/api/health", get(health::health));
    for kind in AssetKind::ALL {
        // Folders are swapped by symlink; ServeDir resolves the path per request.
        let files = ServeDir::new(state.assets.dir(kind));
        router = router.nest_service(&format!("/local/{}", kind.dir()), files);
    }
    router
        .fallback(not_found)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("nothing at {}", uri.path()))
}
