//! Tests of shared parts (cache hits, a new identity converting again, the bound) and of the
//! split input: every bundled plugin makes the same view from it as from the whole document.

use super::*;
use crate::plugins::check::PluginFiles;
use crate::plugins::manifest::Requirement;
use crate::plugins::sample::SampleData;
use jaq_json::Rc;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A part that counts how often it is built.
fn counted(id: &str, value: Value) -> (SharedPart, Arc<AtomicUsize>) {
    let builds = Arc::new(AtomicUsize::new(0));
    let seen = builds.clone();
    let part = SharedPart::new(id.to_owned(), move || {
        seen.fetch_add(1, Ordering::Relaxed);
        value.clone()
    });
    (part, builds)
}

#[test]
fn a_part_is_converted_once_per_identity_and_thread() {
    // Each test runs on its own thread: the counters below are this test's alone.
    let (part, builds) = counted("test/tr/1/fr", json!({"Snatch": "Arraché"}));
    let before = conversions_on_this_thread();
    let first = part.to_val();
    let again = part.to_val();
    assert_eq!(builds.load(Ordering::Relaxed), 1, "the second run hits the cache");
    assert_eq!(conversions_on_this_thread() - before, 1);
    assert_eq!(val_to_json(&first), json!({"Snatch": "Arraché"}));
    match (&first, &again) {
        (Val::Obj(a), Val::Obj(b)) => assert!(Rc::ptr_eq(a, b), "a hit shares the converted value"),
        other => panic!("not objects: {other:?}"),
    }
    // New content comes with a new identity (a new translations revision): converted again.
    let (changed, rebuilt) = counted("test/tr/2/fr", json!({"Snatch": "Arr."}));
    assert_eq!(val_to_json(&changed.to_val()), json!({"Snatch": "Arr."}));
    assert_eq!(rebuilt.load(Ordering::Relaxed), 1);
    assert_eq!(conversions_on_this_thread() - before, 2);
    // Another thread has its own cache.
    let other = std::thread::spawn(move || {
        part.to_val();
        conversions_on_this_thread()
    });
    assert_eq!(other.join().unwrap(), 1);
    assert_eq!(builds.load(Ordering::Relaxed), 2);
}

#[test]
fn the_cache_holds_at_most_its_bound_and_evicts_the_least_recently_used() {
    let parts: Vec<_> = (0..=CACHED_PARTS).map(|i| counted(&format!("test/bound/{i}"), json!(i))).collect();
    for (part, _) in &parts[..CACHED_PARTS] {
        part.to_val();
    }
    parts[0].0.to_val(); // used again: now the most recent
    parts[CACHED_PARTS].0.to_val(); // evicts part 1, the least recently used
    assert_eq!(CACHE.with(|c| c.borrow().len()), CACHED_PARTS);
    parts[0].0.to_val();
    assert_eq!(parts[0].1.load(Ordering::Relaxed), 1, "part 0 stayed");
    parts[1].0.to_val();
    assert_eq!(parts[1].1.load(Ordering::Relaxed), 2, "part 1 was evicted and is built again");
}

#[test]
fn keyed_athletes_are_converted_once_and_shared() {
    let athlete = json!({"key": "7", "lastName": "Kværnø", "scores": {"sinclair": 301.5}});
    let input = Input {
        doc: json!({"athletes": [athlete, {"isSpacer": true}], "current": athlete, "n": 1, "tr": null}),
        shared: vec![("tr", SharedPart::value("test/keyed/tr", Arc::new(json!({"a": "b"}))))],
        keyed: vec!["athletes", "current"],
    };
    let val = input.to_val();
    assert_eq!(val_to_json(&val), input.to_json());
    assert_eq!(input.to_json()["tr"], json!({"a": "b"}), "the shared part takes its placeholder's place");
    let keys: Vec<String> = input.to_json().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["athletes", "current", "n", "tr"], "fields keep their order");
    let Val::Obj(root) = &val else { panic!("not an object") };
    let in_list = match root.get(&Val::from("athletes".to_owned())) {
        Some(Val::Arr(items)) => items[0].clone(),
        other => panic!("athletes: {other:?}"),
    };
    match (in_list, root.get(&Val::from("current".to_owned()))) {
        (Val::Obj(a), Some(Val::Obj(b))) => assert!(Rc::ptr_eq(&a, b), "one conversion for both fields"),
        other => panic!("not objects: {other:?}"),
    }
}

/// Every bundled plugin, compiled with `shared.jq`.
fn bundled_plugins() -> Vec<(String, crate::plugins::manifest::PluginConfig, crate::plugins::mapping::Mapping)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    let shared = std::fs::read_to_string(dir.join("shared.jq")).unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path().join("config.json").exists()) {
        let read = |name: &str| std::fs::read_to_string(entry.path().join(name)).unwrap();
        let (config, mapping) = (read("config.json"), read("mapping.jq"));
        let files = PluginFiles { config: &config, mapping: &mapping, shared: &shared };
        let (config, mapping) = files.load("config.json", "mapping.jq", "shared.jq").unwrap();
        out.push((entry.file_name().to_string_lossy().into_owned(), config, mapping));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test]
async fn every_plugin_makes_the_same_view_from_the_shared_input() {
    let sample = SampleData::load().await;
    let plugins = bundled_plugins();
    assert!(plugins.len() >= 10, "found {} plugins", plugins.len());
    let languages = sample.languages();
    let mut compared = 0;
    for (id, config, mapping) in &plugins {
        let options = serde_json::to_value(config.resolve_options(&BTreeMap::new(), &languages)).unwrap();
        let with_database = config.requires.contains(&Requirement::Database);
        let fop = config.fop_required.then_some(crate::plugins::sample::SAMPLE_FOP);
        let mut whole = sample.input(fop, &options, with_database).await;
        let shared = sample.shared_input(fop, &options, with_database).await;
        let mut split = shared.to_json();
        // Built a moment apart: the only field that may differ.
        whole["generatedAtMs"] = json!(0);
        split["generatedAtMs"] = json!(0);
        assert_eq!(serde_json::to_string(&split).unwrap(), serde_json::to_string(&whole).unwrap(), "{id}: input");
        let mut shared = shared;
        shared.doc["generatedAtMs"] = json!(0);
        let tr = sample.translations("en");
        let tr_part = SharedPart::value(format!("test/plugins/tr/{id}"), Arc::new(tr.clone()));
        // Twice: the second run takes the shared parts from the cache.
        for _ in 0..2 {
            let from_whole = mapping.run(&whole, &options, &tr, "en").unwrap();
            let from_split = mapping.run_input(&shared, &options, &tr_part, "en").unwrap();
            let (a, b) = (serde_json::to_vec(&from_whole).unwrap(), serde_json::to_vec(&from_split).unwrap());
            assert!(a == b, "{id}: views differ");
        }
        compared += with_database as usize;
    }
    assert!(compared >= 3, "plugins with the database compared: {compared}");
}
