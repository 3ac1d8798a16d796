//! URLs: page links generated from a plugin's options (only values that differ from the
//! defaults, typed by the contract's option coercion), the stream URL of a page, and reading
//! the page's own URL. No browser API here.

use owlcms_contract::OptionSpec;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::collections::BTreeMap;

/// Everything but RFC 3986's unreserved characters is escaped: FOP names have spaces, `&`,
/// `#` and non-ASCII letters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one query value or path segment.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Decodes a query value or path segment (`+` is a space in query strings).
pub fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// The plugin workbench's page.
pub const WORKBENCH_PATH: &str = "/_workbench";

/// The language the server uses when the URL names none.
pub const DEFAULT_LANG: &str = "en";

pub use owlcms_contract::format_number;

/// The current value of an option: what the dialog holds, else the default.
pub fn current(spec: &OptionSpec, values: &BTreeMap<String, String>) -> String {
    values.get(&spec.key).cloned().unwrap_or_else(|| spec.default_string())
}

/// Whether an option is greyed out: its `disabledBy` boolean is currently true.
pub fn is_disabled(spec: &OptionSpec, specs: &[OptionSpec], values: &BTreeMap<String, String>) -> bool {
    let Some(by) = spec.disabled_by.as_deref() else { return false };
    specs.iter().find(|s| s.key == by).is_some_and(|s| current(s, values) == "true")
}

/// `/<plugin>?fop=…&lang=…&<options that differ from their defaults>`, in schema order.
pub fn page_url(
    plugin: &str,
    fop: Option<&str>,
    lang: Option<&str>,
    specs: &[OptionSpec],
    values: &BTreeMap<String, String>,
) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(fop) = fop {
        params.push(("fop".into(), fop.to_owned()));
    }
    if let Some(lang) = lang.filter(|l| !l.is_empty() && *l != DEFAULT_LANG) {
        params.push(("lang".into(), lang.to_owned()));
    }
    for spec in specs {
        if is_disabled(spec, specs, values) {
            continue;
        }
        let Some(raw) = values.get(&spec.key) else { continue };
        if let Some(value) = spec.canonical(raw).filter(|v| *v != spec.default_string()) {
            params.push((spec.key.clone(), value));
        }
    }
    let mut url = format!("/{}", encode(plugin));
    for (i, (k, v)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode(k));
        url.push('=');
        url.push_str(&encode(v));
    }
    url
}

/// The stream URL of a page: the page's own query (FOP, language, options) plus the plugin.
pub fn stream_url(search: &str, plugin: &str) -> String {
    let mut query: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && decode(p.split('=').next().unwrap_or("")) != "plugin")
        .collect();
    let plugin_param = format!("plugin={}", encode(plugin));
    query.push(&plugin_param);
    format!("/api/stream?{}", query.join("&"))
}

/// The same query for the JSON snapshot (`/api/view`), used to explain a refused stream.
pub fn view_url(search: &str, plugin: &str) -> String {
    stream_url(search, plugin).replacen("/api/stream", "/api/view", 1)
}

/// The first value of a query parameter, decoded.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

/// The plugin a page URL names: `/lifting-order` → `lifting-order`; `None` for the landing page.
pub fn plugin_of_path(path: &str) -> Option<String> {
    let first = path.trim_matches('/').split('/').next().unwrap_or("");
    let id = decode(first);
    (!id.is_empty() && id != "index.html").then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn specs() -> Vec<OptionSpec> {
        serde_json::from_value(json!([
            {"key": "showLeaders", "type": "boolean", "default": true},
            {"key": "showRecords", "type": "boolean", "default": true},
            {"key": "title", "type": "text", "default": "", "disabledBy": "showRecords"},
            {"key": "theme", "type": "select", "default": "dark",
             "choices": [{"value": "dark", "label": "Dark"}, {"value": "light", "label": "Light"}]},
            {"key": "size", "type": "number", "min": 0.5, "max": 3, "default": 1}
        ]))
        .unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn only_non_default_values_are_in_the_url() {
        let s = specs();
        assert_eq!(page_url("lifting-order", Some("A"), None, &s, &BTreeMap::new()), "/lifting-order?fop=A");
        let v = values(&[("showLeaders", "true"), ("showRecords", "false"), ("theme", "dark"), ("size", "1.50")]);
        assert_eq!(
            page_url("lifting-order", Some("A"), Some("fr"), &s, &v),
            "/lifting-order?fop=A&lang=fr&showRecords=false&size=1.5"
        );
        assert_eq!(page_url("x", None, Some("en"), &s, &values(&[("size", "1.0")])), "/x");
        assert_eq!(page_url("x", None, None, &s, &values(&[("theme", "light")])), "/x?theme=light");
    }

    #[test]
    fn fop_names_and_texts_are_encoded() {
        let s = specs();
        let v = values(&[("showRecords", "false"), ("title", "Jørgen & co #1")]);
        assert_eq!(
            page_url("b", Some("Plattform Nord"), None, &s, &v),
            "/b?fop=Plattform%20Nord&showRecords=false&title=J%C3%B8rgen%20%26%20co%20%231"
        );
        assert_eq!(page_url("b", Some("Å"), None, &s, &BTreeMap::new()), "/b?fop=%C3%85");
    }

    #[test]
    fn refused_values_are_left_out() {
        let s = specs();
        let v = values(&[("size", "9"), ("theme", "purple"), ("showLeaders", "maybe")]);
        assert_eq!(page_url("x", Some("A"), None, &s, &v), "/x?fop=A");
        assert_eq!(s[4].canonical("abc"), None);
        assert_eq!(s[4].canonical(" 2 "), Some("2".into()));
    }

    #[test]
    fn disabled_by_a_true_boolean() {
        let s = specs();
        assert!(is_disabled(&s[2], &s, &BTreeMap::new()), "showRecords defaults to true");
        assert!(!is_disabled(&s[2], &s, &values(&[("showRecords", "false")])));
        assert!(!is_disabled(&s[0], &s, &BTreeMap::new()));
        // A disabled option is not in the URL even when set.
        assert_eq!(page_url("x", None, None, &s, &values(&[("title", "T")])), "/x");
    }

    #[test]
    fn stream_url_keeps_the_page_query_and_names_the_plugin() {
        assert_eq!(stream_url("", "attempt-board"), "/api/stream?plugin=attempt-board");
        assert_eq!(stream_url("?fop=A&lang=fr", "lifting-order"), "/api/stream?fop=A&lang=fr&plugin=lifting-order");
        assert_eq!(stream_url("?plugin=evil&fop=B%20C", "x"), "/api/stream?fop=B%20C&plugin=x");
        assert_eq!(view_url("?fop=A", "x"), "/api/view?fop=A&plugin=x");
    }

    #[test]
    fn reading_the_page_url() {
        assert_eq!(query_param("?fop=Plattform%20Nord&lang=fr", "fop").as_deref(), Some("Plattform Nord"));
        assert_eq!(query_param("?a+b=c+d", "a b").as_deref(), Some("c d"));
        assert_eq!(query_param("?fop", "fop").as_deref(), Some(""));
        assert_eq!(query_param("", "fop"), None);
        assert_eq!(plugin_of_path("/lifting-order").as_deref(), Some("lifting-order"));
        assert_eq!(plugin_of_path("/my%20board/").as_deref(), Some("my board"));
        assert_eq!(plugin_of_path("/"), None);
        assert_eq!(plugin_of_path("/index.html"), None);
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(0.75), "0.75");
    }
}
