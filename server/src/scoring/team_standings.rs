//! Team standings per championship the way OWLCMS and its tracker define them (behaviour rules
//! R5.3–R5.8): gender sections, best-N and mixed caps, points mode and score mode with
//! **confirmed** (finished sessions only) and **live** values, team order and ranks.

use super::championships::{Championship, Championships, MedalPolicy, team_scoring_system};
use super::team_points::{Placings, TeamPointsPolicy, athlete_team_points};
use super::{GamxTables, Gender, ScoringSystem, SinclairYear};
use crate::protocol::scalar::{as_bool, as_i64, as_string};
use serde_json::Value;
use std::cmp::Ordering;

/// One participation of an athlete (OWLCMS `participations[]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Participation {
    /// `categoryCode`.
    pub category_code: String,
    /// `teamMember` (true when absent, as OWLCMS's default).
    pub team_member: bool,
    /// `mixedTeamMember`.
    pub mixed_team_member: bool,
    /// `snatchRank` (≤ 0 = unranked).
    pub snatch_rank: i64,
    /// `cleanJerkRank`.
    pub clean_jerk_rank: i64,
    /// `totalRank`.
    pub total_rank: i64,
}

impl Participation {
    /// Reads one `participations[]` entry.
    pub fn from_json(value: &Value) -> Participation {
        Participation {
            category_code: as_string(value.get("categoryCode")).unwrap_or_default(),
            team_member: as_bool(value.get("teamMember")).unwrap_or(true),
            mixed_team_member: as_bool(value.get("mixedTeamMember")).unwrap_or(false),
            snatch_rank: as_i64(value.get("snatchRank")).unwrap_or(0),
            clean_jerk_rank: as_i64(value.get("cleanJerkRank")).unwrap_or(0),
            total_rank: as_i64(value.get("totalRank")).unwrap_or(0),
        }
    }
}

/// What the standings need of one athlete.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TeamAthlete {
    /// Athlete key.
    pub key: String,
    /// Display name (last tie-break).
    pub name: String,
    /// Gender; athletes without one are in no section.
    pub gender: Option<Gender>,
    /// Team name (see [`team_name`]); `None` = left out.
    pub team: Option<String>,
    /// Body weight in kg.
    pub body_weight: Option<f64>,
    /// Age in the competition year (masters formulas).
    pub age: Option<i32>,
    /// Best snatch (kg).
    pub best_snatch: u32,
    /// Best clean & jerk (kg).
    pub best_clean_jerk: u32,
    /// Total (kg).
    pub total: u32,
    /// Whether the athlete's session is done ("confirmed").
    pub done: bool,
    /// Participations in OWLCMS's order.
    pub participations: Vec<Participation>,
}

/// R5.4: `teamName` trimmed; empty or "unaffiliated" (any case) → `None`.
pub fn team_name(name: Option<&str>) -> Option<String> {
    let name = name?.trim();
    (!name.is_empty() && !name.eq_ignore_ascii_case("unaffiliated")).then(|| name.to_owned())
}

/// Settings from outside the championship.
#[derive(Debug, Clone, Copy)]
pub struct TeamContext<'a> {
    /// The competition's Sinclair cycle (Sinclair and masters Sinclair team scores).
    pub sinclair_year: SinclairYear,
    /// GAMX tables.
    pub gamx: &'a GamxTables,
    /// The "only total points" option: points mode counts total placings only.
    pub only_total_points: bool,
}

/// Gender section of a championship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Men's teams ("M").
    Men,
    /// Women's teams ("F").
    Women,
    /// Mixed teams ("MF").
    Mixed,
}

impl SectionKind {
    /// OWLCMS's code.
    pub fn code(self) -> &'static str {
        match self {
            SectionKind::Men => "M",
            SectionKind::Women => "F",
            SectionKind::Mixed => "MF",
        }
    }
}

/// How a section's teams are valued (R5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Team points by placing.
    Points,
    /// Sum of athlete scores.
    Score,
}

/// An athlete kept for a team.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptAthlete {
    /// Athlete key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Team points or score.
    pub value: f64,
    /// Session done.
    pub done: bool,
}

/// One team of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamStanding {
    /// Team name.
    pub team: String,
    /// Finished sessions only (the ranking value).
    pub confirmed: f64,
    /// Including sessions still lifting.
    pub live: f64,
    /// Points: kept and done; score: live kept with a score > 0.
    pub count: usize,
    /// min(cap, athletes of the team in the section).
    pub cap: usize,
    /// Athletes of the team in the section.
    pub members: usize,
    /// 1-based position (no shared ranks).
    pub rank: usize,
    /// The athletes kept from everyone, best first.
    pub kept: Vec<KeptAthlete>,
}

/// One gender section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Which athletes.
    pub kind: SectionKind,
    /// Points or score.
    pub mode: Mode,
    /// OWLCMS's scoring system name in score mode.
    pub system: Option<String>,
    /// Which rule applied, e.g. "best 4 men, team points".
    pub rule: String,
    /// Teams in order.
    pub teams: Vec<TeamStanding>,
}

/// One championship's standings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChampionshipStandings {
    /// The championship.
    pub championship: Championship,
    /// Its medal policy (R5.9).
    pub medal_policy: MedalPolicy,
    /// Its team-points policy (R5.9).
    pub team_points_policy: TeamPointsPolicy,
    /// Sections that have athletes: M, F, then MF when configured.
    pub sections: Vec<Section>,
}

/// An athlete in a section with the participation that made them a member.
struct Member<'a> {
    athlete: &'a TeamAthlete,
    participation: &'a Participation,
    value: f64,
}

/// Standings of every championship of the competition.
pub fn standings(set: &Championships, athletes: &[TeamAthlete], ctx: TeamContext<'_>) -> Vec<ChampionshipStandings> {
    set.list
        .iter()
        .map(|championship| {
            let medal_policy = set.medal_policy(championship);
            let team_points_policy = championship.resolved_team_points_policy(medal_policy);
            // R5.3: the first participation whose category maps to this championship.
            let members: Vec<(&TeamAthlete, &Participation)> = athletes
                .iter()
                .filter_map(|a| {
                    let p = a.participations.iter().find(|p| {
                        set.by_category.get(&p.category_code).is_some_and(|name| *name == championship.name)
                    })?;
                    Some((a, p))
                })
                .collect();
            let policy = if ctx.only_total_points { TeamPointsPolicy::TotalOnly } else { team_points_policy };
            let mut sections = Vec::new();
            let mut kinds = vec![SectionKind::Men, SectionKind::Women];
            if championship.mixed_configured() {
                kinds.push(SectionKind::Mixed);
            }
            for kind in kinds {
                let section = section(championship, kind, &members, policy, ctx);
                if !section.teams.is_empty() {
                    sections.push(section);
                }
            }
            ChampionshipStandings { championship: championship.clone(), medal_policy, team_points_policy, sections }
        })
        .collect()
}

fn section(
    championship: &Championship,
    kind: SectionKind,
    members: &[(&TeamAthlete, &Participation)],
    policy: TeamPointsPolicy,
    ctx: TeamContext<'_>,
) -> Section {
    let system_name = match kind {
        SectionKind::Mixed => championship.mixed_team_scoring_system.clone(),
        _ => championship.team_scoring_system.clone(),
    };
    let mode = if system_name.is_some() { Mode::Score } else { Mode::Points };
    let system = system_name.as_deref().and_then(|n| team_scoring_system(n, ctx.sinclair_year));
    let in_section: Vec<Member<'_>> = members
        .iter()
        .filter(|(a, p)| match kind {
            SectionKind::Men => a.gender == Some(Gender::Male) && p.team_member,
            SectionKind::Women => a.gender == Some(Gender::Female) && p.team_member,
            SectionKind::Mixed => {
                a.gender.is_some()
                    && if championship.explicit_mixed_team_members { p.mixed_team_member } else { p.team_member }
            }
        })
        .filter(|(a, _)| a.team.is_some())
        .map(|&(athlete, participation)| {
            let value = match mode {
                Mode::Points => points(athlete, participation, championship, policy),
                Mode::Score => score(athlete, system, ctx),
            };
            Member { athlete, participation, value }
        })
        .collect();
    let mut team_names: Vec<&str> = in_section.iter().filter_map(|m| m.athlete.team.as_deref()).collect();
    team_names.sort_unstable();
    team_names.dedup();
    let mut teams: Vec<TeamStanding> = team_names
        .into_iter()
        .map(|team| {
            let mut roster: Vec<&Member<'_>> =
                in_section.iter().filter(|m| m.athlete.team.as_deref() == Some(team)).collect();
            roster.sort_by(|a, b| compare(a, b, mode));
            let cap = section_cap(championship, kind).map_or(roster.len(), |c| c.min(roster.len()));
            let kept = keep(&roster, championship, kind);
            let live: f64 = kept.iter().map(|m| m.value).sum();
            let (confirmed, count) = match mode {
                Mode::Points => {
                    let done: Vec<&&Member<'_>> = kept.iter().filter(|m| m.athlete.done).collect();
                    (done.iter().map(|m| m.value).sum(), done.len())
                }
                Mode::Score => {
                    let finished: Vec<&Member<'_>> = roster.iter().copied().filter(|m| m.athlete.done).collect();
                    let confirmed = keep(&finished, championship, kind).iter().map(|m| m.value).sum();
                    (confirmed, kept.iter().filter(|m| m.value > 0.0).count())
                }
            };
            let kept = kept
                .iter()
                .map(|m| KeptAthlete {
                    key: m.athlete.key.clone(),
                    name: m.athlete.name.clone(),
                    value: m.value,
                    done: m.athlete.done,
                })
                .collect();
            TeamStanding { team: team.to_owned(), confirmed, live, count, cap, members: roster.len(), rank: 0, kept }
        })
        .collect();
    // R5.8: confirmed value, higher first; ties by team name; positions, no shared ranks.
    teams.sort_by(|a, b| b.confirmed.total_cmp(&a.confirmed).then_with(|| a.team.cmp(&b.team)));
    for (i, team) in teams.iter_mut().enumerate() {
        team.rank = i + 1;
    }
    let rule = rule_label(championship, kind, system_name.as_deref(), policy);
    Section { kind, mode, system: system_name, rule, teams }
}

/// R5.6 order (score mode puts the score first).
fn compare(a: &Member<'_>, b: &Member<'_>, mode: Mode) -> Ordering {
    let by_score = match mode {
        Mode::Score => b.value.total_cmp(&a.value),
        Mode::Points => Ordering::Equal,
    };
    let rank = |m: &Member<'_>| if m.participation.total_rank <= 0 { i64::MAX } else { m.participation.total_rank };
    let (x, y) = (a.athlete, b.athlete);
    by_score
        .then_with(|| rank(a).cmp(&rank(b)))
        .then_with(|| y.total.cmp(&x.total))
        .then_with(|| y.best_snatch.cmp(&x.best_snatch))
        .then_with(|| y.best_clean_jerk.cmp(&x.best_clean_jerk))
        .then_with(|| x.body_weight.unwrap_or(f64::MAX).total_cmp(&y.body_weight.unwrap_or(f64::MAX)))
        .then_with(|| x.name.cmp(&y.name))
}

/// R5.6 best-N: men/women caps, mixed `mixedBestN`, else per-gender mixed caps.
fn keep<'m, 'a>(ordered: &[&'m Member<'a>], championship: &Championship, kind: SectionKind) -> Vec<&'m Member<'a>> {
    let take = |n: Option<usize>| ordered.iter().copied().take(n.unwrap_or(usize::MAX)).collect();
    match kind {
        SectionKind::Men => take(championship.mens_best_n),
        SectionKind::Women => take(championship.womens_best_n),
        SectionKind::Mixed if championship.mixed_best_n.is_some() => take(championship.mixed_best_n),
        SectionKind::Mixed => {
            let (mut men, mut women) = (0, 0);
            let (men_cap, women_cap) = (
                championship.mixed_mens_best_n.unwrap_or(usize::MAX),
                championship.mixed_womens_best_n.unwrap_or(usize::MAX),
            );
            ordered
                .iter()
                .copied()
                .filter(|m| {
                    let counter = if m.athlete.gender == Some(Gender::Male) {
                        (&mut men, men_cap)
                    } else {
                        (&mut women, women_cap)
                    };
                    if *counter.0 < counter.1 {
                        *counter.0 += 1;
                        true
                    } else {
                        false
                    }
                })
                .collect()
        }
    }
}

/// The section's team size, `None` = no limit.
fn section_cap(championship: &Championship, kind: SectionKind) -> Option<usize> {
    match kind {
        SectionKind::Men => championship.mens_best_n,
        SectionKind::Women => championship.womens_best_n,
        SectionKind::Mixed => championship
            .mixed_best_n
            .or_else(|| Some(championship.mixed_mens_best_n? + championship.mixed_womens_best_n?)),
    }
}

fn points(athlete: &TeamAthlete, p: &Participation, championship: &Championship, policy: TeamPointsPolicy) -> f64 {
    let place = |rank: i64| u32::try_from(rank.max(0)).unwrap_or(0);
    let placings = Placings {
        snatch: (place(p.snatch_rank), athlete.best_snatch),
        clean_jerk: (place(p.clean_jerk_rank), athlete.best_clean_jerk),
        total: (place(p.total_rank), athlete.total),
    };
    f64::from(athlete_team_points(placings, true, championship.team_points, policy))
}

/// R5.7: the system's score, the total for unknown systems, 0 for no total or no score.
fn score(athlete: &TeamAthlete, system: Option<ScoringSystem>, ctx: TeamContext<'_>) -> f64 {
    if athlete.total == 0 {
        return 0.0;
    }
    let total = f64::from(athlete.total);
    let Some(system) = system else { return total };
    let (Some(gender), Some(body_weight)) = (athlete.gender, athlete.body_weight) else { return 0.0 };
    system.score(total, body_weight, gender, athlete.age, ctx.gamx).filter(|s| s.is_finite()).unwrap_or(0.0)
}

/// "best 4 men, team points", "mixed: best 2 men + 2 women, BW_SINCLAIR", "all women, team points (all three)".
fn rule_label(
    championship: &Championship,
    kind: SectionKind,
    system: Option<&str>,
    policy: TeamPointsPolicy,
) -> String {
    let best = |n: Option<usize>, who: &str| n.map_or(format!("all {who}"), |n| format!("best {n} {who}"));
    let who = match kind {
        SectionKind::Men => best(championship.mens_best_n, "men"),
        SectionKind::Women => best(championship.womens_best_n, "women"),
        SectionKind::Mixed => {
            match (championship.mixed_best_n, championship.mixed_mens_best_n, championship.mixed_womens_best_n) {
                (Some(n), _, _) => format!("mixed: best {n}"),
                (None, None, None) => "mixed: all".to_owned(),
                (None, men, women) => {
                    let part = |n: Option<usize>, who: &str| n.map_or(format!("all {who}"), |n| format!("{n} {who}"));
                    format!("mixed: best {} + {}", part(men, "men"), part(women, "women"))
                }
            }
        }
    };
    let how = match (system, policy) {
        (Some(system), _) => system.to_owned(),
        (None, TeamPointsPolicy::TotalOnly) => "team points".to_owned(),
        (None, TeamPointsPolicy::AllThree) => "team points (snatch, clean & jerk, total)".to_owned(),
        (None, TeamPointsPolicy::LiftsOnly) => "team points (snatch, clean & jerk)".to_owned(),
    };
    format!("{who}, {how}")
}

#[cfg(test)]
#[path = "team_standings_tests.rs"]
mod tests;
