//! `team-board`: the team scoreboard (`team-scoreboard`: current-attempt bar, then every team
//! with its score, predicted score, rank and athletes) and the team standings
//! (`team-rankings`: pages of standings that rotate every `pageSeconds`). A view with `pages`
//! is a standings view, else a team scoreboard.
//!
//! The view types live here (not in `views/`) because only this page kind reads them; like
//! every view type they are lenient (every field defaulted, any scalar where text is expected).

use crate::live::Live;
use crate::views::{AttemptBar, Cell, Flag, Headers, Text};
use crate::widgets::{attempt_bar, flag};
use leptos::prelude::*;

/// The styles of this page kind (kept beside the renderer; `style.css` stays untouched).
const CSS: &str = include_str!("team_board.css");

crate::view_struct! {
    /// Column titles of a team view: the standard grid's plus the team ones.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TeamHeaders {
        /// The standard grid titles.
        pub grid: Headers = flatten,
        /// Athlete score.
        pub score: Text,
        /// Team points.
        pub points: Text,
        /// Team score.
        pub team_score: Text,
        /// Predicted total.
        pub predicted_total: Text,
        /// Predicted score.
        pub predicted_score: Text,
        /// "Predicted".
        pub predicted: Text,
        /// Athletes (team rankings).
        pub athletes: Text,
        /// Championship (team rankings).
        pub championship: Text,
    }
}

crate::view_struct! {
    /// An athlete of a team.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TeamAthlete {
        /// Athlete key.
        pub key: Text,
        /// "LASTNAME, Firstname".
        pub name: Text,
        /// `M` / `F`.
        pub gender: Text,
        /// Category.
        pub category: Text,
        /// Body weight.
        pub body_weight: Text,
        /// Snatch 1–3.
        pub snatch: Vec<Cell>,
        /// C&J 1–3.
        pub clean_jerk: Vec<Cell>,
        /// Total.
        pub total: Text,
        /// Score of the chosen system.
        pub score: Text,
        /// Team points.
        pub points: Text,
        /// Total if the next attempt succeeds.
        pub predicted_total: Text,
        /// Score if the next attempt succeeds.
        pub predicted_score: Text,
        /// Counts toward the team score.
        pub counted: Flag,
        /// Lifting now.
        pub current: Flag,
    }
}

crate::view_struct! {
    /// A team of the team scoreboard.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Team {
        /// Team name.
        pub name: Text,
        /// Flag URL.
        pub flag: Text,
        /// Team score.
        pub score: Text,
        /// Predicted team score (`null` with team points).
        pub predicted: Text,
        /// Rank by score.
        pub rank: Text,
        /// Counted athletes first.
        pub athletes: Vec<TeamAthlete>,
    }
}

crate::view_struct! {
    /// A row of a standing.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct StandingRow {
        /// Rank.
        pub rank: Text,
        /// Team name.
        pub team: Text,
        /// Flag URL.
        pub flag: Text,
        /// Team score.
        pub score: Text,
        /// Athletes counted.
        pub athletes: Text,
        /// Team members of this championship and gender.
        pub members: Text,
        /// Team size, if the competition has one.
        pub team_size: Text,
    }
}

crate::view_struct! {
    /// A page of the standings rotation.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct StandingPage {
        /// Championship.
        pub championship: Text,
        /// `M` / `F`.
        pub gender: Text,
        /// "Men".
        pub gender_label: Text,
        /// Page of this standing.
        pub part: Text,
        /// Pages of this standing.
        pub parts: Text,
        /// "Page 1 of 8".
        pub page_label: Text,
        /// Teams.
        pub rows: Vec<StandingRow>,
    }
}

crate::view_struct! {
    /// The `team-board` view (both plugins).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TeamBoardView {
        /// Board title.
        pub title: Text,
        /// Competition name.
        pub competition: Text,
        /// `ready` or `waiting`.
        pub status: Text,
        /// What to show while waiting.
        pub waiting_message: Text,
        /// Current-attempt bar (team scoreboard).
        pub attempt_bar: AttemptBar,
        /// `teamPoints` or a score system.
        pub scoring: Text,
        /// "Men: top 4".
        pub counting_label: Text,
        /// Show predicted scores.
        pub show_predicted: Flag,
        /// Teams (team scoreboard).
        pub teams: Vec<Team>,
        /// Standings pages (team rankings); `None` for a team scoreboard.
        pub pages: Option<Vec<StandingPage>>,
        /// Seconds per standings page.
        pub page_seconds: Option<f64>,
        /// Column titles.
        pub headers: TeamHeaders,
    }
}

/// Draws a team-board view.
pub fn render(live: Live, view: TeamBoardView) -> AnyView {
    let style = view! { <style>{CSS}</style> };
    if view.status.as_str() == "waiting" {
        return view! {
            {style}
            <div class="team-page">
                <div class="waiting-screen">
                    <div class="competition">{view.competition.0.clone()}</div>
                    <div class="waiting-message">{view.waiting_message.0}</div>
                </div>
            </div>
        }
        .into_any();
    }
    let body = match view.pages.clone() {
        Some(pages) => standings(live, &view, pages),
        None => scoreboard(live, &view),
    };
    view! { {style}{body} }.into_any()
}

fn or<'a>(text: &'a Text, fallback: &'a str) -> String {
    if text.is_empty() { fallback.to_owned() } else { text.0.clone() }
}

/// The team scoreboard: attempt bar, then one block per team.
fn scoreboard(live: Live, view: &TeamBoardView) -> AnyView {
    let h = &view.headers;
    let predicted = view.show_predicted.0;
    let titles = TeamTitles {
        name: or(&h.grid.name, "Name"),
        category: or(&h.grid.category, "Cat."),
        snatch: or(&h.grid.snatch, "Snatch"),
        clean_jerk: or(&h.grid.clean_jerk, "Clean & Jerk"),
        total: or(&h.grid.total, "Total"),
        score: or(&h.score, "Score"),
        points: or(&h.points, "Points"),
        team_score: or(&h.team_score, "Score"),
        predicted: or(&h.predicted, "Predicted"),
        rank: or(&h.grid.rank, "Rank"),
    };
    view! {
        <div class=format!("team-page team-scoreboard scoring-{}", view.scoring)>
            {attempt_bar(live, &view.attempt_bar, view.attempt_bar.stop_text.or("STOP"))}
            <div class="team-title">
                <span class="team-board-title">{view.title.0.clone()}</span>
                <span class="muted">{view.counting_label.0.clone()}</span>
            </div>
            <div class="teams">
                {view.teams.iter().map(|t| team_block(t, &titles, predicted)).collect_view()}
            </div>
        </div>
    }
    .into_any()
}

struct TeamTitles {
    name: String,
    category: String,
    snatch: String,
    clean_jerk: String,
    total: String,
    score: String,
    points: String,
    team_score: String,
    predicted: String,
    rank: String,
}

fn cell(c: Option<&Cell>, first: bool) -> impl IntoView + use<> {
    let (status, text) = c.map_or(("empty".to_owned(), String::new()), |c| (c.status.0.clone(), c.text.0.clone()));
    let class = format!("att {status}{}", if first { " first" } else { "" });
    view! { <td class=class>{text}</td> }
}

fn team_block(team: &Team, t: &TeamTitles, predicted: bool) -> impl IntoView + use<> {
    let show_predicted = predicted && !team.predicted.is_empty();
    let lift =
        |cells: &[Cell]| view! { {cell(cells.first(), true)}{cell(cells.get(1), false)}{cell(cells.get(2), false)} };
    let athletes = team
        .athletes
        .iter()
        .map(|a| {
            let class = match (a.current.0, a.counted.0) {
                (true, true) => "athlete current counted",
                (true, false) => "athlete current",
                (false, true) => "athlete counted",
                (false, false) => "athlete",
            };
            view! {
                <tr class=class data-key=a.key.0.clone()>
                    <td class="name">{a.name.0.clone()}</td>
                    <td class="cat">{a.category.0.clone()}</td>
                    {lift(&a.snatch)}
                    {lift(&a.clean_jerk)}
                    <td class="total first">{a.total.0.clone()}</td>
                    <td class="sinclair score">{a.score.0.clone()}</td>
                    <td class="points">{a.points.0.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="team-card" data-team=team.name.0.clone()>
            <div class="team-head">
                <span class="team-rank" title=t.rank.clone()>{team.rank.0.clone()}</span>
                <span class="team-id">{flag(&team.flag)}<span class="team-name">{team.name.0.clone()}</span></span>
                <span class="team-score"><small>{t.team_score.clone()}</small>" "<b class="team-score-value">{team.score.0.clone()}</b></span>
                {show_predicted.then(|| view! {
                    <span class="team-predicted"><small>{t.predicted.clone()}</small>" "<b>{team.predicted.0.clone()}</b></span>
                })}
            </div>
            <table class="grid team-grid">
                <thead>
                    <tr class="head1">
                        <th rowspan="2" class="name">{t.name.clone()}</th>
                        <th rowspan="2" class="cat">{t.category.clone()}</th>
                        <th colspan="3" class="lift first">{t.snatch.clone()}</th>
                        <th colspan="3" class="lift first">{t.clean_jerk.clone()}</th>
                        <th rowspan="2" class="total first">{t.total.clone()}</th>
                        <th rowspan="2" class="sinclair score">{t.score.clone()}</th>
                        <th rowspan="2" class="points">{t.points.clone()}</th>
                    </tr>
                    <tr class="head2">
                        <th class="att first">"1"</th><th class="att">"2"</th><th class="att">"3"</th>
                        <th class="att first">"1"</th><th class="att">"2"</th><th class="att">"3"</th>
                    </tr>
                </thead>
                <tbody>{athletes}</tbody>
            </table>
        </section>
    }
}

/// Which standings page is shown at `now_ms`: pages change every `seconds` on the wall clock,
/// so a new view (every lift) does not restart the rotation, and every screen shows the same page.
pub fn page_at(now_ms: f64, seconds: f64, pages: usize) -> usize {
    if pages <= 1 || !now_ms.is_finite() {
        return 0;
    }
    let period = if seconds.is_finite() && seconds >= 1.0 { seconds * 1000.0 } else { 8000.0 };
    ((now_ms.max(0.0) / period).floor() as u64 % pages as u64) as usize
}

/// The team standings, one page at a time.
fn standings(live: Live, view: &TeamBoardView, pages: Vec<StandingPage>) -> AnyView {
    let h = &view.headers;
    let titles = (
        or(&h.grid.rank, "Rank"),
        or(&h.grid.team, "Team"),
        or(&h.team_score, &or(&h.score, "Score")),
        or(&h.athletes, "Athletes"),
    );
    let seconds = view.page_seconds.unwrap_or(8.0);
    let count = pages.len();
    let index = Memo::new(move |_| page_at(live.now.get(), seconds, count));
    let title = view.title.0.clone();
    let competition = view.competition.0.clone();
    let shown = move || {
        let i = index.get();
        let Some(p) = pages.get(i) else {
            return view! { <div class="standing-empty muted">"–"</div> }.into_any();
        };
        let heading = [p.championship.as_str(), p.gender_label.as_str()]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" – ");
        let (rank, team, score, athletes) = titles.clone();
        view! {
            <div class="standing" data-page=i.to_string()>
                <div class="standing-head">
                    <span class="standing-name">{heading}</span>
                    <span class="muted standing-page">{p.page_label.0.clone()}</span>
                </div>
                <table class="standing-table">
                    <thead><tr>
                        <th class="rank">{rank}</th><th class="team">{team}</th>
                        <th class="score">{score}</th><th class="athletes">{athletes}</th>
                    </tr></thead>
                    <tbody>
                        {p.rows.iter().map(|r| {
                            let counted = match (r.athletes.is_empty(), r.team_size.is_empty()) {
                                (true, _) => String::new(),
                                (false, true) => r.athletes.0.clone(),
                                (false, false) => format!("{} / {}", r.athletes, r.team_size),
                            };
                            view! {
                                <tr class="standing-row" data-team=r.team.0.clone()>
                                    <td class="rank">{r.rank.0.clone()}</td>
                                    <td class="team"><span class="team-id">{flag(&r.flag)}<span class="team-name">{r.team.0.clone()}</span></span></td>
                                    <td class="score">{r.score.0.clone()}</td>
                                    <td class="athletes">{counted}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <div class="team-page team-rankings">
            <div class="team-title">
                <span class="team-board-title">{title}</span>
                <span class="muted">{competition}</span>
            </div>
            {shown}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::read::FromView;
    use serde_json::json;

    #[test]
    fn pages_follow_the_wall_clock() {
        assert_eq!(page_at(0.0, 8.0, 3), 0);
        assert_eq!(page_at(7_999.0, 8.0, 3), 0);
        assert_eq!(page_at(8_000.0, 8.0, 3), 1);
        assert_eq!(page_at(24_000.0, 8.0, 3), 0);
        assert_eq!(page_at(123_456.0, 8.0, 1), 0);
        assert_eq!(page_at(123_456.0, 8.0, 0), 0);
        assert_eq!(page_at(f64::NAN, 8.0, 4), 0);
        assert_eq!(page_at(9_000.0, 0.0, 4), 1, "a nonsense period falls back to 8 s");
    }

    #[test]
    fn both_team_views_parse() {
        let board = TeamBoardView::from_view(&json!({"status": "ready", "teams": [{"name": "A", "score": 106,
            "predicted": null, "rank": 1, "athletes": [{"name": "X", "counted": true, "snatch": [{"status": "good", "text": "100"}]}]}],
            "headers": {"name": "Nom", "teamScore": "Score"}}))
        .unwrap();
        assert!(board.pages.is_none());
        assert_eq!(board.teams[0].score.as_str(), "106");
        assert!(board.teams[0].predicted.is_empty());
        assert_eq!(board.headers.grid.name.as_str(), "Nom");
        let ranks = TeamBoardView::from_view(&json!({"pageSeconds": 5, "pages": [{"championship": "SM",
            "rows": [{"rank": 1, "team": "Hitra VK", "score": "109", "athletes": 4, "teamSize": null}]}]}))
        .unwrap();
        assert_eq!(ranks.pages.unwrap()[0].rows[0].athletes.as_str(), "4");
    }
}
