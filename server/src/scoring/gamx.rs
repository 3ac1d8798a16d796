//! GAMX scores: a total placed on the Box-Cox Cole and Green (BCCG) distribution of totals at
//! the athlete's body mass (and age, for the age-dependent variants), as a z-score × 100 + 1000.
//!
//! Method: OWLCMS `owlcms/src/main/java/app/owlcms/data/scoring/GAMX2.java` and
//! `GAMX2_SPEC.md` (repo `jflamy/owlcms4`), ported to JavaScript as `src/scoring/gamx2.js` in
//! `owlcms/tracker-core`: `GAMX = Φ⁻¹(pBCCG(total; μ, σ, ν)) · 100 + 1000`, with μ, σ, ν linearly
//! interpolated between the two table rows that bracket the body mass (clamped to the table).
//!
//! Tables shipped here: only the **senior** ones (`data/gamx-params-sen-{men,wom}.json`, copied
//! from `owlcms/tracker-core` `static/gamx/params-sen-{men,wom}.json`). The GAMX-M (masters),
//! GAMX-A (age-adjusted, `params-iwf-*`) and GAMX-U (U17, `params-usa-*`) tables exist publicly
//! (tracker-core `static/gamx/`, owlcms4 `owlcms/src/main/resources/gamx/params-total-*.json`)
//! but are 2–7 MB each and could not be transferred into this workspace; they are **not**
//! shipped. [`GamxTable::from_json`] loads them at run time (e.g. from OWLCMS's `gamx_zip`), and
//! [`GamxTables::score`] answers `None` for a variant whose table has not been supplied.

use super::{Gender, ScoringError, normal};
use std::sync::{Arc, OnceLock};

/// The GAMX parameter sets known to OWLCMS and to the original tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GamxVariant {
    /// GAMX: senior athletes (`params-sen-*`, body mass only). Shipped.
    Senior,
    /// GAMX-M: masters (`params-mas-*`, age 30–95 × body mass). Must be supplied.
    Masters,
    /// GAMX-A: age-adjusted IWF data (`params-iwf-*`, age 13–40 × body mass). Must be supplied.
    AgeAdjusted,
    /// GAMX-U: U17 (`params-usa-*`, age × body mass). Must be supplied.
    U17,
}

impl GamxVariant {
    /// The name used by the tracker's `scoringSystem` option.
    pub fn name(self) -> &'static str {
        match self {
            GamxVariant::Senior => "GAMX",
            GamxVariant::Masters => "GAMX-M",
            GamxVariant::AgeAdjusted => "GAMX-A",
            GamxVariant::U17 => "GAMX-U",
        }
    }
}

/// The BCCG distribution parameters at one body mass (and age).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bccg {
    /// Location (median total, kg).
    pub mu: f64,
    /// Scale (coefficient of variation).
    pub sigma: f64,
    /// Box-Cox power (skewness).
    pub nu: f64,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    age: f64,
    body_mass: f64,
    params: Bccg,
}

/// One parameter table: rows `[bodyMass, mu, sigma, nu]`, or `[age, bodyMass, mu, sigma, nu]`
/// for the age-dependent variants, sorted by (age,) body mass.
#[derive(Debug, Clone)]
pub struct GamxTable {
    rows: Vec<Row>,
    with_age: bool,
}

impl GamxTable {
    /// Parses a table in the JSON shape OWLCMS and tracker-core use: an array of 4- or
    /// 5-number rows, ascending by age then body mass.
    pub fn from_json(text: &str) -> Result<GamxTable, ScoringError> {
        let raw: Vec<Vec<f64>> = serde_json::from_str(text).map_err(|e| ScoringError::Json(e.to_string()))?;
        let width = raw.first().map(Vec::len).ok_or(ScoringError::EmptyTable)?;
        let with_age = match width {
            4 => false,
            5 => true,
            _ => return Err(ScoringError::BadRow { row: 0, reason: "rows must have 4 or 5 numbers" }),
        };
        let mut rows = Vec::with_capacity(raw.len());
        for (index, numbers) in raw.iter().enumerate() {
            if numbers.len() != width {
                return Err(ScoringError::BadRow { row: index, reason: "rows differ in length" });
            }
            if numbers.iter().any(|n| !n.is_finite()) {
                return Err(ScoringError::BadRow { row: index, reason: "numbers must be finite" });
            }
            let (age, rest) = if with_age { (numbers[0], &numbers[1..]) } else { (0.0, &numbers[..]) };
            let row = Row { age, body_mass: rest[0], params: Bccg { mu: rest[1], sigma: rest[2], nu: rest[3] } };
            // Interpolation relies on the order, so a shuffled table is refused rather than
            // silently giving wrong scores.
            if let Some(previous) = rows.last().map(|r: &Row| (r.age, r.body_mass))
                && (row.age, row.body_mass) <= previous
            {
                return Err(ScoringError::BadRow { row: index, reason: "rows must ascend by age, then body mass" });
            }
            rows.push(row);
        }
        Ok(GamxTable { rows, with_age })
    }

    /// Whether the table has an age column (GAMX-M, GAMX-A, GAMX-U).
    pub fn has_age(&self) -> bool {
        self.with_age
    }

    /// The interpolated parameters for a body mass and (for age tables) an age, both clamped to
    /// the table's range as OWLCMS does (a 25-year-old in a masters table is scored as 30).
    /// `None` when an age table gets no age, or has no rows at that age.
    pub fn params(&self, body_mass: f64, age: Option<i32>) -> Option<Bccg> {
        if !body_mass.is_finite() {
            return None;
        }
        let rows = if self.with_age {
            let first = self.rows.first()?.age;
            let last = self.rows.last()?.age;
            let age = f64::from(age?).clamp(first, last);
            let start = self.rows.partition_point(|r| r.age < age - 0.01);
            let end = self.rows.partition_point(|r| r.age <= age + 0.01);
            &self.rows[start..end]
        } else {
            &self.rows[..]
        };
        let lowest = rows.first()?.body_mass;
        let highest = rows.last()?.body_mass;
        let bm = body_mass.clamp(lowest, highest);
        let high = rows.partition_point(|r| r.body_mass < bm);
        let low = rows.partition_point(|r| r.body_mass <= bm).checked_sub(1)?;
        let (a, b) = (rows[low], *rows.get(high)?);
        if low >= high || b.body_mass - a.body_mass < 1e-10 {
            return Some(a.params);
        }
        // Same weighting as GAMX2.java: each neighbour weighs by the other's distance.
        let (to_low, to_high) = (bm - a.body_mass, b.body_mass - bm);
        let mix = |x: f64, y: f64| (to_high * x + to_low * y) / (to_low + to_high);
        Some(Bccg {
            mu: mix(a.params.mu, b.params.mu),
            sigma: mix(a.params.sigma, b.params.sigma),
            nu: mix(a.params.nu, b.params.nu),
        })
    }

    /// The GAMX score of `total` kg at this body mass and age; `None` when the table has no
    /// parameters there (see [`GamxTable::params`]); `Some(0.0)` for a zero or negative total.
    pub fn score(&self, body_mass: f64, total: f64, age: Option<i32>) -> Option<f64> {
        if body_mass.is_nan() || body_mass <= 0.0 {
            return Some(0.0);
        }
        self.params(body_mass, age).map(|p| gamx_from_params(total, p))
    }
}

/// GAMX from distribution parameters: `Φ⁻¹(pBCCG(total)) · 100 + 1000`, or 0 when the total or
/// the parameters are not positive or the probability degenerates (OWLCMS returns 0 there too).
pub fn gamx_from_params(total: f64, p: Bccg) -> f64 {
    // NaN fails every comparison, so it lands here too.
    let valid = total > 0.0 && p.mu > 0.0 && p.sigma > 0.0;
    if !valid {
        return 0.0;
    }
    let z = if p.nu.abs() < 1e-10 {
        (total / p.mu).ln() / p.sigma
    } else {
        ((total / p.mu).powf(p.nu) - 1.0) / (p.nu * p.sigma)
    };
    // R gamlss.dist::pBCCG truncates the Box-Cox normal to positive totals and renormalises;
    // without this the scores are off by up to ~200 points (GAMX2_SPEC.md).
    let bound = 1.0 / (p.sigma * p.nu.abs());
    let below_zero = if p.nu > 0.0 { normal::cdf(-bound) } else { 0.0 };
    let probability = (normal::cdf(z) - below_zero) / normal::cdf(bound);
    let inside = probability > 0.0 && probability < 1.0;
    if !inside {
        return 0.0;
    }
    let score = normal::quantile(probability) * 100.0 + 1000.0;
    if score.is_finite() { score } else { 0.0 }
}

fn builtin_senior(gender: Gender) -> Arc<GamxTable> {
    static MEN: OnceLock<Arc<GamxTable>> = OnceLock::new();
    static WOMEN: OnceLock<Arc<GamxTable>> = OnceLock::new();
    // Source: owlcms/tracker-core static/gamx/params-sen-{men,wom}.json (commit 28fb579);
    // the same values as owlcms4 owlcms/src/main/resources/gamx/params-total-sen-*.json,
    // rounded to 10 significant digits.
    let (cell, text) = match gender {
        Gender::Male => (&MEN, include_str!("data/gamx-params-sen-men.json")),
        Gender::Female => (&WOMEN, include_str!("data/gamx-params-sen-wom.json")),
    };
    cell.get_or_init(|| Arc::new(GamxTable::from_json(text).expect("shipped GAMX table parses (unit-tested)"))).clone()
}

/// Senior GAMX of a total, from the shipped tables; 0 for a zero total or body weight.
pub fn gamx(total: f64, body_weight: f64, gender: Gender) -> f64 {
    builtin_senior(gender).score(body_weight, total, None).unwrap_or(0.0)
}

/// The GAMX tables available to a scoreboard: the shipped senior ones plus any supplied.
#[derive(Debug, Clone)]
pub struct GamxTables {
    tables: Vec<(GamxVariant, Gender, Arc<GamxTable>)>,
}

impl Default for GamxTables {
    fn default() -> Self {
        GamxTables::builtin()
    }
}

impl GamxTables {
    /// The shipped tables only: senior men and women.
    pub fn builtin() -> GamxTables {
        let tables =
            [Gender::Male, Gender::Female].into_iter().map(|g| (GamxVariant::Senior, g, builtin_senior(g))).collect();
        GamxTables { tables }
    }

    /// Adds or replaces the table for a variant and gender (e.g. parsed from `gamx_zip`).
    pub fn insert(&mut self, variant: GamxVariant, gender: Gender, table: GamxTable) {
        self.tables.retain(|(v, g, _)| (*v, *g) != (variant, gender));
        self.tables.push((variant, gender, Arc::new(table)));
    }

    /// The table for a variant and gender, if known.
    pub fn get(&self, variant: GamxVariant, gender: Gender) -> Option<&GamxTable> {
        self.tables.iter().find(|(v, g, _)| (*v, *g) == (variant, gender)).map(|(_, _, t)| t.as_ref())
    }

    /// The score, or `None` when that variant's table is missing or needs an age not given.
    pub fn score(
        &self,
        variant: GamxVariant,
        gender: Gender,
        body_weight: f64,
        total: f64,
        age: Option<i32>,
    ) -> Option<f64> {
        self.get(variant, gender)?.score(body_weight, total, age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // owlcms4 owlcms/src/test/java/app/owlcms/data/scoring/GAMX2ComparisonTest.java: values
    // "pre-computed from Docker API on 2025-12-08" (the R reference), checked there to 1e-4.
    const MEN_R: [(f64, f64, f64); 10] = [
        (40.0, 80.0, 639.1203),
        (55.0, 110.0, 661.8862),
        (70.0, 140.0, 676.6842),
        (85.0, 170.0, 699.6138),
        (100.0, 200.0, 713.9157),
        (115.0, 230.0, 724.1419),
        (130.0, 260.0, 738.2908),
        (145.0, 290.0, 749.7999),
        (160.0, 320.0, 772.9558),
        (190.0, 380.0, 854.3847),
    ];
    const WOMEN_R: [(f64, f64, f64); 10] = [
        (40.0, 140.0, 960.0456),
        (50.0, 150.0, 874.3576),
        (60.0, 160.0, 835.9225),
        (70.0, 170.0, 825.9754),
        (80.0, 180.0, 825.8145),
        (90.0, 190.0, 849.4980),
        (100.0, 200.0, 861.0436),
        (110.0, 210.0, 863.7192),
        (120.0, 220.0, 867.3155),
        (160.0, 260.0, 864.1412),
    ];

    #[test]
    fn senior_scores_match_the_r_reference_to_four_decimals() {
        for (gender, cases) in [(Gender::Male, MEN_R), (Gender::Female, WOMEN_R)] {
            for (bw, total, expected) in cases {
                let got = gamx(total, bw, gender);
                assert!((got - expected).abs() < 1e-4, "{gender:?} {bw} kg {total} kg: {got} vs {expected}");
            }
        }
    }

    // owlcms4 owlcms/src/main/java/app/owlcms/data/scoring/GAMX2_SPEC.md, "Reference Test
    // Cases", printed to two decimals (so a tolerance of half a unit in the last place).
    #[test]
    fn senior_scores_match_the_spec_table() {
        let men = [(55.0, 200.0, 827.08), (61.0, 250.0, 892.88), (73.0, 310.0, 961.73), (102.0, 410.0, 1183.90)];
        let women = [(45.0, 130.0, 842.70), (64.0, 210.0, 1008.47), (87.0, 270.0, 1190.52), (100.0, 290.0, 1263.83)];
        for (gender, cases) in [(Gender::Male, men), (Gender::Female, women)] {
            for (bw, total, expected) in cases {
                let got = gamx(total, bw, gender);
                assert!((got - expected).abs() <= 0.0051, "{gender:?} {bw} kg {total} kg: {got} vs {expected}");
            }
        }
    }

    #[test]
    fn shipped_tables_cover_40_to_190_kg_in_tenths() {
        for gender in [Gender::Male, Gender::Female] {
            let table = builtin_senior(gender);
            assert_eq!(table.rows.len(), 1501);
            assert_eq!(table.rows[0].body_mass, 40.0);
            assert_eq!(table.rows[1500].body_mass, 190.0);
            assert!(!table.has_age());
        }
        // Interpolation halfway between two rows (40.0 and 40.1 kg of params-sen-men.json).
        let p = builtin_senior(Gender::Male).params(40.05, None).unwrap();
        assert!((p.mu - (181.3470018 + 181.7240122) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn body_mass_outside_the_table_is_clamped_and_bad_inputs_score_zero() {
        assert_eq!(gamx(80.0, 35.0, Gender::Male), gamx(80.0, 40.0, Gender::Male));
        assert_eq!(gamx(380.0, 200.0, Gender::Male), gamx(380.0, 190.0, Gender::Male));
        assert_eq!(gamx(0.0, 80.0, Gender::Female), 0.0);
        assert_eq!(gamx(-120.0, 80.0, Gender::Female), 0.0);
        assert_eq!(gamx(120.0, 0.0, Gender::Female), 0.0);
        assert_eq!(gamx(120.0, f64::NAN, Gender::Female), 0.0);
    }

    #[test]
    fn variants_without_a_table_have_no_score() {
        let tables = GamxTables::builtin();
        assert!(tables.score(GamxVariant::Senior, Gender::Male, 81.0, 340.0, None).is_some());
        for variant in [GamxVariant::Masters, GamxVariant::AgeAdjusted, GamxVariant::U17] {
            assert_eq!(tables.score(variant, Gender::Male, 81.0, 340.0, Some(45)), None);
        }
    }

    #[test]
    fn age_tables_select_the_age_and_clamp_it() {
        // A two-age table built from rows of the shipped senior men's table (mechanics only).
        let text = "[[30, 60, 272.1459165, 0.075144278, 7.045604849], [30, 61, 276.775894, 0.075207425, 6.97587719],
                     [31, 60, 200, 0.08, 5], [31, 61, 201, 0.08, 5]]";
        let table = GamxTable::from_json(text).unwrap();
        assert!(table.has_age());
        let senior = gamx(250.0, 60.0, Gender::Male);
        assert!((table.score(60.0, 250.0, Some(30)).unwrap() - senior).abs() < 1e-9);
        let halfway = table.params(60.5, Some(30)).unwrap();
        assert!((halfway.mu - (272.1459165 + 276.775894) / 2.0).abs() < 1e-9);
        assert_eq!(table.params(60.5, Some(31)).unwrap().mu, 200.5);
        assert_eq!(table.score(60.5, 250.0, Some(25)), table.score(60.5, 250.0, Some(30)));
        assert_eq!(table.score(60.5, 250.0, Some(90)), table.score(60.5, 250.0, Some(31)));
        assert_eq!(table.params(60.5, None), None);
        let mut tables = GamxTables::builtin();
        tables.insert(GamxVariant::Masters, Gender::Male, table);
        assert!(tables.score(GamxVariant::Masters, Gender::Male, 60.5, 250.0, Some(30)).is_some());
        assert_eq!(tables.score(GamxVariant::Masters, Gender::Male, 60.5, 250.0, None), None);
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert!(matches!(GamxTable::from_json("{}"), Err(ScoringError::Json(_))));
        assert_eq!(GamxTable::from_json("[]").unwrap_err(), ScoringError::EmptyTable);
        assert!(matches!(GamxTable::from_json("[[1,2,3]]"), Err(ScoringError::BadRow { row: 0, .. })));
        assert!(matches!(GamxTable::from_json("[[1,2,3,4],[1,2,3]]"), Err(ScoringError::BadRow { row: 1, .. })));
        assert!(matches!(GamxTable::from_json("[[41,2,3,4],[40,2,3,4]]"), Err(ScoringError::BadRow { row: 1, .. })));
    }
}
