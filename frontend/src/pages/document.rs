//! `document`: a printable results protocol (`results-protocol`), drawn in the browser from the
//! view: per session, its categories with every athlete's attempts, best lifts, total, place
//! and medal, then the records set in the session. The print style sheet (`document.css`)
//! lays it out on A4 pages, one session per page group, with the table headers and a running
//! header repeated on every page.
//!
//! Running header: each session is ONE table whose `<thead>` holds the running header row
//! (competition, date, city, session) above the column titles; browsers repeat a
//! `display: table-header-group` on every printed page the table spans, and the header takes
//! its own room there. A `position: fixed` header would also repeat in Chromium, but it
//! takes no room (the page content runs under it unless the `@page` margin is tuned to its
//! height by hand), and Firefox and Safari place it differently; the repeated thead row is
//! the technique every engine prints the same way.

use crate::texts;
use crate::views::Text;
use leptos::prelude::*;

/// The styles of this page kind, screen and print.
const CSS: &str = include_str!("document.css");

crate::view_struct! {
    /// One attempt of the protocol.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Attempt {
        /// Weight (`null`: not taken).
        pub value: Text,
        /// Good lift (`null`: not taken).
        pub good: Option<bool>,
    }
}

crate::view_struct! {
    /// An athlete of a category.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocAthlete {
        /// Category place.
        pub place: Text,
        /// "LASTNAME, Firstname".
        pub name: Text,
        /// Team.
        pub team: Text,
        /// Year of birth.
        pub year_of_birth: Text,
        /// Body weight.
        pub body_weight: Text,
        /// Start number.
        pub start_number: Text,
        /// Snatch 1–3.
        pub snatch: Vec<Attempt>,
        /// Best snatch.
        pub best_snatch: Text,
        /// C&J 1–3.
        pub clean_jerk: Vec<Attempt>,
        /// Best C&J.
        pub best_clean_jerk: Text,
        /// Total.
        pub total: Text,
        /// `gold`, `silver`, `bronze` or empty.
        pub medal: Text,
    }
}

crate::view_struct! {
    /// A category of a session.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocCategory {
        /// Category name.
        pub name: Text,
        /// By place.
        pub athletes: Vec<DocAthlete>,
    }
}

crate::view_struct! {
    /// A record set in the session.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocRecord {
        /// Record name.
        pub name: Text,
        /// Federation.
        pub federation: Text,
        /// Record category.
        pub category: Text,
        /// Lift.
        pub lift: Text,
        /// Weight.
        pub value: Text,
        /// Athlete.
        pub athlete: Text,
        /// Body weight.
        pub body_weight: Text,
    }
}

crate::view_struct! {
    /// A session of the protocol.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocSession {
        /// Session name.
        pub name: Text,
        /// Session description.
        pub description: Text,
        /// "Session P1.1 – Results".
        pub title: Text,
        /// Categories.
        pub categories: Vec<DocCategory>,
        /// Records set.
        pub records: Vec<DocRecord>,
    }
}

crate::view_struct! {
    /// Column titles of the protocol.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocHeaders {
        /// The `place` title.
        pub place: Text,
        /// The `name` title.
        pub name: Text,
        /// The `team` title.
        pub team: Text,
        /// The `born` title.
        pub born: Text,
        /// The `body_weight` title.
        pub body_weight: Text,
        /// The `start` title.
        pub start: Text,
        /// The `snatch` title.
        pub snatch: Text,
        /// The `clean_jerk` title.
        pub clean_jerk: Text,
        /// The `best` title.
        pub best: Text,
        /// The `total` title.
        pub total: Text,
        /// The `medal` title.
        pub medal: Text,
        /// The `records` title.
        pub records: Text,
        /// The `record_name` title.
        pub record_name: Text,
        /// The `category` title.
        pub category: Text,
        /// The `record_weight` title.
        pub record_weight: Text,
        /// The `gold` title.
        pub gold: Text,
        /// The `silver` title.
        pub silver: Text,
        /// The `bronze` title.
        pub bronze: Text,
    }
}

crate::view_struct! {
    /// The `document` view.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DocumentView {
        /// "Competition Results".
        pub title: Text,
        /// Competition name.
        pub competition: Text,
        /// Date.
        pub date: Text,
        /// City.
        pub city: Text,
        /// Venue.
        pub site: Text,
        /// `waiting` before the database arrives.
        pub status: Text,
        /// What to show while waiting.
        pub waiting_message: Text,
        /// Sessions.
        pub sessions: Vec<DocSession>,
        /// Column titles.
        pub headers: DocHeaders,
    }
}

fn or(text: &Text, fallback: &str) -> String {
    if text.is_empty() { fallback.to_owned() } else { text.0.clone() }
}

/// Titles with English fallbacks.
struct Titles {
    place: String,
    name: String,
    team: String,
    born: String,
    body_weight: String,
    start: String,
    snatch: String,
    clean_jerk: String,
    best: String,
    total: String,
    medal: String,
    records: String,
    record_name: String,
    category: String,
    record_weight: String,
    gold: String,
    silver: String,
    bronze: String,
}

impl Titles {
    fn of(h: &DocHeaders) -> Titles {
        Titles {
            place: or(&h.place, "Place"),
            name: or(&h.name, "Name"),
            team: or(&h.team, "Team"),
            born: or(&h.born, "Born"),
            body_weight: or(&h.body_weight, "B.W."),
            start: or(&h.start, "Start"),
            snatch: or(&h.snatch, "Snatch"),
            clean_jerk: or(&h.clean_jerk, "Clean & Jerk"),
            best: or(&h.best, "Best"),
            total: or(&h.total, "Total"),
            medal: or(&h.medal, "Medal"),
            records: or(&h.records, "Records"),
            record_name: or(&h.record_name, "Record"),
            category: or(&h.category, "Category"),
            record_weight: or(&h.record_weight, "Weight"),
            gold: or(&h.gold, "Gold"),
            silver: or(&h.silver, "Silver"),
            bronze: or(&h.bronze, "Bronze"),
        }
    }
}

/// Columns of the results table: place, name, team, born, body weight, start, 3 + best,
/// 3 + best, total, medal.
const COLUMNS: usize = 16;

/// Draws a results protocol.
pub fn render(view: DocumentView) -> AnyView {
    let t = Titles::of(&view.headers);
    let place_line = [view.date.as_str(), view.city.as_str(), view.site.as_str()]
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let running = format!("{} — {}", view.competition, place_line);
    let print = move |_| {
        let _ = window().print();
    };
    let empty = view.sessions.is_empty();
    let message =
        if view.waiting_message.is_empty() { "No finished session yet." } else { view.waiting_message.as_str() };
    view! {
        <style>{CSS}</style>
        <div class="document">
            <div class="doc-toolbar">
                <button class="print-button" type="button" on:click=print>{crate::widgets::dyn_text(Box::new(|| texts::t("print")))}</button>
            </div>
            <header class="doc-cover">
                <h1 class="doc-title">{view.title.0.clone()}</h1>
                <div class="doc-competition">{view.competition.0.clone()}</div>
                <div class="doc-place">{place_line}</div>
            </header>
            {empty.then(|| view! { <p class="doc-empty">{message.to_owned()}</p> })}
            {view.sessions.iter().enumerate().map(|(i, s)| session(s, i, &t, &running)).collect_view()}
        </div>
    }
    .into_any()
}

fn attempt(a: Option<&Attempt>, first: bool) -> impl IntoView + use<> {
    let (class, text) = match a {
        Some(a) if !a.value.is_empty() => match a.good {
            Some(true) => ("att good", a.value.0.clone()),
            Some(false) => ("att bad", a.value.0.clone()),
            None => ("att request", a.value.0.clone()),
        },
        _ => ("att empty", "–".to_owned()),
    };
    let class = if first { format!("{class} first") } else { class.to_owned() };
    view! { <td class=class>{text}</td> }
}

fn medal(m: &Text, t: &Titles) -> impl IntoView + use<> {
    let label = match m.as_str() {
        "gold" => t.gold.clone(),
        "silver" => t.silver.clone(),
        "bronze" => t.bronze.clone(),
        _ => return ().into_any(),
    };
    view! { <span class=format!("medal {}", m)>{label}</span> }.into_any()
}

fn session(s: &DocSession, index: usize, t: &Titles, running: &str) -> impl IntoView + use<> {
    let title = if s.title.is_empty() { s.name.0.clone() } else { s.title.0.clone() };
    let description = s.description.0.clone();
    let lift = |cells: &[Attempt], best: &Text| {
        view! {
            {attempt(cells.first(), true)}{attempt(cells.get(1), false)}{attempt(cells.get(2), false)}
            <td class="best">{best.0.clone()}</td>
        }
    };
    let categories = s
        .categories
        .iter()
        .map(|c| {
            view! {
                <tbody class="doc-category">
                    <tr class="category-row"><th colspan=COLUMNS>{c.name.0.clone()}</th></tr>
                    {c.athletes.iter().map(|a| view! {
                        <tr class="doc-athlete">
                            <td class="place">{a.place.0.clone()}</td>
                            <td class="name">{a.name.0.clone()}</td>
                            <td class="team">{a.team.0.clone()}</td>
                            <td class="born">{a.year_of_birth.0.clone()}</td>
                            <td class="bw">{a.body_weight.0.clone()}</td>
                            <td class="start">{a.start_number.0.clone()}</td>
                            {lift(&a.snatch, &a.best_snatch)}
                            {lift(&a.clean_jerk, &a.best_clean_jerk)}
                            <td class="total first">{a.total.0.clone()}</td>
                            <td class="medal-cell">{medal(&a.medal, t)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            }
        })
        .collect_view();
    let records = (!s.records.is_empty()).then(|| {
        view! {
            <table class="doc-records">
                <thead>
                    <tr class="records-title"><th colspan="6">{format!("{} – {}", t.records, s.name)}</th></tr>
                    <tr>
                        <th>{t.record_name.clone()}</th><th>{t.category.clone()}</th><th>{t.snatch.clone()}" / "{t.clean_jerk.clone()}</th>
                        <th>{t.record_weight.clone()}</th><th>{t.name.clone()}</th><th>{t.body_weight.clone()}</th>
                    </tr>
                </thead>
                <tbody>
                    {s.records.iter().map(|r| view! {
                        <tr>
                            <td class="left">{r.name.0.clone()}" "<span class="muted">{r.federation.0.clone()}</span></td>
                            <td>{r.category.0.clone()}</td>
                            <td>{r.lift.0.clone()}</td>
                            <td class="best">{r.value.0.clone()}</td>
                            <td class="left">{r.athlete.0.clone()}</td>
                            <td>{r.body_weight.0.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <section class="doc-session" class:first-session=index == 0 data-session=s.name.0.clone()>
            <table class="protocol">
                <thead>
                    <tr class="running-header"><th colspan=COLUMNS>{running.to_owned()}</th></tr>
                    <tr class="session-title">
                        <th colspan=COLUMNS>
                            <span class="session-name">{title}</span>
                            {(!description.trim().is_empty()).then(|| view! { <span class="session-desc">{description.clone()}</span> })}
                        </th>
                    </tr>
                    <tr class="head1">
                        <th rowspan="2" class="place">{t.place.clone()}</th>
                        <th rowspan="2" class="name">{t.name.clone()}</th>
                        <th rowspan="2" class="team">{t.team.clone()}</th>
                        <th rowspan="2" class="born">{t.born.clone()}</th>
                        <th rowspan="2" class="bw">{t.body_weight.clone()}</th>
                        <th rowspan="2" class="start">{t.start.clone()}</th>
                        <th colspan="4" class="lift first">{t.snatch.clone()}</th>
                        <th colspan="4" class="lift first">{t.clean_jerk.clone()}</th>
                        <th rowspan="2" class="total first">{t.total.clone()}</th>
                        <th rowspan="2" class="medal-cell">{t.medal.clone()}</th>
                    </tr>
                    <tr class="head2">
                        <th class="att first">"1"</th><th class="att">"2"</th><th class="att">"3"</th><th class="best">{t.best.clone()}</th>
                        <th class="att first">"1"</th><th class="att">"2"</th><th class="att">"3"</th><th class="best">{t.best.clone()}</th>
                    </tr>
                </thead>
                {categories}
            </table>
            {records}
        </section>
    }
}
