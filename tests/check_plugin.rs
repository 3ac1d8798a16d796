//! `owlcms-tracker check-plugin <dir>` as plugin repositories run it in CI: every bundled
//! plugin passes; broken copies fail with a non-zero exit and the file and line.

use e2e::tracker_binary;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plugins() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins")
}

fn check(dirs: &[&Path]) -> Output {
    Command::new(tracker_binary()).arg("check-plugin").args(dirs).env_remove("RUST_LOG").output().unwrap()
}

fn texts(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn every_bundled_plugin_passes() {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(plugins()).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 11, "{dirs:?}");
    let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let output = check(&refs);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "exit {:?}\n{stdout}\n{stderr}", output.status);
    for dir in &dirs {
        let id = dir.file_name().unwrap().to_str().unwrap();
        assert!(stdout.contains(&format!("ok {id}: config.json valid")), "{id} not reported:\n{stdout}");
    }
    assert!(
        stdout.contains("compiled with") && stdout.contains("compiled with /") && stdout.contains("/plugins/shared.jq"),
        "{stdout}"
    );
    assert!(stdout.contains("ran on the sample competition"), "{stdout}");
    assert!(stdout.contains("ran on an input before OWLCMS sent anything"), "{stdout}");
}

#[test]
fn a_broken_copy_fails_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    // A copy outside the plugins folder: compiled with the built-in shared.jq.
    let copy = tmp.path().join("my-board");
    copy_dir(&plugins().join("lifting-order"), &copy);
    let ok = check(&[&copy]);
    let (stdout, stderr) = texts(&ok);
    assert!(ok.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ok my-board") && stdout.contains("the built-in shared.jq"), "{stdout}");

    // A syntax error on line 3 of mapping.jq.
    let mapping = std::fs::read_to_string(copy.join("mapping.jq")).unwrap();
    let mut lines: Vec<&str> = mapping.lines().collect();
    lines.insert(2, "  | .athletes[ |");
    std::fs::write(copy.join("mapping.jq"), lines.join("\n")).unwrap();
    let failed = check(&[&copy]);
    let (stdout, stderr) = texts(&failed);
    assert_eq!(failed.status.code(), Some(1), "{stdout}\n{stderr}");
    let expected = format!("error: {}/mapping.jq:3: column", copy.display());
    assert!(stderr.contains(&expected), "wanted {expected:?} in:\n{stderr}");

    // A config with a wrong option type: the file, its line and the field.
    std::fs::write(copy.join("mapping.jq"), mapping).unwrap();
    let config = r#"{
  "name": "Mine",
  "page": "standard-grid",
  "options": [
    {"key": "size", "label": "Size", "type": "txt"}
  ]
}"#;
    std::fs::write(copy.join("config.json"), config).unwrap();
    let failed = check(&[&copy]);
    let (stdout, stderr) = texts(&failed);
    assert_eq!(failed.status.code(), Some(1), "{stdout}\n{stderr}");
    let expected = format!("error: {}/config.json:5: options[0].type: unknown variant", copy.display());
    assert!(stderr.contains(&expected), "wanted {expected:?} in:\n{stderr}");

    // A mapping that compiles but fails on the sample competition.
    std::fs::write(copy.join("config.json"), r#"{"name": "Mine", "page": "generic-table"}"#).unwrap();
    std::fs::write(copy.join("mapping.jq"), "{title: (.athletes[0].fullName | . + 1)}").unwrap();
    let failed = check(&[&copy]);
    let (_, stderr) = texts(&failed);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("mapping.jq: runtime error") && stderr.contains("(on the sample competition)"), "{stderr}");
}
