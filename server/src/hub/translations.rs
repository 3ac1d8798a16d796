//! OWLCMS translation tables (`translations.json` in `translations_zip`): per-locale maps with
//! HTML entities decoded, and lookups that accept `fr_CA` and `fr-CA` alike.

use serde_json::Value;
use std::collections::HashMap;

/// All locales received from OWLCMS.
#[derive(Debug, Default)]
pub struct Translations {
    /// Locale id as OWLCMS sends it (`fr_CA`) → key → text.
    pub locales: HashMap<String, HashMap<String, String>>,
    /// `translationsChecksum`, when sent; used to skip identical resends.
    pub checksum: Option<String>,
}

/// A translations payload that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TranslationsError {
    /// Not JSON.
    #[error("translations are not valid JSON: {0}")]
    Json(String),
    /// No locale maps found.
    #[error("translations hold no locale map")]
    Empty,
}

impl Translations {
    /// Parses `{"locales":{…},"translationsChecksum":…}` or the direct `{locale:{…}}` form.
    pub fn parse(bytes: &[u8]) -> Result<Translations, TranslationsError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| TranslationsError::Json(e.to_string()))?;
        let checksum = value.get("translationsChecksum").and_then(Value::as_str).map(str::to_owned);
        let maps = value.get("locales").unwrap_or(&value);
        let locales: HashMap<String, HashMap<String, String>> = maps
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(locale, table)| {
                        let table = table.as_object()?;
                        let entries =
                            table.iter().filter_map(|(k, v)| Some((k.clone(), decode_entities(v.as_str()?)))).collect();
                        Some((locale.clone(), entries))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if locales.is_empty() {
            return Err(TranslationsError::Empty);
        }
        Ok(Translations { locales, checksum })
    }

    /// The locale id that serves a request: exact (either separator, any case), then the
    /// base language, then `en`.
    pub fn resolve_locale(&self, requested: &str) -> Option<&str> {
        let wanted = requested.trim().replace('-', "_").to_ascii_lowercase();
        let find = |want: &str| self.locales.keys().find(|k| k.to_ascii_lowercase() == want).map(String::as_str);
        find(&wanted).or_else(|| wanted.split('_').next().and_then(find)).or_else(|| find("en"))
    }

    /// The text for `key`, or OWLCMS's `!key` marker when there is none.
    pub fn translate(&self, locale: &str, key: &str) -> String {
        self.resolve_locale(locale)
            .and_then(|l| self.locales.get(l))
            .and_then(|table| table.get(key))
            .cloned()
            .unwrap_or_else(|| format!("!{key}"))
    }

    /// Total number of keys over all locales.
    pub fn key_count(&self) -> usize {
        self.locales.values().map(HashMap::len).sum()
    }
}

fn decode_entities(text: &str) -> String {
    if text.contains('&') { html_escape::decode_html_entities(text).into_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_resolve_with_either_separator_and_fall_back() {
        let json = r#"{"locales":{"en":{"Snatch":"Snatch","Dash":"a &ndash; b &amp; c"},
            "fr":{"Snatch":"Arrach&eacute;"},"fr_CA":{"Snatch":"Arraché CA"}},"translationsChecksum":"abc"}"#
            .as_bytes();
        let t = Translations::parse(json).unwrap();
        assert_eq!(t.checksum.as_deref(), Some("abc"));
        assert_eq!(t.translate("fr-CA", "Snatch"), "Arraché CA");
        assert_eq!(t.translate("fr_CA", "Snatch"), "Arraché CA");
        assert_eq!(t.translate("fr-BE", "Snatch"), "Arraché");
        assert_eq!(t.translate("de", "Snatch"), "Snatch");
        assert_eq!(t.translate("en", "Dash"), "a – b & c");
        assert_eq!(t.translate("en", "Nope"), "!Nope");
    }

    #[test]
    fn direct_form_and_errors() {
        let t = Translations::parse(br#"{"no":{"Snatch":"Rykk"}}"#).unwrap();
        assert_eq!(t.translate("no", "Snatch"), "Rykk");
        assert_eq!(t.key_count(), 1);
        assert!(matches!(Translations::parse(b"[]"), Err(TranslationsError::Empty)));
        assert!(matches!(Translations::parse(b"nope"), Err(TranslationsError::Json(_))));
    }
}
