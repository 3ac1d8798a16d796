//! A plugin page (`/<plugin>?fop=…`): opens the stream (owned by the page, closed when it
//! goes), applies the plugin's options (theme, size, style sheet) and draws the view with the
//! renderer its page kind names (see `render`).

use super::render::renderer;
use crate::dom;
use crate::layout::{fit_floor, next_fit_both};
use crate::live::{Link, Live};
use crate::sound_player::sound_cues;
use crate::texts::t;
use crate::urls;
use crate::widgets::{connection_marker, status_banner};
use leptos::html::Div;
use leptos::prelude::*;
use owlcms_contract::{PageKind, PluginInfo};
use wasm_bindgen::JsCast;

/// Smallest base font, in CSS pixels, auto-fit may shrink a scoreboard to.
const MIN_FONT_PX: f64 = 11.0;

/// Page kinds whose content is a long list: they are auto-fitted to the screen height.
fn fits(page: Option<PageKind>) -> bool {
    !matches!(
        page,
        Some(
            PageKind::AttemptBoard
                | PageKind::AttemptBar
                | PageKind::LowerThird
                | PageKind::Document
                | PageKind::Decisions
        )
    )
}

/// The page of plugin `plugin`.
#[component]
pub fn PluginPage(
    /// The plugin id, from the URL path.
    plugin: String,
) -> impl IntoView {
    let live = Live::new();
    let info: RwSignal<Option<PluginInfo>> = RwSignal::new(None);
    let search = dom::search();
    live.connect(urls::stream_url(&search, &plugin), urls::view_url(&search, &plugin));

    // The catalogue entry gives the page kind before the first view, and the style sheet.
    {
        let url = format!("/api/plugins/{}", urls::encode(&plugin));
        leptos::task::spawn_local(async move {
            if let Ok((200, body)) = dom::fetch_text(&url).await
                && let Ok(p) = serde_json::from_str::<PluginInfo>(&body)
            {
                if let Some(style) = &p.style {
                    dom::add_stylesheet(style);
                }
                info.set(Some(p));
            }
        });
    }

    // The envelope's page kind draws; the catalogue's names the page until the first view.
    let drawn = Memo::new(move |_| live.envelope.with(|e| e.as_ref().map(|e| e.page)));
    let page = Memo::new(move |_| drawn.get().or_else(|| info.with(|i| i.as_ref().and_then(|i| i.page))));
    // The URL may leave the FOP out (one platform): the server's answer names it.
    let url_fop = urls::query_param(&search, "fop");
    {
        let plugin = plugin.clone();
        Effect::new(move |_| {
            let fop = live.envelope.with(|e| e.as_ref().and_then(|e| e.fop.clone())).or_else(|| url_fop.clone());
            let (theme, size) = live.envelope.with(|e| {
                let options = e.as_ref().map(|e| &e.options);
                let theme = options.and_then(|o| o["theme"].as_str()).unwrap_or("dark").to_owned();
                let size = options.and_then(|o| o["size"].as_f64()).filter(|s| s.is_finite() && *s > 0.0);
                (theme, size)
            });
            // Dimmed only when what is shown may be out of date.
            let stale = if matches!(live.link.get(), Link::Reconnecting | Link::Refused(..)) { " stale" } else { "" };
            let theme = if theme == "light" { "theme-light" } else { "theme-dark" };
            let style = size.map(|s| format!("--size:{s}")).unwrap_or_default();
            let kind = page.get().map_or("", PageKind::as_str);
            dom::set_root(&format!("page-{kind} {theme}{stale}"), &style);
            let name = info.with(|i| i.as_ref().map(|i| i.name.clone())).filter(|n| !n.is_empty());
            let name = name.unwrap_or_else(|| plugin.clone());
            dom::set_title(&match &fop {
                Some(f) => format!("{name} – {f}"),
                None => name,
            });
        });
    }

    // Auto-fit (see layout::next_fit): after each new view and each resize, measure the
    // content and scale the font so it fits the screen height; a few passes settle it.
    let fit = RwSignal::new(1.0_f64);
    let content = NodeRef::<Div>::new();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        live.envelope.track();
        resized.track();
        if fits(page.get()) {
            request_animation_frame(move || adjust_fit(content, fit, 0));
        } else if fit.get_untracked() != 1.0 {
            fit.set(1.0);
        }
    });

    // Rebuilt only when the page kind changes: within a kind, the renderer patches the DOM.
    let body = move || match drawn.get() {
        Some(kind) => renderer(live, kind),
        None => match live.link.get() {
            Link::Refused(message, fops) => refused(&plugin, &message, &fops),
            _ => view! { <div class="loading">{format!("{} {plugin}", t("loading"))}</div> }.into_any(),
        },
    };
    let refusal = move || match live.link.get() {
        Link::Refused(message, _) if live.envelope.with(Option::is_some) => {
            Some(view! { <div class="banner error">"⚠ "{message}</div> })
        }
        _ => None,
    };
    // Sound cues when the board asked for them (`sound=true`); never on video overlays.
    let sound = Memo::new(move |_| {
        let overlay = matches!(page.get(), Some(PageKind::AttemptBar | PageKind::LowerThird));
        !overlay && live.envelope.with(|e| e.as_ref().is_some_and(|e| e.options["sound"] == true))
    });
    view! {
        {sound_cues(live, sound)}
        <div class="fit-root" style=move || format!("--fit:{:.4}", fit.get())>
            <div class="fit-content" node_ref=content>{body}</div>
        </div>
        <div class="notices">{status_banner(live)}{refusal}</div>
        {connection_marker(live)}
    }
}

fn adjust_fit(content: NodeRef<Div>, fit: RwSignal<f64>, pass: u32) {
    let Some(el) = content.get_untracked() else { return };
    let window = window();
    let available_h = window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
    let needed_h = el.get_bounding_client_rect().height();
    let (needed_w, available_w) = (f64::from(el.scroll_width()), f64::from(el.client_width()));
    let element: &web_sys::Element = el.unchecked_ref();
    let font_px = window
        .get_computed_style(element)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("font-size").ok())
        .and_then(|v| v.trim_end_matches("px").parse::<f64>().ok())
        .unwrap_or(16.0);
    let current = fit.get_untracked();
    let floor = fit_floor(font_px / current, MIN_FONT_PX);
    let next = next_fit_both(current, (needed_w, needed_h), (available_w, available_h), floor);
    if (next - current).abs() > 0.005 {
        fit.set(next);
        if pass < 3 {
            request_animation_frame(move || adjust_fit(content, fit, pass + 1));
        }
    }
}

/// The server refused the stream (unknown plugin or FOP, missing FOP): say why, and link to
/// the FOPs that exist.
fn refused(plugin: &str, message: &str, fops: &[String]) -> AnyView {
    let search = dom::search();
    let links: Vec<(String, String)> = fops
        .iter()
        .map(|f| {
            let mut query: Vec<String> = search
                .trim_start_matches('?')
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("fop="))
                .map(str::to_owned)
                .collect();
            query.insert(0, format!("fop={}", urls::encode(f)));
            (format!("/{}?{}", urls::encode(plugin), query.join("&")), f.clone())
        })
        .collect();
    view! {
        <div class="refused">
            <h1>{message.to_owned()}</h1>
            {(!links.is_empty()).then(|| view! {
                <p>{t("platforms")}" "{links.into_iter().map(|(href, f)| view! { <a class="fop-link" href=href>{f}</a> }).collect_view()}</p>
            })}
            <p><a href="/">{t("allBoards")}</a></p>
        </div>
    }
    .into_any()
}
