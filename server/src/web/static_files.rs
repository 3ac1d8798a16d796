//! The client bundle built by Trunk (`dist/`), served from disk: precompressed `.br`/`.gz`
//! when present, `index.html` with 200 for page URLs such as `/lifting-order` (the client
//! routes, `/_workbench` included), long caching for hashed file names, none for `index.html`.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::get;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Shown when the bundle has not been built, instead of a bare 404.
const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>owlcms-tracker</title>\
<body style=\"font-family:sans-serif;background:#111;color:#eee;padding:2em\">\
<h1>owlcms-tracker is running</h1><p>The web client is not built, so there are no pages yet. \
Build it with <code>./scripts/run</code> (or <code>trunk build --release</code>) and reload.</p>\
<p>The API works: <a style=color:#8cf href=/api/health>/api/health</a>, \
<a style=color:#8cf href=/api/plugins>/api/plugins</a>.</p>";

/// Routes for the bundle; call `exists` first to log a clear message when it is missing.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(dist: &Path) -> Router<S> {
    if !dist.join("index.html").is_file() {
        return Router::new().fallback(get(|| async { Html(NOT_BUILT) }));
    }
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip());
    // The plugin workbench is a page of the client, whatever plugins exist.
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    Router::new().route_service("/_workbench", index).fallback_service(files).layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let value = if is_hashed(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Trunk names built files `<name>-<16 hex digits>.<ext>`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    // The wasm module is `<name>-<hash>_bg.wasm`.
    let stem = name.split('.').next().unwrap_or("").trim_end_matches("_bg");
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names() {
        assert!(super::is_hashed("/frontend-9f2c1e0b3a4d5e6f_bg.wasm"));
        assert!(super::is_hashed("/frontend-9f2c1e0b3a4d5e6f.js"));
        assert!(!super::is_hashed("/index.html"));
        assert!(!super::is_hashed("/lifting-order"));
    }
}
