//! What the server sends: the plugin catalogue, the stream's events and the views of the
//! built-in page kinds. Views come from plugin mappings that authors edit, so every field is
//! optional and display values accept any JSON scalar (a number where a string was expected
//! still shows).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A display value: any JSON scalar, shown as text (`null` is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
    /// The text, or `fallback` when there is nothing to show (views of older plugins).
    pub fn or<'a>(&'a self, fallback: &'a str) -> &'a str {
        if self.is_empty() { fallback } else { &self.0 }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text of any JSON value: strings as they are, other scalars in JSON form.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(text_of(&Value::deserialize(d)?)))
    }
}

/// A boolean that also accepts OWLCMS-style strings (`"true"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Flag(truthy(&Value::deserialize(d)?)))
    }
}

/// JSON truthiness as OWLCMS means it: `true`, `"true"`, non-zero numbers.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogue (`GET /api/plugins`, `GET /api/plugins/<id>`)

/// `GET /api/plugins`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Catalog {
    /// Competition name, once OWLCMS sent the database.
    pub competition: Option<String>,
    /// FOP names.
    pub fops: Vec<String>,
    /// Languages OWLCMS sent, named in their own language.
    pub languages: Vec<Language>,
    /// Whether OWLCMS is connected now.
    pub owlcms_connected: bool,
    /// The latched protocol error, if any.
    pub protocol_error: Option<Value>,
    /// Every plugin.
    pub plugins: Vec<PluginInfo>,
}

/// A language OWLCMS sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Language {
    /// Locale id (`fr_CA`).
    pub id: String,
    /// Its name in its own language.
    pub name: String,
}

/// A plugin of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PluginInfo {
    /// Plugin id (folder name and URL path).
    pub id: String,
    /// False when the plugin never loaded.
    pub available: bool,
    /// Display name.
    pub name: String,
    /// One line of description.
    pub description: Option<String>,
    /// Landing-page section.
    pub category: Option<String>,
    /// Position in its section.
    pub order: f64,
    /// Not listed on the landing page.
    pub hidden: bool,
    /// Page kind (renderer).
    pub page: String,
    /// Whether the URL must name a FOP.
    pub fop_required: Option<bool>,
    /// Options schema.
    pub options: Vec<OptionSpec>,
    /// URL of the plugin's style sheet.
    pub style: Option<String>,
    /// `ok` or `error`.
    pub status: String,
    /// Load error.
    pub problem: Option<Problem>,
    /// Mapping run-time error.
    pub runtime_error: Option<String>,
}

impl PluginInfo {
    /// Whether the URL must name a FOP (the default).
    pub fn needs_fop(&self) -> bool {
        self.fop_required.unwrap_or(true)
    }

    /// The error to show on the plugin's card, if any.
    pub fn error_text(&self) -> Option<String> {
        let problem = self.problem.as_ref().map(|p| if p.text.is_empty() { p.message.clone() } else { p.text.clone() });
        problem
            .or_else(|| self.runtime_error.clone())
            .filter(|t| !t.is_empty())
            .or_else(|| (self.status == "error").then(|| "This plugin has an error (see the server log).".to_owned()))
    }
}

/// Why a plugin's files did not load.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Problem {
    /// `file:line: message`.
    pub text: String,
    /// The message alone.
    pub message: String,
}

/// One option of a plugin's schema.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OptionSpec {
    /// URL parameter.
    pub key: String,
    /// Label in the dialog.
    pub label: String,
    /// `boolean`, `number`, `select` or `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Default value.
    pub default: Value,
    /// Lower bound of a number.
    pub min: Option<f64>,
    /// Upper bound of a number.
    pub max: Option<f64>,
    /// Choices of a select (the server resolves `"languages"` to a list).
    pub choices: Option<Vec<Choice>>,
    /// Heading the option is listed under.
    pub group: Option<String>,
    /// Help text.
    pub help: Option<String>,
    /// Key of a boolean option that disables this one while true.
    pub disabled_by: Option<String>,
}

/// A choice of a select option.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    /// URL value.
    pub value: String,
    /// What the menu shows.
    pub label: String,
}

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match &v {
            Value::Object(map) => {
                let value = map.get("value").map(text_of).unwrap_or_default();
                let label = map.get("label").map(text_of).filter(|l| !l.is_empty()).unwrap_or_else(|| value.clone());
                Choice { value, label }
            }
            other => Choice { value: text_of(other), label: text_of(other) },
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Stream events

/// The `view` event: which plugin and page, and the view the mapping produced.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Envelope {
    /// Plugin id.
    pub plugin: String,
    /// Page kind.
    pub page: String,
    /// FOP.
    pub fop: Option<String>,
    /// Resolved locale.
    pub lang: String,
    /// Resolved options.
    pub options: Value,
    /// The mapping's output.
    pub view: Value,
}

/// The `status` event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Status {
    /// `ok`, `waiting`, `protocol-mismatch` or `plugin-error`.
    pub state: String,
    /// Explanation for people.
    pub message: String,
    /// Whether OWLCMS is connected.
    pub owlcms_connected: bool,
}

/// The `decision` event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DecisionEvent {
    /// Server time of the event.
    pub server_time_ms: f64,
    /// Last referee event type.
    pub event: Option<String>,
    /// Referees 1–3: good, bad or undecided.
    pub lights: [Option<bool>; 3],
    /// Overall decision.
    pub decision: Option<bool>,
    /// Lights shown.
    pub visible: bool,
    /// Down signal shown.
    pub down: bool,
    /// One-referee competition.
    pub single_referee: bool,
    /// Last jury notification.
    pub jury: Option<Jury>,
}

/// A jury notification.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Jury {
    /// `JURY_DECISION`, `START_DELIBERATION`, …
    pub event: String,
    /// `GOOD_LIFT` / `BAD_LIFT`.
    pub decision: Option<String>,
    /// True when the jury reversed the referees.
    pub reversal: Option<bool>,
    /// OWLCMS holds the outcome until the announcer confirms it: shown as deliberating.
    pub waiting_for_announcer: bool,
}

// ---------------------------------------------------------------------------------------------
// Views of the built-in page kinds (see plugins/shared.jq)

/// The current-attempt bar (`attempt_bar` in shared.jq).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AttemptBar {
    /// Whether to show the bar.
    pub visible: Flag,
    /// OWLCMS board mode.
    pub mode: Text,
    /// In a break, ceremony or session end.
    pub in_break: Flag,
    /// OWLCMS `INTERRUPTION` mode.
    pub interruption: Flag,
    /// Session done.
    pub session_done: Flag,
    /// An athlete is on the platform.
    pub has_athlete: Flag,
    /// Athlete name, or the break / done message.
    pub name: Text,
    /// Team.
    pub team: Text,
    /// Flag URL.
    pub flag: Text,
    /// Start number.
    pub start_number: Text,
    /// Category.
    pub category: Text,
    /// "C&J #3".
    pub attempt: Text,
    /// Requested weight.
    pub weight: Text,
    /// Unit.
    pub kg: Text,
    /// "Session P4.3 – Clean & Jerk".
    pub session_line: Text,
    /// `none`, `attempt`, `new`.
    pub record_kind: Text,
    /// Record message.
    pub record_message: Text,
    /// What an interruption shows (`STOP`, `STOPP` in Norwegian).
    pub stop_text: Text,
}

/// One attempt cell.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Cell {
    /// `good`, `bad`, `current`, `next`, `request`, `empty`.
    pub status: Text,
    /// "(130)", "170", "-", "".
    pub text: Text,
}

/// One grid row (an athlete, or a spacer between categories / lifts).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Row {
    /// A spacer row.
    pub spacer: Flag,
    /// Athlete key.
    pub key: Text,
    /// Start number.
    pub start_number: Text,
    /// "LASTNAME, Firstname".
    pub name: Text,
    /// Category.
    pub category: Text,
    /// Leaders' sub-category.
    pub sub_category: Text,
    /// Year of birth.
    pub year_of_birth: Text,
    /// Team.
    pub team: Text,
    /// Flag URL.
    pub flag: Text,
    /// Body weight.
    pub body_weight: Text,
    /// Snatch 1–3.
    pub snatch: Vec<Cell>,
    /// Best snatch.
    pub best_snatch: Text,
    /// Snatch rank.
    pub snatch_rank: Text,
    /// Clean & jerk 1–3.
    pub clean_jerk: Vec<Cell>,
    /// Best clean & jerk.
    pub best_clean_jerk: Text,
    /// C&J rank.
    pub clean_jerk_rank: Text,
    /// Total.
    pub total: Text,
    /// Total rank.
    pub total_rank: Text,
    /// Sinclair.
    pub sinclair: Text,
    /// Sinclair rank.
    pub sinclair_rank: Text,
    /// Score of the chosen system (`columns.score`).
    pub score: Text,
    /// Score rank.
    pub score_rank: Text,
    /// Lifting now.
    pub current: Flag,
    /// Lifting next.
    pub next: Flag,
}

/// Column titles.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Headers {
    /// Start.
    pub start: Text,
    /// Name.
    pub name: Text,
    /// Category.
    pub category: Text,
    /// Born.
    pub born: Text,
    /// Team.
    pub team: Text,
    /// Snatch.
    pub snatch: Text,
    /// Clean & jerk.
    pub clean_jerk: Text,
    /// Best.
    pub best: Text,
    /// Total.
    pub total: Text,
    /// Rank.
    pub rank: Text,
    /// Sinclair.
    pub sinclair: Text,
    /// Body weight.
    pub body_weight: Text,
}

/// Optional columns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Columns {
    /// A rank after each best lift.
    pub lift_ranks: Flag,
    /// The final rank column.
    pub total_rank: Flag,
    /// Sinclair points.
    pub sinclair: Flag,
    /// Sinclair rank.
    pub sinclair_rank: Flag,
    /// Body weight.
    pub body_weight: Flag,
    /// Title of the score column; empty (`null`): no score columns.
    pub score: Text,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            lift_ranks: Flag(false),
            total_rank: Flag(true),
            sinclair: Flag(false),
            sinclair_rank: Flag(false),
            body_weight: Flag(false),
            score: Text::default(),
        }
    }
}

/// The leaders block.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Leaders {
    /// Whether to show it.
    pub visible: Flag,
    /// Title.
    pub title: Text,
    /// Rows.
    pub rows: Vec<Row>,
}

/// The records table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Records {
    /// Whether to show it.
    pub visible: Flag,
    /// Record federations (one table row each).
    pub federations: Vec<Text>,
    /// Categories (one column group each).
    pub categories: Vec<RecordCategory>,
    /// `none`, `attempt` or `new`.
    pub kind: Text,
    /// What OWLCMS says about the record.
    pub message: Text,
    /// The current athlete's personal bests (OWLCMS's `recordBoxPersonal`), apart from records.
    pub personal_best: Option<RecordCategory>,
    /// Whether the record message is shown now (absent from older plugins: the kind decides).
    pub panel: Option<bool>,
}

/// Records of a category, one row per federation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RecordCategory {
    /// Category name.
    pub name: Text,
    /// One per federation.
    pub rows: Vec<RecordRow>,
}

/// A federation's records of a category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RecordRow {
    /// Snatch record.
    pub snatch: Text,
    /// C&J record.
    pub clean_jerk: Text,
    /// Total record.
    pub total: Text,
    /// The current attempt would beat the snatch record.
    pub snatch_highlight: Flag,
    /// … the C&J record.
    pub clean_jerk_highlight: Flag,
    /// … the total record.
    pub total_highlight: Flag,
}

/// The `standard-grid` view (`standard_grid` in shared.jq).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GridView {
    /// Board title.
    pub title: Text,
    /// Competition name.
    pub competition: Text,
    /// `ready` or `waiting`.
    pub status: Text,
    /// What to show while waiting.
    pub waiting_message: Text,
    /// Current-attempt bar.
    pub attempt_bar: AttemptBar,
    /// Column titles.
    pub headers: Headers,
    /// Optional columns.
    pub columns: Columns,
    /// Athletes and spacers.
    pub rows: Vec<Row>,
    /// Leaders.
    pub leaders: Leaders,
    /// Records.
    pub records: Records,
}

/// One plate of the barbell.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Plate {
    /// Weight.
    pub kg: f64,
    /// `red`, `blue`, `yellow`, `green`, `white`.
    pub colour: Text,
    /// Bumper (full diameter) rather than change plate.
    pub large: Flag,
}

/// The loaded barbell (one side, inside out).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Barbell {
    /// Total weight.
    pub weight_kg: f64,
    /// Bar weight.
    pub bar_kg: f64,
    /// Collars on.
    pub collar: Flag,
    /// Plates of one side, from the middle out.
    pub plates: Vec<Plate>,
}

/// The athlete on the attempt board.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BoardAthlete {
    /// Upper-case last name.
    pub last_name: Text,
    /// First name.
    pub first_name: Text,
    /// Team.
    pub team: Text,
    /// Flag URL.
    pub flag: Text,
    /// Picture URL.
    pub picture: Text,
    /// Start number.
    pub start_number: Text,
    /// Category.
    pub category: Text,
}

/// The `attempt-board` view.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BoardView {
    /// Competition name.
    pub competition: Text,
    /// `ready` or `waiting`.
    pub status: Text,
    /// What to show while waiting.
    pub waiting_message: Text,
    /// OWLCMS board mode.
    pub mode: Text,
    /// In a break.
    pub in_break: Flag,
    /// OWLCMS `INTERRUPTION`.
    pub interruption: Flag,
    /// Session done.
    pub session_done: Flag,
    /// "Session P4.3".
    pub session: Text,
    /// Break / ceremony / done text.
    pub break_message: Text,
    /// The athlete, if any.
    pub athlete: Option<BoardAthlete>,
    /// Requested weight.
    pub weight: Text,
    /// Unit.
    pub kg: Text,
    /// "C&J #3".
    pub attempt: Text,
    /// Barbell loading.
    pub barbell: Option<Barbell>,
    /// Show the clock.
    pub show_timer: Flag,
    /// Show decisions.
    pub show_decisions: Flag,
    /// "STOP".
    pub stop_text: Text,
    /// `none`, `attempt`, `new`.
    pub record_kind: Text,
    /// Record message.
    pub record_message: Text,
}

impl Default for BoardView {
    fn default() -> Self {
        BoardView {
            competition: Text::default(),
            status: Text::default(),
            waiting_message: Text::default(),
            mode: Text::default(),
            in_break: Flag(false),
            interruption: Flag(false),
            session_done: Flag(false),
            session: Text::default(),
            break_message: Text::default(),
            athlete: None,
            weight: Text::default(),
            kg: Text("kg".into()),
            attempt: Text::default(),
            barbell: None,
            show_timer: Flag(true),
            show_decisions: Flag(true),
            stop_text: Text("STOP".into()),
            record_kind: Text::default(),
            record_message: Text::default(),
        }
    }
}

/// The `attempt-bar` view.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BarView {
    /// `ready` or `waiting`.
    pub status: Text,
    /// What to show while waiting.
    pub waiting_message: Text,
    /// The bar.
    pub attempt_bar: AttemptBar,
    /// `top` or `bottom`.
    pub position: Text,
    /// Size factor.
    pub size: Option<f64>,
    /// "STOP".
    pub stop_text: Text,
}

/// The `lower-third` view.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LowerThirdView {
    /// Whether to show the cards.
    pub visible: Flag,
    /// OWLCMS board mode.
    pub mode: Text,
    /// OWLCMS `INTERRUPTION`.
    pub interruption: Flag,
    /// In a break.
    pub in_break: Flag,
    /// Athlete name or break text.
    pub name: Text,
    /// Team.
    pub team: Text,
    /// Flag URL.
    pub flag: Text,
    /// "170 kg".
    pub weight: Text,
    /// "C&J #3".
    pub attempt: Text,
    /// `bottom-right`, `bottom-left`, `top-right`, `top-left`.
    pub position: Text,
    /// `small`, `medium`, `large`.
    pub font_size: Text,
    /// "STOP".
    pub stop_text: Text,
}

/// The `generic-table` view.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TableView {
    /// Title.
    pub title: Text,
    /// Column titles.
    pub columns: Vec<Text>,
    /// Rows of cells.
    pub rows: Vec<Vec<Text>>,
}

impl TableView {
    /// The table in a view that has `columns` and `rows` arrays, if it has them.
    pub fn from_view(view: &Value) -> Option<TableView> {
        let has = |k: &str| view.get(k).is_some_and(Value::is_array);
        if !(has("columns") && has("rows")) {
            return None;
        }
        serde_json::from_value(view.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_values_accept_any_scalar() {
        let row: Row = serde_json::from_value(json!({"startNumber": 4, "name": "A, B", "current": "true",
            "snatch": [{"value": 130, "status": "bad", "text": "(130)"}], "total": null}))
        .unwrap();
        assert_eq!(row.start_number.as_str(), "4");
        assert!(row.current.0);
        assert_eq!(row.snatch[0].text.as_str(), "(130)");
        assert!(row.total.is_empty());
    }

    #[test]
    fn choices_are_plain_or_labeled() {
        let spec: OptionSpec = serde_json::from_value(json!({"key": "theme", "type": "select", "default": "dark",
            "choices": [{"value": "dark", "label": "Dark"}, "light", 3]}))
        .unwrap();
        let choices = spec.choices.unwrap();
        assert_eq!(choices[0], Choice { value: "dark".into(), label: "Dark".into() });
        assert_eq!(choices[1], Choice { value: "light".into(), label: "light".into() });
        assert_eq!(choices[2].value, "3");
    }

    #[test]
    fn generic_tables_need_columns_and_rows() {
        let t = TableView::from_view(&json!({"title": "T", "columns": ["a", "b"], "rows": [["x", 1], [null, true]]}))
            .unwrap();
        assert_eq!(t.rows[0][1].as_str(), "1");
        assert_eq!(t.rows[1][0].as_str(), "");
        assert!(TableView::from_view(&json!({"rows": []})).is_none());
    }

    #[test]
    fn plugin_errors_prefer_the_file_problem() {
        let p: PluginInfo = serde_json::from_value(json!({"id": "x", "status": "error",
            "problem": {"text": "plugins/x/mapping.jq:3: syntax error", "message": "syntax error"},
            "runtimeError": "later"}))
        .unwrap();
        assert_eq!(p.error_text().unwrap(), "plugins/x/mapping.jq:3: syntax error");
        let p: PluginInfo =
            serde_json::from_value(json!({"id": "x", "status": "error", "runtimeError": "boom"})).unwrap();
        assert_eq!(p.error_text().unwrap(), "boom");
        let ok: PluginInfo = serde_json::from_value(json!({"id": "x", "status": "ok"})).unwrap();
        assert!(ok.error_text().is_none() && ok.needs_fop());
    }
}
