//! URL compatibility with the original tracker: an option may also be read under the name the
//! original gave it (`scoringSystem`, `pageSize`, …), with its values translated, so bookmarks
//! and links made for the original keep working. Select values also match regardless of case
//! and punctuation (`Q-Points` is `qpoints`, `TeamPoints` is `teamPoints`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Another URL name of an option: a plain name, or a name with value translations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptionAlias {
    /// The same values under another name.
    Name(String),
    /// Another name whose values are translated.
    Mapped {
        /// The other URL name.
        key: String,
        /// Raw value → this option's value (e.g. `"true"` → `"fixed"`).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        values: BTreeMap<String, Value>,
        /// Multiplier for a number (e.g. `0.001` for milliseconds given to a seconds option).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<f64>,
    },
}

impl OptionAlias {
    /// The other URL name.
    pub fn key(&self) -> &str {
        match self {
            OptionAlias::Name(key) | OptionAlias::Mapped { key, .. } => key,
        }
    }

    /// The raw value found under this alias, translated to this option's terms.
    pub fn translate(&self, raw: &str) -> Value {
        let OptionAlias::Mapped { values, scale, .. } = self else { return Value::String(raw.to_owned()) };
        if let Some(value) = values.get(raw.trim()).or_else(|| values.get(&raw.trim().to_ascii_lowercase())) {
            return value.clone();
        }
        match scale.zip(raw.trim().parse::<f64>().ok()) {
            Some((scale, n)) => serde_json::Number::from_f64(n * scale).map_or(Value::Null, Value::Number),
            None => Value::String(raw.to_owned()),
        }
    }
}

/// The value given for an option: under its own key, else under the first alias present.
pub fn given(key: &str, aliases: &[OptionAlias], params: &BTreeMap<String, String>) -> Option<Value> {
    if let Some(raw) = params.get(key) {
        return Some(Value::String(raw.clone()));
    }
    aliases.iter().find_map(|alias| params.get(alias.key()).map(|raw| alias.translate(raw)))
}

/// The choice a select value means: exactly, else ignoring case, `-`, `_` and spaces (it is
/// part of the option coercion the browser shares, so it lives in the contract crate).
pub use owlcms_contract::match_choice;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aliases_read_the_original_names() {
        let aliases: Vec<OptionAlias> = serde_json::from_value(json!([
            "scoringSystem",
            {"key": "fixedTeamOrder", "values": {"true": "fixed", "false": "score"}},
            {"key": "pagePauseMs", "scale": 0.001}
        ]))
        .unwrap();
        let params = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        assert_eq!(given("scoring", &aliases, &params(&[("scoringSystem", "Q-Points")])), Some(json!("Q-Points")));
        assert_eq!(
            given("scoring", &aliases, &params(&[("scoring", "gamx"), ("scoringSystem", "x")])),
            Some(json!("gamx"))
        );
        assert_eq!(given("order", &aliases[1..], &params(&[("fixedTeamOrder", "TRUE")])), Some(json!("fixed")));
        assert_eq!(given("pageSeconds", &aliases[2..], &params(&[("pagePauseMs", "5000")])), Some(json!(5.0)));
        assert_eq!(given("x", &aliases, &params(&[])), None);
        let choices = ["teamPoints", "sinclair", "qpoints", "smhf"];
        assert_eq!(match_choice("Q-Points", choices.iter().copied()), Some("qpoints"));
        assert_eq!(match_choice("TeamPoints", choices.iter().copied()), Some("teamPoints"));
        assert_eq!(match_choice("SMHF", choices.iter().copied()), Some("smhf"));
        assert_eq!(match_choice("GAMX-M", choices.iter().copied()), None);
        assert_eq!(match_choice("--", choices.iter().copied()), None);
    }
}
