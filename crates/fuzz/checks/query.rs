//! Fuzz property of the SSE/view URL query and option coercion: what `/api/stream` and
//! `/api/view` do with `?plugin=&fop=&lang=&<options>` (web/request.rs) before a view key exists.

use axum::extract::Query;
use axum::http::Uri;
use owlcms_tracker::hub::translations::Translations;
use owlcms_tracker::plugins::manifest::{Choices, OptionKind, OptionSpec, PluginConfig};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The real plugin schemas and a set of languages, as a running tracker has them.
pub struct Context {
    configs: Vec<(String, PluginConfig)>,
    translations: Translations,
    languages: Vec<String>,
}

impl Context {
    /// Reads every `plugins/*/config.json` of the repository at `root`.
    pub fn load(root: &Path) -> Context {
        let mut configs = Vec::new();
        for entry in std::fs::read_dir(root.join("plugins")).expect("plugins folder").flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path().join("config.json")) else { continue };
            let config = PluginConfig::parse(&text).expect("the shipped plugins are valid");
            configs.push((entry.file_name().to_string_lossy().into_owned(), config));
        }
        configs.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(!configs.is_empty(), "no plugin found under {}", root.display());
        let languages = ["en", "fr", "fr_CA", "no", "es", "pt_BR"];
        let locales: HashMap<String, HashMap<String, String>> =
            languages.iter().map(|l| ((*l).to_owned(), HashMap::new())).collect();
        let mut languages: Vec<String> = locales.keys().cloned().collect();
        languages.sort();
        Context { configs, translations: Translations { locales, checksum: None }, languages }
    }

    /// Parses `data` as a URL query the way the server does (the request target, then axum's
    /// `Query`), then resolves it against every plugin: the options are exactly the schema's,
    /// typed and in range, and canonical (resolving the canonical values again changes nothing,
    /// so one view is one key).
    pub fn check(&self, data: &[u8]) {
        let mut target = b"/api/stream?".to_vec();
        target.extend_from_slice(data);
        let Ok(uri) = Uri::try_from(target) else { return };
        let Ok(Query(params)) = Query::<BTreeMap<String, String>>::try_from_uri(&uri) else { return };
        for name in ["lang", "language"] {
            if let Some(lang) = params.get(name) {
                let locale = self.translations.resolve_locale(lang);
                assert!(locale.is_some_and(|l| self.languages.iter().any(|k| k == l)), "{lang:?} → {locale:?}");
            }
        }
        for (id, config) in &self.configs {
            let options = config.resolve_options(&params, &self.languages);
            let keys: Vec<&str> = options.keys().map(String::as_str).collect();
            let mut schema: Vec<&str> = config.options.iter().map(|o| o.key.as_str()).collect();
            schema.sort_unstable();
            assert_eq!(keys, schema, "{id}: the options are the schema's keys");
            for option in &config.options {
                let value = &options[&option.key];
                typed(id, option, value, &self.languages);
            }
            let canonical: BTreeMap<String, String> = options
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
            assert_eq!(config.resolve_options(&canonical, &self.languages), options, "{id}: canonical options move");
        }
    }
}

/// A resolved value has its option's type, is allowed by it, and is its own coercion.
fn typed(id: &str, option: &OptionSpec, value: &Value, languages: &[String]) {
    let key = &option.key;
    match option.kind {
        OptionKind::Boolean => assert!(value.is_boolean(), "{id}.{key} = {value}"),
        OptionKind::Number => {
            let n = value.as_f64().unwrap_or_else(|| panic!("{id}.{key} = {value} is not a number"));
            assert!(option.min.is_none_or(|min| n >= min) && option.max.is_none_or(|max| n <= max), "{id}.{key} = {n}");
        }
        OptionKind::Text => {
            assert!(value.as_str().is_some_and(|s| s.chars().count() <= 200), "{id}.{key} = {value}");
        }
        OptionKind::Select => {
            let text = value.as_str().unwrap_or_else(|| panic!("{id}.{key} = {value} is not text"));
            match &option.choices {
                Some(Choices::List(list)) => assert!(list.iter().any(|c| c.value() == text), "{id}.{key} = {text:?}"),
                Some(Choices::Dynamic(_)) => assert!(languages.iter().any(|l| l == text), "{id}.{key} = {text:?}"),
                None => panic!("{id}.{key}: a select without choices was accepted"),
            }
        }
    }
    assert_eq!(option.coerce(value, Some(languages)).as_ref(), Some(value), "{id}.{key} = {value} is not canonical");
}
