//! Team points by placing ("TeamPoints"), shared places for ties, and best-N team sums.
//!
//! Rule (OWLCMS team results, ported by owlcms/tracker-core `src/scoring/team-points-formula.js`):
//! 1st place earns tp1, 2nd tp2, 3rd tp3, then one point less per place (4th = tp3 − 1, …)
//! down to 0; only team members with a positive result earn points.

use serde_json::Value;

/// Points for the first three places, from the competition (or championship) settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamPointsSettings {
    /// Points for 1st place (`teamPoints1st`).
    pub first: u32,
    /// Points for 2nd place (`teamPoints2nd`).
    pub second: u32,
    /// Points for 3rd place (`teamPoints3rd`); later places get one point less each.
    pub third: u32,
}

impl Default for TeamPointsSettings {
    /// 28 / 25 / 23. Source: jflamy/owlcms4 owlcms/src/main/java/app/owlcms/data/agegroup/
    /// DefaultChampionship.java (DEFAULT_TEAM_POINTS_1ST = 28, _2ND = 25, _3RD = 23), also the
    /// defaults of tracker-core's `calculateTeamPoints`. The original tracker's 26 for 2nd place
    /// (in one team-scoreboard helper and the iwf-results `tp2` option) disagrees with OWLCMS.
    fn default() -> Self {
        TeamPointsSettings { first: 28, second: 25, third: 23 }
    }
}

impl TeamPointsSettings {
    /// Reads `teamPoints1st/2nd/3rd` from an OWLCMS competition or championship object (numbers
    /// or numeric strings); a missing or non-positive value keeps its default, as the tracker's
    /// `competition?.teamPoints1st || 28` does.
    pub fn from_settings(settings: &Value) -> TeamPointsSettings {
        let defaults = TeamPointsSettings::default();
        let read = |key: &str, default: u32| {
            crate::protocol::scalar::as_i64(settings.get(key))
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        TeamPointsSettings {
            first: read("teamPoints1st", defaults.first),
            second: read("teamPoints2nd", defaults.second),
            third: read("teamPoints3rd", defaults.third),
        }
    }

    /// The points of a place (1-based) regardless of eligibility; 0 for place 0 (unranked).
    pub fn for_place(self, place: u32) -> u32 {
        match place {
            0 => 0,
            1 => self.first,
            2 => self.second,
            _ => self.third.saturating_sub(place - 3),
        }
    }
}

/// Points earned by one result: [`TeamPointsSettings::for_place`] if the athlete is a team member
/// with a positive result (kg), else 0 (a bomb-out earns nothing).
pub fn team_points(place: u32, result: u32, team_member: bool, settings: TeamPointsSettings) -> u32 {
    if !team_member || result == 0 {
        return 0;
    }
    settings.for_place(place)
}

/// Which placings earn team points: OWLCMS's `TeamPointsPolicy` (jflamy/owlcms4
/// `MedalPolicyWorkbookTest`: TOTAL_ONLY, ALL_THREE, LIFTS_ONLY); older OWLCMS used the
/// `snatchCJTotalMedals` flag (true → all three, false → total only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamPointsPolicy {
    /// Total only.
    #[default]
    TotalOnly,
    /// Snatch, clean & jerk and total.
    AllThree,
    /// Snatch and clean & jerk only.
    LiftsOnly,
}

impl TeamPointsPolicy {
    /// The policy implied by the legacy `snatchCJTotalMedals` flag.
    pub fn from_snatch_cj_total_medals(flag: bool) -> TeamPointsPolicy {
        if flag { TeamPointsPolicy::AllThree } else { TeamPointsPolicy::TotalOnly }
    }
}

/// An athlete's places and results in the three rankings (place 0 = unranked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placings {
    /// Snatch place and best snatch (kg).
    pub snatch: (u32, u32),
    /// Clean & jerk place and best clean & jerk (kg).
    pub clean_jerk: (u32, u32),
    /// Total place and total (kg).
    pub total: (u32, u32),
}

/// An athlete's team points over the rankings the policy counts.
pub fn athlete_team_points(
    placings: Placings,
    team_member: bool,
    settings: TeamPointsSettings,
    policy: TeamPointsPolicy,
) -> u32 {
    let points = |(place, result): (u32, u32)| team_points(place, result, team_member, settings);
    let lifts = points(placings.snatch) + points(placings.clean_jerk);
    match policy {
        TeamPointsPolicy::TotalOnly => points(placings.total),
        TeamPointsPolicy::AllThree => lifts + points(placings.total),
        TeamPointsPolicy::LiftsOnly => lifts,
    }
}

/// Places for raw results, ties sharing the better place ("standard competition ranking":
/// 100, 90, 90, 80 → 1, 2, 2, 4), results of 0 unplaced (0). For when no tie-break applies
/// (OWLCMS's own ranks are tie-broken and never equal; see [`super::ranking`]).
pub fn places_with_ties(results: &[u32]) -> Vec<u32> {
    results
        .iter()
        .map(|&result| {
            if result == 0 {
                return 0;
            }
            let better = results.iter().filter(|&&other| other > result).count();
            u32::try_from(better + 1).unwrap_or(u32::MAX)
        })
        .collect()
}

/// A team's score: the sum of its best `n` athlete scores (all of them when `n` is `None`),
/// as the team scoreboard's top-N (`mensTeamSize`/`womensTeamSize` or plugin options) counts.
pub fn best_n_sum(scores: &[f64], n: Option<usize>) -> f64 {
    let mut sorted: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite() && *s > 0.0).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted.iter().take(n.unwrap_or(usize::MAX)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // owlcms/tracker-core src/scoring/team-points-formula.js: "1st place = tp1, 2nd place = tp2,
    // 3rd place = tp3, 4th place = tp3-1, 5th place = tp3-2, etc. down to 0" with the defaults
    // 28/25/23 of jflamy/owlcms4 DefaultChampionship.java.
    #[test]
    fn places_earn_the_published_scale() {
        let s = TeamPointsSettings::default();
        let expected = [28, 25, 23, 22, 21, 20, 19, 18, 17, 16];
        for (i, points) in expected.iter().enumerate() {
            assert_eq!(team_points(i as u32 + 1, 100, true, s), *points);
        }
        assert_eq!(team_points(25, 100, true, s), 1);
        assert_eq!(team_points(26, 100, true, s), 0);
        assert_eq!(team_points(40, 100, true, s), 0);
        assert_eq!(team_points(0, 100, true, s), 0);
    }

    #[test]
    fn only_team_members_with_a_result_score() {
        let s = TeamPointsSettings::default();
        assert_eq!(team_points(1, 0, true, s), 0);
        assert_eq!(team_points(1, 150, false, s), 0);
    }

    #[test]
    fn settings_come_from_the_competition_with_defaults() {
        let custom = json!({"teamPoints1st": 30, "teamPoints2nd": "26", "teamPoints3rd": 24});
        assert_eq!(TeamPointsSettings::from_settings(&custom), TeamPointsSettings { first: 30, second: 26, third: 24 });
        // The sample DATABASE competition has no teamPoints fields: defaults apply.
        let partial = json!({"teamPoints1st": 0, "teamPoints3rd": null});
        assert_eq!(TeamPointsSettings::from_settings(&partial), TeamPointsSettings::default());
        let s = TeamPointsSettings { first: 12, second: 9, third: 8 };
        assert_eq!(s.for_place(4), 7);
        assert_eq!(s.for_place(11), 0);
    }

    #[test]
    fn policies_count_the_right_rankings() {
        let p = Placings { snatch: (2, 100), clean_jerk: (1, 130), total: (1, 230) };
        let s = TeamPointsSettings::default();
        assert_eq!(athlete_team_points(p, true, s, TeamPointsPolicy::TotalOnly), 28);
        assert_eq!(athlete_team_points(p, true, s, TeamPointsPolicy::AllThree), 25 + 28 + 28);
        assert_eq!(athlete_team_points(p, true, s, TeamPointsPolicy::LiftsOnly), 25 + 28);
        assert_eq!(athlete_team_points(p, false, s, TeamPointsPolicy::AllThree), 0);
        // A snatch bomb-out: no snatch or total points, C&J points still count.
        let bombed = Placings { snatch: (0, 0), clean_jerk: (3, 120), total: (0, 0) };
        assert_eq!(athlete_team_points(bombed, true, s, TeamPointsPolicy::AllThree), 23);
        assert_eq!(TeamPointsPolicy::from_snatch_cj_total_medals(true), TeamPointsPolicy::AllThree);
    }

    #[test]
    fn ties_share_the_better_place() {
        assert_eq!(places_with_ties(&[100, 90, 90, 80, 0]), vec![1, 2, 2, 4, 0]);
        assert_eq!(places_with_ties(&[]), Vec::<u32>::new());
        let s = TeamPointsSettings::default();
        let points: Vec<u32> = places_with_ties(&[90, 100, 90]).iter().map(|&p| s.for_place(p)).collect();
        assert_eq!(points, vec![25, 28, 25]);
    }

    #[test]
    fn team_score_sums_the_best_n() {
        assert_eq!(best_n_sum(&[300.0, 250.5, 0.0, 310.0, 200.0], Some(2)), 610.0);
        assert_eq!(best_n_sum(&[300.0, 250.5, f64::NAN], None), 550.5);
        assert_eq!(best_n_sum(&[], Some(4)), 0.0);
    }
}
