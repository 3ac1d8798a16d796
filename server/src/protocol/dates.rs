//! OWLCMS's two date encodings (Jackson's integer arrays and ISO strings), read as one.

use super::scalar::as_i64;
use serde_json::Value;

/// The birth year from `fullBirthDate` as an array (`[2001,1,18]`) or a string (`"2001-01-18"`).
pub fn birth_year(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Array(parts) => as_i64(parts.first()),
        Value::String(s) => s.get(..4)?.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Rewrites every date/time field sent as an array of integers (Jackson's default) as the
/// ISO string newer OWLCMS builds send, so consumers see one encoding (protocol P18).
pub fn normalise_dates(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if (key.ends_with("Date") || key.ends_with("Time"))
                    && let Some(iso) = iso_from_array(field)
                {
                    *field = Value::String(iso);
                    continue;
                }
                normalise_dates(field);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_dates),
        _ => {}
    }
}

fn iso_from_array(value: &Value) -> Option<String> {
    let parts: Vec<i64> = value.as_array()?.iter().map(Value::as_i64).collect::<Option<_>>()?;
    if !(3..=7).contains(&parts.len()) {
        return None;
    }
    let mut iso = format!("{:04}-{:02}-{:02}", parts[0], parts[1], parts[2]);
    if parts.len() >= 5 {
        iso += &format!("T{:02}:{:02}", parts[3], parts[4]);
    }
    if parts.len() >= 6 {
        iso += &format!(":{:02}", parts[5]);
    }
    if let Some(&nanos) = parts.get(6).filter(|n| **n > 0) {
        // Same precision rule as java.time's toString: 3, 6 or 9 digits.
        iso += &if nanos % 1_000_000 == 0 {
            format!(".{:03}", nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            format!(".{:06}", nanos / 1_000)
        } else {
            format!(".{nanos:09}")
        };
    }
    Some(iso)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_date_encodings_end_as_iso_strings() {
        let mut v = json!({"fullBirthDate": [2001, 1, 18], "snatch1LiftTime": [2025, 11, 22, 6, 21, 45, 301595000],
            "weighInTime": [2024, 11, 23, 8, 0], "cleanJerkBreakDuration": [1, 2, 3], "x": {"competitionDate": "2024-11-23"}});
        normalise_dates(&mut v);
        assert_eq!(v["fullBirthDate"], "2001-01-18");
        assert_eq!(v["snatch1LiftTime"], "2025-11-22T06:21:45.301595");
        assert_eq!(v["weighInTime"], "2024-11-23T08:00");
        assert_eq!(v["cleanJerkBreakDuration"], json!([1, 2, 3]));
        assert_eq!(v["x"]["competitionDate"], "2024-11-23");
        assert_eq!(birth_year(Some(&json!([1992, 10, 15]))), Some(1992));
        assert_eq!(birth_year(Some(&json!("1992-10-15"))), Some(1992));
    }
}
