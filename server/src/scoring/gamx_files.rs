//! The GAMX parameter tables OWLCMS sends in `gamx_zip` (only when asked with a 428, protocol
//! §6.2): which file holds which table, and loading them into [`GamxTables`].
//!
//! What the protocol doc gives: `gamx_zip` carries "GAMX parameter tables", the BCCG tables
//! that tracker-core ships as `static/gamx/params-{sen,mas,iwf,usa}-{men,wom}.json` (§8). The
//! exact ZIP layout of the newest OWLCMS is not in the doc; its GAMX plan (owlcms4 branch
//! `67_1_gamx`, "lazy gamx_zip delivery") zips the `params-*.json` files of its `gamx` folder,
//! named `params-{total,snatch,cj}-{sen,age,u17,mas}-{men,wom}.json`, in the same JSON shape
//! (rows `[bodyMass, mu, sigma, nu]`, or `[age, bodyMass, mu, sigma, nu]`). Both namings are
//! read; the snatch and clean & jerk tables are not used (team scores are of totals).

use super::{GamxTable, GamxTables, GamxVariant, Gender, ScoringError};

/// The total table a file holds, from its name (any folder, any case); `None` for other files
/// (snatch or clean & jerk tables, anything else).
pub fn table_of_file(path: &str) -> Option<(GamxVariant, Gender)> {
    let name = path.rsplit(['/', '\\']).next()?.to_ascii_lowercase();
    let stem = name.strip_suffix(".json")?.strip_prefix("params-")?;
    let parts: Vec<&str> = stem.split('-').collect();
    let (variant, gender) = match parts.as_slice() {
        ["total", variant, gender] | [variant, gender] => (*variant, *gender),
        _ => return None,
    };
    let variant = match variant {
        "sen" => GamxVariant::Senior,
        "mas" => GamxVariant::Masters,
        "age" | "iwf" => GamxVariant::AgeAdjusted,
        "u17" | "usa" => GamxVariant::U17,
        _ => return None,
    };
    let gender = match gender {
        "men" => Gender::Male,
        "wom" => Gender::Female,
        _ => return None,
    };
    Some((variant, gender))
}

/// A file of the ZIP that names a table but could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {error}")]
pub struct GamxFileError {
    /// The file name.
    pub file: String,
    /// Why it was refused.
    pub error: ScoringError,
}

impl GamxTables {
    /// The shipped tables with every table file of `files` (name, contents) added or replacing
    /// them; a table that does not parse is left out and reported (the others still load).
    pub fn with_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> (GamxTables, Vec<GamxFileError>) {
        let mut tables = GamxTables::builtin();
        let mut errors = Vec::new();
        for (file, bytes) in files {
            let Some((variant, gender)) = table_of_file(file) else { continue };
            let parsed = std::str::from_utf8(bytes)
                .map_err(|e| ScoringError::Json(e.to_string()))
                .and_then(GamxTable::from_json)
                .and_then(|table| match (variant, table.has_age()) {
                    (GamxVariant::Senior, false)
                    | (GamxVariant::Masters | GamxVariant::AgeAdjusted | GamxVariant::U17, true) => Ok(table),
                    _ => Err(ScoringError::BadRow { row: 0, reason: "age column does not match the variant" }),
                });
            match parsed {
                Ok(table) => tables.insert(variant, gender, table),
                Err(error) => errors.push(GamxFileError { file: file.to_owned(), error }),
            }
        }
        (tables, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_of_both_namings_map_to_tables() {
        assert_eq!(table_of_file("params-total-mas-men.json"), Some((GamxVariant::Masters, Gender::Male)));
        assert_eq!(table_of_file("gamx/params-total-age-wom.json"), Some((GamxVariant::AgeAdjusted, Gender::Female)));
        assert_eq!(table_of_file("params-usa-men.json"), Some((GamxVariant::U17, Gender::Male)));
        assert_eq!(table_of_file("PARAMS-SEN-WOM.JSON"), Some((GamxVariant::Senior, Gender::Female)));
        assert_eq!(table_of_file("params-snatch-mas-men.json"), None, "per-lift tables are not totals");
        assert_eq!(table_of_file("params_sen_men.csv"), None);
        assert_eq!(table_of_file("params-total-xyz-men.json"), None);
    }

    // A masters table in the format of the plan's files: rows [age, bodyMass, mu, sigma, nu].
    // At 50 years and 90 kg (halfway between the two rows), mu = 265, sigma = 0.08, nu = 5, so a
    // 265 kg total has z = 0; the BCCG truncation at 1/(sigma·nu) = 2.5 makes the probability
    // (0.5 − Φ(−2.5)) / Φ(2.5) = 0.4968758 and the score 1000 + 100·Φ⁻¹(0.4968758) = 999.2169.
    #[test]
    fn supplied_tables_score_and_bad_ones_are_reported() {
        let masters = br#"[[50, 80, 250, 0.08, 5], [50, 100, 280, 0.08, 5]]"#;
        let files: [(&str, &[u8]); 4] = [
            ("params-total-mas-men.json", masters),
            ("params-total-u17-wom.json", b"[[1, 2, 3, 4]]"),
            ("params-snatch-mas-men.json", b"not json"),
            ("README.txt", b"ignored"),
        ];
        let (tables, errors) = GamxTables::with_files(files);
        let got = tables.score(GamxVariant::Masters, Gender::Male, 90.0, 265.0, Some(50)).unwrap();
        assert!((got - 999.2169).abs() < 1e-3, "{got}");
        assert!(tables.score(GamxVariant::Senior, Gender::Male, 90.0, 300.0, None).is_some(), "shipped tables stay");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].file, "params-total-u17-wom.json");
        assert_eq!(tables.get(GamxVariant::U17, Gender::Female).map(GamxTable::has_age), None);
    }
}
