//! `generic-table` (any `{title, columns, rows}` view, so a plugin needs no Rust) and the
//! readable fallback for page kinds this client does not know.

use crate::views::TableView;
use leptos::prelude::*;
use serde_json::Value;

/// Draws a `{title, columns, rows}` view.
pub fn render(table: TableView) -> AnyView {
    view! {
        <div class="table-page">
            {(!table.title.is_empty()).then(|| view! { <h1 class="table-title">{table.title.0.clone()}</h1> })}
            <table class="generic">
                <thead><tr>{table.columns.iter().map(|c| view! { <th>{c.0.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {table.rows.iter().map(|row| view! {
                        <tr>{row.iter().map(|c| view! { <td>{c.0.clone()}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A view this client cannot draw: a table when it has columns and rows, else its JSON.
pub fn fallback(page: &str, view: &Value, problem: Option<String>) -> AnyView {
    if problem.is_none()
        && let Some(table) = TableView::from_view(view)
    {
        return render(table);
    }
    let json = serde_json::to_string_pretty(view).unwrap_or_default();
    let note = problem
        .unwrap_or_else(|| format!("This client has no renderer for the page kind \"{page}\"; the view as sent:"));
    view! {
        <div class="table-page">
            <p class="json-note">{note}</p>
            <pre class="json-dump">{json}</pre>
        </div>
    }
    .into_any()
}
