//! `attempt-board`: the athlete on the platform, full screen, in every OWLCMS board mode.

use crate::layout::{BARBELL_HEIGHT, SlotInputs, barbell_rects, slot};
use crate::live::Live;
use crate::views::{Barbell, BoardView};
use crate::widgets::{athlete_clock, break_clock, down_arrow, flag, jury, lights};
use leptos::prelude::*;

/// What the board shows as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    /// Nothing to show yet: competition name (and the waiting text).
    Wait,
    /// A break or ceremony: its text and the break clock.
    Break,
    /// The session is over.
    Done,
    /// The athlete (also during an interruption, with "STOP").
    Athlete,
}

fn screen(view: &BoardView, mode: &str, in_break: bool, interruption: bool) -> Screen {
    if view.status.as_str() == "waiting" {
        Screen::Wait
    } else if view.session_done.0 || mode == "SESSION_DONE" {
        Screen::Done
    } else if interruption && view.athlete.is_some() {
        Screen::Athlete
    } else if in_break || matches!(mode, "INTRO_COUNTDOWN" | "LIFT_COUNTDOWN" | "CEREMONY" | "INTERRUPTION") {
        Screen::Break
    } else if view.athlete.is_some() && mode != "WAIT" {
        Screen::Athlete
    } else {
        Screen::Wait
    }
}

/// Draws an attempt-board view; the layout follows the newest mode (clock events carry it
/// before the mapping runs again).
pub fn render(live: Live, view: BoardView) -> AnyView {
    let state = Memo::new({
        let view = view.clone();
        move |_| {
            live.clock.with(|c| {
                let mode = c.as_ref().and_then(|c| c.mode.clone()).unwrap_or_else(|| view.mode.0.clone());
                let in_break = c.as_ref().map_or(view.in_break.0, |c| c.in_break);
                let interruption = mode == "INTERRUPTION";
                (screen(&view, &mode, in_break, interruption), mode)
            })
        }
    });
    let view = StoredValue::new(view);
    (move || {
        let (screen, mode) = state.get();
        let v = view.get_value();
        let class = format!("board mode-{}", mode.to_ascii_lowercase().replace('_', "-"));
        match screen {
            Screen::Wait => view! {
                <div class=class>
                    <div class="board-message">
                        <div class="board-competition">{v.competition.0.clone()}</div>
                        <div class="board-session">{v.session.0.clone()}</div>
                        {(v.status.as_str() == "waiting" || v.competition.is_empty())
                            .then(|| view! { <div class="board-waiting">{v.waiting_message.0.clone()}</div> })}
                    </div>
                </div>
            }
            .into_any(),
            Screen::Break | Screen::Done => view! {
                <div class=class>
                    <div class="board-message">
                        <div class="board-competition">{v.competition.0.clone()}</div>
                        <div class="board-session">{v.session.0.clone()}</div>
                        <div class="board-break">{v.break_message.0.clone()}</div>
                        {(screen == Screen::Break && v.show_timer.0).then(|| view! {
                            <div class="board-break-clock">{break_clock(live)}</div>
                        })}
                    </div>
                </div>
            }
            .into_any(),
            Screen::Athlete => athlete(live, &v, class),
        }
    })
    .into_any()
}

fn athlete(live: Live, v: &BoardView, class: String) -> AnyView {
    let a = v.athlete.clone().unwrap_or_default();
    let long = a.last_name.as_str().chars().count() > 18;
    let picture_failed = RwSignal::new(false);
    let picture = (!a.picture.is_empty()).then(|| {
        view! {
            <img class="picture" src=a.picture.0.clone() alt="" class:gone=move || picture_failed.get()
                on:error=move |_| picture_failed.set(true) />
        }
    });
    // Clock area: STOP, break clock or athlete clock; decisions go over the barbell.
    let clock_inputs = SlotInputs {
        in_break: v.in_break.0,
        interruption: v.interruption.0,
        has_athlete: true,
        show_decisions: false,
        show_timer: v.show_timer.0,
    };
    let stop = v.stop_text.0.clone();
    let clock_area = move || {
        let which = live.clock.with(|c| slot(clock_inputs, c.as_ref(), None));
        match which {
            crate::layout::Slot::Stop => view! { <span class="clock stop">{stop.clone()}</span> }.into_any(),
            crate::layout::Slot::Break => break_clock(live).into_any(),
            crate::layout::Slot::Athlete => athlete_clock(live).into_any(),
            _ => ().into_any(),
        }
    };
    // A decision takes the barbell's and the clock's place, so the lights can be big.
    let show_decisions = v.show_decisions.0;
    let barbell = v.barbell.clone();
    let decision =
        Memo::new(move |_| live.decision.with(|d| d.clone().filter(|d| show_decisions && (d.visible || d.down))));
    let middle = move || {
        let jury_view = live
            .decision
            .with(|d| d.as_ref().and_then(|d| d.jury.clone()))
            .filter(|_| show_decisions)
            .map(|j| jury(&j).into_any());
        match decision.get() {
            Some(d) => {
                let main = if d.down && d.lights.iter().all(Option::is_none) {
                    down_arrow().into_any()
                } else {
                    lights(&d).into_any()
                };
                view! { <div class="board-decision">{main}{jury_view}</div> }.into_any()
            }
            None => {
                let main = barbell.as_ref().map(|b| barbell_svg(b).into_any()).unwrap_or_else(|| ().into_any());
                view! {
                    <div class="board-middle">{main}{jury_view}</div>
                    <div class="board-clock">{clock_area.clone()}</div>
                }
                .into_any()
            }
        }
    };
    let record = match v.record_kind.as_str() {
        "attempt" => Some("record attempt"),
        "new" => Some("record new"),
        _ => None,
    }
    .filter(|_| !v.record_message.is_empty());
    view! {
        <div class=class>
            <div class="board-athlete">
                <div class="board-last" class:long=long>{a.last_name.0.clone()}</div>
                <div class="board-first">{a.first_name.0.clone()}</div>
                <div class="board-team">{flag(&a.flag)}<span>{a.team.0.clone()}</span></div>
            </div>
            <div class="board-side">
                <div class="board-start">{a.start_number.0.clone()}</div>
                <div class="board-cat">{a.category.0.clone()}</div>
                {picture}
            </div>
            <div class="board-weight">{v.weight.0.clone()}<small>{v.kg.0.clone()}</small></div>
            <div class="board-attempt">{v.attempt.0.clone()}</div>
            {middle}
            {record.map(|class| view! { <div class=format!("board-record {class}")>{v.record_message.0.clone()}</div> })}
        </div>
    }
    .into_any()
}

/// The loaded barbell, drawn from the view's plates.
fn barbell_svg(barbell: &Barbell) -> impl IntoView + use<> {
    let plates: Vec<(f64, String, bool)> =
        barbell.plates.iter().map(|p| (p.kg, p.colour.0.clone(), p.large.0)).collect();
    let (w, rects) = barbell_rects(&plates, barbell.collar.0, 300.0);
    let h = BARBELL_HEIGHT;
    view! {
        <svg class="barbell" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="xMidYMid meet" role="img">
            <rect class="bar" x="0" y=h / 2.0 - 4.0 width=w height="8" rx="3" />
            <rect class="sleeve-stop" x=w / 2.0 - 44.0 y=h / 2.0 - 14.0 width="5" height="28" />
            <rect class="sleeve-stop" x=w / 2.0 + 39.0 y=h / 2.0 - 14.0 width="5" height="28" />
            {rects.into_iter().map(|r| view! {
                <rect class=format!("plate {}", r.colour) x=r.x y=r.y width=r.w height=r.h rx="2">
                    <title>{format!("{} kg", r.kg)}</title>
                </rect>
            }).collect_view()}
        </svg>
    }
}
