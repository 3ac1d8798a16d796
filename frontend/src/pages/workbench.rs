//! `/_workbench`: the plugin workbench. Pick a plugin, FOP, language and options (the landing
//! page's options form); see the mapping input (collapsible, searchable), the output, the
//! board at phone or TV size, problems with file, line and column, and the timings of the last
//! run, all live from `/api/workbench` (re-sent on every save and data change). Read-only:
//! authors edit the files in their own editor.

use super::json_tree::{self, OpenPaths};
use super::options::{Choices, SetChoices, options_form};
use crate::dom;
use crate::urls::{self, page_url};
use crate::views::read::FromView;
use leptos::prelude::*;
use owlcms_contract::{Catalog, PluginInfo};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

const CSS: &str = include_str!("workbench.css");
/// How often the plugin list is refreshed (new folders, changed options).
const POLL: Duration = Duration::from_secs(4);
/// The two screens the board is shown at.
const PHONE: (f64, f64) = (390.0, 844.0);
const TV: (f64, f64) = (1920.0, 1080.0);

crate::view_struct! {
    /// A `run` event of `/api/workbench`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Run {
        /// Plugin id.
        pub plugin: String,
        /// Revision of the plugin that ran.
        pub revision: Option<u64>,
        /// Why the files on disk do not load (the last good version keeps serving).
        pub problem: Option<Problem>,
        /// The last run's error.
        pub runtime_error: Option<String>,
        /// Why the view cannot be shown at all (e.g. no FOP yet).
        pub refused: Option<String>,
        /// The mapping output.
        pub output: Value,
        /// The mapping input.
        pub input: Value,
        /// Timings of the last run.
        pub timings: Option<Timings>,
    }
}

crate::view_struct! {
    /// A load problem.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Problem {
        /// File path.
        pub file: String,
        /// Line.
        pub line: Option<u64>,
        /// Column.
        pub column: Option<u64>,
        /// What went wrong.
        pub message: String,
        /// Lines around `line`.
        pub excerpt: Vec<ExcerptLine>,
    }
}

crate::view_struct! {
    /// One line of a file.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ExcerptLine {
        /// Line number.
        pub line: u64,
        /// Its text.
        pub text: String,
    }
}

crate::view_struct! {
    /// Durations of the last run, in milliseconds.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Timings {
        /// Building the input.
        pub input_ms: f64,
        /// Running the mapping.
        pub mapping_ms: f64,
        /// Serialising the view.
        pub serialize_ms: f64,
        /// Server time of the run.
        pub at_ms: f64,
    }
}

struct Source {
    source: EventSource,
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static SOURCE: RefCell<Option<Source>> = const { RefCell::new(None) };
}

/// Choices of the page URL: `?plugin=…&fop=…&lang=…&<options>`.
fn choices_of_url(search: &str) -> (String, Choices) {
    let mut choices = Choices::default();
    let mut plugin = String::new();
    for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (urls::decode(k), urls::decode(v));
        match k.as_str() {
            "plugin" => plugin = v,
            "fop" => choices.fop = Some(v),
            "lang" => choices.lang = v,
            "screen" => {}
            _ => drop(choices.values.insert(k, v)),
        }
    }
    (plugin, choices)
}

/// The workbench page.
#[component]
pub fn Workbench() -> impl IntoView {
    let (first_plugin, first_choices) = choices_of_url(&dom::search());
    let catalog: RwSignal<Option<Catalog>> = RwSignal::new(None);
    let plugin = RwSignal::new(first_plugin.clone());
    let choices = RwSignal::new(BTreeMap::from([(first_plugin, first_choices)]));
    let tv = RwSignal::new(urls::query_param(&dom::search(), "screen").as_deref() != Some("phone"));
    let run: RwSignal<Option<Arc<Run>>> = RwSignal::new(None);
    let link = RwSignal::new("connecting");
    let input_open: OpenPaths = RwSignal::new(HashSet::new());
    let output_open: OpenPaths = RwSignal::new(HashSet::new());
    let query = RwSignal::new(String::new());
    let stage = NodeRef::<leptos::html::Div>::new();
    let stage_size = RwSignal::new((0.0_f64, 0.0_f64));

    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok((200, body)) = dom::fetch_text("/api/plugins").await
                && let Ok(fresh) = serde_json::from_str::<Catalog>(&body)
            {
                if plugin.get_untracked().is_empty()
                    && let Some(p) = fresh.plugins.iter().find(|p| p.available && !p.hidden)
                {
                    plugin.set(p.id.clone());
                }
                if catalog.with_untracked(|c| c.as_ref() != Some(&fresh)) {
                    catalog.set(Some(fresh));
                }
            }
        });
    };
    refresh();
    set_interval(refresh, POLL);

    let info = Memo::new(move |_| {
        let id = plugin.get();
        catalog.with(|c| c.as_ref().and_then(|c| c.plugins.iter().find(|p| p.id == id).cloned()))
    });
    let state = Memo::new(move |_| {
        let id = plugin.get();
        choices.with(|c| c.get(&id).cloned().unwrap_or_default())
    });
    let update: SetChoices = Arc::new(move |f: &dyn Fn(&mut Choices)| {
        let id = plugin.get_untracked();
        choices.update(|c| f(c.entry(id).or_default()));
    });
    // The board's URL, which also names the view the workbench follows.
    let page = Memo::new(move |_| {
        let p: PluginInfo = info.get()?;
        let s = state.get();
        let first_fop = catalog.with(|c| c.as_ref().and_then(|c| c.fops.first().cloned()));
        let fop = if p.needs_fop() { s.fop.clone().or(first_fop) } else { None };
        Some(page_url(&p.id, fop.as_deref(), Some(&s.lang), &p.options, &s.values))
    });
    Effect::new(move |_| {
        let Some(url) = page.get() else { return };
        let id = plugin.get_untracked();
        let search = url.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
        let stream = urls::stream_url(&search, &id).replacen("/api/stream", "/api/workbench", 1);
        let mut own = format!("/_workbench?plugin={}", urls::encode(&id));
        if !search.is_empty() {
            own.push('&');
            own.push_str(&search[1..]);
        }
        if !tv.get_untracked() {
            own.push_str("&screen=phone");
        }
        if let Ok(history) = leptos::prelude::window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&own));
        }
        connect(&stream, run, link);
    });
    Effect::new(move |_| {
        dom::set_title(&format!("{} – plugin workbench", plugin.get()));
        dom::set_root("page-workbench", "");
    });
    // The board pane's size, for the scale of the board.
    let measure = move || {
        if let Some(el) = stage.get_untracked() {
            let rect = el.get_bounding_client_rect();
            let size = (rect.width(), rect.height());
            if stage_size.get_untracked() != size {
                stage_size.set(size);
            }
        }
    };
    set_interval(measure, Duration::from_millis(300));
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());

    let plugin_select = move || {
        let current = plugin.get();
        let list: Vec<PluginInfo> = catalog.with(|c| c.as_ref().map(|c| c.plugins.clone()).unwrap_or_default());
        view! {
            <select id="wb-plugin" on:change=move |ev| plugin.set(event_target_value(&ev))>
                {list.into_iter().map(|p| {
                    let selected = p.id == current;
                    let label = if p.name.is_empty() { p.id.clone() } else { format!("{} ({})", p.name, p.id) };
                    view! { <option value=p.id selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        }
    };
    let form = move || {
        let p = info.get()?;
        let (fops, languages) = catalog.with(|c| c.as_ref().map(|c| (c.fops.clone(), c.languages.clone())))?;
        Some(options_form(p, fops, languages, state, update.clone()))
    };
    let timings = move || {
        let r = run.get()?;
        let t = r.timings.clone()?;
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.at_ms)).to_locale_time_string("en-GB");
        Some(view! {
            <dl class="wb-timings" id="wb-timings">
                <dt>"input"</dt><dd data-t="input">{format!("{:.2} ms", t.input_ms)}</dd>
                <dt>"mapping"</dt><dd data-t="mapping">{format!("{:.2} ms", t.mapping_ms)}</dd>
                <dt>"serialise"</dt><dd data-t="serialize">{format!("{:.2} ms", t.serialize_ms)}</dd>
                <dt>"last run"</dt><dd>{String::from(at)}</dd>
                <dt>"revision"</dt><dd id="wb-revision">{r.revision.map(|r| r.to_string()).unwrap_or_default()}</dd>
            </dl>
        })
    };
    let problems = move || {
        let r = run.get()?;
        let mut out = Vec::new();
        if let Some(p) = r.problem.clone() {
            out.push(problem_view(p).into_any());
        }
        if let Some(e) = r.runtime_error.clone() {
            out.push(
                view! { <div class="wb-problem runtime" id="wb-runtime"><div class="wb-msg">{e}</div></div> }
                    .into_any(),
            );
        }
        if let Some(e) = r.refused.clone() {
            out.push(view! { <div class="wb-problem refused"><div class="wb-msg">{e}</div></div> }.into_any());
        }
        if !out.is_empty() && r.problem.is_some() {
            out.push(
                view! { <p class="muted wb-note">"The board keeps showing the last version that loaded."</p> }
                    .into_any(),
            );
        }
        (!out.is_empty()).then(|| view! { <div class="wb-problems" id="wb-problems">{out}</div> })
    };
    let input_pane = move || {
        let r = run.get()?;
        let q = query.get();
        if q.trim().is_empty() {
            return Some(json_tree::tree(Arc::new(r.input.clone()), input_open).into_any());
        }
        let hits = json_tree::search(&r.input, &q);
        let mut html =
            format!("<p class=\"muted\">{} match{}</p><ul>", hits.len(), if hits.len() == 1 { "" } else { "es" });
        for (path, value) in hits {
            let (path, value) = (json_tree::html_escape(&path), json_tree::html_escape(&value));
            html.push_str(&format!("<li><code class=\"path\">{path}</code> = <span class=\"str\">{value}</span></li>"));
        }
        html.push_str("</ul>");
        Some(view! { <div class="wb-hits" inner_html=html></div> }.into_any())
    };
    let output_pane = move || {
        let r = run.get()?;
        Some(json_tree::tree(Arc::new(r.output.clone()), output_open))
    };
    let frame_style = move || {
        let (w, h) = if tv.get() { TV } else { PHONE };
        let (sw, sh) = stage_size.get();
        let scale = if sw > 0.0 && sh > 0.0 { (sw / w).min(sh / h) } else { 0.25 };
        (
            format!("width:{:.0}px;height:{:.0}px", w * scale, h * scale),
            format!("width:{w}px;height:{h}px;transform:scale({scale:.4})"),
        )
    };
    let screen_button = move |label: &'static str, is_tv: bool| {
        view! {
            <button class="secondary" class:active=move || tv.get() == is_tv data-screen=label on:click=move |_| tv.set(is_tv)>{label}</button>
        }
    };
    view! {
        <div class="wb">
            <style>{CSS}</style>
            <header class="wb-head">
                <a class="wb-home" href="/">"← Boards"</a>
                <h1>"Plugin workbench"</h1>
                <label class="field"><span>"Plugin"</span>{plugin_select}</label>
                <span class="wb-link" data-link=move || link.get()>{move || link.get()}</span>
                <span class="muted wb-ro">"Read-only: edit the plugin's files in your editor; every save shows here."</span>
            </header>
            <div class="wb-main">
                <aside class="wb-side">
                    {form}
                    {timings}
                    <p class="wb-url">{move || page.get().map(|u| { let text = u.clone(); view! { <a href=u target="_blank" id="wb-page-url">{text}</a> } })}</p>
                </aside>
                <section class="wb-data">
                    {problems}
                    <div class="wb-pane wb-input">
                        <div class="wb-pane-head">
                            <h2>"Input"</h2>
                            <input type="search" id="wb-search" placeholder="search keys and values"
                                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                        </div>
                        <div class="wb-scroll" id="wb-input">{input_pane}</div>
                    </div>
                    <div class="wb-pane wb-output">
                        <div class="wb-pane-head"><h2>"Output"</h2></div>
                        <div class="wb-scroll" id="wb-output">{output_pane}</div>
                    </div>
                </section>
                <section class="wb-board">
                    <div class="wb-pane-head">
                        <h2>"Board"</h2>
                        {screen_button("phone", false)}
                        {screen_button("TV", true)}
                    </div>
                    <div class="wb-stage" node_ref=stage>
                        <div class="wb-frame" style=move || frame_style().0>
                            <iframe id="wb-board" title="board" src=move || page.get().unwrap_or_default() style=move || frame_style().1></iframe>
                        </div>
                    </div>
                </section>
            </div>
        </div>
    }
}

fn problem_view(p: Problem) -> impl IntoView {
    use json_tree::html_escape as esc;
    let mut html = format!("<div class=\"wb-loc\"><span class=\"file\">{}</span>", esc(&p.file));
    if let Some(line) = p.line {
        html.push_str(&format!(":<span class=\"line\">{line}</span>"));
    }
    if let Some(column) = p.column {
        html.push_str(&format!(":<span class=\"col\">{column}</span>"));
    }
    html.push_str(&format!("</div><div class=\"wb-msg\">{}</div><pre class=\"wb-excerpt\">", esc(&p.message)));
    let column = p.column.unwrap_or(0) as usize;
    for l in &p.excerpt {
        let hit = Some(l.line) == p.line;
        let class = if hit { "src hit" } else { "src" };
        html.push_str(&format!(
            "<div class=\"{class}\"><span class=\"n\">{}</span><span class=\"t\">{}</span></div>",
            l.line,
            esc(&l.text)
        ));
        if hit && column > 0 {
            let caret = format!("{}^", " ".repeat(column - 1));
            html.push_str(&format!(
                "<div class=\"src caret\"><span class=\"n\"></span><span class=\"t\">{caret}</span></div>"
            ));
        }
    }
    html.push_str("</pre>");
    view! { <div class="wb-problem" id="wb-problem" inner_html=html></div> }
}

/// Opens the workbench stream (closing the previous one).
fn connect(url: &str, run: RwSignal<Option<Arc<Run>>>, link: RwSignal<&'static str>) {
    let Ok(source) = EventSource::new(url) else { return };
    let mut handlers: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();
    let mut on = |name: &str, f: Box<dyn FnMut(web_sys::Event)>| {
        let closure = Closure::wrap(f);
        let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        handlers.push(closure);
    };
    on("open", Box::new(move |_| link.set("live")));
    on(
        "run",
        Box::new(move |e| {
            let data = e.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()).unwrap_or_default();
            match serde_json::from_str::<Value>(&data).map_err(|e| e.to_string()).and_then(|v| Run::from_view(&v)) {
                Ok(r) => {
                    link.set("live");
                    run.set(Some(Arc::new(r)));
                }
                Err(error) => leptos::logging::warn!("unreadable workbench event: {error}"),
            }
        }),
    );
    on("error", Box::new(move |_| link.set("reconnecting")));
    SOURCE.with_borrow_mut(|s| {
        if let Some(old) = s.take() {
            old.source.close();
        }
        *s = Some(Source { source, _handlers: handlers });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_url_gives_plugin_and_choices() {
        let (plugin, c) = choices_of_url("?plugin=session-leaders&fop=Plattform%20A&lang=fr&count=5&screen=phone");
        assert_eq!(plugin, "session-leaders");
        assert_eq!((c.fop.as_deref(), c.lang.as_str()), (Some("Plattform A"), "fr"));
        assert_eq!(c.values, BTreeMap::from([("count".to_owned(), "5".to_owned())]));
    }
}
