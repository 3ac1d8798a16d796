//! Unit tests of the competition state machine (`Competition::apply`).

use super::*;
use serde_json::json;

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

#[test]
fn p4_updates_before_the_database_are_kept_and_ask_for_it() {
    let mut c = Competition::default();
    let out = c.apply(Input::Update(map(json!({"fop": "A", "fullName": "X"}))), 1);
    assert_eq!(out.missing, [Resource::Database, Resource::TranslationsZip]);
    assert_eq!(c.fops["A"].field("fullName").as_deref(), Some("X"));
}

#[test]
fn p6_database_metadata_never_touches_fop_state() {
    let mut c = Competition::default();
    c.apply(Input::Update(map(json!({"fop": "A", "fullName": "X"}))), 1);
    let out = c.apply(Input::DatabaseMetadata("abc".into()), 2);
    assert_eq!(out.fop, None);
    assert_eq!(c.fops["A"].version, 1);
    assert_eq!(c.announced_checksum.as_deref(), Some("abc"));
}

#[test]
fn the_hub_decides_whether_a_database_is_the_loaded_one() {
    let mut c = Competition::default();
    let db = |raw: Value, checksum: Option<&str>| {
        let bytes = serde_json::to_vec(&raw).unwrap();
        Arc::new(Database::from_value(raw, checksum.map(str::to_owned), crate::hash::sha256_hex(&bytes)).unwrap())
    };
    let first = json!({"athletes": [{"key": 1}], "platforms": [{"name": "A"}]});
    assert_eq!(c.apply(Input::DatabaseOffered(None), 1).database, None, "nothing loaded yet");
    assert_eq!(c.apply(Input::DatabaseLoaded(db(first.clone(), Some("c1"))), 2).database, Some(Loaded::New));
    // Announced with the loaded checksum: no need to parse it.
    c.apply(Input::DatabaseMetadata("c1".into()), 3);
    let out = c.apply(Input::DatabaseOffered(None), 4);
    assert_eq!(
        (out.database, c.database_loaded_at_ms, c.announced_checksum.clone()),
        (Some(Loaded::Unchanged), 4, None)
    );
    assert_eq!(c.apply(Input::DatabaseOffered(Some("c2".into())), 5).database, None);
    // Same bytes under another checksum: kept; other bytes: loaded.
    let out = c.apply(Input::DatabaseLoaded(db(first, Some("c2"))), 6);
    assert_eq!((out.database, c.database.as_ref().unwrap().checksum.as_str()), (Some(Loaded::Unchanged), "c1"));
    let second = json!({"athletes": [{"key": 1}, {"key": 2}], "platforms": [{"name": "A"}]});
    assert_eq!(c.apply(Input::DatabaseLoaded(db(second, None)), 7).database, Some(Loaded::New));
}

#[test]
fn translations_with_the_loaded_checksum_change_nothing() {
    let mut c = Competition::default();
    let t = |checksum: Option<&str>| {
        Arc::new(Translations { locales: Default::default(), checksum: checksum.map(str::to_owned) })
    };
    assert_eq!(c.apply(Input::TranslationsLoaded(t(Some("x"))), 1).translations, Some(Loaded::New));
    let out = c.apply(Input::TranslationsLoaded(t(Some("x"))), 2);
    assert_eq!((out.translations, out.competition, c.translations_revision), (Some(Loaded::Unchanged), false, 1));
    assert_eq!(c.apply(Input::TranslationsLoaded(t(None)), 3).translations, Some(Loaded::New));
    assert_eq!(c.translations_revision, 2);
}

#[test]
fn protocol_mismatch_latches_until_a_valid_message() {
    let mut c = Competition::default();
    c.apply(Input::ProtocolMismatch { received: Some("2.3.0".into()), reason: "old".into() }, 1);
    assert!(c.protocol_error.is_some());
    let out = c.apply(Input::Timer(map(json!({"fopName": "A"}))), 2);
    assert!(out.competition && c.protocol_error.is_none());
}

#[test]
fn flags_requested_when_athletes_refer_to_them() {
    let mut c = Competition::default();
    let update = json!({"sessionAthletes": [{"athleteKey": "1", "displayInfo": {"flagURL": "/local/flags/A B.svg"}}]});
    let out = c.apply(Input::Update(map(update.clone())), 1);
    assert!(out.missing.contains(&Resource::FlagsZip));
    c.apply(Input::AssetsReplaced(AssetKind::Flags, AssetInfo { files: 1, bytes: 1, loaded_at_ms: 1 }), 2);
    assert!(!c.apply(Input::Update(map(update)), 3).missing.contains(&Resource::FlagsZip));
}
