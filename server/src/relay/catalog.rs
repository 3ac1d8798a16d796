//! A relay's copy of the ingest node's catalogue answers (`/api/plugins`, `/api/plugins/<id>`,
//! `/api/fops`, `/api/languages`), followed in the catalogue bucket and replayed byte for byte
//! with the ingest node's headers; the last answers stay served while NATS is away.

use super::Buckets;
use super::follow::each_entry;
use super::wire::{ResponseRecord, text_of_key};
use async_nats::jetstream::kv::{Entry, Operation};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use parking_lot::RwLock;
use std::collections::HashMap;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// Most answers kept (the three lists and one per plugin).
const MAX_ANSWERS: usize = 1024;

/// The answers received, by URL path.
#[derive(Default)]
pub struct Catalog {
    answers: RwLock<HashMap<String, ResponseRecord>>,
}

impl Catalog {
    /// Follows the bucket until `shutdown` (the buckets arrive once NATS answered).
    pub async fn follow(&self, mut buckets: watch::Receiver<Option<Buckets>>, shutdown: CancellationToken) {
        let ready = buckets.wait_for(Option::is_some).await.ok().and_then(|b| b.clone());
        let Some(buckets) = ready else { return };
        each_entry(&buckets.catalog, "catalogue", &shutdown, |entry| {
            self.keep(&entry);
            std::future::ready(())
        })
        .await;
    }

    fn keep(&self, entry: &Entry) {
        let Some(path) = text_of_key(&entry.key) else { return };
        if entry.operation != Operation::Put {
            self.answers.write().remove(&path);
            return;
        }
        match ResponseRecord::decode(&entry.value) {
            Ok(record) => {
                let mut answers = self.answers.write();
                if answers.len() < MAX_ANSWERS || answers.contains_key(&path) {
                    answers.insert(path, record);
                }
            }
            Err(error) => warn!(%error, %path, "catalogue record ignored"),
        }
    }

    /// The ingest node's answer to `GET path`, or `None` when it sent none for that path.
    pub fn answer(&self, path: &str, request: &HeaderMap) -> Option<Response> {
        let record = self.answers.read().get(path).cloned()?;
        Some(replay(&record, request))
    }

    /// The plugin ids of the catalogue (`/api/plugins`), once received.
    pub fn plugin_ids(&self) -> Option<Vec<String>> {
        let record = self.answers.read().get("/api/plugins").cloned()?;
        let catalog: owlcms_contract::Catalog = serde_json::from_slice(&record.body).ok()?;
        Some(catalog.plugins.into_iter().map(|p| p.id).collect())
    }
}

/// The response a record describes; a matching `If-None-Match` gets a 304 when it has an ETag.
fn replay(record: &ResponseRecord, request: &HeaderMap) -> Response {
    let status = StatusCode::from_u16(record.header.status).unwrap_or(StatusCode::OK);
    let etag = record.header.headers.iter().find(|(n, _)| n == "etag").map(|(_, v)| v.as_str());
    let not_modified = etag.is_some_and(|etag| {
        request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    });
    // Built by hand: `Bytes::into_response` would add a content type of its own.
    let mut response = Response::new(if not_modified { Body::empty() } else { Body::from(Bytes::clone(&record.body)) });
    *response.status_mut() = if not_modified { StatusCode::NOT_MODIFIED } else { status };
    let headers = response.headers_mut();
    for (name, value) in &record.header.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            headers.append(name, value);
        }
    }
    response
}
