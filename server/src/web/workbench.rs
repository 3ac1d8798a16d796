//! `GET /api/workbench`: the plugin workbench's live feed, read-only. For one view (plugin,
//! FOP, language, options) it sends a `run` event with the mapping input, the mapping output,
//! the plugin's load problem (file, line, column, the lines around it) or runtime error, and
//! the timings of the last run; again on every plugin reload and data change. It rides on the
//! view's own task (subscribing keeps it running), so nothing is computed twice.

use super::request::resolve;
use crate::AppState;
use crate::error::AppError;
use crate::plugins::registry::PluginProblem;
use crate::views::{ViewFrame, ViewKey};
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Workbench streams open at once; each rebuilds an input document per change.
static SLOTS: Semaphore = Semaphore::const_new(8);
/// Least time between two events of one stream (changes in between are merged).
const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Lines shown before and after the line of a problem.
const CONTEXT_LINES: usize = 3;

pub(super) async fn stream(
    State(app): State<Arc<AppState>>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let Ok(slot) = SLOTS.try_acquire() else {
        return Err(AppError::Unavailable("too many workbench streams are open; close one".into()));
    };
    let id = params.get("plugin").cloned().unwrap_or_default();
    if !app.registry.catalog().entries.contains_key(&id) {
        // Unknown plugin (not merely broken): the same refusal as the view API.
        resolve(&app, &params)?;
    }
    let shutdown = app.shutdown.clone();
    let stream = async_stream::stream! {
        let _slot = slot;
        let mut catalog_rx = app.registry.watch();
        let mut state_rx = app.hub.watch_state();
        loop {
            catalog_rx.mark_unchanged();
            let opened = resolve(&app, &params)
                .and_then(|request| Ok((app.views.subscribe(request.key.clone())?, request)));
            match opened {
                Ok((mut view_rx, request)) => {
                    // A view computed for the first time: send once it has a result.
                    let _ = tokio::time::timeout(
                        Duration::from_secs(5),
                        view_rx.wait_for(|f| f.view.is_some() || f.error.is_some()),
                    )
                    .await;
                    loop {
                        let frame = view_rx.borrow_and_update().clone();
                        let catalog = app.registry.catalog();
                        let Some(entry) = catalog.entries.get(&request.key.plugin) else { break };
                        let Some(active) = entry.active.as_ref() else { break };
                        let input = app.views.input_for(&request.key).await;
                        let event = run_event(&request.key, active.revision, entry.problem.as_ref(), &frame, input);
                        yield Ok(Event::default().event("run").data(event.to_string()));
                        tokio::time::sleep(MIN_INTERVAL).await;
                        tokio::select! {
                            () = shutdown.cancelled() => return,
                            changed = view_rx.changed() => if changed.is_err() { return },
                            changed = catalog_rx.changed() => if changed.is_err() { return },
                        }
                        // A new plugin revision changes options and requirements: resolve again.
                        let now = app.registry.catalog();
                        if now.plugin(&request.key.plugin).map(|p| p.revision) != Some(active.revision) {
                            break;
                        }
                    }
                }
                Err(refusal) => {
                    // A plugin that never loaded, or no such FOP yet: say why until that changes.
                    let catalog = app.registry.catalog();
                    let problem = catalog.entries.get(&id).and_then(|e| e.problem.as_ref());
                    let event = json!({
                        "plugin": id,
                        "problem": problem.map(problem_json),
                        "refused": refusal.to_string(),
                        "output": null,
                        "input": null,
                    });
                    yield Ok(Event::default().event("run").data(event.to_string()));
                    state_rx.mark_unchanged();
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        changed = catalog_rx.changed() => if changed.is_err() { return },
                        changed = state_rx.changed() => if changed.is_err() { return },
                    }
                    tokio::time::sleep(MIN_INTERVAL).await;
                }
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("heartbeat")))
}

fn run_event(
    key: &ViewKey,
    revision: u64,
    problem: Option<&PluginProblem>,
    frame: &ViewFrame,
    input: Option<Value>,
) -> Value {
    let envelope: Value = frame.view.as_ref().map_or(Value::Null, |v| (*v.value).clone());
    json!({
        "plugin": key.plugin,
        "fop": key.fop,
        "lang": key.lang,
        "options": serde_json::from_str::<Value>(&key.options).unwrap_or_default(),
        "revision": revision,
        "problem": problem.map(problem_json),
        "runtimeError": frame.error,
        "page": envelope["page"],
        "output": envelope["view"],
        "viewId": frame.view.as_ref().map(|v| v.id.clone()).unwrap_or_default(),
        "timings": frame.timings,
        "input": input,
        "sentAtMs": crate::hub::now_ms(),
    })
}

/// A load problem with the lines of its file around it (read from disk; never written).
fn problem_json(problem: &PluginProblem) -> Value {
    let excerpt: Vec<Value> = match (problem.line, std::fs::read_to_string(&problem.file)) {
        (Some(line), Ok(text)) => {
            let first = line.saturating_sub(CONTEXT_LINES).max(1);
            text.lines()
                .enumerate()
                .map(|(i, t)| (i + 1, t))
                .skip(first - 1)
                .take(line + CONTEXT_LINES + 1 - first)
                .map(|(n, t)| json!({"line": n, "text": t.chars().take(300).collect::<String>()}))
                .collect()
        }
        _ => Vec::new(),
    };
    json!({
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "message": problem.message,
        "text": problem.to_string(),
        "excerpt": excerpt,
    })
}
