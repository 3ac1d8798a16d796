//! The plugin catalogue: `GET /api/plugins` (every plugin, with the competition's FOPs and
//! languages) and `GET /api/plugins/<id>` (one [`PluginInfo`]).

use crate::events::ProtocolError;
use crate::options::OptionSpec;
use crate::page::PageKind;
use serde::{Deserialize, Serialize};

/// `GET /api/plugins`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Catalog {
    /// Competition name, once OWLCMS sent the database.
    pub competition: Option<String>,
    /// FOP names.
    pub fops: Vec<String>,
    /// Languages OWLCMS sent, named in their own language.
    pub languages: Vec<Language>,
    /// Whether OWLCMS is connected now.
    pub owlcms_connected: bool,
    /// The latched protocol error, if any.
    pub protocol_error: Option<ProtocolError>,
    /// Every plugin, by id.
    pub plugins: Vec<PluginInfo>,
}

/// A language OWLCMS sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Language {
    /// Locale id (`fr_CA`).
    pub id: String,
    /// Its name in its own language (`Français (Canada)`).
    pub name: String,
}

/// A resource a plugin needs from OWLCMS or the engine (`requires` in `config.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Requirement {
    /// Team flags (`flags_zip`).
    Flags,
    /// Logos (`logos_zip`).
    Logos,
    /// Athlete pictures (`pictures_zip`).
    Pictures,
    /// GAMX parameter tables (`gamx_zip`): GAMX-M, GAMX-A and GAMX-U team scores.
    Gamx,
    /// The whole competition database in the mapping input (`.database`).
    Database,
}

/// Whether a plugin works now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PluginStatus {
    /// Loaded, and its mapping ran.
    #[default]
    Ok,
    /// Its files did not load, or its mapping failed ([`PluginInfo::error_text`] says why).
    Error,
}

/// A plugin of the catalogue. A plugin that never loaded (`available: false`) has only its
/// id, status and problem filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PluginInfo {
    /// Plugin id (folder name and URL path).
    pub id: String,
    /// False when the plugin never loaded.
    pub available: bool,
    /// Display name.
    pub name: String,
    /// One line of description.
    pub description: Option<String>,
    /// Landing-page section.
    pub category: Option<String>,
    /// Position in its section.
    pub order: i32,
    /// Not listed on the landing page (a negative order).
    pub hidden: bool,
    /// Page kind (renderer).
    pub page: Option<PageKind>,
    /// Whether the URL must name a FOP (absent: it must).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fop_required: Option<bool>,
    /// Resources the plugin needs.
    pub requires: Vec<Requirement>,
    /// Options schema.
    pub options: Vec<OptionSpec>,
    /// URL of the plugin's style sheet.
    pub style: Option<String>,
    /// Grows each time the plugin's files are reloaded.
    pub revision: u64,
    /// `ok` or `error`.
    pub status: PluginStatus,
    /// Why the plugin's files did not load.
    pub problem: Option<Problem>,
    /// The mapping's last run-time error.
    pub runtime_error: Option<String>,
}

impl PluginInfo {
    /// Whether the URL must name a FOP (the default).
    pub fn needs_fop(&self) -> bool {
        self.fop_required.unwrap_or(true)
    }

    /// The error to show on the plugin's card, if any.
    pub fn error_text(&self) -> Option<String> {
        let problem = self.problem.as_ref().map(|p| if p.text.is_empty() { p.message.clone() } else { p.text.clone() });
        problem.or_else(|| self.runtime_error.clone()).filter(|t| !t.is_empty()).or_else(|| {
            (self.status == PluginStatus::Error).then(|| "This plugin has an error (see the server log).".to_owned())
        })
    }
}

/// Why a plugin's files did not load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Problem {
    /// File path, e.g. `plugins/lifting-order/mapping.jq`.
    pub file: String,
    /// Line, when known.
    pub line: Option<usize>,
    /// The message alone.
    pub message: String,
    /// `file:line: message`.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::OptionKind;
    use serde_json::json;

    #[test]
    fn a_catalogue_round_trips_with_camel_case_fields() {
        let catalog = Catalog {
            competition: Some("NM".into()),
            fops: vec!["A".into()],
            languages: vec![Language { id: "fr_CA".into(), name: "Français (Canada)".into() }],
            owlcms_connected: true,
            protocol_error: Some(ProtocolError { received: Some("63".into()), reason: "too old".into(), at_ms: 5 }),
            plugins: vec![PluginInfo {
                id: "lifting-order".into(),
                available: true,
                name: "Lifting Order".into(),
                order: -1,
                hidden: true,
                page: Some(PageKind::StandardGrid),
                fop_required: Some(false),
                requires: vec![Requirement::Flags],
                options: vec![OptionSpec { key: "size".into(), kind: OptionKind::Number, ..OptionSpec::default() }],
                style: Some("/plugins/lifting-order/style.css".into()),
                revision: 3,
                ..PluginInfo::default()
            }],
        };
        let json = serde_json::to_value(&catalog).unwrap();
        assert_eq!(json["owlcmsConnected"], true);
        assert_eq!(json["protocolError"]["atMs"], 5);
        let plugin = &json["plugins"][0];
        assert_eq!((&plugin["page"], &plugin["fopRequired"]), (&json!("standard-grid"), &json!(false)));
        assert_eq!(
            (&plugin["requires"], &plugin["status"], &plugin["order"]),
            (&json!(["flags"]), &json!("ok"), &json!(-1))
        );
        assert_eq!(plugin["options"][0]["type"], "number");
        assert_eq!(serde_json::from_value::<Catalog>(json).unwrap(), catalog);
    }

    #[test]
    fn plugin_errors_prefer_the_file_problem() {
        let p: PluginInfo = serde_json::from_value(json!({"id": "x", "status": "error",
            "problem": {"text": "plugins/x/mapping.jq:3: syntax error", "message": "syntax error"},
            "runtimeError": "later"}))
        .unwrap();
        assert_eq!(p.error_text().unwrap(), "plugins/x/mapping.jq:3: syntax error");
        let p: PluginInfo =
            serde_json::from_value(json!({"id": "x", "status": "error", "runtimeError": "boom"})).unwrap();
        assert_eq!(p.error_text().unwrap(), "boom");
        let p: PluginInfo = serde_json::from_value(json!({"id": "x", "status": "error"})).unwrap();
        assert_eq!(p.error_text().unwrap(), "This plugin has an error (see the server log).");
        let ok: PluginInfo = serde_json::from_value(json!({"id": "x", "status": "ok"})).unwrap();
        assert!(ok.error_text().is_none() && ok.needs_fop());
    }
}
