//! Fuzz property of the `config.json` validator (`plugins::manifest::PluginConfig::parse`).

use owlcms_tracker::plugins::manifest::PluginConfig;
use std::collections::BTreeMap;

/// Parses `data` as a plugin's `config.json`. A refusal names a line of the file; an accepted
/// config survives a write-and-read round trip, and every option's default is a value the
/// option itself would produce (so a board with default options has the same view key as one
/// whose URL spells the defaults out).
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match PluginConfig::parse(text) {
        Ok(config) => config,
        Err(error) => {
            let lines = text.matches('\n').count() + 1;
            if let Some(line) = error.line {
                assert!((1..=lines).contains(&line), "error line {line} outside 1..={lines}: {error:?}");
            }
            assert!(!error.message.is_empty());
            return;
        }
    };
    let written = serde_json::to_string(&config).expect("a config serialises");
    let again = PluginConfig::parse(&written).unwrap_or_else(|e| panic!("a written config is refused: {e:?}"));
    assert_eq!(serde_json::to_string(&again).expect("serialise"), written, "the round trip changes the config");
    let resolved = config.resolve_options(&BTreeMap::new(), &[]);
    for option in &config.options {
        let default = option.default_value();
        assert_eq!(resolved[&option.key], default, "no parameter: the default");
        assert_eq!(
            option.coerce(&default, None).as_ref(),
            Some(&default),
            "option {:?}: default not canonical",
            option.key
        );
    }
}
