//! The values a mapping runs on: conversion between `serde_json` and jaq values, and the parts
//! of a mapping's input that many runs share (the translation table of a language, the
//! database …), converted to jaq values once per content identity on each mapping thread
//! instead of on every run.
//!
//! jaq's values are reference-counted without atomics (`Rc`), so they cannot cross threads:
//! each mapping thread keeps its own small cache, bounded by [`CACHED_PARTS`].

use jaq_json::{Num, Val};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Shared parts each mapping thread keeps converted (a few languages, a database or two).
pub const CACHED_PARTS: usize = 8;

/// A part of a mapping's input that many runs share. Equal ids mean equal content: the id must
/// name everything the value is built from (a revision, a checksum …).
#[derive(Clone)]
pub struct SharedPart {
    id: Arc<str>,
    build: Arc<dyn Fn() -> Value + Send + Sync>,
}

impl std::fmt::Debug for SharedPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedPart").field(&self.id).finish()
    }
}

impl SharedPart {
    /// A part identified by `id`, built by `build` only when a thread has not converted it yet.
    pub fn new(id: impl Into<Arc<str>>, build: impl Fn() -> Value + Send + Sync + 'static) -> SharedPart {
        SharedPart { id: id.into(), build: Arc::new(build) }
    }

    /// A part that is already a JSON value.
    pub fn value(id: impl Into<Arc<str>>, value: Arc<Value>) -> SharedPart {
        SharedPart::new(id, move || (*value).clone())
    }

    /// Its content identity.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its content as JSON (built again: for debugging views, not for runs).
    pub fn to_json(&self) -> Value {
        (self.build)()
    }

    /// Its content as a jaq value, from this thread's cache when it holds this id.
    pub(crate) fn to_val(&self) -> Val {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(at) = cache.iter().position(|(id, _)| *id == self.id) {
                // Most recently used last: eviction takes the front.
                let entry = cache.remove(at).expect("position is in range");
                let val = entry.1.clone();
                cache.push_back(entry);
                return val;
            }
            CONVERSIONS.with(|n| n.set(n.get() + 1));
            let val = json_to_val(&(self.build)());
            if cache.len() >= CACHED_PARTS {
                cache.pop_front();
            }
            cache.push_back((self.id.clone(), val.clone()));
            val
        })
    }
}

thread_local! {
    static CACHE: RefCell<VecDeque<(Arc<str>, Val)>> = const { RefCell::new(VecDeque::new()) };
    static CONVERSIONS: Cell<u64> = const { Cell::new(0) };
}

/// Shared parts converted on this thread since it started (cache misses).
pub fn conversions_on_this_thread() -> u64 {
    CONVERSIONS.with(Cell::get)
}

/// What a mapping runs on: a document, some of whose top-level fields are held apart as shared
/// parts (`null` in `doc`, at the place they take in the document).
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The document built for this run.
    pub doc: Value,
    /// Top-level fields of `doc` whose values are shared parts.
    pub shared: Vec<(&'static str, SharedPart)>,
    /// Top-level arrays (or single objects) of athletes in which every object with the same
    /// `key` is the same athlete: converted once and shared between those fields.
    pub keyed: Vec<&'static str>,
}

impl Input {
    /// A document with no shared parts.
    pub fn plain(doc: Value) -> Input {
        Input { doc, ..Input::default() }
    }

    /// The whole document as one JSON value (what the mapping sees), for `?debug=input`, the
    /// workbench and tests.
    pub fn to_json(&self) -> Value {
        let mut doc = self.doc.clone();
        if let Some(map) = doc.as_object_mut() {
            for (field, part) in &self.shared {
                map.insert((*field).to_owned(), part.to_json());
            }
        }
        doc
    }

    /// The document as a jaq value, with the shared parts from this thread's cache and each
    /// keyed athlete converted once.
    pub(crate) fn to_val(&self) -> Val {
        let Value::Object(map) = &self.doc else { return json_to_val(&self.doc) };
        let mut athletes = HashMap::new();
        let mut out = jaq_json::Map::with_capacity_and_hasher(map.len(), Default::default());
        for (field, value) in map {
            let val = if let Some((_, part)) = self.shared.iter().find(|(f, _)| f == field) {
                part.to_val()
            } else if self.keyed.contains(&field.as_str()) {
                match value {
                    Value::Array(items) => items.iter().map(|item| keyed_val(item, &mut athletes)).collect(),
                    single => keyed_val(single, &mut athletes),
                }
            } else {
                json_to_val(value)
            };
            out.insert(Val::from(field.clone()), val);
        }
        Val::obj(out)
    }
}

/// An athlete object converted once per `key` (objects without a key are converted each time).
fn keyed_val<'a>(item: &'a Value, seen: &mut HashMap<&'a str, (&'a Value, Val)>) -> Val {
    let Some(key) = item.get("key").and_then(Value::as_str) else { return json_to_val(item) };
    if let Some((first, val)) = seen.get(key) {
        debug_assert_eq!(*first, item, "athletes with the same key differ");
        return val.clone();
    }
    let val = json_to_val(item);
    seen.insert(key, (item, val.clone()));
    val
}

/// A JSON value as a jaq value.
pub fn json_to_val(value: &Value) -> Val {
    match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Num(Num::from_integral(i)),
            None => Val::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Val::from(s.clone()),
        Value::Array(items) => items.iter().map(json_to_val).collect(),
        Value::Object(map) => Val::obj(map.iter().map(|(k, v)| (Val::from(k.clone()), json_to_val(v))).collect()),
    }
}

/// A jaq value as a JSON value.
pub fn val_to_json(value: &Val) -> Value {
    match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(Num::Int(i)) => Value::from(*i as i64),
        Val::Num(Num::Float(f)) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Val::Num(n) => n.to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number),
        Val::TStr(s) | Val::BStr(s) => Value::String(String::from_utf8_lossy(s).into_owned()),
        Val::Arr(items) => Value::Array(items.iter().map(val_to_json).collect()),
        Val::Obj(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Val::TStr(s) | Val::BStr(s) => String::from_utf8_lossy(s).into_owned(),
                        other => other.to_string(),
                    };
                    (key, val_to_json(v))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
