//! A plugin's `config.json`: metadata, page kind, required resources and the options schema,
//! with validation errors that name the file, the field and what was expected.

use super::aliases::OptionAlias;
use owlcms_contract::options::{Allowed, Rule};
pub use owlcms_contract::{OptionKind, PageKind, Requirement};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Query parameters with a fixed meaning; options cannot use these keys.
pub const RESERVED_KEYS: [&str; 5] = ["plugin", "fop", "lang", "language", "debug"];

/// A choice of a select option: a bare value, or a value with a label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Choice {
    /// Value shown as is.
    Plain(String),
    /// Value with a label.
    Labeled {
        /// The value put in the URL.
        value: String,
        /// What the user sees.
        label: String,
    },
}

impl Choice {
    /// The value of the choice.
    pub fn value(&self) -> &str {
        match self {
            Choice::Plain(v) | Choice::Labeled { value: v, .. } => v,
        }
    }
}

/// Choices of a select option: a list, or `"languages"` for the languages OWLCMS sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Choices {
    /// The name of a dynamic list (only `languages`).
    Dynamic(String),
    /// A fixed list.
    List(Vec<Choice>),
}

/// One option of the schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionSpec {
    /// URL parameter name.
    pub key: String,
    /// Label in the options dialog.
    pub label: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: OptionKind,
    /// Default value (typed like the option).
    #[serde(default)]
    pub default: Value,
    /// Smallest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Choices of a select option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Choices>,
    /// Group heading in the dialog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Key of a boolean option that, when true, disables this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_by: Option<String>,
    /// Other URL names of this option (the original tracker's), see [`OptionAlias`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<OptionAlias>,
}

/// The content of `config.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginConfig {
    /// Display name.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Section of the landing page (`scoreboards`, `overlays`, `teams`, `documents`, …).
    #[serde(default = "default_category")]
    pub category: String,
    /// Position within the category; negative hides the plugin from the landing page.
    #[serde(default)]
    pub order: i32,
    /// Which client renderer draws the view.
    pub page: PageKind,
    /// Whether a FOP must be chosen.
    #[serde(default = "yes")]
    pub fop_required: bool,
    /// Resources needed.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// The options schema.
    #[serde(default)]
    pub options: Vec<OptionSpec>,
}

fn default_category() -> String {
    "scoreboards".into()
}

fn yes() -> bool {
    true
}

/// A validation failure: `field` is a path like `options[2].type`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// Line in `config.json`, when known.
    pub line: Option<usize>,
    /// Offending field.
    pub field: Option<String>,
    /// What was expected.
    pub message: String,
}

impl PluginConfig {
    /// Parses and validates `config.json` text.
    pub fn parse(text: &str) -> Result<PluginConfig, ConfigError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let config: PluginConfig = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            // serde_json appends " at line L column C"; the line goes in its own field.
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            ConfigError { line: Some(inner.line()), field: (path != ".").then_some(path), message }
        })?;
        config.validate().map_err(|(field, message)| ConfigError {
            line: line_of(text, &field),
            field: Some(field),
            message,
        })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        if self.name.trim().is_empty() {
            return Err(("name".into(), "expected a non-empty name".into()));
        }
        let mut seen = HashSet::new();
        let booleans: HashSet<&str> =
            self.options.iter().filter(|o| o.kind == OptionKind::Boolean).map(|o| o.key.as_str()).collect();
        for (i, option) in self.options.iter().enumerate() {
            let at = |field: &str| format!("options[{i}].{field}");
            let key_ok = option.key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && option.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !key_ok {
                return Err((
                    at("key"),
                    format!("expected letters, digits, '_' or '-' starting with a letter, found {:?}", option.key),
                ));
            }
            if RESERVED_KEYS.contains(&option.key.as_str()) {
                return Err((at("key"), format!("{:?} is reserved (plugin, fop, lang, language, debug)", option.key)));
            }
            if !seen.insert(option.key.as_str()) {
                return Err((at("key"), format!("duplicate option key {:?}", option.key)));
            }
            let keys: HashSet<&str> = self.options.iter().map(|o| o.key.as_str()).collect();
            for alias in &option.aliases {
                if RESERVED_KEYS.contains(&alias.key()) || keys.contains(alias.key()) {
                    return Err((at("aliases"), format!("{:?} is reserved or another option's key", alias.key())));
                }
            }
            match option.kind {
                OptionKind::Number => {
                    if let (Some(min), Some(max)) = (option.min, option.max)
                        && min > max
                    {
                        return Err((at("max"), format!("expected max ≥ min ({min})")));
                    }
                }
                OptionKind::Select => match &option.choices {
                    None => return Err((at("choices"), "expected a list of choices or \"languages\"".into())),
                    Some(Choices::Dynamic(name)) if name != "languages" => {
                        return Err((at("choices"), format!("expected a list or \"languages\", found {name:?}")));
                    }
                    Some(Choices::List(list)) if list.is_empty() => {
                        return Err((at("choices"), "expected at least one choice".into()));
                    }
                    _ => {}
                },
                _ => {}
            }
            if !option.default.is_null() && option.coerce(&option.default, None).is_none() {
                return Err((
                    at("default"),
                    format!("expected a {:?} value allowed by the option, found {}", option.kind, option.default),
                ));
            }
            if let Some(by) = &option.disabled_by
                && !booleans.contains(by.as_str())
            {
                return Err((at("disabledBy"), format!("expected the key of a boolean option, found {by:?}")));
            }
        }
        Ok(())
    }

    /// The typed value of every option: from `params` when valid, else the default.
    /// Unknown parameters are dropped, so invented ones cannot multiply views.
    pub fn resolve_options(&self, params: &BTreeMap<String, String>, languages: &[String]) -> BTreeMap<String, Value> {
        self.options
            .iter()
            .map(|option| {
                let given = super::aliases::given(&option.key, &option.aliases, params)
                    .and_then(|raw| option.coerce(&raw, Some(languages)));
                (option.key.clone(), given.unwrap_or_else(|| option.default_value()))
            })
            .collect()
    }
}

impl OptionSpec {
    /// The default, or the type's zero value when none is given, spelt as a URL value would
    /// resolve (`"no:ne"` is the choice `none`): one view key whether the URL names it or not.
    pub fn default_value(&self) -> Value {
        if !self.default.is_null() {
            return self.coerce(&self.default, None).unwrap_or_else(|| self.default.clone());
        }
        let zero = match self.kind {
            OptionKind::Boolean => Value::Bool(false),
            OptionKind::Number => self.min.map_or(Value::from(0), Value::from),
            OptionKind::Text => Value::String(String::new()),
            OptionKind::Select => match &self.choices {
                Some(Choices::List(list)) => Value::String(list[0].value().to_owned()),
                _ => Value::String("en".into()),
            },
        };
        self.coerce(&zero, None).unwrap_or(zero)
    }

    /// Types a raw value by the schema ([`owlcms_contract::coerce`]); `None` when it does not
    /// fit. A `"languages"` select accepts the languages OWLCMS sent, or any before it sent some.
    pub fn coerce(&self, raw: &Value, languages: Option<&[String]>) -> Option<Value> {
        let choices = match &self.choices {
            Some(Choices::List(list)) => Allowed::OneOf(list.iter().map(Choice::value).collect()),
            Some(Choices::Dynamic(_)) => match languages {
                Some(known) if !known.is_empty() => Allowed::Exactly(known),
                _ => Allowed::Any,
            },
            None => Allowed::OneOf(Vec::new()),
        };
        owlcms_contract::coerce(&Rule { kind: self.kind, min: self.min, max: self.max, choices }, raw)
    }
}

/// The line where a field path's last key appears, to point authors at it.
fn line_of(text: &str, field: &str) -> Option<usize> {
    let key = field.rsplit('.').next()?.split('[').next()?;
    let needle = format!("\"{key}\"");
    let index = field.split('[').nth(1).and_then(|r| r.split(']').next()).and_then(|n| n.parse::<usize>().ok());
    // For options[i].x, skip to the i-th occurrence of "key" (each option object has one).
    let anchor = if field.starts_with("options[") { "\"key\"" } else { &needle };
    let mut offset = 0;
    if let Some(i) = index {
        for _ in 0..=i {
            offset = text[offset..].find(anchor).map(|p| offset + p + 1)?;
        }
        offset -= 1;
    }
    let at = text[offset..].find(&needle).map(|p| offset + p).unwrap_or(offset);
    Some(text[..at].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "name": "Lifting Order",
  "page": "standard-grid",
  "requires": ["flags"],
  "options": [
    {"key": "showRecords", "label": "Records", "type": "boolean", "default": true},
    {"key": "size", "label": "Size", "type": "number", "min": 0.5, "max": 3, "default": 1},
    {"key": "theme", "label": "Theme", "type": "select", "choices": ["dark", {"value": "light", "label": "Light"}], "disabledBy": "showRecords"},
    {"key": "title", "label": "Title", "type": "text"}
  ]
}"#;

    #[test]
    fn good_config_resolves_typed_options_and_drops_unknown_ones() {
        let config = PluginConfig::parse(GOOD).unwrap();
        assert!(config.fop_required);
        assert_eq!(config.category, "scoreboards");
        let params: BTreeMap<String, String> =
            [("size", "1.5"), ("showRecords", "false"), ("theme", "purple"), ("invented", "x")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let options = config.resolve_options(&params, &[]);
        assert_eq!(
            serde_json::to_value(&options).unwrap(),
            serde_json::json!({"showRecords": false, "size": 1.5, "theme": "dark", "title": ""})
        );
        let params = [("size".to_owned(), "9".to_owned())].into_iter().collect();
        assert_eq!(config.resolve_options(&params, &[])["size"], 1, "out of range falls back to the default");
    }

    #[test]
    fn errors_name_the_field_and_the_line() {
        let bad = GOOD.replace("\"type\": \"text\"", "\"type\": \"txt\"");
        let err = PluginConfig::parse(&bad).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("options[3].type"));
        assert_eq!(err.line, Some(9));
        assert!(err.message.contains("expected one of `boolean`, `number`, `select`, `text`"), "{}", err.message);
        let bad = GOOD.replace("standard-grid", "grid");
        let err = PluginConfig::parse(&bad).unwrap_err();
        assert_eq!((err.field.as_deref(), err.line), (Some("page"), Some(3)));
        let bad = GOOD.replace("\"default\": 1}", "\"default\": 7}");
        let err = PluginConfig::parse(&bad).unwrap_err();
        assert_eq!((err.field.as_deref(), err.line), (Some("options[1].default"), Some(7)));
        let bad = GOOD.replace("\"showRecords\"", "\"fop\"");
        assert!(PluginConfig::parse(&bad).unwrap_err().message.contains("reserved"));
        let err = PluginConfig::parse("{\"name\": \"x\",").unwrap_err();
        assert_eq!(err.line, Some(1));
    }
}
