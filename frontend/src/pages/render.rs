//! Which renderer draws a view, fed by a memo of the stream's view: a renderer is built once
//! per page kind and redraws only on a view that differs from the last one (the standard grid
//! further patches part by part and row by row).
//!
//! One `Memo<Value>` for every kind, parsed inside the renderer, rather than a typed memo per
//! kind: each memo type costs code in the bundle.

use super::{board, decisions, document, grid, overlays, table, team_board};
use crate::live::Live;
use crate::views::read::FromView;
use crate::views::{BarView, BoardView, GridView, LowerThirdView, TableView};
use leptos::prelude::*;
use owlcms_contract::PageKind;
use serde_json::Value;

/// The renderer of page kind `kind`, for as long as the envelopes name that kind.
pub fn renderer(live: Live, kind: PageKind) -> AnyView {
    let view = Memo::new(move |_| live.envelope.with(|e| e.as_ref().map(|e| e.view.clone()).unwrap_or_default()));
    match kind {
        PageKind::StandardGrid => {
            let grid = Memo::new(move |_| view.with(|v| parse::<GridView>(kind, v).ok()));
            let drawable = Memo::new(move |_| grid.with(Option::is_some));
            (move || {
                if drawable.get() {
                    grid::render(live, grid)
                } else {
                    whole(view, kind, |v| parse::<GridView>(kind, v).map(|_| None::<AnyView>))
                }
            })
            .into_any()
        }
        PageKind::AttemptBoard => {
            (move || whole(view, kind, |v| parse::<BoardView>(kind, v).map(|v| board::render(live, v)))).into_any()
        }
        PageKind::AttemptBar => {
            (move || whole(view, kind, |v| parse::<BarView>(kind, v).map(|v| overlays::attempt_bar_page(live, v))))
                .into_any()
        }
        PageKind::LowerThird => (move || {
            whole(view, kind, |v| parse::<LowerThirdView>(kind, v).map(|v| overlays::lower_third_page(live, v)))
        })
        .into_any(),
        PageKind::Decisions => (move || {
            whole(view, kind, |v| parse::<decisions::DecisionsView>(kind, v).map(|v| decisions::render(live, v)))
        })
        .into_any(),
        PageKind::TeamBoard => (move || {
            whole(view, kind, |v| parse::<team_board::TeamBoardView>(kind, v).map(|v| team_board::render(live, v)))
        })
        .into_any(),
        // Any other document (no sessions) shows as JSON, like a view that fits no renderer.
        PageKind::Document => (move || {
            whole(view, kind, |v| match v.get("sessions").is_some_and(Value::is_array) {
                true => parse::<document::DocumentView>(kind, v).map(document::render).map(Some),
                false => Ok(None),
            })
        })
        .into_any(),
        PageKind::GenericTable => (move || {
            whole(view, kind, |v| {
                TableView::from_view(v).map(table::render).ok_or_else(|| {
                    "A generic-table view needs \"columns\" and \"rows\" arrays; the view as sent:".to_owned()
                })
            })
        })
        .into_any(),
    }
}

fn parse<T: FromView>(page: PageKind, view: &Value) -> Result<T, String> {
    T::from_view(view).map_err(|e| format!("The view does not fit the \"{page}\" page kind ({e}); the view as sent:"))
}

/// Draws the view with `draw`; `None` or an error: the view as readable JSON (with the reason).
fn whole<V: IntoDrawn>(view: Memo<Value>, kind: PageKind, draw: impl Fn(&Value) -> Result<V, String>) -> AnyView {
    view.with(|v| match draw(v).map(IntoDrawn::drawn) {
        Ok(Some(drawn)) => drawn,
        Ok(None) => table::fallback(kind.as_str(), v, None),
        Err(problem) => table::fallback(kind.as_str(), v, Some(problem)),
    })
}

/// A renderer's output: a view, or nothing to draw (the JSON fallback).
trait IntoDrawn {
    fn drawn(self) -> Option<AnyView>;
}

impl IntoDrawn for AnyView {
    fn drawn(self) -> Option<AnyView> {
        Some(self)
    }
}

impl IntoDrawn for Option<AnyView> {
    fn drawn(self) -> Option<AnyView> {
        self
    }
}
