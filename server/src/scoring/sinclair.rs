//! Sinclair coefficients and scores, one coefficient pair per Olympic cycle.
//!
//! Formula (IWF): factor = 10^(A · log10(bw / b)²) for a body weight bw below b, 1 at or above
//! b; Sinclair total = total × factor. Years are named as OWLCMS names them (its
//! `sinclairYear` setting and `sinclair/sinclairYYYY.properties`): the year in which the
//! cycle's coefficients stop being used.

use super::Gender;

/// Which cycle's Sinclair coefficients to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SinclairYear {
    /// 2017–2020 cycle (OWLCMS `sinclair2020.properties`); also the base of SMHF.
    Y2020,
    /// 2021–2024 cycle (OWLCMS `sinclair2024.properties`); what the tracker's "Sinclair" shows.
    #[default]
    Y2024,
    /// 2025–2028 cycle (OWLCMS `sinclair2028.properties`).
    Y2028,
}

/// One gender's coefficients for one cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SinclairCoefficients {
    /// The exponent coefficient A.
    pub a: f64,
    /// The body weight b (kg) at and above which the factor is 1.
    pub b: f64,
}

// Source: jflamy/owlcms4 owlcms/src/main/resources/sinclair/sinclair2020.properties
// ("Sinclair 2017-2020 Coefficients"); the same numbers are on the English Wikipedia page
// "Sinclair Coefficients" ("from 2017 to 2020 … A=0.751945030 and b=175.508 kg for men and
// A=0.783497476 and b=153.655 kg for women").
const MEN_2020: SinclairCoefficients = SinclairCoefficients { a: 0.751_945_030, b: 175.508 };
const WOMEN_2020: SinclairCoefficients = SinclairCoefficients { a: 0.783_497_476, b: 153.655 };
// Source: jflamy/owlcms4 owlcms/src/main/resources/sinclair/sinclair2024.properties
// ("Sinclair 2021-2024 Coefficients"); identical in owlcms/tracker-core
// src/scoring/sinclair-coefficients.js (SINCLAIR_COEFFICIENTS).
const MEN_2024: SinclairCoefficients = SinclairCoefficients { a: 0.722_762_521, b: 193.609 };
const WOMEN_2024: SinclairCoefficients = SinclairCoefficients { a: 0.787_004_341, b: 153.757 };
// Source: jflamy/owlcms4 owlcms/src/main/resources/sinclair/sinclair2028.properties
// ("Sinclair 2025-2028 Coefficients").
const MEN_2028: SinclairCoefficients = SinclairCoefficients { a: 0.700_767_819, b: 201.159 };
const WOMEN_2028: SinclairCoefficients = SinclairCoefficients { a: 0.674_107_991, b: 163.918 };

impl SinclairYear {
    /// Maps OWLCMS's `sinclairYear` setting (2020, 2024, 2028) to a cycle.
    pub fn from_year(year: i64) -> Option<SinclairYear> {
        match year {
            2020 => Some(SinclairYear::Y2020),
            2024 => Some(SinclairYear::Y2024),
            2028 => Some(SinclairYear::Y2028),
            _ => None,
        }
    }

    /// The coefficients of this cycle for a gender.
    pub fn coefficients(self, gender: Gender) -> SinclairCoefficients {
        match (self, gender) {
            (SinclairYear::Y2020, Gender::Male) => MEN_2020,
            (SinclairYear::Y2020, Gender::Female) => WOMEN_2020,
            (SinclairYear::Y2024, Gender::Male) => MEN_2024,
            (SinclairYear::Y2024, Gender::Female) => WOMEN_2024,
            (SinclairYear::Y2028, Gender::Male) => MEN_2028,
            (SinclairYear::Y2028, Gender::Female) => WOMEN_2028,
        }
    }
}

impl SinclairCoefficients {
    /// The factor for a body weight: 10^(A·log10(bw/b)²) below b, 1 from b up, 0 when the body
    /// weight is unknown (zero, negative or not a number), as OWLCMS and the tracker do.
    pub fn factor(self, body_weight: f64) -> f64 {
        if body_weight.is_nan() || body_weight <= 0.0 {
            return 0.0;
        }
        if body_weight >= self.b {
            return 1.0;
        }
        let x = (body_weight / self.b).log10();
        10f64.powf(self.a * x * x)
    }
}

/// The Sinclair factor of a body weight in a cycle (0 for an unknown body weight).
pub fn sinclair_factor(gender: Gender, body_weight: f64, year: SinclairYear) -> f64 {
    year.coefficients(gender).factor(body_weight)
}

/// The Sinclair total: `total × factor`, 0 for a zero or negative total.
pub fn sinclair(total: f64, body_weight: f64, gender: Gender, year: SinclairYear) -> f64 {
    if total.is_nan() || total <= 0.0 {
        return 0.0;
    }
    total * sinclair_factor(gender, body_weight, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, expected: f64, tolerance: f64) {
        assert!((got - expected).abs() <= tolerance, "{got} vs {expected}");
    }

    // IWF, "The Sinclair coefficients for the Olympiad January 1, 2001 to December 31, 2004"
    // (web.archive.org/web/20040411220840/http://www.iwf.net/sport/sinclair.html): worked
    // example, men A = 0.938573813, b = 157.141: 83.5 kg, total 390 kg → S.C. 1.17699569414,
    // Sinclair total 459.028 kg. Checks the formula itself with published coefficients.
    #[test]
    fn formula_matches_the_iwf_worked_example() {
        let cycle_2004 = SinclairCoefficients { a: 0.938_573_813, b: 157.141 };
        close(cycle_2004.factor(83.5), 1.176_995_694_14, 1e-11);
        close(390.0 * cycle_2004.factor(83.5), 459.028, 0.0005);
    }

    // jflamy/owlcms4 owlcms/src/test/java/app/owlcms/tests/AthleteTest.java:
    // testFemaleSinclair2024 (144 kg, 68.5 kg → 180.0536) and testFemaleSinclair2020 (SMHF at
    // age 30, i.e. the plain 2020 Sinclair: 179.8088), both to 0.0005.
    #[test]
    fn matches_owlcms_unit_tests() {
        close(sinclair(144.0, 68.5, Gender::Female, SinclairYear::Y2024), 180.0536, 0.0005);
        close(sinclair(144.0, 68.5, Gender::Female, SinclairYear::Y2020), 179.8088, 0.0005);
    }

    // samples/owlcms/ws-2025-12/…-UPDATE-SWITCHGROUP.json: OWLCMS 64 (competition
    // sinclairYear = 2024) sent displayInfo.sinclair for four men, rounded to 3 decimals.
    #[test]
    fn matches_values_owlcms_sent_in_a_live_feed() {
        for (bw, total, shown) in [(61.09, 210.0, 318.861), (108.65, 295.0, 327.581), (139.14, 368.0, 380.825)] {
            close(sinclair(total, bw, Gender::Male, SinclairYear::Y2024), shown, 0.0005);
        }
        close(sinclair(295.0, 111.01, Gender::Male, SinclairYear::Y2024), 325.085, 0.0005);
    }

    #[test]
    fn at_and_above_b_the_factor_is_one() {
        for year in [SinclairYear::Y2020, SinclairYear::Y2024, SinclairYear::Y2028] {
            for gender in [Gender::Male, Gender::Female] {
                let b = year.coefficients(gender).b;
                assert_eq!(sinclair_factor(gender, b, year), 1.0);
                assert_eq!(sinclair_factor(gender, b + 30.0, year), 1.0);
                assert!(sinclair_factor(gender, b - 0.01, year) > 1.0);
            }
        }
        assert_eq!(sinclair(300.0, 200.0, Gender::Male, SinclairYear::Y2024), 300.0);
    }

    #[test]
    fn zero_totals_and_unknown_body_weights_score_zero() {
        assert_eq!(sinclair(0.0, 80.0, Gender::Male, SinclairYear::Y2024), 0.0);
        assert_eq!(sinclair(-150.0, 80.0, Gender::Male, SinclairYear::Y2024), 0.0);
        assert_eq!(sinclair(150.0, 0.0, Gender::Male, SinclairYear::Y2024), 0.0);
        assert_eq!(sinclair(150.0, f64::NAN, Gender::Female, SinclairYear::Y2028), 0.0);
    }

    #[test]
    fn years_map_from_owlcms_settings() {
        assert_eq!(SinclairYear::from_year(2020), Some(SinclairYear::Y2020));
        assert_eq!(SinclairYear::from_year(2028), Some(SinclairYear::Y2028));
        assert_eq!(SinclairYear::from_year(2022), None);
        assert_eq!(SinclairYear::default(), SinclairYear::Y2024);
    }
}
