//! A collapsible JSON tree (the workbench's input and output panes). Nodes render their
//! children only once opened, so a whole competition database stays cheap; which nodes are
//! open is kept by path, so a new document (every run) keeps the author's place. A search
//! lists the paths whose key or value contains the text.

use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Most search hits listed.
const MAX_HITS: usize = 200;

/// Paths of the nodes that are open, shared by every document shown in one pane.
pub type OpenPaths = RwSignal<HashSet<String>>;

/// The tree of `doc`, with the nodes in `open` expanded (the root always is). Drawn as one
/// HTML string with one click handler for the whole tree: far less client code than a
/// component per node, and fast for thousands of nodes.
pub fn tree(doc: Arc<Value>, open: OpenPaths) -> impl IntoView {
    let html = move || {
        open.with(|o| {
            let mut out = String::new();
            children(&doc, "", o, &mut out);
            out
        })
    };
    let toggle = move |ev: leptos::ev::MouseEvent| {
        let summary = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("summary").ok().flatten());
        let Some(path) = summary.and_then(|s| s.get_attribute("data-path")) else { return };
        ev.prevent_default();
        open.update(|o| {
            if !o.remove(&path) {
                o.insert(path);
            }
        });
    };
    view! { <div class="json-tree" inner_html=html on:click=toggle></div> }
}

fn children(value: &Value, path: &str, open: &HashSet<String>, out: &mut String) {
    let entries: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        leaf => return scalar(leaf, out),
    };
    out.push_str("<ul>");
    for (key, child) in entries {
        let child_path = format!("{path}/{}", escape(&key));
        let summary = match child {
            Value::Object(map) => Some(format!("{{…}} {}", count(map.len(), "key"))),
            Value::Array(items) => Some(format!("[…] {}", count(items.len(), "item"))),
            _ => None,
        };
        match summary {
            None => {
                out.push_str("<li class=\"leaf\"><span class=\"k\">");
                out.push_str(&html_escape(&key));
                out.push_str("</span>: ");
                scalar(child, out);
                out.push_str("</li>");
            }
            Some(summary) => {
                let is_open = open.contains(&child_path);
                out.push_str(&format!(
                    "<li class=\"branch\"><details{}><summary data-path=\"{}\"><span class=\"k\">{}</span> <span class=\"muted\">{summary}</span></summary>",
                    if is_open { " open" } else { "" },
                    html_escape(&child_path),
                    html_escape(&key),
                ));
                if is_open {
                    children(child, &child_path, open, out);
                }
                out.push_str("</details></li>");
            }
        }
    }
    out.push_str("</ul>");
}

fn scalar(value: &Value, out: &mut String) {
    let (class, text) = match value {
        Value::Null => ("null", "null".to_owned()),
        Value::Bool(b) => ("bool", b.to_string()),
        Value::Number(n) => ("num", n.to_string()),
        Value::String(s) => ("str", serde_json::to_string(s).unwrap_or_default()),
        other => ("str", other.to_string()),
    };
    out.push_str(&format!("<span class=\"{class}\">{}</span>", html_escape(&text)));
}

/// Text made safe for HTML content and attribute values.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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
        assert_eq!(html_escape("<b a=\"1\">&"), "&lt;b a=&quot;1&quot;&gt;&amp;");
        let mut out = String::new();
        let open = HashSet::from(["/athletes".to_owned()]);
        children(&doc, "", &open, &mut out);
        assert!(out.contains("<details open><summary data-path=\"/athletes\">"), "{out}");
        assert!(
            out.contains(
                "<summary data-path=\"/athletes/0\"><span class=\"k\">0</span> <span class=\"muted\">{…} 2 keys</span>"
            ),
            "{out}"
        );
        assert!(!out.contains("HOLME"), "closed nodes are not drawn: {out}");
    }
}
