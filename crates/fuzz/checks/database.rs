//! Fuzz property of the V2 database normaliser (`hub::database::Database::parse`).

use owlcms_tracker::hub::database::Database;
use owlcms_tracker::protocol::scalar::key_string;

/// Parses `data` as a database. A parsed one indexes each athlete at its own place, and
/// normalising is idempotent: the normalised JSON parses to the same database again.
pub fn check(data: &[u8]) {
    let Ok(db) = Database::parse(data, None) else { return };
    assert_eq!(db.checksum, db.bytes_hash, "without an OWLCMS checksum the bytes' hash is the identity");
    let athletes = db.raw["athletes"].as_array().expect("a parsed database has athletes");
    for (key, &index) in &db.athlete_index {
        let athlete = &athletes[index];
        assert_eq!(athlete.get("key").and_then(key_string).as_ref(), Some(key), "index {index} is not athlete {key}");
        assert_eq!(db.athlete(&serde_json::Value::String(key.clone())), Some(athlete));
    }
    let bytes = serde_json::to_vec(&db.raw).expect("serialise");
    let again = Database::parse(&bytes, None).expect("a normalised database parses again");
    assert_eq!(again.raw, db.raw, "normalising twice changes nothing");
    assert_eq!(again.athlete_index, db.athlete_index);
    assert_eq!(again.fop_names, db.fop_names);
}
