//! The scoring engine: pure functions that turn lifts into totals, ranks and scores (Sinclair,
//! masters Sinclair/SMHF, Q-points, Q-masters, GAMX, team points), reproducing OWLCMS.
//!
//! Nothing here does I/O; the only data files are compiled in (`data/`, see `data/README.md`).
//! Each system lives in its own module with the sources of its constants and the published
//! values its tests check. [`ScoringSystem`] maps the tracker's `scoringSystem` names to them.

pub mod championships;
pub mod gamx;
pub mod gamx_files;
pub mod lifts;
pub mod masters;
pub mod medals;
mod normal;
pub mod qpoints;
pub mod ranking;
pub mod sinclair;
pub mod team_model;
pub mod team_points;
mod team_rules;
pub mod team_standings;

pub use gamx::{GamxTable, GamxTables, GamxVariant, gamx};
pub use lifts::{AthleteLifts, Attempt, LiftResult, TotalRule};
pub use masters::{AgeFactorTable, age_factor, masters_age, masters_sinclair, masters_sinclair_with};
pub use qpoints::{qmasters, qpoints, qpoints_factor};
pub use ranking::{RankBy, RankOptions, compare_results, ranks};
pub use sinclair::{SinclairYear, sinclair, sinclair_factor};
pub use team_points::{TeamPointsPolicy, TeamPointsSettings, athlete_team_points, team_points};
pub use team_rules::{sinclair_year_number, system_label};

/// The two genders the scoring formulas are defined for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Men (`M`).
    Male,
    /// Women (`F`, also `W` as in masters age groups).
    Female,
}

impl Gender {
    /// Reads `M`/`F`/`W` and `male`/`men`/`female`/`women` (any case); anything else (OWLCMS's
    /// inclusive `I`, empty) is `None`, and OWLCMS gives such athletes no score either.
    pub fn parse(text: &str) -> Option<Gender> {
        match text.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "men" => Some(Gender::Male),
            "f" | "w" | "female" | "women" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// Errors of the scoring engine (only loading GAMX tables can fail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoringError {
    /// The table is not a JSON array of number arrays.
    #[error("GAMX table is not a JSON array of number rows: {0}")]
    Json(String),
    /// The table has no rows.
    #[error("GAMX table has no rows")]
    EmptyTable,
    /// A row is malformed or out of order.
    #[error("GAMX table row {row}: {reason}")]
    BadRow {
        /// Zero-based row index.
        row: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// A per-athlete scoring formula, as the team scoreboard's `scoringSystem` option names them.
/// ("TeamPoints" is not a formula of one total; see [`team_points`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScoringSystem {
    /// Sinclair total for a cycle ("Sinclair" = 2024 cycle).
    Sinclair(SinclairYear),
    /// Masters Sinclair: Sinclair of a cycle × age factors ("SMHF" = 2020 × SMF/SMHF 2019).
    MastersSinclair(SinclairYear, AgeFactorTable),
    /// Q-points ("Q-Points").
    QPoints,
    /// Q-points × Huebner 2025 age factor ("Q-Masters").
    QMasters,
    /// GAMX of a variant ("GAMX", "GAMX-M", "GAMX-A", "GAMX-U").
    Gamx(GamxVariant),
}

impl ScoringSystem {
    /// Parses the tracker's names (case-insensitive); `None` for unknown names and TeamPoints.
    pub fn from_name(name: &str) -> Option<ScoringSystem> {
        let system = match name.trim().to_ascii_lowercase().as_str() {
            "sinclair" => ScoringSystem::Sinclair(SinclairYear::Y2024),
            "smhf" => ScoringSystem::MastersSinclair(SinclairYear::Y2020, AgeFactorTable::Smf2019),
            "q-points" | "qpoints" => ScoringSystem::QPoints,
            "q-masters" | "qmasters" => ScoringSystem::QMasters,
            "gamx" => ScoringSystem::Gamx(GamxVariant::Senior),
            "gamx-m" => ScoringSystem::Gamx(GamxVariant::Masters),
            "gamx-a" => ScoringSystem::Gamx(GamxVariant::AgeAdjusted),
            "gamx-u" => ScoringSystem::Gamx(GamxVariant::U17),
            _ => return None,
        };
        Some(system)
    }

    /// Whether the formula needs the athlete's age.
    pub fn needs_age(self) -> bool {
        !matches!(self, ScoringSystem::Sinclair(_) | ScoringSystem::QPoints | ScoringSystem::Gamx(GamxVariant::Senior))
    }

    /// The score of a total; `Some(0.0)` for a zero total or an unknown body weight, `None` when
    /// it cannot be computed (age needed but unknown, GAMX table not supplied).
    pub fn score(
        self,
        total: f64,
        body_weight: f64,
        gender: Gender,
        age: Option<i32>,
        gamx_tables: &GamxTables,
    ) -> Option<f64> {
        if self.needs_age() && age.is_none() {
            return None;
        }
        let age_or_30 = age.unwrap_or(masters::FIRST_MASTERS_AGE);
        match self {
            ScoringSystem::Sinclair(year) => Some(sinclair(total, body_weight, gender, year)),
            ScoringSystem::MastersSinclair(year, table) => {
                Some(masters_sinclair_with(total, body_weight, gender, age_or_30, year, table))
            }
            ScoringSystem::QPoints => Some(qpoints(total, body_weight, gender)),
            ScoringSystem::QMasters => Some(qmasters(total, body_weight, gender, age_or_30)),
            ScoringSystem::Gamx(variant) => gamx_tables.score(variant, gender, body_weight, total, age),
        }
    }
}

/// What a scoreboard shows for one athlete: total and score now and if the next attempt succeeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AthleteScore {
    /// The total under the chosen [`TotalRule`].
    pub total: u32,
    /// The score of that total (`None`: not computable, see [`ScoringSystem::score`]).
    pub score: Option<f64>,
    /// The total if the next attempt succeeds.
    pub predicted_total: u32,
    /// The score of the predicted total.
    pub predicted_score: Option<f64>,
}

/// Scores an athlete's current and predicted totals. The age is taken in `competition_year`
/// (masters rule); without a gender or body weight the scores are `None`.
pub fn athlete_score(
    athlete: &AthleteLifts,
    system: ScoringSystem,
    rule: TotalRule,
    include_cj_declaration: bool,
    competition_year: i32,
    gamx_tables: &GamxTables,
) -> AthleteScore {
    let total = athlete.total(rule);
    let predicted_total = athlete.predicted_total(rule, include_cj_declaration);
    let age = athlete.age_in(competition_year);
    let score_of = |t: u32| {
        let (gender, body_weight) = (athlete.gender?, athlete.body_weight?);
        system.score(f64::from(t), body_weight, gender, age, gamx_tables)
    };
    AthleteScore { total, score: score_of(total), predicted_total, predicted_score: score_of(predicted_total) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn genders_parse_from_owlcms_codes() {
        assert_eq!(Gender::parse("M"), Some(Gender::Male));
        assert_eq!(Gender::parse(" w "), Some(Gender::Female));
        assert_eq!(Gender::parse("Female"), Some(Gender::Female));
        assert_eq!(Gender::parse("I"), None);
        assert_eq!(Gender::parse(""), None);
    }

    #[test]
    fn tracker_names_map_to_systems() {
        assert_eq!(ScoringSystem::from_name("Sinclair"), Some(ScoringSystem::Sinclair(SinclairYear::Y2024)));
        assert_eq!(ScoringSystem::from_name("GAMX-M"), Some(ScoringSystem::Gamx(GamxVariant::Masters)));
        assert_eq!(ScoringSystem::from_name("Q-Masters"), Some(ScoringSystem::QMasters));
        assert_eq!(ScoringSystem::from_name("TeamPoints"), None);
        for name in ["Sinclair", "SMHF", "Q-Points", "Q-Masters", "GAMX", "GAMX-M", "GAMX-A", "GAMX-U"] {
            assert!(ScoringSystem::from_name(name).is_some(), "{name}");
        }
    }

    // jflamy/owlcms4 AthleteTest.testMaleSMF: 60-year-old man, 68.5 kg, 144 kg → SMHF 291.093.
    #[test]
    fn systems_dispatch_to_their_formulas() {
        let tables = GamxTables::builtin();
        let smhf = ScoringSystem::from_name("SMHF").unwrap();
        let got = smhf.score(144.0, 68.5, Gender::Male, Some(60), &tables).unwrap();
        assert!((got - 291.093).abs() < 0.0005);
        assert_eq!(smhf.score(144.0, 68.5, Gender::Male, None, &tables), None);
        let gamx = ScoringSystem::Gamx(GamxVariant::Senior);
        // GAMX2ComparisonTest: men 100 kg, 200 kg → 713.9157.
        assert!((gamx.score(200.0, 100.0, Gender::Male, None, &tables).unwrap() - 713.9157).abs() < 1e-4);
        let masters = ScoringSystem::Gamx(GamxVariant::Masters);
        assert_eq!(masters.score(200.0, 100.0, Gender::Male, Some(50), &tables), None);
        assert_eq!(ScoringSystem::QPoints.score(0.0, 81.0, Gender::Male, None, &tables), Some(0.0));
    }

    #[test]
    fn athlete_scores_cover_now_and_next() {
        let kjellevand = AthleteLifts::from_json(&json!({
            "gender": "M", "bodyWeight": 111.01, "fullBirthDate": [1992, 10, 15],
            "snatch1ActualLift": -130, "snatch2ActualLift": -130, "snatch3ActualLift": 130,
            "cleanJerk1ActualLift": 160, "cleanJerk2ActualLift": 165, "cleanJerk3Declaration": 170
        }));
        let tables = GamxTables::builtin();
        let system = ScoringSystem::from_name("Sinclair").unwrap();
        let s = athlete_score(&kjellevand, system, TotalRule::RequireBothLifts, false, 2025, &tables);
        assert_eq!((s.total, s.predicted_total), (295, 300));
        // OWLCMS showed Sinclair 325.085 for this athlete (UPDATE-SWITCHGROUP sample).
        assert!((s.score.unwrap() - 325.085).abs() < 0.0005);
        assert!(s.predicted_score.unwrap() > s.score.unwrap());
        let unknown = athlete_score(&AthleteLifts::default(), system, TotalRule::default(), true, 2025, &tables);
        assert_eq!((unknown.total, unknown.score, unknown.predicted_score), (0, None, None));
    }
}
