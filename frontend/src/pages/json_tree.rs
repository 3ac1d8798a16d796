//! A collapsible JSON tree (the workbench's input and output panes). Nodes render their
//! children only once opened, so a whole competition database stays cheap; which nodes are
//! open is kept by path, so a new document (every run) keeps the author's place. A search
//! lists the paths whose key or value contains the text.

use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

static NULL: Value = Value::Null;

/// Most search hits listed.
const MAX_HITS: usize = 200;

/// Paths of the nodes that are open, shared by every document shown in one pane.
pub type OpenPaths = RwSignal<HashSet<String>>;

/// The tree of `doc`, with the nodes in `open` expanded (the root always is).
pub fn tree(doc: Arc<Value>, open: OpenPaths) -> impl IntoView {
    view! { <div class="json-tree">{children(doc, String::new(), open)}</div> }
}

fn children(doc: Arc<Value>, path: String, open: OpenPaths) -> AnyView {
    let Some(value) = doc.pointer(&path) else { return ().into_any() };
    let keys: Vec<(String, String)> = match value {
        Value::Object(map) => map.keys().map(|k| (k.clone(), format!("{path}/{}", escape(k)))).collect(),
        Value::Array(items) => (0..items.len()).map(|i| (i.to_string(), format!("{path}/{i}"))).collect(),
        _ => return scalar(value).into_any(),
    };
    view! {
        <ul>
            {keys.into_iter().map(|(key, child)| node(doc.clone(), key, child, open)).collect_view()}
        </ul>
    }
    .into_any()
}

fn node(doc: Arc<Value>, key: String, path: String, open: OpenPaths) -> impl IntoView {
    let value = doc.pointer(&path).unwrap_or(&NULL);
    let summary = match value {
        Value::Object(map) => Some(format!("{{…}} {}", count(map.len(), "key"))),
        Value::Array(items) => Some(format!("[…] {}", count(items.len(), "item"))),
        _ => None,
    };
    let Some(summary) = summary else {
        return view! { <li class="leaf"><span class="k">{key}</span>": "{scalar(value)}</li> }.into_any();
    };
    let is_open = {
        let path = path.clone();
        move || open.with(|o| o.contains(&path))
    };
    let toggle = {
        let path = path.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            open.update(|o| {
                if !o.remove(&path) {
                    o.insert(path.clone());
                }
            });
        }
    };
    let body = {
        let is_open = is_open.clone();
        move || is_open().then(|| children(doc.clone(), path.clone(), open))
    };
    view! {
        <li class="branch">
            <details prop:open=is_open>
                <summary on:click=toggle><span class="k">{key}</span>" "<span class="muted">{summary}</span></summary>
                {body}
            </details>
        </li>
    }
    .into_any()
}

fn scalar(value: &Value) -> impl IntoView + use<> {
    let (class, text) = match value {
        Value::Null => ("null", "null".to_owned()),
        Value::Bool(b) => ("bool", b.to_string()),
        Value::Number(n) => ("num", n.to_string()),
        Value::String(s) => ("str", serde_json::to_string(s).unwrap_or_default()),
        other => ("str", other.to_string()),
    };
    view! { <span class=class>{text}</span> }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Paths (`.athletes[0].fullName`) and values of the leaves whose key or value contains
/// `query` (case-insensitive), at most [`MAX_HITS`].
pub fn search(doc: &Value, query: &str) -> Vec<(String, String)> {
    let query = query.trim().to_lowercase();
    let mut hits = Vec::new();
    if !query.is_empty() {
        walk(doc, &mut String::new(), "", &query, &mut hits);
    }
    hits
}

fn walk(value: &Value, path: &mut String, key: &str, query: &str, hits: &mut Vec<(String, String)>) {
    if hits.len() >= MAX_HITS {
        return;
    }
    let len = path.len();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let simple = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if simple {
                    path.push('.');
                    path.push_str(k);
                } else {
                    path.push_str(&format!("[{}]", serde_json::to_string(k).unwrap_or_default()));
                }
                walk(v, path, k, query, hits);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                walk(v, path, "", query, hits);
                path.truncate(len);
            }
        }
        leaf => {
            let text = match leaf {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if key.to_lowercase().contains(query) || text.to_lowercase().contains(query) {
                hits.push((if path.is_empty() { ".".to_owned() } else { path.clone() }, text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_finds_keys_and_values_with_jq_paths() {
        let doc = json!({"athletes": [{"fullName": "HOLME, Ragnar", "total": 368}], "a b": {"x": "holmes"}});
        let hits = search(&doc, "holme");
        assert_eq!(
            hits,
            [
                (".athletes[0].fullName".to_owned(), "HOLME, Ragnar".to_owned()),
                ("[\"a b\"].x".to_owned(), "holmes".to_owned())
            ]
        );
        assert_eq!(search(&doc, "TOTAL"), [(".athletes[0].total".to_owned(), "368".to_owned())]);
        assert!(search(&doc, "  ").is_empty());
        assert_eq!(escape("a/b~c"), "a~1b~0c");
    }
}
