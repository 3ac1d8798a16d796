//! The team rules shared by every section (behaviour rules R5.6–R5.7): the order of a team's
//! athletes, which of them are kept (best N, mixed caps), the team size, and the label naming
//! the rule that applied ("best 4 men, Sinclair 2024").

use super::championships::Championship;
use super::team_model::{Participation, SectionKind, TeamAthlete};
use super::team_points::TeamPointsPolicy;
use super::{Gender, ScoringSystem, SinclairYear};
use std::cmp::Ordering;

/// An athlete in a section with the participation that made them a member and their values.
pub(crate) struct Member<'a> {
    pub(crate) athlete: &'a TeamAthlete,
    pub(crate) participation: &'a Participation,
    /// Team points or score now.
    pub(crate) value: f64,
    /// Score if the next attempt succeeds (score mode).
    pub(crate) predicted: Option<f64>,
}

/// Sorts a team's athletes: by `first` (higher first) when it gives a value, then R5.6's order
/// (total rank ≤ 0 last, total, best snatch, best C&J, lighter, name).
pub(crate) fn order(members: &mut [&Member<'_>], first: impl Fn(&Member<'_>) -> Option<f64>) {
    let rank = |m: &Member<'_>| if m.participation.total_rank <= 0 { i64::MAX } else { m.participation.total_rank };
    members.sort_by(|a, b| {
        let by_first = match (first(a), first(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            _ => Ordering::Equal,
        };
        let (x, y) = (a.athlete, b.athlete);
        by_first
            .then_with(|| rank(a).cmp(&rank(b)))
            .then_with(|| y.total.cmp(&x.total))
            .then_with(|| y.best_snatch.cmp(&x.best_snatch))
            .then_with(|| y.best_clean_jerk.cmp(&x.best_clean_jerk))
            .then_with(|| x.body_weight.unwrap_or(f64::MAX).total_cmp(&y.body_weight.unwrap_or(f64::MAX)))
            .then_with(|| x.name.cmp(&y.name))
    });
}

/// R5.6 best-N: men/women caps, mixed `mixedBestN`, else per-gender mixed caps.
pub(crate) fn keep<'m, 'a>(
    ordered: &[&'m Member<'a>],
    championship: &Championship,
    kind: SectionKind,
) -> Vec<&'m Member<'a>> {
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
                    let (count, cap) = if m.athlete.gender == Some(Gender::Male) {
                        (&mut men, men_cap)
                    } else {
                        (&mut women, women_cap)
                    };
                    let room = *count < cap;
                    if room {
                        *count += 1;
                    }
                    room
                })
                .collect()
        }
    }
}

/// The section's team size, `None` = no limit.
pub(crate) fn section_cap(championship: &Championship, kind: SectionKind) -> Option<usize> {
    match kind {
        SectionKind::Men => championship.mens_best_n,
        SectionKind::Women => championship.womens_best_n,
        SectionKind::Mixed => championship
            .mixed_best_n
            .or_else(|| Some(championship.mixed_mens_best_n? + championship.mixed_womens_best_n?)),
    }
}

/// The year of a Sinclair cycle.
pub fn sinclair_year_number(year: SinclairYear) -> u16 {
    match year {
        SinclairYear::Y2020 => 2020,
        SinclairYear::Y2024 => 2024,
        SinclairYear::Y2028 => 2028,
    }
}

/// How a formula is named in rule labels: "Sinclair 2024", "SMHF", "Q-points", "GAMX-M"…
pub fn system_label(system: ScoringSystem) -> String {
    match system {
        ScoringSystem::Sinclair(year) => format!("Sinclair {}", sinclair_year_number(year)),
        ScoringSystem::MastersSinclair(year, _) => format!("SMHF (Sinclair {})", sinclair_year_number(year)),
        ScoringSystem::QPoints => "Q-points".to_owned(),
        ScoringSystem::QMasters => "Q-masters".to_owned(),
        ScoringSystem::Gamx(variant) => variant.name().to_owned(),
    }
}

/// "best 4 men, Sinclair 2024", "mixed: best 2 men + 2 women, team points", "all women, team
/// points (snatch, clean & jerk, total)"; a system name the engine does not know (the total
/// counts) is shown as OWLCMS sent it.
pub(crate) fn rule_label(
    championship: &Championship,
    kind: SectionKind,
    system: Option<ScoringSystem>,
    system_name: Option<&str>,
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
    let how = match (system, system_name, policy) {
        (Some(system), _, _) => system_label(system),
        (None, Some(name), _) => name.to_owned(),
        (None, None, TeamPointsPolicy::TotalOnly) => "team points".to_owned(),
        (None, None, TeamPointsPolicy::AllThree) => "team points (snatch, clean & jerk, total)".to_owned(),
        (None, None, TeamPointsPolicy::LiftsOnly) => "team points (snatch, clean & jerk)".to_owned(),
    };
    format!("{who}, {how}")
}
