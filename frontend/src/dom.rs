//! Small wrappers around browser APIs (fetch, the page URL, `<head>` and `<html>`).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Browser time (epoch milliseconds), which may be far off the server's.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `location.pathname`.
pub fn path() -> String {
    leptos::prelude::location().pathname().unwrap_or_default()
}

/// `location.search` (with its `?`, or empty).
pub fn search() -> String {
    leptos::prelude::location().search().unwrap_or_default()
}

/// GETs a URL; returns the HTTP status and the body text, or why the request failed.
pub async fn fetch_text(url: &str) -> Result<(u16, String), String> {
    let window = leptos::prelude::window();
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a Response".to_owned())?;
    let body = response.text().map_err(|e| format!("{e:?}"))?;
    let text = JsFuture::from(body).await.map_err(|e| format!("{e:?}"))?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// Adds `<link rel="stylesheet" href=…>` to `<head>` (a plugin's own style.css), once.
pub fn add_stylesheet(href: &str) {
    let document = leptos::prelude::document();
    let selector = format!("link[data-plugin-style][href=\"{}\"]", href.replace('"', "%22"));
    if document.query_selector(&selector).ok().flatten().is_some() {
        return;
    }
    let Ok(link) = document.create_element("link") else { return };
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", href);
    let _ = link.set_attribute("data-plugin-style", "");
    if let Some(head) = document.head() {
        let _ = head.append_child(&link);
    }
}

/// Sets the classes and inline style of `<html>` (page kind, theme, size, connection state).
pub fn set_root(class: &str, style: &str) {
    if let Some(root) = leptos::prelude::document().document_element() {
        if root.get_attribute("class").as_deref() != Some(class) {
            let _ = root.set_attribute("class", class);
        }
        if root.get_attribute("style").as_deref() != Some(style) {
            let _ = root.set_attribute("style", style);
        }
    }
}

/// Sets the document title.
pub fn set_title(title: &str) {
    let document = leptos::prelude::document();
    if document.title() != title {
        document.set_title(title);
    }
}

/// Sets `<html lang=…>` (screen readers, hyphenation, fonts follow it).
pub fn set_lang(lang: &str) {
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("lang", lang);
    }
}
