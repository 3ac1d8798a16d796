//! Seed inputs of every fuzz target, built from the real OWLCMS samples (`samples/owlcms`, and
//! any extra folder of captured payloads) and the shipped plugins. The replay test feeds them
//! to the checks; `scripts/fuzz` writes them out as the starting corpora. Seeds whose name
//! starts with `full-` hold whole samples (hundreds of KB): replayed, but not written out, since
//! libFuzzer mutates small inputs far faster.

use owlcms_simulator::wire::encode_frame;
use serde_json::{Map, Value, json};
use std::io::{Cursor, Write};
use std::path::Path;

/// One seed input.
pub type Seed = (String, Vec<u8>);

/// The protocol version OWLCMS 64 sends.
const VERSION: &str = "64.0.0";

/// The real payloads of a samples folder, with the message type each one is.
pub fn payloads(dir: &Path) -> Vec<(String, &'static str, Map<String, Value>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if !name.ends_with(".json") {
                continue;
            }
            let upper = name.to_ascii_uppercase();
            let kind = match () {
                _ if upper.contains("TIMER") => "timer",
                _ if upper.contains("DECISION") => "decision",
                _ if upper.starts_with("DATABASE") || upper.contains("-DATABASE") => "database",
                _ if upper.contains("UPDATE") => "update",
                _ => continue,
            };
            let Ok(Value::Object(payload)) = serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()) else {
                continue;
            };
            found.push((name.trim_end_matches(".json").to_owned(), kind, payload));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The value with every array cut to its first `n` items: the same shape, a small size.
pub fn shrink(value: &Value, n: usize) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().take(n).map(|v| shrink(v, n)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), shrink(v, n))).collect()),
        other => other.clone(),
    }
}

/// A text frame as OWLCMS sends it.
pub fn envelope(kind: &str, payload: &Value) -> String {
    json!({"version": VERSION, "type": kind, "payload": payload}).to_string()
}

fn small(payload: &Map<String, Value>) -> Value {
    shrink(&Value::Object(payload.clone()), 4)
}

/// Seeds of the `text` target: every sample in its envelope, and the refusals.
pub fn text(samples: &[(String, &'static str, Map<String, Value>)]) -> Vec<Seed> {
    let mut seeds: Vec<Seed> = samples
        .iter()
        .flat_map(|(name, kind, payload)| {
            [
                (name.clone(), envelope(kind, &small(payload)).into_bytes()),
                (format!("full-{name}"), envelope(kind, &Value::Object(payload.clone())).into_bytes()),
            ]
        })
        .collect();
    let handmade = [
        r#"{"version":"64.0.0","type":"timer","payload":"{\"athleteTimerEventType\":\"StartTime\",\"athleteMillisRemaining\":\"60000\"}"}"#,
        r#"{"version":"64.1.0-rc02","type":"database_metadata","payload":{"databaseChecksum":"abc"}}"#,
        r#"{"version":"2.3.0","type":"update","payload":{}}"#,
        r#"{"version":64,"type":"update","payload":{"fop":"A"}}"#,
        r#"{"type":"update","payload":{}}"#,
        r#"{"version":"64.0.0+build7","type":"styles","payload":{"x":[1,"-130","1e3",true,"yes"]}}"#,
    ];
    seeds.extend(handmade.iter().enumerate().map(|(i, t)| (format!("handmade-{i}"), t.as_bytes().to_vec())));
    seeds
}

/// A ZIP of the given entries (a name ending in `/` is a folder).
pub fn zip_of(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let options = SimpleFileOptions::default().compression_method(method);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        if let Some(dir) = name.strip_suffix('/') {
            writer.add_directory(dir, options).expect("zip folder");
        } else {
            writer.start_file(*name, options).expect("zip entry");
            writer.write_all(data).expect("zip data");
        }
    }
    writer.finish().expect("zip").into_inner()
}

fn small_database(samples: &[(String, &'static str, Map<String, Value>)]) -> Value {
    samples
        .iter()
        .find(|(_, kind, p)| *kind == "database" && p.contains_key("database"))
        .map(|(_, _, p)| shrink(&p["database"], 3))
        .unwrap_or_else(|| json!({"athletes": [{"key": 1, "fullBirthDate": [2001, 1, 18]}]}))
}

/// Seeds of the `archive` target: the ZIPs OWLCMS sends, and the ones it must refuse.
pub fn archive(samples: &[(String, &'static str, Map<String, Value>)]) -> Vec<Seed> {
    let database = serde_json::to_vec(&small_database(samples)).expect("serialise");
    let translations = br#"{"locales":{"en":{"Snatch":"Snatch"},"fr":{"Snatch":"Arrach&eacute;"}}}"#;
    let zips = [
        ("database", zip_of(&[("competition.json", &database)], true)),
        ("translations", zip_of(&[("translations.json", translations)], true)),
        ("flags", zip_of(&[("flags/", b""), ("flags/AK Bjørgvin.png", b"png"), ("flags/NOR.svg", b"<svg/>")], false)),
        ("pictures", zip_of(&[("123.jpg", &[0xff, 0xd8, 0xff, 0xe0]), ("sub/dir/456.jpg", b"jpg")], true)),
        ("traversal", zip_of(&[("ok.png", b"1"), ("../evil.png", b"2")], false)),
        ("absolute", zip_of(&[("/etc/x", b"2")], false)),
        ("backslash", zip_of(&[("a\\b.png", b"2")], false)),
        ("large", zip_of(&[("zeros.bin", &[0u8; 300 * 1024])], true)),
        ("two-json", zip_of(&[("a.json", b"{}"), ("b/database.json", b"{\"a\":1}")], false)),
    ];
    zips.into_iter().map(|(name, bytes)| (name.to_owned(), bytes)).collect()
}

/// Seeds of the `binary_header` target: each frame kind, versioned and legacy, and a bare ZIP.
pub fn binary_header() -> Vec<Seed> {
    let zip = zip_of(&[("NOR.svg", b"<svg/>")], false);
    let mut seeds: Vec<Seed> =
        ["database_zip", "translations_zip", "flags_zip", "logos_zip", "pictures_zip", "gamx_zip"]
            .iter()
            .map(|t| (format!("versioned-{t}"), encode_frame(VERSION, t, &zip)))
            .collect();
    for t in ["database", "flags", "pictures", "translations_zip"] {
        let mut legacy = (t.len() as u32).to_be_bytes().to_vec();
        legacy.extend_from_slice(t.as_bytes());
        legacy.extend_from_slice(&zip);
        seeds.push((format!("legacy-{t}"), legacy));
    }
    seeds.push(("bare-zip".into(), zip));
    seeds.push(("rc-version".into(), encode_frame("64.1.0-rc02", "flags_zip", b"PK\x03\x04")));
    seeds
}

/// Seeds of the `database` target: the real export, cut down, bare and wrapped.
pub fn database(samples: &[(String, &'static str, Map<String, Value>)]) -> Vec<Seed> {
    let small = small_database(samples);
    let mut seeds = vec![
        ("small".to_owned(), serde_json::to_vec(&small).expect("serialise")),
        ("small-wrapped".to_owned(), serde_json::to_vec(&json!({"database": small})).expect("serialise")),
    ];
    for (name, kind, payload) in samples {
        if *kind == "database" && payload.contains_key("database") {
            seeds.push((format!("full-{name}"), serde_json::to_vec(&payload["database"]).expect("serialise")));
        }
    }
    seeds
}

/// Seeds of the `competition` target: the samples one by one, and played in order as a
/// session: database, session switch, lifting, clock, lights (the first `session` samples).
pub fn competition(samples: &[(String, &'static str, Map<String, Value>)], session: usize) -> Vec<Seed> {
    let line = |kind: &str, payload: &Map<String, Value>, full: bool| {
        let mut payload = payload.clone();
        if kind == "update" && !full {
            payload.remove("database");
        }
        let value = if full { Value::Object(payload) } else { small(&payload) };
        envelope(kind, &value)
    };
    let mut seeds: Vec<Seed> =
        samples.iter().map(|(name, kind, p)| (name.clone(), line(kind, p, false).into_bytes())).collect();
    let played = |full: bool| {
        let mut lines = Vec::new();
        for (i, (_, kind, payload)) in samples.iter().take(session).enumerate() {
            lines.push(line(kind, payload, full));
            lines.push(format!("+{}", 1000 * (i + 1)));
        }
        lines.join("\n").into_bytes()
    };
    seeds.push(("session".into(), played(false)));
    seeds.push(("full-session".into(), played(true)));
    let clock = [
        r#"{"version":"64.0.0","type":"timer","payload":{"fop":"A","athleteTimerEventType":"StartTime","athleteMillisRemaining":"60000"}}"#,
        "+10000",
        r#"{"version":"64.0.0","type":"timer","payload":{"fop":"A","athleteTimerEventType":"StopTime"}}"#,
        r#"{"version":"64.0.0","type":"timer","payload":{"fop":"A","athleteTimerEventType":"StopTime","athleteMillisRemaining":50000}}"#,
        r#"{"version":"64.0.0","type":"timer","payload":{"fop":"B","breakTimerEventType":"BreakStarted","breakMillisRemaining":"600000","breakType":"FIRST_SNATCH"}}"#,
        r#"{"version":"64.0.0","type":"update","payload":{"fop":"B","fopState":"BREAK","breakType":"FIRST_SNATCH","breakMillisRemaining":"590000"}}"#,
        r#"{"version":"64.0.0","type":"decision","payload":{"fop":"A","decisionEventType":"DOWN_SIGNAL","down":"true"}}"#,
        r#"{"version":"2.3.0","type":"update","payload":{}}"#,
    ];
    seeds.push(("clocks".into(), clock.join("\n").into_bytes()));
    seeds
}

/// The shipped plugins' `config.json` texts, by plugin id.
pub fn plugin_configs(root: &Path) -> Vec<Seed> {
    let mut seeds: Vec<Seed> = std::fs::read_dir(root.join("plugins"))
        .expect("plugins folder")
        .flatten()
        .filter_map(|e| {
            Some((e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path().join("config.json")).ok()?))
        })
        .collect();
    seeds.sort();
    seeds
}

/// Seeds of the `query` target: for each plugin, its URL with every option spelt out, and
/// with the original tracker's names and odd spellings.
pub fn query(root: &Path) -> Vec<Seed> {
    let mut seeds = Vec::new();
    for (id, text) in plugin_configs(root) {
        let config: Value = serde_json::from_slice(&text).expect("plugin config JSON");
        let mut spelt = format!("plugin={id}&fop=A&lang=fr-CA");
        let mut odd = format!("plugin={id}&language=NO&fop=Plattform%20B");
        for option in config["options"].as_array().into_iter().flatten() {
            let key = option["key"].as_str().unwrap_or_default();
            let default = match &option["default"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            spelt += &format!("&{key}={default}");
            odd += &format!("&{key}=%20{}%20", default.to_uppercase());
            for alias in option["aliases"].as_array().into_iter().flatten() {
                let name = alias.as_str().or_else(|| alias["key"].as_str()).unwrap_or_default();
                odd += &format!("&{name}=1");
            }
        }
        seeds.push((format!("{id}-spelt"), spelt.into_bytes()));
        seeds.push((format!("{id}-odd"), odd.into_bytes()));
    }
    seeds.push(("empty".into(), Vec::new()));
    seeds.push(("escapes".into(), b"plugin=%ZZ&size=1e308&size=-0&theme=+dark+&a=%F0%9F%98%80".to_vec()));
    seeds
}

/// The seeds of one target (`None` for an unknown name).
pub fn of(target: &str, root: &Path, extra_samples: Option<&Path>) -> Option<Vec<Seed>> {
    let samples = || {
        let mut samples = payloads(&root.join("samples/owlcms"));
        let session = samples.len();
        if let Some(extra) = extra_samples {
            samples.extend(payloads(extra));
        }
        (samples, session)
    };
    Some(match target {
        "text" => text(&samples().0),
        "binary_header" => binary_header(),
        "archive" => archive(&samples().0),
        "database" => database(&samples().0),
        "competition" => {
            let (samples, session) = samples();
            competition(&samples, session)
        }
        "query" => query(root),
        "plugin_config" => plugin_configs(root),
        _ => return None,
    })
}
