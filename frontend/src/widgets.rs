//! Pieces shared by the page kinds: the clock / decision slot, decision lights, flags, the
//! current-attempt bar, and the status and connection notices.

use crate::clock::{self, format_clock};
use crate::layout::{Slot, SlotInputs, slot};
use crate::live::{Link, Live};
use crate::texts::t;
use crate::views::{AttemptBar, Text};
use leptos::prelude::*;
use owlcms_contract::{DecisionEvent, Jury, StatusState};

/// A reactive text node. Not generic, so every caller shares one instance of tachys' code
/// for a reactive child instead of one per closure type (7 callers: 1.4 KB brotli).
pub fn dyn_text(text: Box<dyn Fn() -> String + Send + Sync>) -> impl IntoView {
    move || text()
}

/// A team flag; hidden when there is none or it does not load.
pub fn flag(url: &Text) -> AnyView {
    if url.is_empty() || url.as_str().starts_with("data:") {
        return ().into_any();
    }
    let hidden = RwSignal::new(false);
    view! {
        <img class="flag" src=url.0.clone() alt="" class:gone=move || hidden.get() on:error=move |_| hidden.set(true) />
    }
    .into_any()
}

/// The athlete's clock: `M:SS`, counting down locally between events, coloured at OWLCMS's
/// warning thresholds.
pub fn athlete_clock(live: Live) -> impl IntoView {
    let state = move || {
        live.clock.with(|c| {
            let c = c.as_ref()?;
            let remaining = clock::athlete_remaining(&c.athlete, live.now.get());
            Some((format_clock(remaining), clock::warning(&c.athlete, remaining), c.athlete.state.clone()))
        })
    };
    let class = move || match state() {
        Some((_, warning, run)) => format!("clock athlete {} {run}", warning.class()),
        None => "clock athlete".to_owned(),
    };
    let text = move || state().map_or_else(String::new, |(t, _, _)| t);
    view! { <span class=class data-clock="athlete">{text}</span> }
}

/// The break clock: a different colour, and no digits for an indefinite break.
pub fn break_clock(live: Live) -> impl IntoView {
    let text = move || {
        live.clock.with(|c| {
            c.as_ref()
                .and_then(|c| clock::break_remaining(&c.break_clock, live.now.get()))
                .map(format_clock)
                .unwrap_or_default()
        })
    };
    view! { <span class="clock break" data-clock="break">{text}</span> }
}

/// Referee lights (only the middle one in single-referee competitions), or the down arrow.
pub fn lights(decision: &DecisionEvent) -> impl IntoView + use<> {
    let light = |l: Option<bool>| match l {
        Some(true) => "light good",
        Some(false) => "light bad",
        None => "light pending",
    };
    let shown: Vec<Option<bool>> =
        if decision.single_referee { vec![decision.lights[1]] } else { decision.lights.to_vec() };
    let overall = match decision.decision {
        Some(true) => "lights decided good",
        Some(false) => "lights decided bad",
        None => "lights",
    };
    let count = shown.len();
    view! {
        <span class=overall data-lights=count>
            {shown.into_iter().map(|l| view! { <span class=light(l)></span> }).collect_view()}
        </span>
    }
}

/// The big down signal.
pub fn down_arrow() -> impl IntoView {
    view! { <span class="down">"▼"</span> }
}

/// The jury's last notification, as a light plus a symbol (the view has no jury texts).
pub fn jury(jury: &Jury) -> impl IntoView + use<> {
    let (class, symbol) = match (jury.event.as_str(), jury.decision.as_deref()) {
        ("JURY_DECISION", _) if jury.waiting_for_announcer => ("jury deliberating", "…"),
        ("JURY_DECISION", Some("GOOD_LIFT")) => ("jury good", "✔"),
        ("JURY_DECISION", Some("BAD_LIFT")) => ("jury bad", "✘"),
        ("START_DELIBERATION" | "CHALLENGE", _) => ("jury deliberating", "…"),
        _ => ("jury", ""),
    };
    view! { <span class=class data-jury=jury.event.clone()><span class="jury-label">"JURY"</span>" "{symbol}</span> }
}

/// The clock / decision slot of a board, reacting to clock and decision events.
pub fn signal_slot(live: Live, inputs: SlotInputs, stop_text: String) -> impl IntoView {
    let which = Memo::new(move |_| live.clock.with(|c| live.decision.with(|d| slot(inputs, c.as_ref(), d.as_ref()))));
    let jury_view = move || {
        live.decision.with(|d| {
            d.as_ref().and_then(|d| d.jury.as_ref()).filter(|_| inputs.show_decisions).map(|j| jury(j).into_any())
        })
    };
    let main = move || match which.get() {
        Slot::Decision => live.decision.with(|d| d.as_ref().map(|d| lights(d).into_any())).unwrap_or(().into_any()),
        Slot::Down => down_arrow().into_any(),
        Slot::Stop => view! { <span class="clock stop">{stop_text.clone()}</span> }.into_any(),
        Slot::Break => break_clock(live).into_any(),
        Slot::Athlete => athlete_clock(live).into_any(),
        Slot::Nothing => ().into_any(),
    };
    view! { <span class="slot">{main}{jury_view}</span> }
}

/// The current-attempt bar: athlete, team, attempt, weight, clock or decision, session line.
pub fn attempt_bar(live: Live, bar: &AttemptBar, stop_text: &str) -> AnyView {
    if !bar.visible.0 {
        return ().into_any();
    }
    let inputs = SlotInputs {
        in_break: bar.in_break.0,
        interruption: bar.interruption.0,
        has_athlete: bar.has_athlete.0,
        show_decisions: true,
        show_timer: true,
    };
    let athlete = bar.has_athlete.0;
    let record = match bar.record_kind.as_str() {
        "attempt" | "new" if !bar.record_message.is_empty() => Some((
            if bar.record_kind.as_str() == "new" { "record new" } else { "record attempt" },
            bar.record_message.0.clone(),
        )),
        _ => None,
    };
    view! {
        <div class="attempt-bar" class:athlete=athlete class:pause=!athlete>
            <div class="ab-line">
                {athlete.then(|| view! { <span class="ab-start">{bar.start_number.0.clone()}</span> })}
                <span class="ab-name">{bar.name.0.clone()}</span>
                {(!bar.team.is_empty()).then(|| view! {
                    <span class="ab-team">{flag(&bar.flag)}<span>{bar.team.0.clone()}</span></span>
                })}
                <span class="ab-attempt">{bar.attempt.0.clone()}</span>
                {(!bar.weight.is_empty()).then(|| view! {
                    <span class="ab-weight">{bar.weight.0.clone()}<small>{bar.kg.0.clone()}</small></span>
                })}
                {signal_slot(live, inputs, stop_text.to_owned())}
            </div>
            {(!bar.session_line.is_empty() || record.is_some()).then(|| view! {
                <div class="ab-session">
                    <span>{bar.session_line.0.clone()}</span>
                    {record.map(|(class, message)| view! { <span class=class>{message}</span> })}
                </div>
            })}
        </div>
    }
    .into_any()
}

/// The banner for a stream status that is not `ok` (waiting for OWLCMS, protocol mismatch,
/// plugin error).
pub fn status_banner(live: Live) -> impl IntoView {
    move || {
        live.status.with(|s| {
            let s = s.as_ref().filter(|s| s.state != StatusState::Ok && !s.message.is_empty())?;
            // A board that has a view shows its own waiting text.
            if s.state == StatusState::Waiting && live.envelope.with(Option::is_some) {
                return None;
            }
            let (class, icon) = match s.state {
                // No emoji: TV browsers often lack an emoji font.
                StatusState::Waiting => ("banner waiting", ""),
                _ => ("banner error", "⚠ "),
            };
            Some(view! { <div class=class data-status=s.state.as_str()>{icon}{s.message.clone()}</div> })
        })
    }
}

/// The discreet marker shown while the stream is down.
pub fn connection_marker(live: Live) -> impl IntoView {
    move || {
        let text = match live.link.get() {
            Link::Live => return None,
            Link::Connecting => t("connecting"),
            Link::Reconnecting => t("reconnecting"),
            Link::Refused(..) => t("notConnected"),
        };
        Some(view! { <div class="conn-marker" role="status">{text}</div> })
    }
}
