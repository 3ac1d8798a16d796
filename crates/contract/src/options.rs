//! Plugin options as pages see them, and the one routine that types a raw option value.
//!
//! The server types URL parameters with [`coerce`] to resolve a view's options (an invalid
//! value falls back to the default); the options dialog runs the same routine so the links it
//! builds carry only values the server will accept.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Longest text option, in characters; longer values are refused.
pub const MAX_TEXT_CHARS: usize = 200;

/// Type of an option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OptionKind {
    /// Checkbox; values `true`/`false`.
    Boolean,
    /// Number, optionally within `min`..`max`.
    Number,
    /// One of `choices`.
    Select,
    /// Free text (at most [`MAX_TEXT_CHARS`] characters).
    #[default]
    Text,
}

/// The values a select option accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Allowed<'a> {
    /// Any value (a dynamic list that is not known yet).
    Any,
    /// One of these, matched as [`match_choice`] does.
    OneOf(Vec<&'a str>),
    /// One of these exactly (locale ids).
    Exactly(&'a [String]),
}

/// What a value must be to fit an option.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<'a> {
    /// The option's type.
    pub kind: OptionKind,
    /// Smallest number allowed.
    pub min: Option<f64>,
    /// Largest number allowed.
    pub max: Option<f64>,
    /// What a select accepts (ignored for other kinds).
    pub choices: Allowed<'a>,
}

/// Types a raw value (a URL parameter, a dialog field, a default) by the option's rule;
/// `None` when it does not fit. Booleans accept `true/false`, `1/0`, `yes/no`, `on/off`;
/// whole numbers come out as integers.
pub fn coerce(rule: &Rule<'_>, raw: &Value) -> Option<Value> {
    let text = match raw {
        Value::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    };
    match rule.kind {
        OptionKind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(Value::Bool(true)),
            "false" | "0" | "no" | "off" => Some(Value::Bool(false)),
            _ => None,
        },
        OptionKind::Number => {
            let n: f64 = text.parse().ok().filter(|n: &f64| n.is_finite())?;
            if rule.min.is_some_and(|min| n < min) || rule.max.is_some_and(|max| n > max) {
                return None;
            }
            Some(if n.fract() == 0.0 && n.abs() < 1e15 { Value::from(n as i64) } else { Value::from(n) })
        }
        OptionKind::Text => (text.chars().count() <= MAX_TEXT_CHARS).then_some(Value::String(text)),
        OptionKind::Select => match &rule.choices {
            Allowed::Any => Some(Value::String(text)),
            Allowed::OneOf(list) => match_choice(&text, list.iter().copied()).map(|c| Value::String(c.into())),
            Allowed::Exactly(list) => list.contains(&text).then_some(Value::String(text)),
        },
    }
}

/// The choice a select value means: exactly, else ignoring case, `-`, `_` and spaces
/// (`Q-Points` is `qpoints`), so links made for the original tracker keep working.
pub fn match_choice<'a>(text: &str, choices: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let fold = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let wanted = fold(text);
    choices
        .clone()
        .find(|c| *c == text)
        .or_else(|| choices.into_iter().find(|c| !wanted.is_empty() && fold(c) == wanted))
}

/// A number as it appears in a URL: `2`, `1.5`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// The URL form of a typed value (`null` is empty).
pub fn url_form(value: &Value) -> String {
    match value {
        Value::Number(n) => n.as_f64().map(format_number).unwrap_or_default(),
        other => text_of(other),
    }
}

/// The text of any JSON value: strings as they are, `null` empty, other values in JSON form.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One option of a plugin, as the catalogue lists it (`choices` resolved to a list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OptionSpec {
    /// URL parameter.
    pub key: String,
    /// Label in the dialog.
    pub label: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: OptionKind,
    /// Default value (typed like the option).
    pub default: Value,
    /// Lower bound of a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound of a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Choices of a select (the server resolves `"languages"` to the languages OWLCMS sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// Heading the option is listed under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Help text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Key of a boolean option that disables this one while true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_by: Option<String>,
}

impl OptionSpec {
    /// The rule [`coerce`] checks values against.
    pub fn rule(&self) -> Rule<'_> {
        let values = self.choices.iter().flatten().map(|c| c.value.as_str()).collect();
        Rule { kind: self.kind, min: self.min, max: self.max, choices: Allowed::OneOf(values) }
    }

    /// The URL form of a raw value, or `None` when the server would refuse it (a link must
    /// not carry it: the server would show the default anyway).
    pub fn canonical(&self, raw: &str) -> Option<String> {
        coerce(&self.rule(), &Value::String(raw.to_owned())).map(|v| url_form(&v))
    }

    /// The URL form of the default.
    pub fn default_string(&self) -> String {
        url_form(&self.default)
    }
}

/// A choice of a select option.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// URL value.
    pub value: String,
    /// What the menu shows.
    pub label: String,
}

// Lenient: a bare scalar is a choice labelled by its value, and a missing label is the value.
impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match &v {
            Value::Object(map) => {
                let value = map.get("value").map(text_of).unwrap_or_default();
                let label = map.get("label").map(text_of).filter(|l| !l.is_empty()).unwrap_or_else(|| value.clone());
                Choice { value, label }
            }
            other => Choice { value: text_of(other), label: text_of(other) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(kind: OptionKind) -> Rule<'static> {
        Rule { kind, min: None, max: None, choices: Allowed::Any }
    }

    #[test]
    fn booleans_accept_the_usual_spellings() {
        let r = rule(OptionKind::Boolean);
        for yes in ["true", "TRUE", " 1", "yes", "on"] {
            assert_eq!(coerce(&r, &json!(yes)), Some(json!(true)), "{yes}");
        }
        for no in ["false", "0", "no", "off"] {
            assert_eq!(coerce(&r, &json!(no)), Some(json!(false)), "{no}");
        }
        assert_eq!(coerce(&r, &json!(true)), Some(json!(true)));
        assert_eq!(coerce(&r, &json!("maybe")), None);
    }

    #[test]
    fn numbers_are_bounded_and_whole_ones_are_integers() {
        let r = Rule { min: Some(0.5), max: Some(3.0), ..rule(OptionKind::Number) };
        assert_eq!(coerce(&r, &json!(" 2 ")), Some(json!(2)));
        assert!(coerce(&r, &json!("2")).unwrap().is_i64());
        assert_eq!(coerce(&r, &json!("1.50")), Some(json!(1.5)));
        assert_eq!(coerce(&r, &json!(1)), Some(json!(1)));
        assert_eq!(coerce(&r, &json!("9")), None);
        assert_eq!(coerce(&r, &json!("0.4")), None);
        assert_eq!(coerce(&r, &json!("abc")), None);
        assert_eq!(coerce(&r, &json!("NaN")), None);
        assert_eq!(coerce(&rule(OptionKind::Number), &json!("-7")), Some(json!(-7)));
    }

    #[test]
    fn texts_are_trimmed_and_limited() {
        let r = rule(OptionKind::Text);
        assert_eq!(coerce(&r, &json!(" Jørgen & co ")), Some(json!("Jørgen & co")));
        assert_eq!(coerce(&r, &json!("é".repeat(200))), Some(json!("é".repeat(200))));
        assert_eq!(coerce(&r, &json!("x".repeat(201))), None);
    }

    #[test]
    fn selects_match_their_choices() {
        let r = Rule { choices: Allowed::OneOf(vec!["teamPoints", "qpoints"]), ..rule(OptionKind::Select) };
        assert_eq!(coerce(&r, &json!("qpoints")), Some(json!("qpoints")));
        assert_eq!(coerce(&r, &json!("Q-Points")), Some(json!("qpoints")));
        assert_eq!(coerce(&r, &json!("TeamPoints")), Some(json!("teamPoints")));
        assert_eq!(coerce(&r, &json!("gamx")), None);
        assert_eq!(coerce(&r, &json!("--")), None);
        let languages = vec!["en".to_owned(), "fr_CA".to_owned()];
        let r = Rule { choices: Allowed::Exactly(&languages), ..rule(OptionKind::Select) };
        assert_eq!(coerce(&r, &json!("fr_CA")), Some(json!("fr_CA")));
        assert_eq!(coerce(&r, &json!("fr-ca")), None, "locale ids match exactly");
        assert_eq!(coerce(&rule(OptionKind::Select), &json!("de")), Some(json!("de")), "list not known yet");
        let choices = ["teamPoints", "sinclair", "qpoints", "smhf"];
        assert_eq!(match_choice("SMHF", choices.iter().copied()), Some("smhf"));
        assert_eq!(match_choice("GAMX-M", choices.iter().copied()), None);
    }

    #[test]
    fn url_forms_of_values_and_specs() {
        assert_eq!(url_form(&json!(null)), "");
        assert_eq!(url_form(&json!(true)), "true");
        assert_eq!(url_form(&json!(2.0)), "2");
        assert_eq!(url_form(&json!(0.75)), "0.75");
        assert_eq!(url_form(&json!("dark")), "dark");
        let spec: OptionSpec = serde_json::from_value(json!({"key": "size", "type": "number", "min": 0.5, "max": 3,
            "default": 1}))
        .unwrap();
        assert_eq!(spec.default_string(), "1");
        assert_eq!(spec.canonical("1.50").as_deref(), Some("1.5"));
        assert_eq!(spec.canonical("9"), None);
        let spec: OptionSpec =
            serde_json::from_value(json!({"key": "theme", "type": "select", "choices": ["dark", "light"]})).unwrap();
        assert_eq!(spec.canonical("light").as_deref(), Some("light"));
        assert_eq!(spec.canonical("purple"), None);
    }

    #[test]
    fn option_specs_round_trip_and_choices_are_plain_or_labelled() {
        let spec: OptionSpec = serde_json::from_value(json!({"key": "theme", "label": "Theme", "type": "select",
            "default": "dark", "group": "Display", "choices": [{"value": "dark", "label": "Dark"}, "light", 3]}))
        .unwrap();
        let choices = spec.choices.clone().unwrap();
        assert_eq!(choices[0], Choice { value: "dark".into(), label: "Dark".into() });
        assert_eq!(choices[1], Choice { value: "light".into(), label: "light".into() });
        assert_eq!(choices[2].value, "3");
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(json["choices"][1], json!({"value": "light", "label": "light"}));
        assert!(json.get("min").is_none() && json.get("disabledBy").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<OptionSpec>(json).unwrap(), spec);
        let bare: OptionSpec = serde_json::from_value(json!({"key": "a"})).unwrap();
        assert_eq!(bare.kind, OptionKind::Text);
    }
}
