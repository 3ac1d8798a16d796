//! The team engine's inputs and outputs (behaviour rules R5.3–R5.8): participations and
//! athletes handed in, the options that override a championship's rules, and the standings
//! handed back. The computation lives in [`super::team_standings`].

use super::championships::{Championship, MedalPolicy};
use super::lifts::{AthleteLifts, TotalRule};
use super::team_points::TeamPointsPolicy;
use super::{GamxTables, Gender, ScoringSystem, SinclairYear};
use crate::protocol::scalar::{as_bool, as_i64, as_string};
use serde_json::Value;

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
    /// OWLCMS's total (kg): 0 without a good lift in both (orders points mode, R5.6).
    pub total: u32,
    /// Totals now and if the next attempt succeeds, under each bomb-out rule (score mode).
    pub totals: Totals,
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
    /// What the view's options change in the championship rules.
    pub overrides: TeamOverrides,
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

/// An athlete of a team, with what they bring to it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptAthlete {
    /// Athlete key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Team points or score.
    pub value: f64,
    /// Score if the next attempt succeeds (score mode only).
    pub predicted: Option<f64>,
    /// Session done.
    pub done: bool,
    /// Among the athletes kept from everyone (counts for the live value).
    pub kept: bool,
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
    /// Every athlete of the team in the section, in the section's order (kept or not).
    pub roster: Vec<KeptAthlete>,
    /// Score mode: the live value if every athlete's next attempt succeeds (best N of the
    /// predicted scores); `None` in points mode (places are not predicted).
    pub predicted: Option<f64>,
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
    /// Which rule applied, e.g. "best 4 men, Sinclair 2024".
    pub rule: String,
    /// The score system whose GAMX table is missing (e.g. "GAMX-M"): the values are 0 and must
    /// be shown as "not available".
    pub unavailable: Option<String>,
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

/// An athlete's totals now and if the next attempt succeeds, under each [`TotalRule`], so a
/// view's bomb-out option can pick one without the lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    now: [u32; 3],
    next: [u32; 3],
}

const RULES: [TotalRule; 3] = [TotalRule::RequireBothLifts, TotalRule::EnforceBombOut, TotalRule::SumOfBestLifts];

fn rule_index(rule: TotalRule) -> usize {
    RULES.iter().position(|r| *r == rule).unwrap_or(0)
}

impl Totals {
    /// From the six attempts; the predicted total includes the declared first clean & jerk
    /// during the snatch, as the athletes' `scores.predicted`.
    pub fn of(lifts: &AthleteLifts) -> Totals {
        Totals { now: RULES.map(|rule| lifts.total(rule)), next: RULES.map(|rule| lifts.predicted_total(rule, true)) }
    }

    /// The same total under every rule, now and next (an athlete known only by a total).
    pub fn fixed(total: u32) -> Totals {
        Totals { now: [total; 3], next: [total; 3] }
    }

    /// The total now under a rule.
    pub fn now(&self, rule: TotalRule) -> u32 {
        self.now[rule_index(rule)]
    }

    /// The total if the next attempt succeeds, under a rule.
    pub fn next(&self, rule: TotalRule) -> u32 {
        self.next[rule_index(rule)]
    }
}

/// How teams are valued, when a view's option overrides the championship (R5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamScoring {
    /// The championship's rule: score mode when it names a system, else points.
    #[default]
    Championship,
    /// Points mode for every section.
    TeamPoints,
    /// Score mode with this system for every section.
    System(ScoringSystem),
}

/// What a view's options change in the championship rules (the issue's "options still
/// override"); the default changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TeamOverrides {
    /// Option `scoring`: `championship` (default), `teamPoints`, or a system name (`sinclair`,
    /// `smhf`, `qpoints`, `qmasters`, `gamx`, `gamx-m`, `gamx-a`, `gamx-u`).
    pub scoring: TeamScoring,
    /// Option `topMen` (> 0): men kept per team, in men's and mixed sections.
    pub top_men: Option<usize>,
    /// Option `topWomen` (> 0): women kept per team, in women's and mixed sections.
    pub top_women: Option<usize>,
    /// Option `onlyTotalPoints`: points mode counts total placings only.
    pub only_total_points: bool,
    /// Option `bombOut` (`owlcms` default, `enforce`, `anyLift`; alias `enforceBombout`):
    /// which total score mode scores.
    pub total_rule: TotalRule,
}

impl TeamOverrides {
    /// Reads the options of a view (unknown or missing values keep the championship's rule).
    pub fn from_options(options: &Value) -> TeamOverrides {
        let top = |key: &str| as_i64(options.get(key)).filter(|n| *n > 0).and_then(|n| usize::try_from(n).ok());
        let scoring = match as_string(options.get("scoring")).unwrap_or_default().trim().to_ascii_lowercase().as_str() {
            "teampoints" => TeamScoring::TeamPoints,
            name => ScoringSystem::from_name(name).map_or(TeamScoring::Championship, TeamScoring::System),
        };
        let total_rule = match as_string(options.get("bombOut")).unwrap_or_default().as_str() {
            "enforce" => TotalRule::EnforceBombOut,
            "anyLift" => TotalRule::SumOfBestLifts,
            _ => TotalRule::RequireBothLifts,
        };
        TeamOverrides {
            scoring,
            top_men: top("topMen"),
            top_women: top("topWomen"),
            only_total_points: as_bool(options.get("onlyTotalPoints")).unwrap_or(false),
            total_rule,
        }
    }

    /// The championship with the best-N options applied: `topMen`/`topWomen` replace the
    /// men's/women's best N, and in mixed sections the per-gender caps (dropping `mixedBestN`).
    pub fn apply(&self, championship: &Championship) -> Championship {
        let mut out = championship.clone();
        if self.top_men.is_some() || self.top_women.is_some() {
            out.mens_best_n = self.top_men.or(out.mens_best_n);
            out.womens_best_n = self.top_women.or(out.womens_best_n);
            out.mixed_best_n = None;
            out.mixed_mens_best_n = self.top_men.or(out.mixed_mens_best_n);
            out.mixed_womens_best_n = self.top_women.or(out.mixed_womens_best_n);
        }
        out
    }
}
