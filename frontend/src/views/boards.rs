//! Views of the attempt board, the overlays (attempt bar, lower third) and the generic table.

use super::{AttemptBar, Flag, Text};
use serde_json::Value;

crate::view_struct! {
    /// One plate of the barbell.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Plate {
        /// Weight.
        pub kg: f64,
        /// `red`, `blue`, `yellow`, `green`, `white`.
        pub colour: Text,
        /// Bumper (full diameter) rather than change plate.
        pub large: Flag,
    }
}

crate::view_struct! {
    /// The loaded barbell (one side, inside out).
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// The athlete on the attempt board.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// The `attempt-board` view.
    #[derive(Debug, Clone, PartialEq)]
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

crate::view_struct! {
    /// The `attempt-bar` view.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// The `lower-third` view.
    #[derive(Debug, Clone, Default, PartialEq)]
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
}

crate::view_struct! {
    /// The `generic-table` view.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TableView {
        /// Title.
        pub title: Text,
        /// Column titles.
        pub columns: Vec<Text>,
        /// Rows of cells.
        pub rows: Vec<Vec<Text>>,
    }
}

impl TableView {
    /// The table in a view that has `columns` and `rows` arrays, if it has them.
    pub fn from_view(view: &Value) -> Option<TableView> {
        let has = |k: &str| view.get(k).is_some_and(Value::is_array);
        if !(has("columns") && has("rows")) {
            return None;
        }
        <TableView as super::read::FromView>::from_view(view).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generic_tables_need_columns_and_rows() {
        let t = TableView::from_view(&json!({"title": "T", "columns": ["a", "b"], "rows": [["x", 1], [null, true]]}))
            .unwrap();
        assert_eq!(t.rows[0][1].as_str(), "1");
        assert_eq!(t.rows[1][0].as_str(), "");
        assert!(TableView::from_view(&json!({"rows": []})).is_none());
    }
}
