//! Reading view types from a view's JSON: one short function per type (from the
//! [`view_struct!`](crate::view_struct) macro) instead of serde's derive, whose field-name
//! visitor, map and sequence visitors and error paths cost kilobytes of bundle per type
//! (measured: see BENCHMARKS.md, "Client bundle").
//!
//! Same rules as the derive with `#[serde(default, rename_all = "camelCase")]` had: a missing
//! field keeps the type's default, unknown fields are ignored, `null` is only accepted where
//! the field is an `Option` or a display value, and a wrong type is an error naming the field.

use serde_json::{Map, Value};

/// A type read from a view's JSON; the error says where the view does not fit.
pub trait FromView: Sized {
    /// Reads `value`.
    fn from_view(value: &Value) -> Result<Self, String>;
}

/// The object a struct is read from.
pub fn object<'a>(value: &'a Value, name: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("expected an object ({name}), found {}", kind(value)))
}

/// Reads field `field` (snake_case, looked up camelCase) of `map` into `out` when present.
pub fn field<T: FromView>(map: &Map<String, Value>, field: &str, out: &mut T) -> Result<(), String> {
    if let Some(value) = lookup(map, field) {
        *out = T::from_view(value).map_err(|e| within(field, e))?;
    }
    Ok(())
}

fn lookup<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    if !field.contains('_') {
        return map.get(field);
    }
    let mut key = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                key.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => key.push(c),
        }
    }
    map.get(&key)
}

fn within(field: &str, error: String) -> String {
    format!("{field}: {error}")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn mismatch<T>(expected: &str, value: &Value) -> Result<T, String> {
    Err(format!("expected {expected}, found {}", kind(value)))
}

impl FromView for f64 {
    fn from_view(value: &Value) -> Result<Self, String> {
        value.as_f64().map_or_else(|| mismatch("a number", value), Ok)
    }
}

impl FromView for u64 {
    fn from_view(value: &Value) -> Result<Self, String> {
        value.as_u64().map_or_else(|| mismatch("a whole number", value), Ok)
    }
}

impl FromView for bool {
    fn from_view(value: &Value) -> Result<Self, String> {
        value.as_bool().map_or_else(|| mismatch("a boolean", value), Ok)
    }
}

impl FromView for String {
    fn from_view(value: &Value) -> Result<Self, String> {
        value.as_str().map_or_else(|| mismatch("a string", value), |s| Ok(s.to_owned()))
    }
}

impl FromView for Value {
    fn from_view(value: &Value) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl<T: FromView> FromView for Option<T> {
    fn from_view(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            value => T::from_view(value).map(Some),
        }
    }
}

impl<T: FromView> FromView for Vec<T> {
    fn from_view(value: &Value) -> Result<Self, String> {
        let Some(items) = value.as_array() else { return mismatch("an array", value) };
        // A loop, not `collect::<Result<_, _>>()`: its adapter was 20 KB of bundle.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(T::from_view(item).map_err(|e| within(&i.to_string(), e))?);
        }
        Ok(out)
    }
}

/// Declares a view struct (every field `pub`, the type `Default`) and its [`FromView`]: each
/// field is read from its camelCase key, or from the key written after it (`kind: Text =
/// "type"`), or from the struct's own object (`grid: Headers = flatten`, serde's `flatten`).
#[macro_export]
macro_rules! view_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty $(= $key:tt)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field : $ty ),*
        }

        impl $crate::views::read::FromView for $name {
            fn from_view(value: &serde_json::Value) -> Result<Self, String> {
                let map = $crate::views::read::object(value, stringify!($name))?;
                let mut out = <Self as Default>::default();
                $( $crate::view_struct!(@read value map out $field $($key)?); )*
                Ok(out)
            }
        }
    };
    (@read $value:ident $map:ident $out:ident $field:ident) => {
        $crate::views::read::field($map, stringify!($field), &mut $out.$field)?
    };
    (@read $value:ident $map:ident $out:ident $field:ident flatten) => {
        $out.$field = $crate::views::read::FromView::from_view($value)?
    };
    (@read $value:ident $map:ident $out:ident $field:ident $key:literal) => {
        $crate::views::read::field($map, $key, &mut $out.$field)?
    };
}

#[cfg(test)]
#[allow(unreachable_pub)] // the macro declares `pub` structs; this one is the test's own
mod tests {
    use super::*;
    use serde_json::json;

    view_struct! {
        #[derive(Debug, Default, PartialEq)]
        pub struct Sample {
            pub start_number: f64,
            pub kind: String = "type",
            pub rows: Vec<Option<u64>>,
        }
    }

    #[test]
    fn fields_are_read_by_camel_case_key_and_missing_ones_default() {
        let s = Sample::from_view(&json!({"startNumber": 4, "type": "MEDALS", "rows": [1, null], "extra": 1})).unwrap();
        assert_eq!(s, Sample { start_number: 4.0, kind: "MEDALS".into(), rows: vec![Some(1), None] });
        assert_eq!(Sample::from_view(&json!({})).unwrap(), Sample::default());
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        assert_eq!(
            Sample::from_view(&json!({"rows": [1, "x"]})).unwrap_err(),
            "rows: 1: expected a whole number, found a string"
        );
        assert_eq!(Sample::from_view(&json!({"rows": null})).unwrap_err(), "rows: expected an array, found null");
        assert_eq!(Sample::from_view(&json!([1])).unwrap_err(), "expected an object (Sample), found an array");
    }
}
