//! The options form of a plugin (platform, language and the plugin's own options, grouped),
//! shared by the landing page's options dialog and the plugin workbench.

use crate::catalog::option_groups;
use crate::texts::t;
use crate::urls::{self, DEFAULT_LANG};
use leptos::prelude::*;
use owlcms_contract::{Language, OptionKind, OptionSpec, PluginInfo};
use std::collections::BTreeMap;

/// What the form of one plugin holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    /// The chosen FOP (`None`: the first one).
    pub fop: Option<String>,
    /// The chosen locale (empty: the default).
    pub lang: String,
    /// Option values as typed, by key.
    pub values: BTreeMap<String, String>,
}

/// Changes the choices of the plugin the form is for. One concrete type rather than a generic
/// closure, so the form's code is in the client once, not once per page that shows it.
pub type SetChoices = std::sync::Arc<dyn Fn(&dyn Fn(&mut Choices)) + Send + Sync>;

/// The form's fields: FOP (when the plugin needs one), language, then the options by group.
/// `update` changes the choices; `state` reads them.
pub fn options_form(
    plugin: PluginInfo,
    fops: Vec<String>,
    mut languages: Vec<Language>,
    state: Memo<Choices>,
    update: SetChoices,
) -> AnyView {
    let specs = StoredValue::new(plugin.options.clone());
    let fop_select = plugin.needs_fop().then(|| {
        let update = update.clone();
        view! {
            <label class="field">
                <span>{crate::widgets::dyn_text(Box::new(|| t("platform")))}" (FOP)"</span>
                <select id="opt-fop" on:change=move |ev| { let v = event_target_value(&ev); update(&|c| c.fop = Some(v.clone())) }>
                    {fops.iter().map(|f| {
                        let f2 = f.clone();
                        view! { <option value=f.clone() selected=move || state.with(|s| s.fop.as_ref() == Some(&f2))>{f.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    });

    if languages.is_empty() {
        languages.push(Language { id: DEFAULT_LANG.into(), name: "English".into() });
    }
    let lang_select = {
        let update = update.clone();
        view! {
            <label class="field">
                <span>{t("language")}</span>
                <select id="opt-lang" on:change=move |ev| { let v = event_target_value(&ev); update(&|c| c.lang = v.clone()) }>
                    {languages.into_iter().map(|l| {
                        let lid = l.id.clone();
                        let selected = move || state.with(|s| if s.lang.is_empty() { lid == DEFAULT_LANG } else { s.lang == lid });
                        view! { <option value=l.id selected=selected>{l.name}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let groups = option_groups(&plugin.options);
    let fields = groups
        .into_iter()
        .map(|(group, options)| {
            let inputs =
                options.into_iter().map(|spec| option_field(spec, specs, state, update.clone())).collect_view();
            match group {
                Some(g) => view! { <fieldset class="group"><legend>{g}</legend>{inputs}</fieldset> }.into_any(),
                None => view! { <fieldset class="group plain">{inputs}</fieldset> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <fieldset class="group plain">{fop_select}{lang_select}</fieldset>
        {fields}
    }
    .into_any()
}

fn option_field(
    spec: OptionSpec,
    specs: StoredValue<Vec<OptionSpec>>,
    state: Memo<Choices>,
    update: SetChoices,
) -> AnyView {
    let key = spec.key.clone();
    let value = {
        let spec = spec.clone();
        move || state.with(|s| urls::current(&spec, &s.values))
    };
    let disabled = {
        let spec = spec.clone();
        move || state.with(|s| specs.with_value(|all| urls::is_disabled(&spec, all, &s.values)))
    };
    let set = {
        let key = key.clone();
        move |v: String| update(&|c| drop(c.values.insert(key.clone(), v.clone())))
    };
    let help = spec.help.clone().map(|h| view! { <small class="help">{h}</small> });
    let id = format!("opt-{key}");
    let input = match spec.kind {
        OptionKind::Boolean => view! {
            <label class="check">
                <input type="checkbox" id=id name=key.clone() disabled=disabled
                    prop:checked=move || value() == "true"
                    on:change=move |ev| set(event_target_checked(&ev).to_string()) />
                <span>{spec.label}</span>
            </label>
        }
        .into_any(),
        OptionKind::Number => {
            let invalid = {
                let spec = spec.clone();
                let value = value.clone();
                move || spec.canonical(&value()).is_none()
            };
            view! {
                <label class="field">
                    <span>{spec.label.clone()}</span>
                    <input type="number" id=id name=key.clone() step="any" disabled=disabled
                        min=spec.min.map(urls::format_number) max=spec.max.map(urls::format_number)
                        class:invalid=invalid
                        prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
                </label>
            }
            .into_any()
        }
        OptionKind::Select => {
            let choices = spec.choices.clone().unwrap_or_default();
            view! {
                <label class="field">
                    <span>{spec.label}</span>
                    <select id=id name=key.clone() disabled=disabled on:change=move |ev| set(event_target_value(&ev))>
                        {choices.into_iter().map(|c| {
                            let value = value.clone();
                            let v = c.value.clone();
                            view! { <option value=c.value selected=move || value() == v>{c.label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
            .into_any()
        }
        OptionKind::Text => view! {
            <label class="field">
                <span>{spec.label}</span>
                <input type="text" id=id name=key.clone() maxlength="200" disabled=disabled
                    prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
            </label>
        }
        .into_any(),
    };
    view! { <div class="option" data-option=key>{input}{help}</div> }.into_any()
}
