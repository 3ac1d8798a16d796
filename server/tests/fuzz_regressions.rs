//! Regressions for what the fuzz targets (crates/fuzz) found: one test per finding, named after
//! what must hold, beside the finding's input kept under crates/fuzz/seeds/<target>/.

use owlcms_tracker::plugins::manifest::PluginConfig;
use std::collections::BTreeMap;

/// Found by `plugin_config`: a select default spelt otherwise than its choice (`"no:ne"` for
/// `none`) passed validation, since it matches the choice, but was used as spelt. The board
/// with default options then had another view key than `?score=none`, and its mapping saw a
/// value that is none of the choices.
#[test]
fn a_default_is_the_value_a_url_would_give() {
    let config = PluginConfig::parse(
        r#"{"name": "X", "page": "standard-grid", "options": [
            {"key": "score", "label": "Score", "type": "select", "choices": ["none", "qpoints"], "default": "no:ne"},
            {"key": "size", "label": "Size", "type": "number", "min": 2, "max": 3},
            {"key": "title", "label": "Title", "type": "text", "default": "  Live  "}]}"#,
    )
    .expect("valid: the default matches a choice");
    let defaults = config.resolve_options(&BTreeMap::new(), &[]);
    let spelt: BTreeMap<String, String> =
        [("score", "none"), ("size", "2"), ("title", "Live")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(defaults, config.resolve_options(&spelt, &[]));
    assert_eq!(serde_json::to_string(&defaults).unwrap(), r#"{"score":"none","size":2,"title":"Live"}"#);
}
