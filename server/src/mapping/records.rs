//! The `records` payload as mappings see it (behaviour rules R7.1, R7.5): OWLCMS's block form
//! or its older flat form become one block form, open-ended category labels read `+110`, and
//! the personal-best box is split off so it is never taken for a federation's records.

use crate::protocol::scalar::{as_i64, as_string};
use serde_json::{Map, Value, json};

/// `>110`, `110+` and `+110` all read `+110`, anywhere in a label (spaces allowed between);
/// a plain `110` is left alone (R7.1).
pub fn open_ended_label(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    let mut out = String::with_capacity(label.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '>' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                out.push('+');
                i = j;
                continue;
            }
        }
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let already_plus = out.ends_with('+');
            if j < chars.len() && chars[j] == '+' {
                if !already_plus {
                    out.push('+');
                }
                out.push_str(&number);
                i = j + 1;
            } else {
                out.push_str(&number);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The normalised records: `{recordNames, recordTable: [federation blocks], personalBest}`;
/// `null` when OWLCMS sent none.
pub fn normalise(records: Option<&Value>) -> Value {
    let parsed;
    let records = match records {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
            &parsed
        }
        Some(value) => value,
        None => return Value::Null,
    };
    let Some(map) = records.as_object() else { return Value::Null };
    let names = map.get("recordNames").cloned().unwrap_or_else(|| json!([]));
    let blocks: Vec<Value> = match map.get("recordTable").and_then(Value::as_array) {
        Some(table) if table.iter().all(|b| b.get("records").is_some() || b.get("cat").is_some()) => table.clone(),
        Some(flat) => from_flat(map, flat),
        None => Vec::new(),
    };
    let mut table = Vec::new();
    let mut personal = Value::Null;
    for block in blocks {
        let Value::Object(mut block) = block else { continue };
        let label = as_string(block.get("cat")).unwrap_or_default();
        block.insert("cat".into(), json!(open_ended_label(&label)));
        if let Some(Value::Array(rows)) = block.get_mut("records") {
            rows.iter_mut().for_each(normalise_row);
        }
        if as_string(block.get("recordClass")).as_deref() == Some("recordBoxPersonal") {
            personal = json!({"title": label, "records": block.get("records").cloned().unwrap_or_else(|| json!([]))});
        } else {
            table.push(Value::Object(block));
        }
    }
    json!({"recordNames": names, "recordTable": table, "personalBest": personal})
}

/// R7.5: a value of 0 is a real record; null or blank is `-`; highlights are truthy flags.
fn normalise_row(row: &mut Value) {
    let Some(row) = row.as_object_mut() else { return };
    for lift in ["SNATCH", "CLEANJERK", "TOTAL"] {
        let value = match row.get(lift) {
            Some(Value::Number(n)) => Value::Number(n.clone()),
            Some(Value::String(s)) if !s.trim().is_empty() => {
                s.trim().parse::<i64>().map_or_else(|_| json!(s.trim()), |n| json!(n))
            }
            _ => json!("-"),
        };
        row.insert(lift.to_owned(), value);
    }
    // OWLCMS marks the records an attempt would break with `"highlight"` (any truthy value).
    for flag in ["snatchHighlight", "cjHighlight", "totalHighlight"] {
        let on = match row.get(flag) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => !s.trim().is_empty() && !s.eq_ignore_ascii_case("false"),
            Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
            _ => false,
        };
        row.insert(flag.to_owned(), Value::Bool(on));
    }
}

/// The older flat form: `recordCategories` plus entries `catindex/fedindex/index/value/highlight`
/// where `index mod 3` is snatch, clean & jerk, total.
fn from_flat(map: &Map<String, Value>, entries: &[Value]) -> Vec<Value> {
    let categories: Vec<String> = map
        .get("recordCategories")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(|v| as_string(Some(v))).collect())
        .unwrap_or_default();
    let federations = map.get("recordNames").and_then(Value::as_array).map_or(1, |n| n.len().max(1));
    let mut blocks: Vec<Value> = categories
        .iter()
        .map(|cat| json!({"cat": cat, "recordClass": "recordBox", "records": vec![json!({}); federations]}))
        .collect();
    for entry in entries {
        let (Some(cat), Some(fed), Some(index)) =
            (as_i64(entry.get("catindex")), as_i64(entry.get("fedindex")), as_i64(entry.get("index")))
        else {
            continue;
        };
        let lift = ["SNATCH", "CLEANJERK", "TOTAL"][(index.rem_euclid(3)) as usize];
        let highlight = ["snatchHighlight", "cjHighlight", "totalHighlight"][(index.rem_euclid(3)) as usize];
        if let Some(row) = blocks.get_mut(cat as usize).and_then(|b| b["records"].get_mut(fed as usize)) {
            row[lift] = entry.get("value").cloned().unwrap_or(Value::Null);
            if entry.get("highlight").is_some_and(|h| !matches!(h, Value::Null | Value::Bool(false)) && h != "") {
                row[highlight] = json!("highlight");
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    // Behaviour rule R7.1 and its examples.
    #[test]
    fn r7_open_ended_categories_read_plus() {
        for (label, shown) in [
            (">110", "+110"),
            ("110+", "+110"),
            ("+110", "+110"),
            ("SR M >110", "SR M +110"),
            ("SR M 110+", "SR M +110"),
            ("SR M > 110", "SR M +110"),
            ("110", "110"),
            ("SM >109", "SM +109"),
            ("U20 F 87 +", "U20 F +87"),
        ] {
            assert_eq!(open_ended_label(label), shown, "{label}");
        }
    }

    // R7.5: the personal-best box is never a federation's; 0 is a record, blank is `-`.
    #[test]
    fn r7_personal_best_box_is_split_off() {
        let records = json!({"recordNames": [], "recordTable": [
            {"cat": "SM >109", "recordClass": "recordBox", "records": [{"SNATCH": 0, "CLEANJERK": null, "TOTAL": "369"}]},
            {"cat": "Personal best", "recordClass": "recordBoxPersonal", "records": [{"SNATCH": 120, "CLEANJERK": 150, "TOTAL": 270}]}]});
        let out = normalise(Some(&Value::String(records.to_string())));
        assert_eq!(out["recordTable"].as_array().unwrap().len(), 1);
        assert_eq!(out["recordTable"][0]["cat"], "SM +109");
        let row = &out["recordTable"][0]["records"][0];
        assert_eq!(
            (row["SNATCH"].clone(), row["CLEANJERK"].clone(), row["TOTAL"].clone()),
            (json!(0), json!("-"), json!(369))
        );
        assert_eq!(out["personalBest"]["title"], "Personal best");
        assert_eq!(out["personalBest"]["records"][0]["TOTAL"], 270);
        assert_eq!(normalise(None), Value::Null);
    }

    #[test]
    fn r7_flat_form_becomes_blocks() {
        let records = json!({"recordNames": ["World"], "recordCategories": ["Senior 81"], "recordTable": [
            {"catindex": 0, "fedindex": 0, "index": 0, "value": 120, "highlight": true},
            {"catindex": 0, "fedindex": 0, "index": 4, "value": 150},
            {"catindex": 0, "fedindex": 0, "index": 2, "value": 270}]});
        let out = normalise(Some(&records));
        assert_eq!(
            out["recordTable"][0]["records"][0],
            json!({"SNATCH": 120, "CLEANJERK": 150, "TOTAL": 270, "snatchHighlight": true, "cjHighlight": false, "totalHighlight": false})
        );
    }
}
