//! Team standings per championship the way OWLCMS and its tracker define them (behaviour rules
//! R5.3–R5.8): gender sections, best-N and mixed caps, points mode and score mode with
//! **confirmed** (finished sessions only), **live** and predicted values, team order and ranks;
//! a view's options override the championship's rules ([`TeamOverrides`]).
//!
//! The types handed in and out live in [`super::team_model`]; the ordering, best-N and labels
//! in [`super::team_rules`].

pub use super::team_model::*;

use super::championships::{Championship, Championships, team_scoring_system};
use super::team_points::{Placings, TeamPointsPolicy, athlete_team_points};
use super::team_rules::{Member, keep, order, rule_label, section_cap};
use super::{GamxVariant, Gender, ScoringSystem};

/// Standings of every championship of the competition.
pub fn standings(set: &Championships, athletes: &[TeamAthlete], ctx: TeamContext<'_>) -> Vec<ChampionshipStandings> {
    set.list
        .iter()
        .map(|stored| {
            let medal_policy = set.medal_policy(stored);
            let team_points_policy = stored.resolved_team_points_policy(medal_policy);
            let championship = ctx.overrides.apply(stored);
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
            let policy = if ctx.overrides.only_total_points { TeamPointsPolicy::TotalOnly } else { team_points_policy };
            let mut sections = Vec::new();
            let mut kinds = vec![SectionKind::Men, SectionKind::Women];
            if championship.mixed_configured() {
                kinds.push(SectionKind::Mixed);
            }
            for kind in kinds {
                let section = section(&championship, kind, &members, policy, ctx);
                if !section.teams.is_empty() {
                    sections.push(section);
                }
            }
            ChampionshipStandings { championship: stored.clone(), medal_policy, team_points_policy, sections }
        })
        .collect()
}

/// The section's mode, system name as shown, and formula (R5.5, or the `scoring` option).
fn mode_of(
    championship: &Championship,
    kind: SectionKind,
    ctx: TeamContext<'_>,
) -> (Mode, Option<String>, Option<ScoringSystem>) {
    match ctx.overrides.scoring {
        TeamScoring::TeamPoints => (Mode::Points, None, None),
        TeamScoring::System(system) => (Mode::Score, Some(super::team_rules::system_label(system)), Some(system)),
        TeamScoring::Championship => {
            let name = match kind {
                SectionKind::Mixed => championship.mixed_team_scoring_system.clone(),
                _ => championship.team_scoring_system.clone(),
            };
            let system = name.as_deref().and_then(|n| team_scoring_system(n, ctx.sinclair_year));
            (if name.is_some() { Mode::Score } else { Mode::Points }, name, system)
        }
    }
}

/// The GAMX variant whose table a section needs and the engine lacks, if any.
fn missing_table(system: Option<ScoringSystem>, kind: SectionKind, ctx: TeamContext<'_>) -> Option<GamxVariant> {
    let Some(ScoringSystem::Gamx(variant)) = system else { return None };
    let genders: &[Gender] = match kind {
        SectionKind::Men => &[Gender::Male],
        SectionKind::Women => &[Gender::Female],
        SectionKind::Mixed => &[Gender::Male, Gender::Female],
    };
    genders.iter().any(|g| ctx.gamx.get(variant, *g).is_none()).then_some(variant)
}

fn section(
    championship: &Championship,
    kind: SectionKind,
    members: &[(&TeamAthlete, &Participation)],
    policy: TeamPointsPolicy,
    ctx: TeamContext<'_>,
) -> Section {
    let (mode, system_name, system) = mode_of(championship, kind, ctx);
    let rule = ctx.overrides.total_rule;
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
            let (value, predicted) = match mode {
                Mode::Points => (points(athlete, participation, championship, policy), None),
                Mode::Score => (
                    score(athlete, athlete.totals.now(rule), system, ctx),
                    Some(score(athlete, athlete.totals.next(rule), system, ctx)),
                ),
            };
            Member { athlete, participation, value, predicted }
        })
        .collect();
    let mut team_names: Vec<&str> = in_section.iter().filter_map(|m| m.athlete.team.as_deref()).collect();
    team_names.sort_unstable();
    team_names.dedup();
    let mut teams: Vec<TeamStanding> =
        team_names.into_iter().map(|team| standing(team, &in_section, championship, kind, mode)).collect();
    // R5.8: confirmed value, higher first; ties by team name; positions, no shared ranks.
    teams.sort_by(|a, b| b.confirmed.total_cmp(&a.confirmed).then_with(|| a.team.cmp(&b.team)));
    for (i, team) in teams.iter_mut().enumerate() {
        team.rank = i + 1;
    }
    let label = rule_label(championship, kind, system, system_name.as_deref(), policy);
    let unavailable = missing_table(system, kind, ctx).map(|v| v.name().to_owned());
    Section { kind, mode, system: system_name, rule: label, unavailable, teams }
}

/// One team of a section: kept athletes, confirmed, live and predicted values (R5.6–R5.7).
fn standing(
    team: &str,
    in_section: &[Member<'_>],
    championship: &Championship,
    kind: SectionKind,
    mode: Mode,
) -> TeamStanding {
    let mut roster: Vec<&Member<'_>> = in_section.iter().filter(|m| m.athlete.team.as_deref() == Some(team)).collect();
    let first = |m: &Member<'_>| (mode == Mode::Score).then_some(m.value);
    order(&mut roster, first);
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
    let predicted = (mode == Mode::Score).then(|| {
        let mut by_next = roster.clone();
        order(&mut by_next, |m| m.predicted);
        keep(&by_next, championship, kind).iter().filter_map(|m| m.predicted).sum()
    });
    let is_kept = |m: &Member<'_>| kept.iter().any(|k| k.athlete.key == m.athlete.key);
    let out = |m: &Member<'_>| KeptAthlete {
        key: m.athlete.key.clone(),
        name: m.athlete.name.clone(),
        value: m.value,
        predicted: m.predicted,
        done: m.athlete.done,
        kept: is_kept(m),
    };
    TeamStanding {
        team: team.to_owned(),
        confirmed,
        live,
        count,
        cap,
        members: roster.len(),
        rank: 0,
        kept: kept.iter().map(|m| out(m)).collect(),
        roster: roster.iter().map(|m| out(m)).collect(),
        predicted,
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

/// R5.7: the system's score of a total, the total for unknown systems, 0 for no total or no
/// score (a missing GAMX table is reported by the section, not per athlete).
fn score(athlete: &TeamAthlete, total: u32, system: Option<ScoringSystem>, ctx: TeamContext<'_>) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    let Some(system) = system else { return total };
    let (Some(gender), Some(body_weight)) = (athlete.gender, athlete.body_weight) else { return 0.0 };
    system.score(total, body_weight, gender, athlete.age, ctx.gamx).filter(|s| s.is_finite()).unwrap_or(0.0)
}

#[cfg(test)]
#[path = "team_standings_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "team_overrides_tests.rs"]
mod overrides_tests;
