//! Turning `?plugin=&fop=&lang=&<options>` into a view key, with errors that list what exists.
//! URLs made for the original tracker work too: `language=` is `lang=`, `fop` may be left out
//! when the competition has a single platform, options may use the original's names (see
//! [`crate::plugins::aliases`]), and parameters nobody knows are ignored.

use crate::AppState;
use crate::error::AppError;
use crate::views::ViewKey;
use serde_json::json;
use std::collections::BTreeMap;

/// A validated view request.
pub(crate) struct ViewRequest {
    /// The view identity.
    pub key: ViewKey,
}

/// Validates the query of `/api/stream` and `/api/view`.
pub(crate) fn resolve(app: &AppState, params: &BTreeMap<String, String>) -> Result<ViewRequest, AppError> {
    let catalog = app.registry.catalog();
    let ids = catalog.ids();
    let Some(id) = params.get("plugin").filter(|p| !p.is_empty()) else {
        return Err(AppError::BadRequest {
            message: "missing ?plugin=<id>".into(),
            details: json!({ "plugins": ids }),
        });
    };
    let Some(plugin) = catalog.plugin(id).cloned() else {
        return Err(AppError::Unknown {
            message: format!("unknown plugin {id:?}"),
            details: json!({ "plugins": ids }),
        });
    };
    let state = app.hub.state();
    let fop = match params.get("fop").filter(|f| !f.is_empty()) {
        Some(fop) if state.fops.is_empty() || state.fops.contains(fop) => Some(fop.clone()),
        Some(fop) => {
            return Err(AppError::BadRequest {
                message: format!("unknown FOP {fop:?}"),
                details: json!({ "fops": state.fops }),
            });
        }
        // One platform: it is the one meant (the original tracker does the same).
        None if plugin.config.fop_required && state.fops.len() == 1 => state.fops.first().cloned(),
        None if plugin.config.fop_required => {
            return Err(AppError::BadRequest {
                message: format!("plugin {id:?} needs ?fop=<name>"),
                details: json!({ "fops": state.fops }),
            });
        }
        None => None,
    };
    let languages: Vec<String> =
        state.translations.as_ref().map(|t| t.locales.keys().cloned().collect()).unwrap_or_default();
    let lang = ["lang", "language"]
        .iter()
        .find_map(|name| params.get(*name).filter(|l| !l.is_empty()))
        .and_then(|l| state.translations.as_ref().and_then(|t| t.resolve_locale(l).map(str::to_owned)))
        .unwrap_or_else(|| "en".to_owned());
    let options = plugin.config.resolve_options(params, &languages);
    let options = serde_json::to_string(&options).unwrap_or_default();
    Ok(ViewRequest { key: ViewKey { plugin: id.clone(), fop, lang, options } })
}
