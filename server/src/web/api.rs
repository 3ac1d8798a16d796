//! The JSON API for pages and scripts: plugin catalogue, FOPs, languages and view snapshots.

use super::request::resolve;
use crate::AppState;
use crate::error::AppError;
use crate::plugins::manifest::{Choice, Choices, OptionSpec};
use crate::plugins::registry::PluginEntry;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long `/api/view` waits for a view that is computed for the first time.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(10);

pub(super) async fn plugins(State(app): State<Arc<AppState>>) -> Json<Value> {
    let catalog = app.registry.catalog();
    let languages = languages_of(&app);
    let runtime = app.views.runtime_errors();
    let list: Vec<Value> =
        catalog.entries.iter().map(|(id, entry)| describe(id, entry, &languages, runtime.get(id))).collect();
    let state = app.hub.state();
    Json(json!({
        "competition": state.database.as_ref().and_then(|d| d.competition_name().map(str::to_owned)),
        "fops": state.fops,
        "languages": languages,
        "owlcmsConnected": state.owlcms_connected,
        "protocolError": state.protocol_error,
        "plugins": list,
    }))
}

pub(super) async fn plugin(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let catalog = app.registry.catalog();
    let Some(entry) = catalog.entries.get(&id) else {
        let ids: Vec<&String> = catalog.entries.keys().collect();
        return Err(AppError::Unknown {
            message: format!("unknown plugin {id:?}"),
            details: json!({ "plugins": ids }),
        });
    };
    let runtime = app.views.runtime_errors();
    Ok(Json(describe(&id, entry, &languages_of(&app), runtime.get(&id))))
}

pub(super) async fn fops(State(app): State<Arc<AppState>>) -> Json<Value> {
    let state = app.hub.state();
    let fops: Vec<Value> =
        state.fops.iter().filter_map(|name| app.hub.fop(name)).map(|fop| super::health::fop_summary(&fop)).collect();
    Json(json!({ "fops": fops }))
}

pub(super) async fn languages(State(app): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "languages": languages_of(&app) }))
}

/// `GET /api/view`: the same view the stream sends, as JSON; `&debug=input` returns the
/// mapping's input document instead, to write and debug mappings against live data.
pub(super) async fn view(
    State(app): State<Arc<AppState>>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let request = resolve(&app, &params)?;
    if params.get("debug").map(String::as_str) == Some("input") {
        let input = app.views.input_for(&request.key).await.unwrap_or_default();
        return Ok(Json(input).into_response());
    }
    let mut rx = app.views.subscribe(request.key);
    let waited = tokio::time::timeout(FIRST_VIEW_WAIT, rx.wait_for(|f| f.body.is_some() || f.error.is_some())).await;
    let frame = match waited {
        Ok(Ok(frame)) => frame.clone(),
        _ => return Err(AppError::Internal("the view was not computed in time".into())),
    };
    match (&frame.body, &frame.error) {
        (Some(body), _) => Ok((
            [(header::CONTENT_TYPE, "application/json"), (header::ETAG, &format!("\"{}\"", frame.id))],
            body.clone(),
        )
            .into_response()),
        (None, Some(error)) => Err(AppError::Internal(error.clone())),
        (None, None) => Err(AppError::Internal("the view is empty".into())),
    }
}

/// `[{id, name}]` of the locales OWLCMS sent, each named in its own language.
fn languages_of(app: &AppState) -> Vec<Value> {
    let state = app.hub.state();
    let mut ids: Vec<String> =
        state.translations.as_ref().map(|t| t.locales.keys().cloned().collect()).unwrap_or_default();
    if ids.is_empty() {
        ids.push("en".into());
    }
    ids.sort();
    ids.iter().map(|id| json!({ "id": id, "name": super::languages::native_name(id) })).collect()
}

fn describe(id: &str, entry: &PluginEntry, languages: &[Value], runtime_error: Option<&String>) -> Value {
    let problem = entry
        .problem
        .as_ref()
        .map(|p| json!({"file": p.file, "line": p.line, "message": p.message, "text": p.to_string()}));
    let status = if entry.problem.is_some() || runtime_error.is_some() { "error" } else { "ok" };
    let Some(plugin) = &entry.active else {
        return json!({ "id": id, "status": status, "problem": problem, "available": false });
    };
    let config = &plugin.config;
    let options: Vec<Value> = config.options.iter().map(|o| option_json(o, languages)).collect();
    json!({
        "id": id,
        "available": true,
        "name": config.name,
        "description": config.description,
        "category": config.category,
        "order": config.order,
        "hidden": config.order < 0,
        "page": config.page,
        "fopRequired": config.fop_required,
        "requires": config.requires,
        "options": options,
        "style": plugin.has_style.then(|| format!("/plugins/{id}/style.css")),
        "revision": plugin.revision,
        "status": status,
        "problem": problem,
        "runtimeError": runtime_error,
    })
}

fn option_json(option: &OptionSpec, languages: &[Value]) -> Value {
    let mut value = serde_json::to_value(option).unwrap_or_default();
    value["default"] = option.default_value();
    let choices: Option<Vec<Value>> = match &option.choices {
        Some(Choices::Dynamic(_)) => {
            Some(languages.iter().map(|l| json!({"value": l["id"], "label": l["name"]})).collect())
        }
        Some(Choices::List(list)) => Some(
            list.iter()
                .map(|c| match c {
                    Choice::Plain(v) => json!({"value": v, "label": v}),
                    Choice::Labeled { value, label } => json!({"value": value, "label": label}),
                })
                .collect(),
        ),
        None => None,
    };
    if let Some(choices) = choices {
        value["choices"] = Value::Array(choices);
    }
    value
}
