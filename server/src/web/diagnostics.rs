//! Diagnostics for operators: `GET /api/diagnostics` (JSON), `GET /diagnostics` (a page that
//! needs no client bundle) and `GET /metrics` (Prometheus text format), with hints for the
//! usual set-up mistakes.

use super::wrong_url::owlcms_url;
use crate::AppState;
use crate::hub::now_ms;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Everything an operator wants to know, with hints; `url` is the URL OWLCMS should use.
pub(super) fn report(app: &AppState, url: &str) -> Value {
    let state = app.hub.state();
    let d = &*app.hub.diagnostics();
    let catalog = app.registry.catalog();
    let problems: Vec<String> =
        catalog.entries.values().filter_map(|e| e.problem.as_ref().map(|p| p.to_string())).collect();
    let runtime = app.views.runtime_errors();
    let mut hints = app.wrong_urls.hints();
    if d.connections.is_empty() && state.database.is_none() {
        hints.push(format!(
            "No OWLCMS connection: in OWLCMS, Prepare Competition → Language and System Settings → Connections, set \"URL for Video Data\" to {url} (wss:// behind HTTPS)."
        ));
    }
    if d.auth_failures > 0 {
        hints.push(
            "OWLCMS was refused for a wrong update key: use the same key in OWLCMS and in OWLCMS_UPDATEKEY here."
                .into(),
        );
    }
    if let Some(error) = &state.protocol_error {
        hints.push(format!(
            "OWLCMS speaks an older protocol ({}): upgrade OWLCMS to version 64 or newer.",
            error.reason
        ));
    }
    if !d.connections.is_empty() && state.database.is_none() {
        hints
            .push("OWLCMS is connected but sent no database yet; the tracker asked for it. Check OWLCMS's log.".into());
    }
    if d.ingest_errors > 0 {
        hints.push(format!(
            "{} frame(s) from OWLCMS were refused; last: {}",
            d.ingest_errors,
            d.last_ingest_error.clone().unwrap_or_default()
        ));
    }
    let keyed_fops = fops_sending_a_key(app, &state.fops);
    if app.options.update_key.is_none() && !keyed_fops.is_empty() {
        hints.push(format!(
            "OWLCMS sends an update key (seen in the messages of {}) but this tracker has none: its messages are accepted \
without a check. To check them, start the tracker with OWLCMS_UPDATEKEY set to the same key (or clear the key in OWLCMS).",
            keyed_fops.join(", ")
        ));
    }
    for problem in problems.iter().chain(runtime.values()) {
        hints.push(format!("Plugin problem: {problem}"));
    }
    let viewers: Vec<Value> = app
        .views
        .viewers()
        .into_iter()
        .map(|(key, count)| json!({"plugin": key.plugin, "fop": key.fop, "lang": key.lang, "options": key.options, "viewers": count}))
        .collect();
    json!({
        "serverTimeMs": now_ms(),
        "uptimeSeconds": app.started.elapsed().as_secs(),
        "owlcmsUrl": url,
        "connections": d.connections,
        "protocolVersion": d.protocol_version,
        "protocolError": state.protocol_error,
        "lastMessageMs": d.last_message_ms,
        "lastFopMessageMs": d.last_fop_message_ms,
        "messages": d.message_counts,
        "authFailures": d.auth_failures,
        "requestsSent": d.requests_sent,
        "ingestErrors": d.ingest_errors,
        "lastIngestError": d.last_ingest_error,
        "database": state.database.as_ref().map(|db| json!({"competition": db.competition_name(), "athletes": db.athlete_count(), "checksum": db.checksum})),
        "translations": state.translations.as_ref().map(|t| t.locales.len()),
        "fops": state.fops,
        "pluginProblems": problems,
        "pluginRuntimeErrors": runtime,
        "views": viewers,
        "sseClients": app.sse_clients.load(Ordering::Relaxed),
        "wrongUrls": app.wrong_urls.snapshot(),
        "unexpectedUpdateKey": app.options.update_key.is_none() && !keyed_fops.is_empty(),
        "hints": hints,
    })
}

/// FOPs whose last OWLCMS messages carried an update key (never the key itself).
fn fops_sending_a_key(app: &AppState, fops: &[String]) -> Vec<String> {
    let keyed = |data: &serde_json::Map<String, Value>| {
        ["updateKey", "update_key", "updatekey"].iter().any(|k| data.get(*k).is_some_and(|v| v != "" && !v.is_null()))
    };
    fops.iter().filter(|name| app.hub.fop(name).is_some_and(|f| keyed(&f.data))).cloned().collect()
}

pub(super) async fn json(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Json<Value> {
    Json(report(&app, &owlcms_url(&headers)))
}

pub(super) async fn page(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Html<String> {
    let r = report(&app, &owlcms_url(&headers));
    let esc = |v: &Value| {
        html_escape::encode_text(&match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .into_owned()
    };
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>\
<meta http-equiv=refresh content=5><title>owlcms-tracker diagnostics</title>\
<style>body{font-family:system-ui,sans-serif;background:#111;color:#eee;margin:1em;max-width:60em}\
td,th{border-bottom:1px solid #333;padding:.25em .5em;text-align:left;vertical-align:top}table{border-collapse:collapse;width:100%}\
.hint{background:#432;border-left:4px solid #f90;padding:.5em;margin:.5em 0}a{color:#8cf}</style>\
<h1>Diagnostics</h1><p><a href=/>← boards</a> · <a href=/api/diagnostics>JSON</a> · <a href=/metrics>metrics</a></p>",
    );
    for hint in r["hints"].as_array().into_iter().flatten() {
        let _ = write!(html, "<div class=hint>{}</div>", esc(hint));
    }
    let _ = write!(html, "<h2>OWLCMS</h2><table><tr><th>URL for Video Data<td>{}", esc(&r["owlcmsUrl"]));
    let _ = write!(html, "<tr><th>Protocol version<td>{}", esc(&r["protocolVersion"]));
    for c in r["connections"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            "<tr><th>Connection {}<td>{} since {} (authenticated: {})",
            c["id"],
            esc(&c["peer"]),
            c["sinceMs"],
            c["authenticated"]
        );
    }
    let _ = write!(html, "<tr><th>Database<td>{}<tr><th>Locales<td>{}", esc(&r["database"]), esc(&r["translations"]));
    let _ = write!(
        html,
        "<tr><th>Auth failures<td>{}<tr><th>Requests sent (428)<td>{}",
        r["authFailures"], r["requestsSent"]
    );
    let _ = write!(html, "<tr><th>Refused frames<td>{} {}</table>", r["ingestErrors"], esc(&r["lastIngestError"]));
    html.push_str("<h2>Messages</h2><table><tr><th>Type<th>Count<th>Last (server ms)");
    for (kind, count) in r["messages"].as_object().into_iter().flatten() {
        let _ = write!(html, "<tr><td>{}<td>{count}<td>{}", esc(&json!(kind)), r["lastMessageMs"][kind]);
    }
    html.push_str("</table><h2>Viewers</h2><table><tr><th>Plugin<th>FOP<th>Language<th>Viewers");
    for v in r["views"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            "<tr><td>{}<td>{}<td>{}<td>{}",
            esc(&v["plugin"]),
            esc(&v["fop"]),
            esc(&v["lang"]),
            v["viewers"]
        );
    }
    html.push_str("</table>");
    Html(html)
}

/// Prometheus text exposition.
pub(super) async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    let state = app.hub.state();
    let d = &*app.hub.diagnostics();
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        let _ = writeln!(
            out,
            "# HELP owlcms_tracker_{name} {help}\n# TYPE owlcms_tracker_{name} {kind}\nowlcms_tracker_{name} {value}"
        );
    };
    metric("owlcms_connections", "gauge", "Open OWLCMS WebSocket connections.", d.connections.len().to_string());
    metric(
        "database_loaded",
        "gauge",
        "1 when a competition database is loaded.",
        u8::from(state.database.is_some()).to_string(),
    );
    metric(
        "translations_loaded",
        "gauge",
        "1 when translations are loaded.",
        u8::from(state.translations.is_some()).to_string(),
    );
    metric(
        "protocol_mismatch",
        "gauge",
        "1 while a protocol mismatch is latched.",
        u8::from(state.protocol_error.is_some()).to_string(),
    );
    metric("fops", "gauge", "Known fields of play.", state.fops.len().to_string());
    metric("protocol_errors_total", "counter", "Frames refused by the version check.", d.protocol_errors.to_string());
    metric("auth_failures_total", "counter", "Frames with a wrong or missing update key.", d.auth_failures.to_string());
    metric("requests_sent_total", "counter", "428 requests sent to OWLCMS.", d.requests_sent.to_string());
    metric("ingest_errors_total", "counter", "Frames whose content could not be used.", d.ingest_errors.to_string());
    metric("views_active", "gauge", "Views being watched.", app.views.active().to_string());
    metric("sse_clients", "gauge", "Open SSE streams.", app.sse_clients.load(Ordering::Relaxed).to_string());
    metric(
        "mapping_runs_total",
        "counter",
        "Plugin mapping runs.",
        app.views.stats.mapping_runs.load(Ordering::Relaxed).to_string(),
    );
    metric(
        "mapping_errors_total",
        "counter",
        "Plugin mapping runs that failed.",
        app.views.stats.mapping_errors.load(Ordering::Relaxed).to_string(),
    );
    metric(
        "view_wakeups_total",
        "counter",
        "Times a view task woke up to check its inputs.",
        app.views.stats.wakeups.load(Ordering::Relaxed).to_string(),
    );
    let views_max = app.options.max_views.to_string();
    metric("views_max", "gauge", "Most views live at once (MAX_VIEWS).", views_max);
    let refused = app.views.stats.refused.load(Ordering::Relaxed).to_string();
    metric("views_refused_total", "counter", "View requests refused at the cap on live views.", refused);
    let streams = &app.views.feeds().stats;
    let load = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed).to_string();
    metric("stream_wakeups_total", "counter", "Times a viewer's stream woke up.", load(&streams.wakeups));
    metric("stream_frames_total", "counter", "SSE frames written to viewers.", load(&streams.frames));
    metric("stream_bytes_total", "counter", "SSE bytes written to viewers.", load(&streams.bytes));
    metric(
        "live_frames_built_total",
        "counter",
        "Clock and decision frame sets built (once per change).",
        load(&streams.built),
    );
    metric(
        "state_publishes_total",
        "counter",
        "Competition-wide states the hub published.",
        app.hub.state_publishes().to_string(),
    );
    metric("uptime_seconds", "gauge", "Seconds since start.", app.started.elapsed().as_secs().to_string());
    metric("resident_memory_bytes", "gauge", "Resident set size.", resident_bytes().to_string());
    // The soak watches this for leaked tasks (a stream or connection task that never ends).
    metric(
        "tokio_alive_tasks",
        "gauge",
        "Tasks alive on the server's runtime.",
        tokio::runtime::Handle::current().metrics().num_alive_tasks().to_string(),
    );
    let _ = writeln!(
        out,
        "# HELP owlcms_tracker_messages_total OWLCMS frames received, by type.\n# TYPE owlcms_tracker_messages_total counter"
    );
    for (kind, count) in &d.message_counts {
        let kind = kind.replace(['"', '\\', '\n'], "_");
        let _ = writeln!(out, "owlcms_tracker_messages_total{{type=\"{kind}\"}} {count}");
    }
    let _ = writeln!(
        out,
        "# HELP owlcms_tracker_wrong_urls_total OWLCMS requests on a wrong URL, by kind.\n# TYPE owlcms_tracker_wrong_urls_total counter"
    );
    for (kind, seen) in app.wrong_urls.snapshot() {
        let kind = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let _ = writeln!(out, "owlcms_tracker_wrong_urls_total{{kind=\"{kind}\"}} {}", seen.count);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib =
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok());
    kib.unwrap_or(0) * 1024
}
