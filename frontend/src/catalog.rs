//! Landing-page grouping of the plugin catalogue (no browser API).

use owlcms_contract::{OptionSpec, PluginInfo};

/// Known categories, in the order the landing page shows them.
const KNOWN: [(&str, &str); 5] = [
    ("scoreboards", "Scoreboards"),
    ("attempt-board", "Attempt boards"),
    ("overlays", "Video overlays (OBS)"),
    ("teams", "Teams"),
    ("documents", "Documents"),
];

/// A landing-page section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Category key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Its plugins, by `order` then name.
    pub plugins: Vec<PluginInfo>,
}

/// "my-own_stuff" → "My own stuff".
fn title_of(key: &str) -> String {
    let words = key.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Other".to_owned(),
    }
}

/// Plugins grouped by category: the known categories first in their fixed order, then the
/// others alphabetically. Hidden plugins are left out; plugins that never loaded stay (their
/// card shows the error).
pub fn sections(plugins: &[PluginInfo]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for plugin in plugins.iter().filter(|p| !p.hidden) {
        let key = plugin.category.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| "other".to_owned());
        match sections.iter_mut().find(|s| s.key == key) {
            Some(section) => section.plugins.push(plugin.clone()),
            None => {
                let title =
                    KNOWN.iter().find(|(k, _)| *k == key).map_or_else(|| title_of(&key), |(_, t)| (*t).to_owned());
                sections.push(Section { key, title, plugins: vec![plugin.clone()] });
            }
        }
    }
    let rank = |key: &str| KNOWN.iter().position(|(k, _)| *k == key).unwrap_or(KNOWN.len());
    sections.sort_by(|a, b| rank(&a.key).cmp(&rank(&b.key)).then_with(|| a.key.cmp(&b.key)));
    for section in &mut sections {
        section.plugins.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name)));
    }
    sections
}

/// Options grouped under their `group` headings, in order of first appearance; options
/// without a group come first, under `None`.
pub fn option_groups(options: &[OptionSpec]) -> Vec<(Option<String>, Vec<OptionSpec>)> {
    let mut groups: Vec<(Option<String>, Vec<OptionSpec>)> = Vec::new();
    for option in options {
        let group = option.group.clone().filter(|g| !g.trim().is_empty());
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(option.clone()),
            None => groups.push((group, vec![option.clone()])),
        }
    }
    groups.sort_by_key(|(g, _)| g.is_some());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plugin(id: &str, category: Option<&str>, order: i32, hidden: bool) -> PluginInfo {
        PluginInfo {
            id: id.into(),
            name: id.into(),
            category: category.map(str::to_owned),
            order,
            hidden,
            ..Default::default()
        }
    }

    #[test]
    fn known_categories_first_then_others_alphabetically() {
        let plugins = vec![
            plugin("lower-third", Some("overlays"), 10, false),
            plugin("medals", Some("zz-custom"), 1, false),
            plugin("rankings", Some("scoreboards"), 30, false),
            plugin("secret", Some("scoreboards"), -1, true),
            plugin("start-order", Some("scoreboards"), 10, false),
            plugin("attempt-board", Some("attempt-board"), 10, false),
            plugin("notes", None, 0, false),
            plugin("book", Some("documents"), 0, false),
            plugin("ab", Some("alpha_things"), 0, false),
        ];
        let s = sections(&plugins);
        let keys: Vec<&str> = s.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            ["scoreboards", "attempt-board", "overlays", "documents", "alpha_things", "other", "zz-custom"]
        );
        let ids: Vec<&str> = s[0].plugins.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["start-order", "rankings"], "by order; hidden left out");
        assert_eq!(s[2].title, "Video overlays (OBS)");
        assert_eq!(s[4].title, "Alpha things");
        assert_eq!(s[5].title, "Other");
    }

    #[test]
    fn groups_keep_first_appearance_order() {
        let options: Vec<OptionSpec> = serde_json::from_value(json!([
            {"key": "a", "group": "Sections"}, {"key": "b", "group": "Display"},
            {"key": "c", "group": "Sections"}, {"key": "d"}
        ]))
        .unwrap();
        let groups = option_groups(&options);
        let shape: Vec<(Option<&str>, Vec<&str>)> =
            groups.iter().map(|(g, o)| (g.as_deref(), o.iter().map(|o| o.key.as_str()).collect())).collect();
        assert_eq!(shape, [(None, vec!["d"]), (Some("Sections"), vec!["a", "c"]), (Some("Display"), vec!["b"])]);
    }
}
