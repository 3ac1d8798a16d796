//! OWLCMS championships: every field with its default (behaviour rules R5.1–R5.2), which
//! championship each category belongs to (R5.3), and the medal and team-points policies (R5.9).
//!
//! The team standings computed from them live in [`super::team_standings`].

use super::team_points::{TeamPointsPolicy, TeamPointsSettings};
use super::{AgeFactorTable, GamxVariant, ScoringSystem, SinclairYear};
use crate::protocol::scalar::{as_bool, as_i64, as_string};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// Which placings earn medals (OWLCMS 68+ `medalPolicy`); the same three choices as
/// [`TeamPointsPolicy`].
pub type MedalPolicy = TeamPointsPolicy;

/// Fields of OWLCMS's `ChampionshipDTO` that are always present in [`Championship::to_json`]
/// (null when OWLCMS did not send them), R5.1.
const KNOWN_FIELDS: [&str; 24] = [
    "name",
    "type",
    "scoringSystem",
    "bestAthleteScoringSystem",
    "bestSnatchScoringSystem",
    "bestCJScoringSystem",
    "snatchCJTotalMedals",
    "teamPoints1st",
    "teamPoints2nd",
    "teamPoints3rd",
    "mensBestN",
    "womensBestN",
    "mixedMensBestN",
    "mixedWomensBestN",
    "mixedBestN",
    "explicitTeamSize",
    "maxTeamSize",
    "maxPerCategory",
    "explicitMixedTeamMembers",
    "teamScoringSystem",
    "mixedTeamScoringSystem",
    "medalPolicy",
    "teamPointsPolicy",
    "competitionTemplate",
];

/// One championship with the fields the team rules use; everything OWLCMS sent is kept in
/// `raw` (R5.1: unknown fields kept as is).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Championship {
    /// `name`.
    pub name: String,
    /// Team points for the first three places (`teamPoints1st/2nd/3rd`, 28/25/23 when 0 or missing).
    pub team_points: TeamPointsSettings,
    /// Legacy medal flag `snatchCJTotalMedals` (`None` when absent).
    pub snatch_cj_total_medals: Option<bool>,
    /// `mensBestN` (`None` when missing or ≤ 0 = all count).
    pub mens_best_n: Option<usize>,
    /// `womensBestN`.
    pub womens_best_n: Option<usize>,
    /// `mixedMensBestN`: men cap of a mixed team.
    pub mixed_mens_best_n: Option<usize>,
    /// `mixedWomensBestN`: women cap of a mixed team.
    pub mixed_womens_best_n: Option<usize>,
    /// `mixedBestN`: size of a mixed team regardless of gender.
    pub mixed_best_n: Option<usize>,
    /// `explicitMixedTeamMembers`: mixed teams take `mixedTeamMember` participations.
    pub explicit_mixed_team_members: bool,
    /// `teamScoringSystem`: score mode for men's and women's teams when set.
    pub team_scoring_system: Option<String>,
    /// `mixedTeamScoringSystem`: score mode for mixed teams when set.
    pub mixed_team_scoring_system: Option<String>,
    /// `genderedTeamsEnabled` (default true).
    pub gendered_teams_enabled: bool,
    /// `mixedTeamEnabled` (default false).
    pub mixed_team_enabled: bool,
    /// `medalPolicy` (OWLCMS 68+).
    pub medal_policy: Option<MedalPolicy>,
    /// `teamPointsPolicy` (OWLCMS 68+).
    pub team_points_policy: Option<TeamPointsPolicy>,
    /// `competitionTemplate`: this championship's medal settings apply to those without any.
    pub competition_template: bool,
    /// Every field as OWLCMS sent it.
    pub raw: Map<String, Value>,
}

/// A positive cap, else `None` (OWLCMS: unset or ≤ 0 means "all count").
fn cap(value: Option<&Value>) -> Option<usize> {
    as_i64(value).filter(|n| *n > 0).and_then(|n| usize::try_from(n).ok())
}

/// A non-empty system name.
fn system(value: Option<&Value>) -> Option<String> {
    as_string(value).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads OWLCMS's policy enum names (`ALL_THREE`, `TOTAL_ONLY`, `LIFTS_ONLY`, any case).
pub fn parse_policy(value: Option<&Value>) -> Option<TeamPointsPolicy> {
    match as_string(value)?.trim().to_ascii_uppercase().as_str() {
        "ALL_THREE" => Some(TeamPointsPolicy::AllThree),
        "TOTAL_ONLY" => Some(TeamPointsPolicy::TotalOnly),
        "LIFTS_ONLY" => Some(TeamPointsPolicy::LiftsOnly),
        _ => None,
    }
}

/// OWLCMS's name of a policy.
pub fn policy_name(policy: TeamPointsPolicy) -> &'static str {
    match policy {
        TeamPointsPolicy::AllThree => "ALL_THREE",
        TeamPointsPolicy::TotalOnly => "TOTAL_ONLY",
        TeamPointsPolicy::LiftsOnly => "LIFTS_ONLY",
    }
}

/// R5.7: OWLCMS's system names; `None` = the total counts.
pub fn team_scoring_system(name: &str, sinclair_year: SinclairYear) -> Option<ScoringSystem> {
    let system = match name.trim().to_ascii_uppercase().as_str() {
        "BW_SINCLAIR" | "SINCLAIR" => ScoringSystem::Sinclair(sinclair_year),
        "SMM" | "SMHF" => ScoringSystem::MastersSinclair(sinclair_year, AgeFactorTable::Smf2019),
        "Q_POINTS" | "QPOINTS" => ScoringSystem::QPoints,
        "Q_MASTERS" | "QMASTERS" => ScoringSystem::QMasters,
        "GAMX" => ScoringSystem::Gamx(GamxVariant::Senior),
        "GAMX_M" | "GAMX_MASTERS" => ScoringSystem::Gamx(GamxVariant::Masters),
        "GAMX_A" | "CAT_GAMX" => ScoringSystem::Gamx(GamxVariant::AgeAdjusted),
        "GAMX_U" => ScoringSystem::Gamx(GamxVariant::U17),
        _ => return None,
    };
    Some(system)
}

impl Championship {
    /// A championship named by an age group but absent from `championships[]`: all defaults.
    pub fn named(name: &str) -> Championship {
        let mut raw = Map::new();
        raw.insert("name".into(), json!(name));
        Championship::from_json(&Value::Object(raw))
    }

    /// Reads one entry of OWLCMS's `championships[]` (enums as names, booleans as booleans or
    /// strings, caps as nullable integers, R5.2).
    pub fn from_json(value: &Value) -> Championship {
        let get = |key: &str| value.get(key).filter(|v| !v.is_null());
        Championship {
            name: as_string(get("name")).unwrap_or_default().trim().to_owned(),
            team_points: TeamPointsSettings::from_settings(value),
            snatch_cj_total_medals: as_bool(get("snatchCJTotalMedals")),
            mens_best_n: cap(get("mensBestN")),
            womens_best_n: cap(get("womensBestN")),
            mixed_mens_best_n: cap(get("mixedMensBestN")),
            mixed_womens_best_n: cap(get("mixedWomensBestN")),
            mixed_best_n: cap(get("mixedBestN")),
            explicit_mixed_team_members: as_bool(get("explicitMixedTeamMembers")).unwrap_or(false),
            team_scoring_system: system(get("teamScoringSystem")),
            mixed_team_scoring_system: system(get("mixedTeamScoringSystem")),
            gendered_teams_enabled: as_bool(get("genderedTeamsEnabled")).unwrap_or(true),
            mixed_team_enabled: as_bool(get("mixedTeamEnabled")).unwrap_or(false),
            medal_policy: parse_policy(get("medalPolicy")),
            team_points_policy: parse_policy(get("teamPointsPolicy")),
            competition_template: as_bool(get("competitionTemplate")).unwrap_or(false),
            raw: value.as_object().cloned().unwrap_or_default(),
        }
    }

    /// Whether a mixed (MF) section exists (R5.4).
    pub fn mixed_configured(&self) -> bool {
        self.mixed_team_enabled
            || self.explicit_mixed_team_members
            || self.mixed_team_scoring_system.is_some()
            || self.mixed_best_n.is_some()
            || self.mixed_mens_best_n.is_some()
            || self.mixed_womens_best_n.is_some()
    }

    /// The championship's own medal policy: `medalPolicy`, else the legacy flag; `None` when
    /// it has no medal settings.
    fn own_medal_policy(&self) -> Option<MedalPolicy> {
        self.medal_policy.or(self.snatch_cj_total_medals.map(TeamPointsPolicy::from_snatch_cj_total_medals))
    }

    /// R5.9: own settings, else the template championship's, else the competition-level
    /// `snatchCJTotalMedals` flag.
    pub fn resolved_medal_policy(&self, template: Option<&Championship>, competition_flag: bool) -> MedalPolicy {
        self.own_medal_policy()
            .or_else(|| template.and_then(Championship::own_medal_policy))
            .unwrap_or_else(|| TeamPointsPolicy::from_snatch_cj_total_medals(competition_flag))
    }

    /// R5.9: total only when medals are total only, else `teamPointsPolicy`, else the medal policy.
    pub fn resolved_team_points_policy(&self, medals: MedalPolicy) -> TeamPointsPolicy {
        if medals == TeamPointsPolicy::TotalOnly {
            return TeamPointsPolicy::TotalOnly;
        }
        self.team_points_policy.unwrap_or(medals)
    }

    /// Every field OWLCMS sent, the known ones present (null when absent) and the two
    /// defaulted flags filled in (R5.1).
    pub fn to_json(&self) -> Value {
        let mut out = self.raw.clone();
        for field in KNOWN_FIELDS {
            out.entry(field).or_insert(Value::Null);
        }
        out.insert("name".into(), json!(self.name));
        out.insert("genderedTeamsEnabled".into(), json!(self.gendered_teams_enabled));
        out.insert("mixedTeamEnabled".into(), json!(self.mixed_team_enabled));
        Value::Object(out)
    }
}

/// The championships of a competition database and how categories map to them.
#[derive(Debug, Clone, Default)]
pub struct Championships {
    /// Championships of active age groups, in order of first appearance (R5.3), with their
    /// settings from `championships[]` when OWLCMS sent them.
    pub list: Vec<Championship>,
    /// Category code → championship name, over active age groups.
    pub by_category: HashMap<String, String>,
    /// The `competitionTemplate:true` championship, if any.
    pub template: Option<Championship>,
    /// The competition-level `snatchCJTotalMedals` flag.
    pub competition_medals_for_lifts: bool,
    /// Categories of active age groups marked `medals: false`.
    pub without_medals: HashSet<String>,
}

impl Championships {
    /// Reads `championships[]` (a later duplicate name overwrites, as `championshipMap`),
    /// `ageGroups[]` and the competition flag from a database.
    pub fn from_database(raw: &Value) -> Championships {
        let mut stored: HashMap<String, Championship> = HashMap::new();
        let mut template = None;
        for value in raw["championships"].as_array().into_iter().flatten() {
            let championship = Championship::from_json(value);
            if championship.competition_template {
                template = Some(championship.clone());
            }
            stored.insert(championship.name.clone(), championship);
        }
        let mut list: Vec<Championship> = Vec::new();
        let mut by_category = HashMap::new();
        let mut without_medals = HashSet::new();
        for group in raw["ageGroups"].as_array().into_iter().flatten() {
            if !as_bool(group.get("active")).unwrap_or(false) {
                continue;
            }
            let Some(name) = as_string(group.get("championshipName")).map(|n| n.trim().to_owned()) else {
                continue;
            };
            if !list.iter().any(|c| c.name == name) {
                list.push(stored.get(&name).cloned().unwrap_or_else(|| Championship::named(&name)));
            }
            let code = as_string(group.get("code")).unwrap_or_default();
            for category in group["categories"].as_array().into_iter().flatten() {
                // OWLCMS's category code; exports without it spell it `<age group>_<gender><max>`.
                let category_code = as_string(category.get("code")).unwrap_or_else(|| {
                    let gender = as_string(category.get("gender")).unwrap_or_default();
                    format!("{code}_{gender}{}", as_i64(category.get("maximumWeight")).unwrap_or(0))
                });
                if as_bool(group.get("medals")) == Some(false) {
                    without_medals.insert(category_code.clone());
                }
                by_category.insert(category_code, name.clone());
            }
        }
        let competition_medals_for_lifts = as_bool(raw["competition"].get("snatchCJTotalMedals")).unwrap_or(false);
        Championships { list, by_category, template, competition_medals_for_lifts, without_medals }
    }

    /// The medal policy of a category's championship; `None` when the category is in no
    /// active age group or its age group awards no medals.
    pub fn category_medal_policy(&self, category: &str) -> Option<MedalPolicy> {
        if self.without_medals.contains(category) {
            return None;
        }
        let name = self.by_category.get(category)?;
        self.list.iter().find(|c| &c.name == name).map(|c| self.medal_policy(c))
    }

    /// R5.9 for one championship of the list.
    pub fn medal_policy(&self, championship: &Championship) -> MedalPolicy {
        championship.resolved_medal_policy(self.template.as_ref(), self.competition_medals_for_lifts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fields_exist_with_defaults_and_unknown_ones_stay() {
        let c = Championship::from_json(&json!({"name": " Senior ", "mensBestN": 4, "womensBestN": 0,
            "teamScoringSystem": "BW_SINCLAIR", "mixedTeamScoringSystem": "", "futureField": [1]}));
        assert_eq!((c.name.as_str(), c.mens_best_n, c.womens_best_n), ("Senior", Some(4), None));
        assert_eq!(c.team_scoring_system.as_deref(), Some("BW_SINCLAIR"));
        assert!(!c.mixed_configured(), "an empty mixed system configures nothing");
        assert_eq!(c.team_points, TeamPointsSettings::default());
        let out = c.to_json();
        assert_eq!(out["genderedTeamsEnabled"], true);
        assert_eq!(out["mixedTeamEnabled"], false);
        assert_eq!(out["explicitMixedTeamMembers"], Value::Null);
        assert_eq!(out["futureField"], json!([1]));
        assert!(Championship::from_json(&json!({"mixedWomensBestN": 2})).mixed_configured());
    }

    // Tracker 2.22 medal-policy.js rules (R5.9), hand-checked.
    #[test]
    fn medal_policy_falls_back_to_the_template_then_the_competition() {
        let explicit =
            Championship::from_json(&json!({"name": "A", "medalPolicy": "LIFTS_ONLY", "snatchCJTotalMedals": false}));
        assert_eq!(explicit.resolved_medal_policy(None, false), TeamPointsPolicy::LiftsOnly);
        let legacy = Championship::from_json(&json!({"name": "B", "snatchCJTotalMedals": true}));
        assert_eq!(legacy.resolved_medal_policy(None, false), TeamPointsPolicy::AllThree);
        let template =
            Championship::from_json(&json!({"name": "T", "competitionTemplate": true, "medalPolicy": "TOTAL_ONLY"}));
        let bare = Championship::named("C");
        assert_eq!(bare.resolved_medal_policy(Some(&template), true), TeamPointsPolicy::TotalOnly);
        assert_eq!(bare.resolved_medal_policy(None, true), TeamPointsPolicy::AllThree);
        assert_eq!(bare.resolved_medal_policy(None, false), TeamPointsPolicy::TotalOnly);
        // Team points follow: total-only medals force total-only points.
        let lifts_points =
            Championship::from_json(&json!({"medalPolicy": "TOTAL_ONLY", "teamPointsPolicy": "ALL_THREE"}));
        assert_eq!(lifts_points.resolved_team_points_policy(TeamPointsPolicy::TotalOnly), TeamPointsPolicy::TotalOnly);
        let all = Championship::from_json(&json!({"medalPolicy": "ALL_THREE", "teamPointsPolicy": "LIFTS_ONLY"}));
        assert_eq!(all.resolved_team_points_policy(TeamPointsPolicy::AllThree), TeamPointsPolicy::LiftsOnly);
        assert_eq!(bare.resolved_team_points_policy(TeamPointsPolicy::AllThree), TeamPointsPolicy::AllThree);
    }

    #[test]
    fn active_age_groups_name_the_championships_in_order() {
        let db = json!({
            "competition": {"snatchCJTotalMedals": true},
            "championships": [{"name": "Senior", "mensBestN": 2}, {"name": "Senior", "mensBestN": 3},
                {"name": "Tmpl", "competitionTemplate": true, "medalPolicy": "LIFTS_ONLY"}],
            "ageGroups": [
                {"active": true, "code": "SR", "championshipName": "Senior", "categories": [{"code": "SR_M89"}]},
                {"active": false, "code": "JR", "championshipName": "Junior", "categories": [{"code": "JR_M89"}]},
                {"active": true, "code": "U17", "championshipName": "Youth",
                    "categories": [{"gender": "F", "maximumWeight": 49}]},
                {"active": true, "code": "SR2", "championshipName": "Senior", "categories": [{"code": "SR_F59"}]}]
        });
        let set = Championships::from_database(&db);
        let names: Vec<&str> = set.list.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Senior", "Youth"]);
        assert_eq!(set.list[0].mens_best_n, Some(3), "the later duplicate wins");
        assert_eq!(set.by_category.get("U17_F49").map(String::as_str), Some("Youth"));
        assert_eq!(set.by_category.get("SR_F59").map(String::as_str), Some("Senior"));
        assert!(!set.by_category.contains_key("JR_M89"), "inactive age group");
        assert_eq!(set.medal_policy(&set.list[1]), TeamPointsPolicy::LiftsOnly, "template");
    }
}
