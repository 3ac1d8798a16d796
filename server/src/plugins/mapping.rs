//! A plugin's `mapping.jq`: compiled once with jaq (jq's standard library, minus `env`), then
//! run on the view input document with a time limit. Errors carry the line and column of the
//! program.

use super::values::{Input, SharedPart, json_to_val, val_to_json};
use jaq_core::load::{self, Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, compile, data};
use jaq_json::Val;
use serde_json::Value;
use std::cell::Cell;
use std::time::{Duration, Instant};

type Filter = jaq_core::Filter<Data>;

/// Longest a mapping may run before it is stopped with an error.
pub const TIME_LIMIT: Duration = Duration::from_secs(3);

/// jaq's data kind for mappings: values are [`Val`], and the global data carries a clock.
/// jaq has no fuel or interruption hook, but it looks up its term table through
/// [`data::HasLut::lut`] for every term it evaluates: that is where the clock is read.
pub struct Data;

impl data::DataT for Data {
    type V<'a> = Val;
    type Data<'a> = Budget<'a>;
}

/// The term table and the clock of one run.
#[derive(Clone)]
pub struct Budget<'a> {
    lut: &'a jaq_core::Lut<Data>,
    clock: &'a Clock,
}

/// When a run must end, and how many terms it evaluated.
struct Clock {
    deadline: Instant,
    steps: Cell<u32>,
}

/// The unwind payload that ends a run out of time.
struct OutOfTime;

impl<'a> data::HasLut<'a, Data> for Budget<'a> {
    fn lut(&self) -> &'a jaq_core::Lut<Data> {
        let steps = self.clock.steps.get().wrapping_add(1);
        self.clock.steps.set(steps);
        // Reading the time costs more than a term: look every 1024 terms.
        if steps.is_multiple_of(1024) && Instant::now() >= self.clock.deadline {
            // Unwinds (without the panic hook's message) to `run`, dropping the run's values.
            std::panic::resume_unwind(Box::new(OutOfTime));
        }
        self.lut
    }
}

// Compiled filters are shared by view tasks across threads.
const _: () = {
    const fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Filter>()
};

/// Helpers every mapping can call. `t(key)` translates like OWLCMS (`!key` when missing);
/// `tf(key; args)` also fills `{0}`, `{1}` … placeholders.
const PRELUDE: &str = r#"
def t($k): $tr[$k] // ("!" + $k);
def tf($k; $args): reduce range(0; $args | length) as $i (t($k); gsub("\\{" + ($i | tostring) + "\\}"; $args[$i] | tostring));
"#;

/// Global variables, in the order their values are passed to `Vars::new`.
const GLOBALS: [&str; 3] = ["$options", "$tr", "$lang"];

/// A compiled mapping.
pub struct Mapping {
    filter: Filter,
}

impl std::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mapping")
    }
}

/// A mapping that does not compile, or fails when run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}, column {}: ", column.unwrap_or(1))).unwrap_or_default())]
pub struct MappingError {
    /// Line in `mapping.jq`, for compile errors.
    pub line: Option<usize>,
    /// Column, for compile errors.
    pub column: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// How the message of a mapping stopped at its time limit starts.
const OUT_OF_TIME: &str = "the mapping ran longer than";

impl MappingError {
    /// The mapping was stopped at its time limit.
    pub fn is_out_of_time(&self) -> bool {
        self.message.starts_with(OUT_OF_TIME)
    }

    fn runtime(message: impl Into<String>) -> MappingError {
        MappingError { line: None, column: None, message: message.into() }
    }
}

impl Mapping {
    /// Compiles a mapping after the shared definitions of `plugins/shared.jq`. Errors say
    /// which of the two files they are in (`true` = the shared file) and where.
    pub fn compile_with_shared(shared: &str, code: &str) -> Result<Mapping, (bool, MappingError)> {
        if shared.trim().is_empty() {
            return Mapping::compile(code).map_err(|e| (false, e));
        }
        let shared_lines = shared.matches('\n').count() + 1;
        Mapping::compile(&format!("{shared}\n{code}")).map_err(|mut e| match e.line {
            Some(line) if line > shared_lines => {
                e.line = Some(line - shared_lines);
                (false, e)
            }
            _ => (true, e),
        })
    }

    /// Compiles jq source; reports the first error with its position.
    pub fn compile(code: &str) -> Result<Mapping, MappingError> {
        let prelude = load::parse(PRELUDE, |p| p.defs()).expect("the built-in prelude parses");
        let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs()).chain(prelude);
        let funs = jaq_core::funs::<Data>()
            // Mappings must not read the server's environment.
            .chain(jaq_std::funs::<Data>().filter(|(name, _, _)| *name != "env"))
            .chain(jaq_json::funs::<Data>());
        let arena = Arena::default();
        let modules = Loader::new(defs).load(&arena, File { code, path: () }).map_err(|e| load_error(code, e))?;
        load::import(&modules, |_| Err("imports are not supported in mappings".into()))
            .map_err(|e| load_error(code, e))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .with_global_vars(GLOBALS)
            .compile(modules)
            .map_err(|e| compile_error(code, e))?;
        Ok(Mapping { filter })
    }

    /// Runs the mapping; its first output is the view. Blocking and possibly slow (at most
    /// [`TIME_LIMIT`]): call it from a worker thread.
    pub fn run(&self, input: &Value, options: &Value, translations: &Value, lang: &str) -> Result<Value, MappingError> {
        self.run_within(TIME_LIMIT, input, options, translations, lang)
    }

    /// [`Mapping::run`] stopped with an error after `limit`.
    pub fn run_within(
        &self,
        limit: Duration,
        input: &Value,
        options: &Value,
        translations: &Value,
        lang: &str,
    ) -> Result<Value, MappingError> {
        self.run_values(limit, || (json_to_val(input), json_to_val(translations)), options, lang)
    }

    /// [`Mapping::run`] on a view's input: its shared parts and the translation table are
    /// converted to jq values once per content and thread (see [`super::values`]), not per run.
    pub fn run_input(
        &self,
        input: &Input,
        options: &Value,
        translations: &SharedPart,
        lang: &str,
    ) -> Result<Value, MappingError> {
        self.run_values(TIME_LIMIT, || (input.to_val(), translations.to_val()), options, lang)
    }

    /// Runs on the (input, translations) jq values `values` makes; converting them counts
    /// towards the time limit, as it always did.
    fn run_values(
        &self,
        limit: Duration,
        values: impl FnOnce() -> (Val, Val),
        options: &Value,
        lang: &str,
    ) -> Result<Value, MappingError> {
        let clock = Clock { deadline: Instant::now() + limit, steps: Cell::new(0) };
        // The run's values live and die inside the closure; the filter is only read.
        let run = std::panic::AssertUnwindSafe(|| {
            let (input, translations) = values();
            self.first_output(&clock, input, options, translations, lang)
        });
        match std::panic::catch_unwind(run) {
            Ok(result) => result,
            Err(payload) if payload.is::<OutOfTime>() => {
                Err(MappingError::runtime(format!("{OUT_OF_TIME} {limit:?} and was stopped (an endless loop?)")))
            }
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }

    fn first_output(
        &self,
        clock: &Clock,
        input: Val,
        options: &Value,
        translations: Val,
        lang: &str,
    ) -> Result<Value, MappingError> {
        let vars = Vars::new([json_to_val(options), translations, Val::from(lang.to_owned())]);
        let ctx = Ctx::<Data>::new(Budget { lut: &self.filter.lut, clock }, vars);
        let mut outputs = self.filter.id.run((ctx, input));
        match outputs.next() {
            Some(Ok(view)) => Ok(val_to_json(&view)),
            Some(Err(exn)) => Err(MappingError::runtime(match exn.get_err() {
                Ok(error) => format!("runtime error: {error}"),
                Err(exn) => format!("the mapping stopped with halt (code {})", exn.get_halt().unwrap_or(-1)),
            })),
            None => Err(MappingError::runtime("the mapping produced no output (it must produce one JSON object)")),
        }
    }
}

fn position(code: &str, part: &str, message: String) -> MappingError {
    // Errors carry a slice of the source; slices of the prelude have no position.
    let offset = (part.as_ptr() as usize).checked_sub(code.as_ptr() as usize).filter(|&o| o <= code.len());
    let before = offset.and_then(|o| code.get(..o));
    MappingError {
        line: before.map(|b| b.matches('\n').count() + 1),
        column: before.map(|b| b.rsplit('\n').next().unwrap_or("").chars().count() + 1),
        message,
    }
}

fn load_error(code: &str, errors: load::Errors<&str, ()>) -> MappingError {
    for (_file, error) in errors {
        let first = match error {
            load::Error::Io(es) => {
                es.into_iter().next().map(|(path, msg)| position(code, path, format!("cannot load {path}: {msg}")))
            }
            load::Error::Lex(es) => es
                .into_iter()
                .next()
                .map(|(expected, found)| position(code, found, format!("expected {}", expected.as_str()))),
            load::Error::Parse(es) => es.into_iter().next().map(|(expected, found)| {
                let got = if found.is_empty() {
                    "end of input".to_owned()
                } else {
                    format!("`{}`", found.chars().take(20).collect::<String>())
                };
                position(code, found, format!("expected {}, found {got}", expected.as_str()))
            }),
        };
        if let Some(first) = first {
            return first;
        }
    }
    MappingError::runtime("the mapping could not be loaded")
}

fn compile_error(code: &str, errors: compile::Errors<&str, ()>) -> MappingError {
    errors
        .into_iter()
        .flat_map(|(_file, es)| es)
        .map(|(name, undefined)| {
            let message = match undefined {
                compile::Undefined::Filter(arity) => format!("undefined filter `{name}/{arity}`"),
                other => format!("undefined {} `{name}`", other.as_str()),
            };
            position(code, name, message)
        })
        .next()
        .unwrap_or_else(|| MappingError::runtime("the mapping could not be compiled"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(code: &str, input: Value) -> Result<Value, MappingError> {
        Mapping::compile(code)?.run(
            &input,
            &json!({"size": 2}),
            &json!({"Snatch": "Arraché", "Group_number": "Groupe {0}"}),
            "fr",
        )
    }

    #[test]
    fn runs_with_options_translations_and_helpers() {
        let out = run(
            r#"{name: .athletes[0].name, size: $options.size, lift: t("Snatch"), missing: t("Nope"),
            group: tf("Group_number"; ["A1"]), lang: $lang, n: (.athletes | length)}"#,
            json!({"athletes": [{"name": "Kværnø"}]}),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"name": "Kværnø", "size": 2, "lift": "Arraché", "missing": "!Nope", "group": "Groupe A1", "lang": "fr", "n": 1})
        );
    }

    #[test]
    fn compile_errors_have_positions() {
        let err = Mapping::compile("{a: 1}\n| .x |").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        let err = Mapping::compile("{a: 1}\n|  nosuch(1)").unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(4)), "{err}");
        assert!(err.message.contains("undefined filter `nosuch/1`"), "{err}");
        assert!(Mapping::compile("env").is_err(), "env is not available");
        assert!(Mapping::compile("import \"x\" as $x; .").is_err());
    }

    #[test]
    fn shared_definitions_keep_mapping_line_numbers() {
        let shared = "def twice: . * 2;\ndef label: \"x\";";
        let m = Mapping::compile_with_shared(shared, "{a: (3 | twice)}").unwrap();
        assert_eq!(m.run(&json!({}), &json!({}), &json!({}), "en").unwrap(), json!({"a": 6}));
        let (in_shared, e) = Mapping::compile_with_shared(shared, "{a: 1}\n| nosuch").unwrap_err();
        assert_eq!((in_shared, e.line), (false, Some(2)));
        let (in_shared, e) = Mapping::compile_with_shared("def bad: nosuch;", ".").unwrap_err();
        assert_eq!((in_shared, e.line), (true, Some(1)));
    }

    #[test]
    fn runtime_errors_and_empty_output_are_reported() {
        assert!(run("error(\"boom\")", json!({})).unwrap_err().message.contains("boom"));
        assert!(run("empty", json!({})).unwrap_err().message.contains("no output"));
        assert!(run("halt", json!({})).unwrap_err().message.contains("halt"));
    }

    #[test]
    fn endless_mappings_are_stopped_at_the_limit() {
        for code in ["def f: f; f", "last(repeat(1))", "reduce repeat(1) as $x (0; . + $x)", "until(false; .)"] {
            let mapping = Mapping::compile(code).unwrap();
            let started = Instant::now();
            let err = mapping.run_within(Duration::from_millis(200), &json!({}), &json!({}), &json!({}), "en");
            let took = started.elapsed();
            assert!(err.unwrap_err().message.contains("longer than 200ms"), "{code}");
            assert!(took < Duration::from_secs(2), "{code} stopped after {took:?}");
        }
        let quick = Mapping::compile("{a: 1}").unwrap();
        let view = quick.run_within(Duration::from_millis(200), &json!({}), &json!({}), &json!({}), "en");
        assert_eq!(view.unwrap(), json!({"a": 1}));
    }
}
