//! The files served from folders: `/local/<kind>/…` (the flags, logos and pictures OWLCMS sends
//! as ZIPs; a name without extension finds the file whatever its image type) and `/plugins/…`
//! (the plugin folders, or the copy built into the binary). The ingest node serves its own
//! folders; a relay serves its mirror of them with the same routes, so the answers match.

use crate::error::AppError;
use crate::hub::AssetKind;
use axum::Router;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `/local/<kind>/…` for every served kind, from `dir_of(kind)`.
pub fn local_routes<S: Clone + Send + Sync + 'static>(dir_of: impl Fn(AssetKind) -> PathBuf) -> Router<S> {
    let mut local = Router::new();
    for kind in AssetKind::ALL {
        // Folders are swapped by symlink; ServeDir resolves the path per request.
        // A name without extension (a picture by membership number, a flag by team name) finds
        // the file whatever its image type.
        let by_stem = get(image_by_stem).with_state(dir_of(kind));
        local = local.nest_service(&format!("/local/{}", kind.dir()), ServeDir::new(dir_of(kind)).fallback(by_stem));
    }
    local.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    ))
}

/// `/plugins/…`: from `dir`, or from the built-in copy when `dir` is `None`; a relay passes its
/// mirror of the ingest node's folder as `dir` and its own copy as `fallback`.
pub fn plugin_routes<S: Clone + Send + Sync + 'static>(dir: Option<&Path>, fallback: Option<&Path>) -> Router<S> {
    let router = match (dir, fallback) {
        (None, _) => Router::new().route("/plugins/{*path}", get(|uri: Uri| built_in_plugin_file(uri))),
        (Some(dir), None) => Router::new().nest_service("/plugins", ServeDir::new(dir)),
        (Some(dir), Some(own)) if own.is_dir() => {
            Router::new().nest_service("/plugins", ServeDir::new(dir).fallback(ServeDir::new(own)))
        }
        (Some(dir), Some(_)) => Router::new()
            .nest_service("/plugins", ServeDir::new(dir).fallback(get(|uri: Uri| built_in_plugin_file(uri)))),
    };
    // Plugin files (style.css) change while authors edit them: revalidate every time.
    router.layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}

/// A file of the built-in plugins; `uri` is `/plugins/<path>` or, nested, `/<path>`.
async fn built_in_plugin_file(uri: Uri) -> Response {
    let path = uri.path().strip_prefix("/plugins/").unwrap_or(uri.path()).trim_start_matches('/');
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
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

async fn image_by_stem(axum::extract::State(dir): axum::extract::State<PathBuf>, uri: Uri) -> Response {
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
