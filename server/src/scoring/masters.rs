//! Masters age factors (SMF for men, SMHF for women; Huebner's 2025 factors) and the masters
//! Sinclair score ("SMHF" in the tracker): Sinclair × age factor, for athletes aged 30 and up.
//!
//! OWLCMS's rule (`SinclairCoefficients.getAgeGenderCoefficient`, `QPoints.getAgeGenderCoefficient`
//! in jflamy/owlcms4 `owlcms/src/main/java/app/owlcms/data/scoring/`): age ≤ 30 → 1; ages past
//! the end of a table use its last value. The age is the age reached in the competition year
//! (IWF masters rule, see [`masters_age`]).

use super::Gender;
use super::sinclair::{SinclairYear, sinclair};

/// Which age-factor table to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AgeFactorTable {
    /// IWF Masters 2019 age factors: SMF (men, 30–90) and SMHF (women, 30–80). OWLCMS's SMHF.
    #[default]
    Smf2019,
    /// Huebner's 2025 age factors (men 30–95, women 30–90), used by OWLCMS for Q-masters.
    Huebner2025,
}

// Source: jflamy/owlcms4 owlcms/src/main/resources/sinclair/sinclair2020.properties, keys
// smf.30 … smf.90 ("SMF 2019 coefficients https://www.iwfmasters.org/uploads/1/2/9/7/
// 129797858/iwf_master_age_factors_2019.pdf"); the same table is in sinclair2024/2028.properties
// and in owlcms/tracker-core src/scoring/sinclair-coefficients.js (SMF).
const SMF_MEN_2019: [f64; 61] = [
    1.000, 1.016, 1.031, 1.046, 1.059, 1.072, 1.083, 1.096, 1.109, 1.122, // 30–39
    1.135, 1.149, 1.162, 1.176, 1.189, 1.203, 1.218, 1.233, 1.248, 1.263, // 40–49
    1.279, 1.297, 1.316, 1.338, 1.361, 1.385, 1.411, 1.437, 1.462, 1.488, // 50–59
    1.514, 1.541, 1.568, 1.598, 1.629, 1.663, 1.699, 1.738, 1.779, 1.823, // 60–69
    1.867, 1.910, 1.953, 2.004, 2.060, 2.117, 2.181, 2.255, 2.336, 2.419, // 70–79
    2.504, 2.597, 2.702, 2.831, 2.981, 3.153, 3.352, 3.580, 3.843, 4.145, // 80–89
    4.493, // 90
];
// Source: same files, keys smhf.30 … smhf.80 (IWF Masters 2019, women).
const SMHF_WOMEN_2019: [f64; 51] = [
    1.000, 1.016, 1.031, 1.046, 1.059, 1.072, 1.084, 1.097, 1.110, 1.124, // 30–39
    1.138, 1.153, 1.170, 1.187, 1.205, 1.223, 1.244, 1.265, 1.288, 1.313, // 40–49
    1.340, 1.369, 1.401, 1.435, 1.470, 1.507, 1.545, 1.585, 1.625, 1.665, // 50–59
    1.705, 1.744, 1.778, 1.808, 1.839, 1.873, 1.909, 1.948, 1.989, 2.033, // 60–69
    2.077, 2.120, 2.163, 2.214, 2.270, 2.327, 2.391, 2.465, 2.546, 2.629, // 70–79
    2.714, // 80
];
// Source: owlcms/owlcms4 owlcms/src/main/resources/qpoints/qpoints2025.properties, keys
// men.30 … men.95 (QPoints.java: "The age coefficients are the 2025 coefficients for QMasters").
const HUEBNER_MEN_2025: [f64; 66] = [
    1.000, 1.010, 1.018, 1.026, 1.038, 1.052, 1.064, 1.076, 1.088, 1.100, // 30–39
    1.112, 1.124, 1.136, 1.148, 1.160, 1.173, 1.187, 1.201, 1.215, 1.230, // 40–49
    1.247, 1.264, 1.283, 1.304, 1.327, 1.351, 1.376, 1.401, 1.425, 1.451, // 50–59
    1.477, 1.504, 1.531, 1.560, 1.589, 1.620, 1.654, 1.693, 1.736, 1.784, // 60–69
    1.833, 1.883, 1.932, 1.981, 2.031, 2.083, 2.139, 2.202, 2.271, 2.348, // 70–79
    2.430, 2.524, 2.635, 2.755, 2.877, 3.008, 3.168, 3.356, 3.545, 3.709, // 80–89
    3.880, 4.059, 4.247, 4.443, 4.648, 4.863, // 90–95
];
// Source: same file, keys women.30 … women.90.
const HUEBNER_WOMEN_2025: [f64; 61] = [
    1.000, 1.010, 1.021, 1.031, 1.042, 1.052, 1.063, 1.073, 1.084, 1.096, // 30–39
    1.108, 1.122, 1.138, 1.155, 1.173, 1.194, 1.216, 1.240, 1.265, 1.292, // 40–49
    1.321, 1.352, 1.384, 1.419, 1.456, 1.494, 1.534, 1.575, 1.617, 1.660, // 50–59
    1.704, 1.748, 1.794, 1.841, 1.890, 1.942, 1.996, 2.052, 2.109, 2.168, // 60–69
    2.226, 2.285, 2.343, 2.402, 2.464, 2.528, 2.597, 2.670, 2.749, 2.831, // 70–79
    2.918, 3.009, 3.104, 3.201, 3.301, 3.403, 3.507, 3.613, 3.720, 3.827, // 80–89
    3.935, // 90
];

/// The first age of every table; younger athletes get a factor of 1.
pub const FIRST_MASTERS_AGE: i32 = 30;

/// The age factor for an age in years: 1 up to 30, the table value from 30 on, the last value
/// past the end of the table (90 for SMF, 80 for SMHF, 95/90 for Huebner 2025).
pub fn age_factor(gender: Gender, age: i32, table: AgeFactorTable) -> f64 {
    let values: &[f64] = match (table, gender) {
        (AgeFactorTable::Smf2019, Gender::Male) => &SMF_MEN_2019,
        (AgeFactorTable::Smf2019, Gender::Female) => &SMHF_WOMEN_2019,
        (AgeFactorTable::Huebner2025, Gender::Male) => &HUEBNER_MEN_2025,
        (AgeFactorTable::Huebner2025, Gender::Female) => &HUEBNER_WOMEN_2025,
    };
    if age <= FIRST_MASTERS_AGE {
        return 1.0;
    }
    let index = usize::try_from(age - FIRST_MASTERS_AGE).unwrap_or(0).min(values.len() - 1);
    values[index]
}

/// The masters age OWLCMS and the IWF use: the age reached during the competition year.
pub fn masters_age(birth_year: i32, competition_year: i32) -> i32 {
    competition_year - birth_year
}

/// SMHF as OWLCMS computes it (`Athlete.getSmhf`): 2020 Sinclair × SMF/SMHF 2019 age factor.
pub fn masters_sinclair(total: f64, body_weight: f64, gender: Gender, age: i32) -> f64 {
    masters_sinclair_with(total, body_weight, gender, age, SinclairYear::Y2020, AgeFactorTable::Smf2019)
}

/// Masters Sinclair with another Sinclair cycle or age-factor table (the later tracker's
/// `smhfOverrideSinclairYear` and `smhfAgeFactorYear` options).
pub fn masters_sinclair_with(
    total: f64,
    body_weight: f64,
    gender: Gender,
    age: i32,
    year: SinclairYear,
    table: AgeFactorTable,
) -> f64 {
    sinclair(total, body_weight, gender, year) * age_factor(gender, age, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, expected: f64) {
        assert!((got - expected).abs() <= 0.0005, "{got} vs {expected}");
    }

    // jflamy/owlcms4 owlcms/src/test/java/app/owlcms/tests/AthleteTest.java: testMaleSMF
    // (144 kg, 68.5 kg, 60 years → 291.093) and testFemaleSMHF (same, woman → 306.574), and
    // testFemaleSinclair2020 (age 30 → factor 1 → 179.8088); tolerance 0.0005 as there.
    #[test]
    fn matches_owlcms_unit_tests() {
        close(masters_sinclair(144.0, 68.5, Gender::Male, 60), 291.093);
        close(masters_sinclair(144.0, 68.5, Gender::Female, 60), 306.574);
        close(masters_sinclair(144.0, 68.5, Gender::Female, 30), 179.8088);
    }

    // Table edges, values from sinclair2020.properties and qpoints2025.properties.
    #[test]
    fn factors_at_the_table_edges() {
        use AgeFactorTable::{Huebner2025, Smf2019};
        for table in [Smf2019, Huebner2025] {
            for gender in [Gender::Male, Gender::Female] {
                assert_eq!(age_factor(gender, 17, table), 1.0);
                assert_eq!(age_factor(gender, 29, table), 1.0);
                assert_eq!(age_factor(gender, 30, table), 1.0);
                assert_eq!(age_factor(gender, -5, table), 1.0);
            }
        }
        assert_eq!(age_factor(Gender::Male, 35, Smf2019), 1.072);
        assert_eq!(age_factor(Gender::Female, 36, Smf2019), 1.084);
        assert_eq!(age_factor(Gender::Male, 60, Smf2019), 1.514);
        assert_eq!(age_factor(Gender::Female, 60, Smf2019), 1.705);
        assert_eq!(age_factor(Gender::Female, 80, Smf2019), 2.714);
        assert_eq!(age_factor(Gender::Female, 85, Smf2019), 2.714);
        assert_eq!(age_factor(Gender::Male, 89, Smf2019), 4.145);
        assert_eq!(age_factor(Gender::Male, 90, Smf2019), 4.493);
        assert_eq!(age_factor(Gender::Male, 97, Smf2019), 4.493);
        assert_eq!(age_factor(Gender::Male, 31, Huebner2025), 1.010);
        assert_eq!(age_factor(Gender::Male, 95, Huebner2025), 4.863);
        assert_eq!(age_factor(Gender::Male, 101, Huebner2025), 4.863);
        assert_eq!(age_factor(Gender::Female, 90, Huebner2025), 3.935);
        assert_eq!(age_factor(Gender::Female, 93, Huebner2025), 3.935);
    }

    #[test]
    fn tables_increase_with_age() {
        for table in [SMF_MEN_2019.as_slice(), &SMHF_WOMEN_2019, &HUEBNER_MEN_2025, &HUEBNER_WOMEN_2025] {
            assert!(table.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn other_cycles_and_tables_compose() {
        let base = sinclair(200.0, 70.0, Gender::Male, SinclairYear::Y2024);
        let got =
            masters_sinclair_with(200.0, 70.0, Gender::Male, 45, SinclairYear::Y2024, AgeFactorTable::Huebner2025);
        assert!((got - base * 1.173).abs() < 1e-9);
        assert_eq!(masters_sinclair(0.0, 70.0, Gender::Male, 45), 0.0);
        assert_eq!(masters_age(1965, 2025), 60);
    }
}
