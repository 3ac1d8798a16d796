//! `attempt-bar` and `lower-third`: transparent pages for OBS browser sources.

use crate::layout::SlotInputs;
use crate::live::Live;
use crate::views::{BarView, LowerThirdView};
use crate::widgets::{attempt_bar, flag, signal_slot};
use leptos::prelude::*;

/// The current-attempt bar alone, at the top or bottom, scaled by the view's `size`.
pub fn attempt_bar_page(live: Live, view: BarView) -> AnyView {
    let position = if view.position.as_str() == "top" { "top" } else { "bottom" };
    let size = view.size.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0);
    let stop = if view.stop_text.is_empty() { "STOP".to_owned() } else { view.stop_text.0.clone() };
    view! {
        <div class=format!("overlay-bar {position}") style=format!("--size:{size}")>
            {attempt_bar(live, &view.attempt_bar, &stop)}
        </div>
    }
    .into_any()
}

/// Minimal cards: "NAME • flag TEAM • 170 kg" and the clock or the decision; red "STOP" cards
/// during an interruption; nothing when the view says so (session done, no session).
pub fn lower_third_page(live: Live, view: LowerThirdView) -> AnyView {
    let position = match view.position.as_str() {
        p @ ("bottom-left" | "top-right" | "top-left") => p,
        _ => "bottom-right",
    };
    let font = match view.font_size.as_str() {
        f @ ("small" | "large") => f,
        _ => "medium",
    };
    if !view.visible.0 {
        return view! { <div class=format!("lower-third {position} {font} hidden")></div> }.into_any();
    }
    let interruption = view.interruption.0 || view.mode.as_str() == "INTERRUPTION";
    let inputs = SlotInputs {
        in_break: view.in_break.0,
        interruption,
        has_athlete: !view.in_break.0 && !view.team.is_empty(),
        show_decisions: true,
        show_timer: true,
    };
    let stop = if view.stop_text.is_empty() { "STOP".to_owned() } else { view.stop_text.0.clone() };
    let live_interruption = move || {
        live.clock.with(|c| c.as_ref().and_then(|c| c.mode.clone()).map_or(interruption, |m| m == "INTERRUPTION"))
    };
    let dot = || view! { <span class="dot">"•"</span> };
    view! {
        <div class=format!("lower-third {position} {font}") class:interruption=live_interruption>
            <div class="lt-card lt-info">
                <span class="lt-name">{view.name.0.clone()}</span>
                {(!view.team.is_empty()).then(|| view! { {dot()}<span class="lt-team">{flag(&view.flag)}{view.team.0.clone()}</span> })}
                {(!view.weight.is_empty()).then(|| view! { {dot()}<span class="lt-weight">{view.weight.0.clone()}</span> })}
                {(!view.attempt.is_empty()).then(|| view! { <span class="lt-attempt">{view.attempt.0.clone()}</span> })}
            </div>
            <div class="lt-card lt-signal">{signal_slot(live, inputs, stop)}</div>
        </div>
    }
    .into_any()
}
