//! The ingest node's side of what pages load besides the streams: the catalogue answers
//! (`/api/plugins`, `/api/plugins/<id>`, `/api/fops`, `/api/languages`, rendered by the node's own
//! router so a relay replays the same bytes and headers) into the catalogue bucket whenever
//! they change, and the files of the local folders (flags, logos, pictures) and of the plugins
//! folder into the files bucket (each file once per change; removed files deleted).

use super::wire::{FileHeader, FileRecord, ResponseHeader, ResponseRecord, key_of};
use super::{Buckets, MAX_FILE_BYTES};
use crate::AppState;
use crate::hub::AssetKind;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tower::ServiceExt;
use tracing::{debug, info, warn};

/// A burst of changes (a session's first messages) is rendered once.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// Answers that change without an event (a plugin's runtime error) are checked this often; so
/// are the folders (a style.css edit does not change the catalogue).
const POLL: Duration = Duration::from_secs(2);
/// Largest catalogue answer kept.
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// Headers a relay replays (the others are per connection).
const KEPT_HEADERS: [&str; 6] = ["content-type", "cache-control", "etag", "last-modified", "content-language", "vary"];
/// Most files mirrored (a pictures ZIP of a large competition holds a few thousand).
const MAX_FILES: usize = 20_000;

/// The catalogue paths an ingest node publishes now.
fn catalog_paths(app: &AppState) -> Vec<(String, String)> {
    let mut paths: Vec<(String, String)> =
        ["/api/plugins", "/api/fops", "/api/languages"].iter().map(|p| (p.to_string(), p.to_string())).collect();
    for id in app.registry.catalog().entries.keys() {
        let encoded = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
        paths.push((format!("/api/plugins/{id}"), format!("/api/plugins/{encoded}")));
    }
    paths
}

/// `GET uri` through the node's own router, as a relay will replay it.
async fn render(router: &axum::Router, uri: &str) -> Option<ResponseRecord> {
    let mut request = Request::get(uri).body(Body::empty()).ok()?;
    // The handlers behind the router read the peer address; this request has none.
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
    let response = router.clone().oneshot(request).await.ok()?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
        .collect();
    let body = axum::body::to_bytes(response.into_body(), MAX_ANSWER).await.ok()?;
    Some(ResponseRecord { header: ResponseHeader { status, headers }, body })
}

/// Keeps the catalogue bucket equal to what this node answers; runs until shutdown.
pub(super) async fn publish_catalog(app: Arc<AppState>, buckets: Buckets) {
    let router = crate::web::router(app.clone());
    let mut events = app.hub.events();
    let mut plugins = app.registry.watch();
    // Path → the bytes last put.
    let mut published: HashMap<String, Bytes> = HashMap::new();
    loop {
        let paths = catalog_paths(&app);
        for (path, uri) in &paths {
            let Some(record) = render(&router, uri).await else { continue };
            let bytes = record.encode();
            if published.get(path) == Some(&bytes) {
                continue;
            }
            match buckets.catalog.put(key_of(path), bytes.clone()).await {
                Ok(_) => {
                    published.insert(path.clone(), bytes);
                }
                // NATS is away: the next round tries again.
                Err(error) => debug!(%error, %path, "catalogue put failed"),
            }
        }
        let current: HashSet<&String> = paths.iter().map(|(p, _)| p).collect();
        let gone: Vec<String> = published.keys().filter(|p| !current.contains(p)).cloned().collect();
        for path in gone {
            if buckets.catalog.delete(key_of(&path)).await.is_ok() {
                published.remove(&path);
            }
        }
        tokio::select! {
            () = app.shutdown.cancelled() => return,
            event = events.recv() => if matches!(event, Err(tokio::sync::broadcast::error::RecvError::Closed)) { return },
            _ = plugins.changed() => {}
            () = tokio::time::sleep(POLL) => {}
        }
        tokio::time::sleep(DEBOUNCE).await;
        while events.try_recv().is_ok() {}
    }
}

/// A file seen in a folder.
struct Seen {
    /// Path under the mirror (`local/flags/FRA.svg`).
    path: String,
    file: PathBuf,
    len: u64,
    modified_ns: u64,
}

/// The folders mirrored, as (path prefix, folder).
fn roots(app: &AppState) -> Vec<(String, PathBuf)> {
    let mut roots: Vec<(String, PathBuf)> =
        AssetKind::ALL.iter().map(|kind| (format!("local/{}", kind.dir()), app.assets.dir(*kind))).collect();
    // Built-in plugins are in every node's binary.
    if !app.registry.is_built_in() {
        roots.push(("plugins".into(), app.registry.dir().to_path_buf()));
    }
    roots
}

fn scan(prefix: &str, dir: &Path, depth: usize, out: &mut Vec<Seen>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Editors' swap files and the store's own temporary entries.
        if name.starts_with('.') || out.len() >= MAX_FILES {
            continue;
        }
        let path = format!("{prefix}/{name}");
        let Ok(meta) = std::fs::metadata(entry.path()) else { continue };
        if meta.is_dir() && depth > 0 {
            scan(&path, &entry.path(), depth - 1, out);
        } else if meta.is_file() {
            let modified_ns =
                meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
            out.push(Seen { path, file: entry.path(), len: meta.len(), modified_ns });
        }
    }
}

/// Keeps the files bucket equal to the folders; runs until shutdown.
pub(super) async fn publish_files(app: Arc<AppState>, buckets: Buckets, max_payload: usize) {
    let cap = if max_payload == 0 { MAX_FILE_BYTES } else { MAX_FILE_BYTES.min(max_payload.saturating_sub(8 * 1024)) };
    let mut state = app.hub.watch_state();
    // Path → (length, time) last put.
    let mut published: HashMap<String, (u64, u64)> = HashMap::new();
    let mut refused: HashSet<(String, u64)> = HashSet::new();
    loop {
        let roots = roots(&app);
        let seen = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for (prefix, dir) in &roots {
                scan(prefix, dir, 4, &mut out);
            }
            out
        })
        .await
        .unwrap_or_default();
        let mut puts = 0;
        for file in &seen {
            if published.get(&file.path) == Some(&(file.len, file.modified_ns)) {
                continue;
            }
            if file.len as usize > cap {
                if refused.insert((file.path.clone(), file.len)) {
                    warn!(path = %file.path, bytes = file.len, cap, "file too large for relays: only this node serves it");
                }
                continue;
            }
            let Ok(data) = tokio::fs::read(&file.file).await else { continue };
            let record = FileRecord {
                header: FileHeader { path: file.path.clone(), modified_ns: file.modified_ns },
                data: Bytes::from(data),
            };
            match buckets.files.put(key_of(&file.path), record.encode()).await {
                Ok(_) => {
                    published.insert(file.path.clone(), (file.len, file.modified_ns));
                    puts += 1;
                }
                Err(error) => warn!(%error, path = %file.path, "file not published to relays; retrying"),
            }
        }
        let current: HashSet<&String> = seen.iter().map(|s| &s.path).collect();
        let gone: Vec<String> = published.keys().filter(|p| !current.contains(p)).cloned().collect();
        for path in &gone {
            if buckets.files.delete(key_of(path)).await.is_ok() {
                published.remove(path);
            }
        }
        if puts > 0 || !gone.is_empty() {
            info!(published = puts, removed = gone.len(), files = published.len(), "files mirrored for relays");
        }
        tokio::select! {
            () = app.shutdown.cancelled() => return,
            _ = state.changed() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
