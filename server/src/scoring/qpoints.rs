//! Q-points (Huebner, Meltzer, Bjarnason, Perperoglou, "Comparison of Olympic-Style
//! Weightlifting Performances of Elite Athletes: Scaling Models Account for Body Mass",
//! Med. Sci. Sports Exerc. 2023, doi:10.1249/MSS.0000000000003252; formula published at
//! https://osf.io/8x3nb/) and Q-masters (Q-points × Huebner's 2025 age factor).
//!
//! Q = total × Tmax / (β0 − β1·(bw/100)⁻² + β2·(bw/100)²), the paper's fractional polynomial
//! with powers −2 and 2. Parameters and validity limits are OWLCMS's
//! (`owlcms/src/main/java/app/owlcms/data/scoring/QPoints.java`, jflamy/owlcms4).
//!
//! Not used: owlcms/tracker-core `src/scoring/qpoints-coefficients.js` carries a different set
//! (men Tmax 492, β 492.43 / 15.827 / 0.0514; women 359, 359.31 / 11.54 / 0.0375) that appears
//! in no OWLCMS release; it nearly ignores body weight (a 60 kg man's factor is only 6 % above a
//! 100 kg man's) and contradicts the paper's headline that 73 kg world-record holder Shi Zhiyong
//! is the top male Q-points scorer, so the tracker's scores with it would not match OWLCMS.

use super::Gender;
use super::masters::{AgeFactorTable, age_factor};

/// The parameters of the Q-points curve for one gender.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QPointsParams {
    /// Tmax: the scale (the modelled total of the reference body mass).
    pub t_max: f64,
    /// β0: intercept.
    pub beta0: f64,
    /// β1: coefficient of (bw/100)⁻².
    pub beta1: f64,
    /// β2: coefficient of (bw/100)².
    pub beta2: f64,
}

// Source: owlcms/owlcms4 owlcms/src/main/resources/qpoints/qpoints2025.properties (file header
// "QPoints2023"; unchanged from jflamy/owlcms4 …/qpoints/qpoints2023.properties).
/// Men's Q-points parameters.
pub const MEN: QPointsParams = QPointsParams { t_max: 463.26, beta0: 416.70, beta1: 47.87, beta2: 18.93 };
/// Women's Q-points parameters.
pub const WOMEN: QPointsParams = QPointsParams { t_max: 306.54, beta0: 266.50, beta1: 19.44, beta2: 18.61 };

/// Body weights at or below these get no Q-points: OWLCMS `QPoints.getQPoints`, "outside of
/// validity range" (men ≤ 45 kg, women ≤ 40 kg).
const MEN_MINIMUM_BODY_WEIGHT: f64 = 45.0;
const WOMEN_MINIMUM_BODY_WEIGHT: f64 = 40.0;

impl QPointsParams {
    /// The parameters for a gender.
    pub fn for_gender(gender: Gender) -> QPointsParams {
        match gender {
            Gender::Male => MEN,
            Gender::Female => WOMEN,
        }
    }

    /// The factor `Tmax / (β0 − β1·x⁻² + β2·x²)` with `x = bw/100`.
    pub fn factor(self, body_weight: f64) -> f64 {
        let x = body_weight / 100.0;
        self.t_max / (self.beta0 - self.beta1 / (x * x) + self.beta2 * x * x)
    }
}

/// The Q-points factor of a body weight; 0 outside OWLCMS's validity range or when unknown.
pub fn qpoints_factor(gender: Gender, body_weight: f64) -> f64 {
    let minimum = match gender {
        Gender::Male => MEN_MINIMUM_BODY_WEIGHT,
        Gender::Female => WOMEN_MINIMUM_BODY_WEIGHT,
    };
    if body_weight.is_nan() || body_weight <= minimum {
        return 0.0;
    }
    QPointsParams::for_gender(gender).factor(body_weight)
}

/// Q-points of a total (0 for a zero or negative total).
pub fn qpoints(total: f64, body_weight: f64, gender: Gender) -> f64 {
    if total.is_nan() || total <= 0.0 {
        return 0.0;
    }
    total * qpoints_factor(gender, body_weight)
}

/// Q-masters: Q-points × Huebner 2025 age factor (1 up to age 30), as OWLCMS's QAGE ranking.
pub fn qmasters(total: f64, body_weight: f64, gender: Gender, age: i32) -> f64 {
    qpoints(total, body_weight, gender) * age_factor(gender, age, AgeFactorTable::Huebner2025)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The paper's abstract: "scaled performances were comparable across different body
    // masses". World-record totals of very different lifters must land close together: Shi
    // Zhiyong's 364 kg (73 kg class, body weight 72–73 kg) and Lasha Talakhadze's 492 kg (+109 kg,
    // 165–180 kg) all score 492–511, where the totals differ by 35 %.
    #[test]
    fn world_record_totals_score_alike_across_body_weights() {
        for bw in [72.0, 72.5, 73.0] {
            let q = qpoints(364.0, bw, Gender::Male);
            assert!((492.0..=511.0).contains(&q), "364 kg at {bw} kg: {q}");
        }
        for bw in [165.0, 170.0, 180.0] {
            let q = qpoints(492.0, bw, Gender::Male);
            assert!((491.9..=511.0).contains(&q), "492 kg at {bw} kg: {q}");
        }
    }

    // The denominator grows with body weight (d/dx = 2·β1·x⁻³ + 2·β2·x > 0), so the factor must
    // fall strictly over the whole range of body weights.
    #[test]
    fn the_factor_falls_with_body_weight() {
        for gender in [Gender::Male, Gender::Female] {
            let factors: Vec<f64> = (46..=200).map(|bw| qpoints_factor(gender, f64::from(bw))).collect();
            assert!(factors.windows(2).all(|w| w[0] > w[1]), "{gender:?}");
        }
    }

    // Direct evaluation of the published formula with OWLCMS's parameters at 100 kg (x = 1):
    // men 463.26 / (416.70 − 47.87 + 18.93) = 1.194708…, women 306.54 / 265.67 = 1.153837…
    #[test]
    fn the_factor_at_100_kg_is_tmax_over_the_coefficient_sum() {
        assert!((qpoints_factor(Gender::Male, 100.0) - 463.26 / 387.76).abs() < 1e-12);
        assert!((qpoints_factor(Gender::Female, 100.0) - 306.54 / 265.67).abs() < 1e-12);
    }

    #[test]
    fn outside_the_validity_range_there_are_no_points() {
        assert_eq!(qpoints(150.0, 45.0, Gender::Male), 0.0);
        assert!(qpoints(150.0, 45.01, Gender::Male) > 0.0);
        assert_eq!(qpoints(120.0, 40.0, Gender::Female), 0.0);
        assert!(qpoints(120.0, 40.5, Gender::Female) > 0.0);
        assert_eq!(qpoints(0.0, 80.0, Gender::Female), 0.0);
        assert_eq!(qpoints(-80.0, 80.0, Gender::Female), 0.0);
        assert_eq!(qpoints(180.0, f64::NAN, Gender::Female), 0.0);
    }

    // Age factors from owlcms/owlcms4 …/qpoints/qpoints2025.properties (men.60 = 1.477,
    // women.95 does not exist so women cap at women.90 = 3.935).
    #[test]
    fn qmasters_applies_the_2025_age_factor() {
        let base = qpoints(200.0, 81.0, Gender::Male);
        assert!((qmasters(200.0, 81.0, Gender::Male, 60) - base * 1.477).abs() < 1e-9);
        assert_eq!(qmasters(200.0, 81.0, Gender::Male, 30), base);
        assert_eq!(qmasters(200.0, 81.0, Gender::Male, 22), base);
        let women = qpoints(150.0, 64.0, Gender::Female);
        assert!((qmasters(150.0, 64.0, Gender::Female, 95) - women * 3.935).abs() < 1e-9);
    }
}
