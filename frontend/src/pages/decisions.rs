//! `decisions`: the referees' lights alone, big. Athlete-facing (`mirrored`: referee 3 on the
//! left, as the athletes face the referees) with the clock and the down signal, or the jury's
//! board (`jury`): each referee's light labelled, shown as soon as it is given, and the
//! jury's own decision.

use crate::layout::{Slot, SlotInputs, slot};
use crate::live::Live;
use crate::views::{AttemptBar, Flag, Text};
use crate::widgets::{athlete_clock, break_clock, down_arrow, jury};
use leptos::prelude::*;
use owlcms_contract::DecisionEvent;

crate::view_struct! {
    /// The `decisions` view (see plugins/athlete-decisions and plugins/jury-board).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DecisionsView {
        /// Board title (the jury board shows it).
        pub title: Text,
        /// Referees right to left, as seen from the platform.
        pub mirrored: Flag,
        /// The jury's board: every light as soon as it is given, labelled, and the jury's decision.
        pub jury: Flag,
        /// Show the clock between decisions.
        pub show_clock: Flag,
        /// Labels of referees 1–3.
        pub referees: Vec<Text>,
        /// The current-attempt bar (athlete line and clock inputs).
        pub attempt_bar: AttemptBar,
        /// What an interruption shows.
        pub stop_text: Text,
    }
}

/// Referee numbers (1-based) in the order they are drawn, left to right.
pub fn order(mirrored: bool, single: bool) -> Vec<usize> {
    match (single, mirrored) {
        (true, _) => vec![2],
        (false, true) => vec![3, 2, 1],
        (false, false) => vec![1, 2, 3],
    }
}

/// Draws a decisions view.
pub fn render(live: Live, view: DecisionsView) -> AnyView {
    let v = StoredValue::new(view);
    let (mirrored, jury_board) = v.with_value(|v| (v.mirrored.0, v.jury.0));
    let inputs = v.with_value(|v| SlotInputs {
        in_break: v.attempt_bar.in_break.0,
        interruption: v.attempt_bar.interruption.0,
        has_athlete: v.attempt_bar.has_athlete.0,
        show_decisions: true,
        show_timer: v.show_clock.0,
    });
    let which = Memo::new(move |_| live.clock.with(|c| live.decision.with(|d| slot(inputs, c.as_ref(), d.as_ref()))));
    // The jury sees each light as it comes; athletes only once OWLCMS shows them.
    let lights_shown = Memo::new(move |_| {
        live.decision.with(|d| {
            d.as_ref().is_some_and(|d| if jury_board { d.lights.iter().any(Option::is_some) } else { d.visible })
        })
    });
    let lights = move || {
        live.decision.with(|d| {
            let d = d.clone().unwrap_or_default();
            let labels: Vec<String> = v.with_value(|v| v.referees.iter().map(|t| t.0.clone()).collect());
            referee_lights(&d, mirrored, jury_board, &labels)
        })
    };
    let middle = move || {
        if lights_shown.get() {
            return lights().into_any();
        }
        match which.get() {
            Slot::Down => down_arrow().into_any(),
            Slot::Athlete => view! { <div class="decisions-clock">{athlete_clock(live)}</div> }.into_any(),
            Slot::Break => view! { <div class="decisions-clock">{break_clock(live)}</div> }.into_any(),
            Slot::Stop => {
                view! { <span class="clock stop">{v.with_value(|v| v.stop_text.0.clone())}</span> }.into_any()
            }
            Slot::Decision | Slot::Nothing if jury_board => lights().into_any(),
            Slot::Decision | Slot::Nothing => ().into_any(),
        }
    };
    let jury_view = move || {
        live.decision
            .with(|d| d.as_ref().and_then(|d| d.jury.clone()))
            .filter(|_| jury_board)
            .map(|j| view! { <div class="decisions-jury">{jury(&j)}</div> })
    };
    let (title, bar) = v.with_value(|v| (v.title.0.clone(), v.attempt_bar.clone()));
    let athlete = (jury_board && bar.has_athlete.0).then(|| {
        view! {
            <div class="decisions-athlete">
                <span class="da-name">{bar.name.0.clone()}</span>
                <span class="da-attempt">{bar.attempt.0.clone()}</span>
                <span class="da-weight">{bar.weight.0.clone()}<small>{bar.kg.0.clone()}</small></span>
            </div>
        }
    });
    view! {
        <div class="decisions" class:mirrored=mirrored class:jury-board=jury_board>
            {jury_board.then(|| view! { <h1 class="decisions-title">{title}</h1> })}
            {athlete}
            <div class="decisions-middle">{middle}</div>
            {jury_view}
        </div>
    }
    .into_any()
}

fn referee_lights(d: &DecisionEvent, mirrored: bool, labelled: bool, labels: &[String]) -> impl IntoView + use<> {
    let class = |l: Option<bool>| match l {
        Some(true) => "light good",
        Some(false) => "light bad",
        None => "light pending",
    };
    let overall = match d.decision {
        Some(true) => "decision-lights decided good",
        Some(false) => "decision-lights decided bad",
        None => "decision-lights",
    };
    let referees = order(mirrored, d.single_referee)
        .into_iter()
        .map(|n| {
            let label = labels.get(n - 1).cloned().unwrap_or_else(|| n.to_string());
            view! {
                <div class="referee" data-ref=n>
                    <span class=class(d.lights[n - 1])></span>
                    {labelled.then(|| view! { <span class="ref-label">{label}</span> })}
                </div>
            }
        })
        .collect_view();
    view! { <div class=overall>{referees}</div> }
}

#[cfg(test)]
mod tests {
    use super::order;

    #[test]
    fn athletes_see_referee_three_on_their_left() {
        assert_eq!(order(true, false), [3, 2, 1]);
        assert_eq!(order(false, false), [1, 2, 3]);
        assert_eq!(order(true, true), [2], "one referee: the middle light");
    }
}
