//! `standard-grid`: start order, lifting order, rankings. Current-attempt bar, athlete grid,
//! leaders and records.

use crate::live::Live;
use crate::views::{Cell, Columns, GridView, Headers, RecordCategory, Records, Row, Text};
use crate::widgets::{attempt_bar, flag};
use leptos::prelude::*;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A row's identity in the keyed list: its athlete (or spacer position) and a hash of its
/// content, so an unchanged row keeps its DOM node and a changed one is redrawn alone.
type RowKey = (String, u64);

/// Draws the standard-grid views of `view` as they come: each part (attempt bar, table
/// layout, rows, records) is a memo, redrawn only when its own data changed. `None` (a view
/// that does not parse) draws as the last good one.
pub fn render(live: Live, view: Memo<Option<GridView>>) -> AnyView {
    let waiting = Memo::new(move |_| view.with(|v| v.as_ref().is_some_and(|v| v.status.as_str() == "waiting")));
    let ceremony = Memo::new(move |_| {
        view.with(|v| v.as_ref().and_then(|v| v.ceremony.clone().map(|c| (v.competition.0.clone(), c))))
    });
    (move || match ceremony.get() {
        Some((competition, c)) => super::ceremony::render(competition, c),
        None if waiting.get() => waiting_screen(view),
        None => board(live, view),
    })
    .into_any()
}

/// Reads the current view (a default one before the first).
fn read<T>(view: Memo<Option<GridView>>, f: impl FnOnce(&GridView) -> T) -> T {
    view.with(|v| match v {
        Some(v) => f(v),
        None => f(&GridView::default()),
    })
}

fn waiting_screen(view: Memo<Option<GridView>>) -> AnyView {
    view! {
        <div class="grid-page">
            <div class="waiting-screen">
                <div class="competition">{crate::widgets::dyn_text(Box::new(move || read(view, |v| v.competition.0.clone())))}</div>
                <div class="waiting-message">{crate::widgets::dyn_text(Box::new(move || read(view, |v| v.waiting_message.0.clone())))}</div>
            </div>
        </div>
    }
    .into_any()
}

/// The table's frame: column titles, optional columns, and the title shown without a bar.
#[derive(Clone, PartialEq)]
struct Layout {
    headers: Headers,
    columns: Columns,
    title: Option<(String, String)>,
}

/// The table's rows (session, then leaders), keyed.
#[derive(Clone, PartialEq)]
struct Body {
    rows: Vec<(RowKey, Row)>,
    leaders_title: Option<String>,
    leaders: Vec<(RowKey, Row)>,
}

fn board(live: Live, view: Memo<Option<GridView>>) -> AnyView {
    let bar = Memo::new(move |_| read(view, |v| v.attempt_bar.clone()));
    let layout = Memo::new(move |_| {
        read(view, |v| Layout {
            headers: v.headers.clone(),
            columns: v.columns.clone(),
            title: (!v.attempt_bar.visible.0).then(|| (v.competition.0.clone(), v.waiting_message.0.clone())),
        })
    });
    let body = Memo::new(move |_| {
        read(view, |v| {
            let leaders = v.leaders.visible.0 && v.leaders.rows.iter().any(|r| !r.spacer.0);
            Body {
                rows: keyed(&v.rows, ""),
                leaders_title: leaders.then(|| v.leaders.title.0.clone()),
                leaders: if leaders { keyed(&v.leaders.rows, "leader:") } else { Vec::new() },
            }
        })
    });
    let records = Memo::new(move |_| read(view, |v| (v.records.clone(), v.headers.clone())));
    let table = move || {
        layout.with(|Layout { headers, columns, .. }| {
            let span = column_count(columns);
            let columns = StoredValue::new(columns.clone());
            let draw =
                move |leader: bool| move |(_, r): (RowKey, Row)| columns.with_value(|c| row(&r, c, span, leader));
            view! {
                <table class="grid">
                    {header(headers, &columns.get_value())}
                    <tbody>
                        <For each=move || body.with(|b| b.rows.clone()) key=|(k, _)| k.clone() children=draw(false) />
                        {move || body.with(|b| b.leaders_title.clone()).map(|title| view! {
                            <tr class="leaders-title"><td colspan=span>{title}</td></tr>
                        })}
                        <For each=move || body.with(|b| b.leaders.clone()) key=|(k, _)| k.clone() children=draw(true) />
                    </tbody>
                </table>
            }
        })
    };
    view! {
        <div class="grid-page">
            {move || bar.with(|b| attempt_bar(live, b, b.stop_text.or("STOP")))}
            {move || layout.with(|l| l.title.clone()).map(|(competition, message)| view! {
                <div class="grid-title">
                    <span>{competition}</span>
                    <span class="muted">{message}</span>
                </div>
            })}
            {table}
            {move || records.with(|(r, h)| (r.visible.0 && !r.categories.is_empty()).then(|| records_table(r, h)))}
            {move || records.with(|(r, h)| r.personal_best.as_ref().map(|pb| personal_best(pb, h)))}
            {move || records.with(|(r, _)| record_notice(r))}
        </div>
    }
    .into_any()
}

/// Rows with their keys: the athlete key (a position for spacers and keyless rows) and a
/// content hash. `prefix` keeps the leaders' keys apart from the session's.
fn keyed(rows: &[Row], prefix: &str) -> Vec<(RowKey, Row)> {
    let mut spacers = 0;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let id = if r.spacer.0 {
                spacers += 1;
                format!("{prefix}spacer-{spacers}")
            } else if r.key.is_empty() {
                format!("{prefix}row-{i}")
            } else {
                format!("{prefix}{}", r.key)
            };
            let mut hasher = DefaultHasher::new();
            r.hash(&mut hasher);
            ((id, hasher.finish()), r.clone())
        })
        .collect()
}

/// Number of table columns, for spacer rows.
fn column_count(c: &Columns) -> usize {
    let per_lift = if c.lift_ranks.0 { 5 } else { 4 };
    let mut n = 5 + 2 * per_lift + 1;
    if c.total_rank.0 {
        n += 1;
    }
    if c.body_weight.0 {
        n += 1;
    }
    if c.sinclair.0 {
        n += 1;
    }
    if c.sinclair_rank.0 {
        n += 1;
    }
    if !c.score.is_empty() {
        n += 2;
    }
    n
}

fn header(h: &Headers, c: &Columns) -> impl IntoView + use<> {
    // Lift titles span only the three attempts; best and rank span both header rows, so
    // hiding those columns on phones keeps every other column aligned.
    let lift = |title: &Text| {
        view! {
            <th colspan="3" class="lift first">{title.0.clone()}</th>
            <th rowspan="2" class="best">{h.best.0.clone()}</th>
            {c.lift_ranks.0.then(|| view! { <th rowspan="2" class="rank">{h.rank.0.clone()}</th> })}
        }
    };
    let attempts = || view! { <th class="att first">"1"</th><th class="att">"2"</th><th class="att">"3"</th> };
    view! {
        <thead>
            <tr class="head1">
                <th rowspan="2" class="start">{h.start.0.clone()}</th>
                <th rowspan="2" class="name">{h.name.0.clone()}</th>
                <th rowspan="2" class="cat">{h.category.0.clone()}</th>
                <th rowspan="2" class="born">{h.born.0.clone()}</th>
                {c.body_weight.0.then(|| view! { <th rowspan="2" class="bw">{h.body_weight.0.clone()}</th> })}
                <th rowspan="2" class="team">{h.team.0.clone()}</th>
                {lift(&h.snatch)}
                {lift(&h.clean_jerk)}
                <th rowspan="2" class="total first">{h.total.0.clone()}</th>
                {c.total_rank.0.then(|| view! { <th rowspan="2" class="rank total-rank">{h.rank.0.clone()}</th> })}
                {c.sinclair.0.then(|| view! { <th rowspan="2" class="sinclair">{h.sinclair.0.clone()}</th> })}
                {c.sinclair_rank.0.then(|| view! { <th rowspan="2" class="rank">{h.rank.0.clone()}</th> })}
                {(!c.score.is_empty()).then(|| view! {
                    <th rowspan="2" class="sinclair score">{c.score.0.clone()}</th>
                    <th rowspan="2" class="rank score-rank">{h.rank.0.clone()}</th>
                })}
            </tr>
            <tr class="head2">{attempts()}{attempts()}</tr>
        </thead>
    }
}

fn cell(c: Option<&Cell>, first: bool) -> impl IntoView + use<> {
    let (status, text) = c.map_or(("empty".to_owned(), String::new()), |c| (c.status.0.clone(), c.text.0.clone()));
    let class = format!("att {status}{}", if first { " first" } else { "" });
    view! { <td class=class>{text}</td> }
}

fn row(r: &Row, c: &Columns, span: usize, leader: bool) -> AnyView {
    if r.spacer.0 {
        return view! { <tr class="spacer"><td colspan=span></td></tr> }.into_any();
    }
    let class = match (r.current.0, r.next.0, leader) {
        (_, _, true) => "athlete leader",
        (true, _, _) => "athlete current",
        (_, true, _) => "athlete next",
        _ => "athlete",
    };
    let lift = |cells: &[Cell], best: &str, rank: &str| {
        view! {
            {cell(cells.first(), true)}{cell(cells.get(1), false)}{cell(cells.get(2), false)}
            <td class="best">{best.to_owned()}</td>
            {c.lift_ranks.0.then(|| view! { <td class="rank">{rank.to_owned()}</td> })}
        }
    };
    // Leaders come from other sessions: their start column shows the sub-category.
    let start = if leader && !r.sub_category.is_empty() { r.sub_category.0.clone() } else { r.start_number.0.clone() };
    view! {
        <tr class=class data-key=r.key.0.clone()>
            <td class="start">{start}</td>
            <td class="name">{r.name.0.clone()}</td>
            <td class="cat">{r.category.0.clone()}</td>
            <td class="born">{r.year_of_birth.0.clone()}</td>
            {c.body_weight.0.then(|| view! { <td class="bw">{r.body_weight.0.clone()}</td> })}
            <td class="team"><span class="team-in">{flag(&r.flag)}<span class="team-name">{r.team.0.clone()}</span></span></td>
            {lift(&r.snatch, r.best_snatch.as_str(), r.snatch_rank.as_str())}
            {lift(&r.clean_jerk, r.best_clean_jerk.as_str(), r.clean_jerk_rank.as_str())}
            <td class="total first">{r.total.0.clone()}</td>
            {c.total_rank.0.then(|| view! { <td class="rank total-rank">{r.total_rank.0.clone()}</td> })}
            {c.sinclair.0.then(|| view! { <td class="sinclair">{r.sinclair.0.clone()}</td> })}
            {c.sinclair_rank.0.then(|| view! { <td class="rank">{r.sinclair_rank.0.clone()}</td> })}
            {(!c.score.is_empty()).then(|| view! {
                <td class="sinclair score">{r.score.0.clone()}</td>
                <td class="rank score-rank">{r.score_rank.0.clone()}</td>
            })}
        </tr>
    }
    .into_any()
}

/// OWLCMS's record message (`attempt`: the lift challenges a record; `new`: one was set), when
/// the view says it is shown now (behaviour rule R7.4).
fn record_notice(records: &Records) -> Option<impl IntoView + use<>> {
    let class = match records.kind.as_str() {
        "attempt" => "record-notice attempt",
        "new" => "record-notice new",
        _ => return None,
    };
    let shown = records.panel.unwrap_or(records.visible.0) && !records.message.is_empty();
    shown.then(|| view! { <div class=class>{records.message.0.clone()}</div> })
}

/// The current athlete's personal bests, a small box apart from the records table.
fn personal_best(pb: &RecordCategory, headers: &Headers) -> impl IntoView + use<> {
    let row = pb.rows.first().cloned().unwrap_or_default();
    view! {
        <div class="personal-best">
            <span class="pb-title">{pb.name.0.clone()}</span>
            <span class="pb-lift">{headers.snatch.0.clone()}" "{row.snatch.0.clone()}</span>
            <span class="pb-lift">{headers.clean_jerk.0.clone()}" "{row.clean_jerk.0.clone()}</span>
            <span class="pb-lift">{headers.total.0.clone()}" "{row.total.0}</span>
        </div>
    }
}

/// One row per record federation, one column group (snatch, C&J, total) per category; the
/// records the current attempt would break are highlighted.
fn records_table(records: &Records, headers: &Headers) -> impl IntoView + use<> {
    let short = |t: &str, fallback: &str| t.chars().next().map_or(fallback.to_owned(), |c| c.to_string());
    let (s, cj, t) = (short(headers.snatch.as_str(), "S"), "CJ".to_owned(), short(headers.total.as_str(), "T"));
    let hl = |on: bool| if on { "rec highlight" } else { "rec" };
    view! {
        <div class="records">
            // Many categories scroll sideways on their own instead of widening the board.
            <div class="records-scroll">
            <table class="records-table">
                <thead>
                    <tr>
                        <th class="fed"></th>
                        {records.categories.iter().map(|c| view! { <th colspan="3" class="rec-cat">{c.name.0.clone()}</th> }).collect_view()}
                    </tr>
                    <tr>
                        <th class="fed"></th>
                        {records.categories.iter().map(|_| view! {
                            <th class="rec">{s.clone()}</th><th class="rec">{cj.clone()}</th><th class="rec">{t.clone()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {records.federations.iter().enumerate().map(|(i, fed)| view! {
                        <tr>
                            <th class="fed">{fed.0.clone()}</th>
                            {records.categories.iter().map(|c| match c.rows.get(i) {
                                Some(r) => view! {
                                    <td class=hl(r.snatch_highlight.0)>{r.snatch.0.clone()}</td>
                                    <td class=hl(r.clean_jerk_highlight.0)>{r.clean_jerk.0.clone()}</td>
                                    <td class=hl(r.total_highlight.0)>{r.total.0.clone()}</td>
                                }.into_any(),
                                None => view! { <td class="rec"></td><td class="rec"></td><td class="rec"></td> }.into_any(),
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </div>
    }
}
