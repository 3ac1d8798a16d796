//! Medals to prepare per session and category (issue 16 item 4): how many gold, silver and
//! bronze medals each category needs under its championship's medal policy (behaviour rule
//! R5.9), counted at the last session in which the category lifts (its ceremony follows it).

use super::team_points::TeamPointsPolicy;

/// Gold, silver and bronze counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MedalSet {
    /// Gold medals.
    pub gold: u32,
    /// Silver medals.
    pub silver: u32,
    /// Bronze medals.
    pub bronze: u32,
}

impl MedalSet {
    fn add(&mut self, other: MedalSet) {
        self.gold += other.gold;
        self.silver += other.silver;
        self.bronze += other.bronze;
    }
}

/// Medals for a category of `athletes` registered athletes: one set per ranking the policy
/// awards (all three: snatch, clean & jerk, total; lifts only: two; total only: one), and a
/// place only when the category has that many athletes.
pub fn medals_to_prepare(athletes: usize, policy: TeamPointsPolicy) -> MedalSet {
    let sets = match policy {
        TeamPointsPolicy::AllThree => 3,
        TeamPointsPolicy::LiftsOnly => 2,
        TeamPointsPolicy::TotalOnly => 1,
    };
    let place = |n: usize| if athletes >= n { sets } else { 0 };
    MedalSet { gold: place(1), silver: place(2), bronze: place(3) }
}

/// One category's medals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryMedals {
    /// Category code.
    pub category: String,
    /// Registered athletes (every session of the category).
    pub athletes: usize,
    /// The policy applied.
    pub policy: TeamPointsPolicy,
    /// Medals to prepare.
    pub medals: MedalSet,
}

/// One session's medals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMedals {
    /// Session name.
    pub session: String,
    /// Categories whose last session this is, in order of first appearance.
    pub categories: Vec<CategoryMedals>,
    /// Sum over the categories.
    pub total: MedalSet,
}

/// `entries` = (session, category) for every participation; `sessions` in competition order
/// (sessions not listed come after, in order of appearance); `policy` gives a category's
/// medal policy, `None` when it awards no medals. Sessions without medals are left out.
pub fn per_session(
    sessions: &[String],
    entries: &[(String, String)],
    policy: impl Fn(&str) -> Option<TeamPointsPolicy>,
) -> Vec<SessionMedals> {
    let mut order: Vec<String> = sessions.to_vec();
    for (session, _) in entries {
        if !order.contains(session) {
            order.push(session.clone());
        }
    }
    let position = |s: &str| order.iter().position(|o| o == s).unwrap_or(usize::MAX);
    // Category → (athletes, last session), in order of first appearance.
    let mut categories: Vec<(String, usize, String)> = Vec::new();
    for (session, category) in entries {
        match categories.iter_mut().find(|(c, _, _)| c == category) {
            Some(entry) => {
                entry.1 += 1;
                if position(session) > position(&entry.2) {
                    entry.2 = session.clone();
                }
            }
            None => categories.push((category.clone(), 1, session.clone())),
        }
    }
    order
        .iter()
        .filter_map(|session| {
            let mut total = MedalSet::default();
            let list: Vec<CategoryMedals> = categories
                .iter()
                .filter(|(_, _, last)| last == session)
                .filter_map(|(category, athletes, _)| {
                    let policy = policy(category)?;
                    let medals = medals_to_prepare(*athletes, policy);
                    total.add(medals);
                    Some(CategoryMedals { category: category.clone(), athletes: *athletes, policy, medals })
                })
                .collect();
            (!list.is_empty()).then(|| SessionMedals { session: session.clone(), categories: list, total })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_policy_needs_its_sets_up_to_the_athletes_registered() {
        assert_eq!(medals_to_prepare(5, TeamPointsPolicy::AllThree), MedalSet { gold: 3, silver: 3, bronze: 3 });
        assert_eq!(medals_to_prepare(2, TeamPointsPolicy::LiftsOnly), MedalSet { gold: 2, silver: 2, bronze: 0 });
        assert_eq!(medals_to_prepare(1, TeamPointsPolicy::TotalOnly), MedalSet { gold: 1, silver: 0, bronze: 0 });
        assert_eq!(medals_to_prepare(0, TeamPointsPolicy::AllThree), MedalSet::default());
    }

    // SM_M89 lifts in A and B: its 3 athletes' medals go to B, its last session. JR_M89 (total
    // only, 1 athlete) is in A; NOMEDAL awards none, so session C is left out.
    type Summary<'a> = (&'a str, Vec<(&'a str, usize)>, MedalSet);

    #[test]
    fn a_category_counts_at_its_last_session() {
        let sessions = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let entry = |s: &str, c: &str| (s.to_owned(), c.to_owned());
        let entries = [
            entry("B", "SM_M89"),
            entry("A", "SM_M89"),
            entry("A", "JR_M89"),
            entry("A", "SM_M89"),
            entry("C", "NOMEDAL"),
        ];
        let policy = |c: &str| match c {
            "SM_M89" => Some(TeamPointsPolicy::AllThree),
            "JR_M89" => Some(TeamPointsPolicy::TotalOnly),
            _ => None,
        };
        let out = per_session(&sessions, &entries, policy);
        let summary: Vec<Summary<'_>> = out
            .iter()
            .map(|s| {
                (s.session.as_str(), s.categories.iter().map(|c| (c.category.as_str(), c.athletes)).collect(), s.total)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("A", vec![("JR_M89", 1)], MedalSet { gold: 1, silver: 0, bronze: 0 }),
                ("B", vec![("SM_M89", 3)], MedalSet { gold: 3, silver: 3, bronze: 3 }),
            ]
        );
    }
}
