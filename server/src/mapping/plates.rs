//! Which plates load a barbell to a requested weight with a platform's plate inventory
//! (as OWLCMS's attempt board does): bar, collars, then the largest plates available.

use crate::protocol::scalar::{as_bool, as_i64};
use serde_json::{Value, json};

/// Plates per side available in OWLCMS's platform settings: (field, grams, colour, large?).
const PLATES: [(&str, i64, &str, bool); 12] = [
    ("nbL_25", 25_000, "red", true),
    ("nbL_20", 20_000, "blue", true),
    ("nbL_15", 15_000, "yellow", true),
    ("nbL_10", 10_000, "green", true),
    ("nbL_5", 5_000, "white", true),
    ("nbL_2_5", 2_500, "red", true),
    ("nbS_5", 5_000, "white", false),
    ("nbS_2_5", 2_500, "red", false),
    ("nbS_2", 2_000, "blue", false),
    ("nbS_1_5", 1_500, "yellow", false),
    ("nbS_1", 1_000, "green", false),
    ("nbS_0_5", 500, "white", false),
];

/// The loading of a bar for `weight_kg`, or `None` when the weight cannot be made exactly.
pub fn barbell(platform: &Value, weight_kg: i64, gender: Option<&str>) -> Option<Value> {
    let bar_kg = match as_i64(platform.get("nonStandardBarWeight")).filter(|w| *w > 0) {
        Some(w) if as_bool(platform.get("nonStandardBarAvailable")).unwrap_or(true) => w,
        _ if gender == Some("F") => 15,
        _ => 20,
    };
    let mut remaining = (weight_kg - bar_kg) * 1000;
    if remaining < 0 {
        return None;
    }
    // Competition collars weigh 2.5 kg each; used once there is room for them.
    let collar = as_i64(platform.get("nbC_2_5")).unwrap_or(0) > 0 && remaining >= 5_000;
    if collar {
        remaining -= 5_000;
    }
    let mut per_side = remaining / 2;
    let mut plates = Vec::new();
    for (field, grams, colour, large) in PLATES {
        let mut available = as_i64(platform.get(field)).unwrap_or(0);
        while available > 0 && per_side >= grams {
            per_side -= grams;
            available -= 1;
            plates.push(json!({"kg": grams as f64 / 1000.0, "colour": colour, "large": large}));
        }
    }
    (per_side == 0 && remaining % 2 == 0)
        .then(|| json!({"weightKg": weight_kg, "barKg": bar_kg, "collar": collar, "plates": plates}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform() -> Value {
        json!({"nbL_25": 1, "nbL_20": 1, "nbL_15": 1, "nbL_10": 1, "nbL_5": 1, "nbL_2_5": 1,
               "nbS_5": 0, "nbS_2_5": 1, "nbS_2": 1, "nbS_1_5": 1, "nbS_1": 1, "nbS_0_5": 1, "nbC_2_5": 1, "nonStandardBarWeight": 0})
    }

    #[test]
    fn loads_largest_plates_first() {
        let bar = barbell(&platform(), 170, Some("M")).unwrap();
        let kgs: Vec<f64> = bar["plates"].as_array().unwrap().iter().map(|p| p["kg"].as_f64().unwrap()).collect();
        // 170 = 20 bar + 2 × 2.5 collars + 2 × (25 + 20 + 15 + 10 + 2.5)
        assert_eq!(bar["barKg"], 20);
        assert_eq!(kgs, [25.0, 20.0, 15.0, 10.0, 2.5]);
        assert_eq!(kgs[0], 25.0);
        let women = barbell(&platform(), 50, Some("F")).unwrap();
        assert_eq!(women["barKg"], 15);
        assert!(barbell(&platform(), 10, Some("M")).is_none(), "below the bar");
        assert!(barbell(&json!({}), 21, Some("M")).is_none(), "no plates");
    }
}
