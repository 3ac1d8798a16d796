//! The views of the built-in page kinds, as their renderers read them (see plugins/shared.jq):
//! the scalars they are made of, the standard grid here, the boards and overlays in
//! [`boards`]. Views come from plugin mappings that authors edit, so every field is optional
//! and display values accept any JSON scalar (a number where a string was expected still
//! shows). The stream and catalogue types are the browser contract's (`owlcms_contract`).

pub mod boards;
pub mod read;

pub use boards::{BarView, Barbell, BoardAthlete, BoardView, LowerThirdView, Plate, TableView};
pub use owlcms_contract::text_of;
use read::FromView;
use serde_json::Value;

/// A display value: any JSON scalar, shown as text (`null` is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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

impl FromView for Text {
    fn from_view(value: &Value) -> Result<Self, String> {
        Ok(Text(text_of(value)))
    }
}

/// A boolean that also accepts OWLCMS-style strings (`"true"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flag(pub bool);

impl FromView for Flag {
    fn from_view(value: &Value) -> Result<Self, String> {
        Ok(Flag(truthy(value)))
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

crate::view_struct! {
    /// The current-attempt bar (`attempt_bar` in shared.jq).
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// One attempt cell.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub struct Cell {
        /// `good`, `bad`, `current`, `next`, `request`, `empty`.
        pub status: Text,
        /// "(130)", "170", "-", "".
        pub text: Text,
    }
}

crate::view_struct! {
    /// One grid row (an athlete, or a spacer between categories / lifts).
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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
}

crate::view_struct! {
    /// Column titles.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// Optional columns.
    #[derive(Debug, Clone, PartialEq)]
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

crate::view_struct! {
    /// The leaders block.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Leaders {
        /// Whether to show it.
        pub visible: Flag,
        /// Title.
        pub title: Text,
        /// Rows.
        pub rows: Vec<Row>,
    }
}

crate::view_struct! {
    /// The records table.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// Records of a category, one row per federation.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RecordCategory {
        /// Category name.
        pub name: Text,
        /// One per federation.
        pub rows: Vec<RecordRow>,
    }
}

crate::view_struct! {
    /// A federation's records of a category.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// The `standard-grid` view (`standard_grid` in shared.jq).
    #[derive(Debug, Clone, Default, PartialEq)]
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
        /// During an OWLCMS ceremony on a public board: what it announces (the grid gives way).
        pub ceremony: Option<crate::pages::ceremony::Ceremony>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_values_accept_any_scalar() {
        let row = Row::from_view(&json!({"startNumber": 4, "name": "A, B", "current": "true",
            "snatch": [{"value": 130, "status": "bad", "text": "(130)"}], "total": null}))
        .unwrap();
        assert_eq!(row.start_number.as_str(), "4");
        assert!(row.current.0);
        assert_eq!(row.snatch[0].text.as_str(), "(130)");
        assert!(row.total.is_empty());
    }
}
