//! `GET /api/health`: what the tracker holds and hears, 200 when database and translations are
//! loaded and no protocol mismatch is latched, 503 (with the reasons) otherwise.
//! `GET /api/health?live` answers 200 whenever the server serves (liveness for Docker and
//! Fly.io: a tracker waiting for OWLCMS is alive, and must keep receiving traffic).
//! Health is public (load balancers and the image's HEALTHCHECK read it, and ops guards do
//! not cover it): it says how many OWLCMS connections are open, never from where; the peer
//! addresses are on the ops-guarded `/api/diagnostics`.

use crate::AppState;
use crate::hub::{FopSnapshot, now_ms};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// What the API says about a FOP.
pub(super) fn fop_summary(fop: &FopSnapshot) -> Value {
    json!({
        "name": fop.name,
        "hasData": fop.data_version > 0,
        "version": fop.version,
        "dataVersion": fop.data_version,
        "lastMessageMs": (fop.last_update_ms > 0).then_some(fop.last_update_ms),
        "fopState": fop.field("fopState"),
        "mode": fop.field("mode"),
        "session": fop.session,
    })
}

pub(super) async fn health(
    State(app): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let state = app.hub.state();
    let mut issues = Vec::new();
    if state.database.is_none() {
        issues.push("no competition database yet: waiting for OWLCMS to connect and send it");
    }
    if state.translations.is_none() {
        issues.push("no translations yet: waiting for OWLCMS to send translations_zip");
    }
    if state.protocol_error.is_some() {
        issues.push("protocol mismatch: OWLCMS must be version 64 or newer");
    }
    let fops: Vec<Value> =
        state.fops.iter().filter_map(|name| app.hub.fop(name)).map(|fop| fop_summary(&fop)).collect();
    let healthy = state.is_ready() && state.protocol_error.is_none();
    let d = &*app.hub.diagnostics();
    let catalog = app.registry.catalog();
    let problems: Vec<String> =
        catalog.entries.values().filter_map(|e| e.problem.as_ref().map(|p| p.to_string())).collect();
    let body = json!({
        "status": if healthy { "ok" } else { "degraded" },
        "issues": issues,
        "serverTimeMs": now_ms(),
        "uptimeSeconds": app.started.elapsed().as_secs(),
        "database": state.database.as_ref().map_or(json!({"loaded": false}), |db| json!({
            "loaded": true,
            "checksum": db.checksum,
            "competitionName": db.competition_name(),
            "athletes": db.athlete_count(),
        })),
        "translations": state.translations.as_ref().map_or(json!({"loaded": false}), |t| {
            let mut locales: Vec<&String> = t.locales.keys().collect();
            locales.sort();
            json!({"loaded": true, "locales": locales, "keys": t.key_count(), "checksum": t.checksum})
        }),
        "assets": state.assets,
        "fops": fops,
        // Without the peer address: anyone who reaches the tracker may read this page.
        "connections": d.connections.iter().map(|c| json!({
            "id": c.id,
            "sinceMs": c.since_ms,
            "authenticated": c.authenticated,
        })).collect::<Vec<Value>>(),
        "lastMessageMs": d.last_message_ms,
        "protocolError": state.protocol_error,
        "counters": {
            "protocolErrors": d.protocol_errors,
            "authFailures": d.auth_failures,
            "requestsSent": d.requests_sent,
            "ingestErrors": d.ingest_errors,
        },
        "lastIngestError": d.last_ingest_error,
        "views": {
            "active": app.views.active(),
            "mappingRuns": app.views.stats.mapping_runs.load(Ordering::Relaxed),
            "mappingErrors": app.views.stats.mapping_errors.load(Ordering::Relaxed),
            "rosterBuilds": app.views.engine().roster_builds.load(Ordering::Relaxed),
        },
        "plugins": {
            "loaded": catalog.ids().len(),
            "problems": problems,
        },
    });
    let status = if healthy || params.contains_key("live") { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}
