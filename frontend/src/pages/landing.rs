//! The landing page `/`: every plugin by category, a link per FOP, and an options dialog
//! that builds page URLs. Refreshed from `/api/plugins` every few seconds.

use super::options::{Choices, SetChoices, options_form};
use crate::catalog::sections;
use crate::dom;
use crate::texts::t;
use crate::urls::page_url;
use leptos::prelude::*;
use owlcms_contract::{Catalog, PluginInfo};
use std::collections::BTreeMap;
use std::time::Duration;

/// How often the catalogue is refreshed.
const POLL: Duration = Duration::from_secs(3);

/// The landing page.
#[component]
pub fn Landing() -> impl IntoView {
    let catalog: RwSignal<Option<Catalog>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let dialog: RwSignal<Option<String>> = RwSignal::new(None);
    let choices: RwSignal<BTreeMap<String, Choices>> = RwSignal::new(BTreeMap::new());

    let refresh = move || {
        leptos::task::spawn_local(async move {
            match dom::fetch_text("/api/plugins").await {
                Ok((200, body)) => match serde_json::from_str::<Catalog>(&body) {
                    Ok(fresh) => {
                        if catalog.with_untracked(|c| c.as_ref() != Some(&fresh)) {
                            catalog.set(Some(fresh));
                        }
                        if error.with_untracked(Option::is_some) {
                            error.set(None);
                        }
                    }
                    Err(e) => error.set(Some(format!("unreadable catalogue: {e}"))),
                },
                Ok((status, _)) => error.set(Some(format!("the tracker answered HTTP {status}"))),
                Err(_) => error.set(Some(t("unreachable"))),
            }
        });
    };
    refresh();
    // Owned by the page: cleared when it is cleaned up.
    if let Ok(poll) = set_interval_with_handle(refresh, POLL) {
        on_cleanup(move || poll.clear());
    }

    Effect::new(move |_| {
        let name = catalog.with(|c| c.as_ref().and_then(|c| c.competition.clone()));
        dom::set_title(&name.map_or_else(|| "owlcms-tracker".to_owned(), |n| format!("{n} – owlcms-tracker")));
        dom::set_root("page-landing", "");
    });

    let heading = move || {
        catalog.with(|c| c.as_ref().and_then(|c| c.competition.clone())).unwrap_or_else(|| "owlcms-tracker".to_owned())
    };
    let banners = move || {
        let mut out = Vec::new();
        if let Some(e) = error.get() {
            out.push(view! { <div class="banner error" data-banner="unreachable">"⚠ "{e}</div> }.into_any());
        }
        catalog.with(|c| {
            let Some(c) = c else { return };
            if let Some(p) = &c.protocol_error {
                let reason = p.reason.clone();
                out.push(
                    view! {
                        <div class="banner error" data-banner="protocol">
                            <strong>"⚠ "{t("protocol")}" "</strong>{reason}" "{t("upgrade")}
                        </div>
                    }
                    .into_any(),
                );
            }
            if c.fops.is_empty() {
                let text = t(if c.owlcms_connected { "connectedWaiting" } else { "waiting" });
                out.push(view! { <div class="banner waiting" data-banner="waiting">{text}</div> }.into_any());
            } else if !c.owlcms_connected {
                out.push(
                    view! { <div class="banner note" data-banner="disconnected">{t("disconnected")}</div> }.into_any(),
                );
            }
        });
        out
    };
    let body = move || {
        catalog.with(|c| {
            let Some(c) = c else {
                return view! { <p class="muted">{t("loading")}</p> }.into_any();
            };
            let fops = c.fops.clone();
            sections(&c.plugins)
                .into_iter()
                .map(|section| {
                    let fops = fops.clone();
                    view! {
                        <section class="category" data-category=section.key>
                            <h2>{section.title.clone()}</h2>
                            <div class="cards">
                                {section.plugins.into_iter().map(|p| card(p, &fops, dialog)).collect_view()}
                            </div>
                        </section>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    let dialog_view = move || {
        // Not tracking the catalogue: a refresh must not rebuild the dialog under the user's
        // fingers (what they chose is kept in `choices` anyway).
        let id = dialog.get()?;
        let c = catalog.get_untracked()?;
        let plugin = c.plugins.iter().find(|p| p.id == id)?.clone();
        Some(options_dialog(plugin, c, dialog, choices))
    };
    view! {
        <div class="landing">
            <header class="landing-head">
                <h1 id="competition">{heading}</h1>
                <p class="muted" id="tagline">{t("tagline")}</p>
            </header>
            {banners}
            <main>{body}</main>
            {dialog_view}
            <footer class="landing-foot muted">
                <a href="/_workbench" id="workbench-link">"Plugin workbench"</a>" · "<a href="/diagnostics">"Diagnostics"</a>" · "<a href="/metrics">"Metrics"</a>" · "<a href="/api/health">"Health"</a>
            </footer>
        </div>
    }
}

fn card(p: PluginInfo, fops: &[String], dialog: RwSignal<Option<String>>) -> impl IntoView + use<> {
    let links = if !p.needs_fop() {
        view! { <a class="fop-link" href=page_url(&p.id, None, None, &[], &BTreeMap::new()) target="_blank">{t("open")}</a> }
            .into_any()
    } else if fops.is_empty() {
        view! { <span class="muted">{t("awaiting")}</span> }.into_any()
    } else {
        fops.iter()
            .map(|fop| {
                let href = page_url(&p.id, Some(fop), None, &[], &BTreeMap::new());
                view! { <a class="fop-link" href=href target="_blank" data-fop=fop.clone()>{crate::widgets::dyn_text(Box::new(|| t("platform")))}" "{fop.clone()}</a> }
            })
            .collect_view()
            .into_any()
    };
    let id = p.id.clone();
    let has_options = p.available;
    view! {
        <article class="card" data-plugin=p.id.clone() class:broken=p.error_text().is_some()>
            <h3>{if p.name.is_empty() { p.id.clone() } else { p.name.clone() }}</h3>
            {p.description.clone().map(|d| view! { <p class="desc">{d}</p> })}
            {p.error_text().map(|e| view! { <p class="card-error">"⚠ "{e}</p> })}
            <div class="links">
                {links}
                {has_options.then(|| view! {
                    <button class="options-btn" on:click=move |_| dialog.set(Some(id.clone()))>"⚙ "{t("options")}</button>
                })}
            </div>
        </article>
    }
}

fn options_dialog(
    plugin: PluginInfo,
    catalog: Catalog,
    dialog: RwSignal<Option<String>>,
    choices: RwSignal<BTreeMap<String, Choices>>,
) -> impl IntoView {
    let id = plugin.id.clone();
    let specs = StoredValue::new(plugin.options.clone());
    let state = {
        let id = id.clone();
        Memo::new(move |_| choices.with(|c| c.get(&id).cloned().unwrap_or_default()))
    };
    let update: SetChoices = {
        let id = id.clone();
        std::sync::Arc::new(move |f: &dyn Fn(&mut Choices)| choices.update(|c| f(c.entry(id.clone()).or_default())))
    };
    let needs_fop = plugin.needs_fop();
    let fops = catalog.fops.clone();
    let first_fop = fops.first().cloned();
    let url = {
        let id = id.clone();
        move || {
            let s = state.get();
            let fop = if needs_fop { s.fop.clone().or_else(|| first_fop.clone()) } else { None };
            specs.with_value(|specs| page_url(&id, fop.as_deref(), Some(&s.lang), specs, &s.values))
        }
    };
    let url = Memo::new(move |_| url());
    let close = move || dialog.set(None);

    let form = options_form(plugin.clone(), fops, catalog.languages, state, update.clone());
    let reset = {
        let update = update.clone();
        move |_| update(&|c| c.values.clear())
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| close()>
            <div class="dialog" role="dialog" aria-modal="true" data-plugin=id on:click=|ev| ev.stop_propagation()>
                <h2>{plugin.name}" – "{t("options")}</h2>
                <div class="dialog-body">{form}</div>
                <div class="url-preview"><code id="options-url">{crate::widgets::dyn_text(Box::new(move || url.get()))}</code></div>
                <div class="dialog-buttons">
                    <button class="secondary" on:click=move |_| close()>{crate::widgets::dyn_text(Box::new(|| t("close")))}</button>
                    <button class="secondary" on:click=reset>{t("defaults")}</button>
                    <a class="button primary" id="options-open" href=move || url.get() target="_blank">{t("open")}</a>
                </div>
            </div>
        </div>
    }
}
