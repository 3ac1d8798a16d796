//! What the asset folders hold, and the one resolver that turns a team name, an OWLCMS flag URL
//! or a membership number into a `/local/...` URL that exists — or `""`, so no board ever asks
//! for a file that is not there. It also loads the GAMX tables of `gamx_zip`
//! ([`crate::scoring::gamx_files`]) for the team engine.
//!
//! Flags follow OWLCMS (`URLUtils.getFlagResourcePath`): the team name with the characters
//! OWLCMS replaces in file names (`: \ / * ? | < > ' "` → `_`, control characters dropped),
//! then the flag code the country-code map gives for it (IOC code, ISO alpha-3 → IOC, or a
//! province/state code), each tried with OWLCMS's extensions. Names match regardless of case:
//! OWLCMS often runs on Windows, where `canada.svg` is found for team `Canada`.

use crate::hub::AssetKind;
use crate::scoring::GamxTables;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// Extensions tried for a name without one, in OWLCMS's order (`Team.getFlagExtensions`),
/// then the ones the original tracker also accepts.
const EXTENSIONS: [&str; 6] = ["svg", "png", "jpg", "jpeg", "webp", "gif"];

/// Where OWLCMS's country-code map sits inside `flags_zip` (the original tracker moves the
/// `mappings/` folder out of the flags; reading it in place keeps it atomic with the flags).
pub const COUNTRY_CODE_MAP: &str = "mappings/country-code-map.json";

/// The files of one asset folder.
#[derive(Debug, Default)]
struct Files {
    /// Exact file name → itself.
    exact: HashMap<String, ()>,
    /// Lower-cased file name → the file name (first one wins; exact matches are tried first).
    folded: HashMap<String, String>,
}

impl Files {
    fn scan(dir: &Path) -> Files {
        let mut files = Files::default();
        let Ok(entries) = std::fs::read_dir(dir) else { return files };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        // Sorted, so which of `A.svg` and `a.svg` a folded lookup finds does not depend on
        // the directory order.
        names.sort();
        for name in names {
            files.folded.entry(name.to_lowercase()).or_insert_with(|| name.clone());
            files.exact.insert(name, ());
        }
        files
    }

    fn find(&self, name: &str) -> Option<&str> {
        if let Some((found, ())) = self.exact.get_key_value(name) {
            return Some(found);
        }
        self.folded.get(&name.to_lowercase()).map(String::as_str)
    }

    /// `stem.<ext>` for the first extension that exists.
    fn find_stem(&self, stem: &str) -> Option<&str> {
        EXTENSIONS.iter().find_map(|ext| self.find(&format!("{stem}.{ext}")))
    }

    fn len(&self) -> usize {
        self.exact.len()
    }
}

/// OWLCMS's flag lookup tables (`flagCodeToName`, `flagAliasToCode`, `normalizedFlagAliasToCode`).
#[derive(Debug, Default)]
struct FlagCodes {
    code_to_name: HashMap<String, String>,
    alias_to_code: HashMap<String, String>,
    normalized_alias_to_code: HashMap<String, String>,
}

impl FlagCodes {
    fn parse(json: &Value) -> FlagCodes {
        let table = |field: &str| -> HashMap<String, String> {
            json[field]
                .as_object()
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
                .unwrap_or_default()
        };
        FlagCodes {
            code_to_name: table("flagCodeToName"),
            alias_to_code: table("flagAliasToCode"),
            normalized_alias_to_code: table("normalizedFlagAliasToCode"),
        }
    }

    /// OWLCMS's `lookupFlagCode`: a known code as is, else an exact alias, else a normalised one.
    fn lookup(&self, team: &str) -> Option<&str> {
        let team = team.trim();
        let upper = team.to_uppercase();
        if let Some((code, _)) = self.code_to_name.get_key_value(&upper) {
            return Some(code);
        }
        self.alias_to_code
            .get(team)
            .or_else(|| self.normalized_alias_to_code.get(&normalize_lookup_key(team)))
            .map(String::as_str)
    }
}

/// What the flags, logos and pictures folders hold, scanned once per ZIP.
#[derive(Debug, Default)]
pub struct AssetIndex {
    flags: Files,
    logos: Files,
    pictures: Files,
    codes: FlagCodes,
    /// The shipped GAMX tables plus those of the last `gamx_zip`.
    gamx: GamxTables,
}

/// The `.json` files of the GAMX folder and of its subfolders (a ZIP may keep a `gamx/` prefix).
fn gamx_files(dir: &Path, depth: usize, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) && depth > 0 {
            gamx_files(&path, depth - 1, out);
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
            && let Ok(bytes) = std::fs::read(&path)
        {
            out.push((path.to_string_lossy().into_owned(), bytes));
        }
    }
}

fn load_gamx(dir: &Path) -> GamxTables {
    let mut files = Vec::new();
    gamx_files(dir, 2, &mut files);
    let (tables, errors) = GamxTables::with_files(files.iter().map(|(name, bytes)| (name.as_str(), bytes.as_slice())));
    for error in errors {
        tracing::warn!(%error, "GAMX table from OWLCMS refused");
    }
    tables
}

impl AssetIndex {
    /// Scans the served folders. Blocking (reads directories): call off the async threads.
    pub fn scan(dir_of: impl Fn(AssetKind) -> std::path::PathBuf) -> AssetIndex {
        let flags_dir = dir_of(AssetKind::Flags);
        let codes = std::fs::read(flags_dir.join(COUNTRY_CODE_MAP))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .map(|json| FlagCodes::parse(&json))
            .unwrap_or_default();
        AssetIndex {
            flags: Files::scan(&flags_dir),
            logos: Files::scan(&dir_of(AssetKind::Logos)),
            pictures: Files::scan(&dir_of(AssetKind::Pictures)),
            codes,
            gamx: load_gamx(&dir_of(AssetKind::Gamx)),
        }
    }

    /// The GAMX tables: shipped senior ones, replaced or completed by OWLCMS's `gamx_zip`.
    pub fn gamx_tables(&self) -> &GamxTables {
        &self.gamx
    }

    /// Files per kind, for diagnostics.
    pub fn counts(&self) -> [usize; 3] {
        [self.flags.len(), self.logos.len(), self.pictures.len()]
    }

    /// The flag of a team: the file OWLCMS named in `sent` (`/local/flags/<file>`) when it
    /// exists here, else the team's own lookup; `""` when there is none.
    pub fn flag_url(&self, sent: Option<&str>, team: Option<&str>) -> String {
        let from_sent = sent
            .and_then(|url| url.strip_prefix("/local/flags/"))
            .filter(|name| !name.is_empty())
            .and_then(|name| self.flags.find(name).or_else(|| self.flags.find(&decode(name))));
        let found = from_sent.or_else(|| team.and_then(|team| self.team_flag(team)));
        found.map_or_else(String::new, |file| url("flags", file))
    }

    fn team_flag(&self, team: &str) -> Option<&str> {
        if team.trim().is_empty() {
            return None;
        }
        let own = sanitize_filename(team);
        if let Some(file) = self.flags.find_stem(&own) {
            return Some(file);
        }
        let code = sanitize_filename(self.codes.lookup(team)?);
        if code == own { None } else { self.flags.find_stem(&code) }
    }

    /// The picture of an athlete by membership number (how OWLCMS names them); `""` when none.
    pub fn picture_url(&self, membership: Option<&str>) -> String {
        let membership = membership.map(str::trim).filter(|m| !m.is_empty());
        membership
            .and_then(|m| self.pictures.find_stem(&sanitize_filename(m)))
            .map_or_else(String::new, |file| url("pictures", file))
    }

    /// A logo by name without extension (a team name, or `header_left`, `left`, …); `""` when none.
    pub fn logo_url(&self, name: &str) -> String {
        self.logos.find_stem(&sanitize_filename(name)).map_or_else(String::new, |file| url("logos", file))
    }

    /// Sets `flagURL` and `pictureURL` of an athlete record (OWLCMS's display fields or the
    /// database's): only files that exist.
    pub fn resolve_athlete(&self, athlete: &mut Map<String, Value>) {
        let text = |field: &str| athlete.get(field).and_then(Value::as_str).map(str::to_owned);
        let team = text("teamName").or_else(|| text("team"));
        let flag = self.flag_url(text("flagURL").as_deref(), team.as_deref());
        let picture = self.picture_url(text("membership").as_deref());
        athlete.insert("flagURL".into(), Value::String(flag));
        athlete.insert("pictureURL".into(), Value::String(picture));
    }
}

/// OWLCMS's `URLUtils.sanitizeFilename`.
pub fn sanitize_filename(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, ':' | '\\' | '/' | '*' | '?' | '|' | '<' | '>' | '\'' | '"') { '_' } else { c })
        .collect()
}

/// OWLCMS's `normalizeFlagLookupKey`: accents dropped, apostrophes removed, `&` → `and`,
/// parentheses dropped, anything else not a letter or digit → one space, lower case. Accents
/// are folded for Latin letters (what team names hold); letters without a decomposition
/// (`ø`, `æ`) become separators, as with Java's NFKD.
pub fn normalize_lookup_key(value: &str) -> String {
    let mut text = String::with_capacity(value.len());
    let mut depth = 0usize;
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => {
                depth -= 1;
                text.push(' ');
            }
            _ if depth > 0 => {}
            '\'' | '’' => {}
            '&' => text.push_str(" and "),
            _ => text.push(fold_accent(c)),
        }
    }
    let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.join(" ").to_lowercase()
}

/// A Latin letter with a diacritic → its base letter (the NFKD decomposition without marks).
fn fold_accent(c: char) -> char {
    const FROM: &str = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž";
    const TO: &str = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZz";
    FROM.chars().position(|f| f == c).and_then(|i| TO.chars().nth(i)).unwrap_or(c)
}

/// `/local/<kind>/<file>` as OWLCMS writes it (spaces and accents as is), with only the
/// characters that would end the path escaped.
fn url(kind: &str, file: &str) -> String {
    let mut out = format!("/local/{kind}/");
    for c in file.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(c),
        }
    }
    out
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index(flags: &[&str], pictures: &[&str], codes: Value) -> (tempfile::TempDir, AssetIndex) {
        let tmp = tempfile::tempdir().unwrap();
        for (kind, names) in [("flags", flags), ("pictures", pictures), ("logos", &[][..])] {
            std::fs::create_dir_all(tmp.path().join(kind)).unwrap();
            for name in names {
                std::fs::write(tmp.path().join(kind).join(name), b"x").unwrap();
            }
        }
        std::fs::create_dir_all(tmp.path().join("flags/mappings")).unwrap();
        std::fs::write(tmp.path().join("flags").join(COUNTRY_CODE_MAP), codes.to_string()).unwrap();
        let index = AssetIndex::scan(|k| tmp.path().join(k.dir()));
        (tmp, index)
    }

    #[test]
    fn flags_resolve_like_owlcms() {
        let codes = json!({
            "flagCodeToName": {"NOR": "Norway", "ON": "Ontario", "QC": "Quebec"},
            "flagAliasToCode": {"Norway": "NOR", "Ontario": "ON"},
            "normalizedFlagAliasToCode": {"quebec": "QC", "cote divoire": "CIV"}
        });
        let (_tmp, ix) = index(
            &["HITRA VK.svg", "IL Sandnes_Ganddal.png", "NOR.svg", "on.png", "QC.svg", "CIV.svg", "A#B.svg"],
            &["2001014.JPG"],
            codes,
        );
        assert_eq!(ix.flag_url(Some("/local/flags/Hitra VK.svg"), Some("Hitra VK")), "/local/flags/HITRA VK.svg");
        assert_eq!(ix.flag_url(None, Some("IL Sandnes/Ganddal")), "/local/flags/IL Sandnes_Ganddal.png");
        assert_eq!(ix.flag_url(Some(""), Some("Norway")), "/local/flags/NOR.svg");
        assert_eq!(ix.flag_url(None, Some("Ontario")), "/local/flags/on.png", "alias, then any case");
        assert_eq!(ix.flag_url(None, Some("ON")), "/local/flags/on.png", "a known code");
        assert_eq!(ix.flag_url(None, Some("Québec")), "/local/flags/QC.svg", "normalised alias");
        assert_eq!(ix.flag_url(None, Some("Côte d’Ivoire")), "/local/flags/CIV.svg");
        assert_eq!(ix.flag_url(None, Some("A#B")), "/local/flags/A%23B.svg");
        assert_eq!(ix.flag_url(Some("/local/flags/Gone.svg"), Some("Gone")), "", "a stale OWLCMS URL");
        assert_eq!(ix.flag_url(None, Some("  ")), "");
        assert_eq!(ix.picture_url(Some("2001014")), "/local/pictures/2001014.JPG");
        assert_eq!(ix.picture_url(Some("999")), "");
        assert_eq!(ix.picture_url(None), "");
    }

    #[test]
    fn nothing_sent_resolves_nothing() {
        let ix = AssetIndex::default();
        assert_eq!(ix.flag_url(Some("/local/flags/Hitra VK.svg"), Some("Hitra VK")), "");
        let mut athlete = json!({"teamName": "Hitra VK", "flagURL": "/local/flags/Hitra VK.svg", "membership": "1"});
        ix.resolve_athlete(athlete.as_object_mut().unwrap());
        assert_eq!((athlete["flagURL"].as_str(), athlete["pictureURL"].as_str()), (Some(""), Some("")));
    }

    #[test]
    fn owlcms_file_name_rules() {
        assert_eq!(sanitize_filename("a:b\\c/d*e?f|g<h>i'j\"k\u{7}l"), "a_b_c_d_e_f_g_h_i_j_kl");
        assert_eq!(normalize_lookup_key("Bosnia & Herzegovina"), "bosnia and herzegovina");
        assert_eq!(normalize_lookup_key("Korea (Republic of)"), "korea");
        assert_eq!(normalize_lookup_key("Côte d'Ivoire"), "cote divoire");
        assert_eq!(normalize_lookup_key("Kværnø IL"), "kv rn il");
    }
}
