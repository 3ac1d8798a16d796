//! Validating a plugin folder: the one load step the registry and `owlcms-tracker check-plugin`
//! share ([`PluginFiles::load`]), and the offline check that also runs the mapping on the
//! bundled sample competition ([`check_dir`]), for authors and for CI of plugin repositories.

use super::manifest::{PluginConfig, Requirement};
use super::mapping::Mapping;
use super::registry::{BuiltIn, PluginProblem, SHARED_FILE};
use super::sample::SampleData;
use crate::views::worker::Workers;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The texts of a plugin's files; [`PluginFiles::load`] is the one validation the server and
/// `owlcms-tracker check-plugin` share.
pub struct PluginFiles<'a> {
    /// `config.json`.
    pub config: &'a str,
    /// `mapping.jq`.
    pub mapping: &'a str,
    /// `shared.jq` (empty when there is none).
    pub shared: &'a str,
}

impl PluginFiles<'_> {
    /// Validates the config and compiles the mapping after the shared definitions; a problem
    /// names the file (as given), the line, the column and what went wrong.
    pub fn load(
        &self,
        config_file: &str,
        mapping_file: &str,
        shared_file: &str,
    ) -> Result<(PluginConfig, Mapping), PluginProblem> {
        let config = PluginConfig::parse(self.config).map_err(|e| PluginProblem {
            file: config_file.to_owned(),
            line: e.line,
            column: None,
            message: match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message,
            },
        })?;
        let mapping =
            Mapping::compile_with_shared(self.shared, self.mapping).map_err(|(in_shared, e)| PluginProblem {
                file: if in_shared { shared_file } else { mapping_file }.to_owned(),
                line: e.line,
                column: e.column,
                message: match e.column {
                    Some(column) => format!("column {column}: {}", e.message),
                    None => e.message,
                },
            })?;
        Ok((config, mapping))
    }
}

/// What a successful check found.
#[derive(Debug)]
pub struct CheckReport {
    /// Plugin id (the folder name).
    pub id: String,
    /// The parsed config.
    pub config: PluginConfig,
    /// Which `shared.jq` the mapping was compiled with.
    pub shared: String,
    /// One line per sample run: what it ran on and what the mapping produced.
    pub runs: Vec<String>,
}

/// Checks a plugin folder as the server would load it: `config.json` against the schema,
/// `mapping.jq` compiled after `shared.jq` (the one beside the folder, else the built-in one),
/// then run on the bundled sample competition and on an input before OWLCMS sent anything.
pub async fn check_dir(dir: &Path) -> Result<CheckReport, PluginProblem> {
    let shown = dir.display().to_string();
    let shown = shown.trim_end_matches('/');
    let id = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| shown.to_owned());
    let file = |name: &str| format!("{shown}/{name}");
    let read =
        |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| PluginProblem::unreadable(file(name), &e));
    let (config_text, mapping_text) = (read("config.json")?, read("mapping.jq")?);
    let beside = dir.join("..").join(SHARED_FILE);
    let (shared, shared_file) = match std::fs::read_to_string(&beside) {
        Ok(text) => (text, shared_path(Path::new(shown), &beside)),
        Err(_) => {
            let built_in = BuiltIn::get(SHARED_FILE).map(|f| String::from_utf8_lossy(&f.data).into_owned());
            (built_in.unwrap_or_default(), format!("the built-in {SHARED_FILE}"))
        }
    };
    let files = PluginFiles { config: &config_text, mapping: &mapping_text, shared: &shared };
    let (config, mapping) = files.load(&file("config.json"), &file("mapping.jq"), &shared_file)?;
    let mapping = std::sync::Arc::new(mapping);
    let sample = SampleData::load().await;
    let languages: Vec<String> = sample.languages();
    let options = serde_json::to_value(config.resolve_options(&BTreeMap::new(), &languages)).unwrap_or_default();
    let with_database = config.requires.contains(&Requirement::Database);
    let fop = config.fop_required.then_some(super::sample::SAMPLE_FOP);
    let workers = Workers::start(1, Duration::from_secs(5));
    let mut runs = Vec::new();
    for (label, input) in [
        ("the sample competition", sample.input(fop, &options, with_database).await),
        ("an input before OWLCMS sent anything", SampleData::empty_input(&options, with_database)),
    ] {
        let translations = sample.translations("en");
        let (job_mapping, job_options) = (mapping.clone(), options.clone());
        let started = Instant::now();
        let result = workers.run(move || job_mapping.run(&input, &job_options, &translations, "en")).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let runtime = |message: String| PluginProblem {
            file: file("mapping.jq"),
            line: None,
            column: None,
            message: format!("{message} (on {label})"),
        };
        let view = match result {
            Ok(Ok(view)) => view,
            Ok(Err(e)) => return Err(runtime(e.to_string())),
            Err(e) => return Err(runtime(e.to_string())),
        };
        let Value::Object(map) = &view else {
            return Err(runtime(format!(
                "the mapping must produce a JSON object, not {}",
                crate::views::kind_of(&view)
            )));
        };
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        runs.push(format!("ran on {label} in {ms:.1} ms: an object with {}", keys.join(", ")));
    }
    Ok(CheckReport { id, config, shared: shared_file, runs })
}

/// `plugins/shared.jq` for `plugins/my-board`; an absolute path when the folder is `.` or `..`.
fn shared_path(shown: &Path, beside: &Path) -> String {
    let named = matches!(shown.components().next_back(), Some(std::path::Component::Normal(_)));
    match shown.parent() {
        Some(parent) if named => parent.join(SHARED_FILE).display().to_string(),
        _ => beside.canonicalize().unwrap_or_else(|_| beside.to_path_buf()).display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bundled_plugin_passes_and_a_syntax_error_names_file_line_and_column() {
        let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
        let report = check_dir(&plugins.join("lifting-order")).await.unwrap();
        assert_eq!(report.id, "lifting-order");
        assert_eq!(report.runs.len(), 2, "{:?}", report.runs);
        assert!(report.shared.ends_with("plugins/shared.jq"), "{}", report.shared);
        let beside = plugins.join("shared.jq");
        assert_eq!(shared_path(Path::new("lifting-order"), &beside), "shared.jq");
        assert!(shared_path(Path::new("."), &beside).ends_with("/plugins/shared.jq"));
        let tmp = tempfile::tempdir().unwrap();
        let broken = tmp.path().join("broken");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::write(broken.join("config.json"), r#"{"name": "B", "page": "generic-table"}"#).unwrap();
        std::fs::write(broken.join("mapping.jq"), "{title: .fop,\n rows: [ .athletes[] | ] }").unwrap();
        let problem = check_dir(&broken).await.unwrap_err();
        assert!(problem.file.ends_with("broken/mapping.jq"), "{problem}");
        assert_eq!((problem.line, problem.column.is_some()), (Some(2), true), "{problem}");
        std::fs::write(broken.join("mapping.jq"), "{a: (.nosuch | keys)}").unwrap();
        let problem = check_dir(&broken).await.unwrap_err();
        assert!(problem.message.contains("runtime error") && problem.message.contains("sample"), "{problem}");
    }
}
