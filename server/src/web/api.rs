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
use owlcms_contract::{Catalog, Language, PluginInfo, PluginStatus, Problem};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long `/api/view` waits for a view that is computed for the first time.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(10);

pub(super) async fn plugins(State(app): State<Arc<AppState>>) -> Json<Catalog> {
    let catalog = app.registry.catalog();
    let languages = languages_of(&app);
    let runtime = app.views.runtime_errors();
    let plugins = catalog.entries.iter().map(|(id, entry)| describe(id, entry, &languages, runtime.get(id))).collect();
    let state = app.hub.state();
    Json(Catalog {
        competition: state.database.as_ref().and_then(|d| d.competition_name().map(str::to_owned)),
        fops: state.fops.clone(),
        languages,
        owlcms_connected: state.owlcms_connected,
        protocol_error: state.protocol_error.as_ref().map(crate::views::events::protocol_error),
        plugins,
    })
}

pub(super) async fn plugin(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<PluginInfo>, AppError> {
    let catalog = app.registry.catalog();
    let Some(entry) = catalog.entries.get(&id) else {
        return Err(unknown_plugin(&id, catalog.entries.keys().cloned().collect()));
    };
    let runtime = app.views.runtime_errors();
    Ok(Json(describe(&id, entry, &languages_of(&app), runtime.get(&id))))
}

/// The answer to `/api/plugins/<id>` for an id the catalogue lacks (relays give the same).
pub(crate) fn unknown_plugin(id: &str, ids: Vec<String>) -> AppError {
    AppError::Unknown { message: format!("unknown plugin {id:?}"), details: json!({ "plugins": ids }) }
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
    let mut rx = app.views.subscribe(request.key)?;
    let waited = tokio::time::timeout(FIRST_VIEW_WAIT, rx.wait_for(|f| f.view.is_some() || f.error.is_some())).await;
    let frame = match waited {
        Ok(Ok(frame)) => frame.clone(),
        _ => return Err(AppError::Internal("the view was not computed in time".into())),
    };
    match (&frame.view, &frame.error) {
        (Some(view), _) => Ok((
            [(header::CONTENT_TYPE, "application/json"), (header::ETAG, &format!("\"{}\"", view.id))],
            view.body.clone(),
        )
            .into_response()),
        (None, Some(error)) => Err(AppError::Internal(error.clone())),
        (None, None) => Err(AppError::Internal("the view is empty".into())),
    }
}

/// `[{id, name}]` of the locales OWLCMS sent, each named in its own language.
fn languages_of(app: &AppState) -> Vec<Language> {
    let state = app.hub.state();
    let mut ids: Vec<String> =
        state.translations.as_ref().map(|t| t.locales.keys().cloned().collect()).unwrap_or_default();
    if ids.is_empty() {
        ids.push("en".into());
    }
    ids.sort();
    ids.into_iter().map(|id| Language { name: super::languages::native_name(&id), id }).collect()
}

fn describe(id: &str, entry: &PluginEntry, languages: &[Language], runtime_error: Option<&String>) -> PluginInfo {
    let problem = entry.problem.as_ref().map(|p| Problem {
        file: p.file.clone(),
        line: p.line,
        message: p.message.clone(),
        text: p.to_string(),
    });
    let status =
        if entry.problem.is_some() || runtime_error.is_some() { PluginStatus::Error } else { PluginStatus::Ok };
    let Some(plugin) = &entry.active else {
        return PluginInfo { id: id.to_owned(), status, problem, available: false, ..PluginInfo::default() };
    };
    let config = &plugin.config;
    PluginInfo {
        id: id.to_owned(),
        available: true,
        name: config.name.clone(),
        description: Some(config.description.clone()),
        category: Some(config.category.clone()),
        order: config.order,
        hidden: config.order < 0,
        page: Some(config.page),
        fop_required: Some(config.fop_required),
        requires: config.requires.clone(),
        options: config.options.iter().map(|o| option_spec(o, languages)).collect(),
        style: plugin.has_style.then(|| format!("/plugins/{id}/style.css")),
        revision: plugin.revision,
        status,
        problem,
        runtime_error: runtime_error.cloned(),
    }
}

/// An option as pages see it: its default filled in and its choices a list of `{value, label}`
/// (`"languages"` resolved to the languages OWLCMS sent).
fn option_spec(option: &OptionSpec, languages: &[Language]) -> owlcms_contract::OptionSpec {
    let choices = option.choices.as_ref().map(|choices| match choices {
        Choices::Dynamic(_) => {
            languages.iter().map(|l| owlcms_contract::Choice { value: l.id.clone(), label: l.name.clone() }).collect()
        }
        Choices::List(list) => list
            .iter()
            .map(|c| match c {
                Choice::Plain(v) => owlcms_contract::Choice { value: v.clone(), label: v.clone() },
                Choice::Labeled { value, label } => {
                    owlcms_contract::Choice { value: value.clone(), label: label.clone() }
                }
            })
            .collect(),
    });
    owlcms_contract::OptionSpec {
        key: option.key.clone(),
        label: option.label.clone(),
        kind: option.kind,
        default: option.default_value(),
        min: option.min,
        max: option.max,
        choices,
        group: option.group.clone(),
        help: option.help.clone(),
        disabled_by: option.disabled_by.clone(),
    }
}
