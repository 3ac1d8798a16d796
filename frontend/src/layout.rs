//! Layout decisions that need no browser: which signal the clock slot shows, and how much a
//! long scoreboard is scaled down to fit its screen.

use crate::clock::ClockEvent;
use owlcms_contract::DecisionEvent;

/// What the clock / decision slot of a board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Referee lights.
    Decision,
    /// The down signal alone (big ▼).
    Down,
    /// `INTERRUPTION`: "STOP".
    Stop,
    /// The break clock (no digits for an indefinite break).
    Break,
    /// The athlete's clock.
    Athlete,
    /// Nothing.
    Nothing,
}

/// What a board's state says about the slot (from its view).
#[derive(Debug, Clone, Copy, Default)]
pub struct SlotInputs {
    /// The view says the FOP is in a break.
    pub in_break: bool,
    /// The view says OWLCMS is in `INTERRUPTION`.
    pub interruption: bool,
    /// An athlete is on the platform.
    pub has_athlete: bool,
    /// Decisions are shown on this board.
    pub show_decisions: bool,
    /// Clocks are shown on this board.
    pub show_timer: bool,
}

/// Decision lights win, then "STOP", then the break clock, then the athlete's clock. The
/// latest clock event overrides the view: it carries the hub's own choice (`display`, rules
/// R3.9/R4.8: a hidden `SetTime`, nothing after a RESET, no lights in a break) and is newer
/// than the view (it does not wait for the mapping to run again).
pub fn slot(inputs: SlotInputs, clock: Option<&ClockEvent>, decision: Option<&DecisionEvent>) -> Slot {
    if inputs.show_decisions
        && let Some(d) = decision.filter(|d| d.visible || d.down)
    {
        return if d.down && d.lights.iter().all(Option::is_none) { Slot::Down } else { Slot::Decision };
    }
    if let Some(display) = clock.and_then(|c| c.display.as_deref()) {
        let interruption = clock.is_some_and(|c| c.interruption);
        return match display {
            "break" if interruption => Slot::Stop,
            "break" if inputs.show_timer => Slot::Break,
            "athlete" if inputs.show_timer => Slot::Athlete,
            _ => Slot::Nothing,
        };
    }
    let interruption = clock.and_then(|c| c.mode.as_deref()).map_or(inputs.interruption, |m| m == "INTERRUPTION");
    if interruption {
        return Slot::Stop;
    }
    let in_break = clock.map_or(inputs.in_break, |c| c.in_break);
    if !inputs.show_timer {
        return Slot::Nothing;
    }
    if in_break {
        Slot::Break
    } else if inputs.has_athlete {
        Slot::Athlete
    } else {
        Slot::Nothing
    }
}

/// Auto-fit of long scoreboards.
///
/// A TV has nobody to scroll it, so a board that is taller than the screen is scaled down
/// (every size is in `em` of one font size, so height is proportional to the scale) until it
/// fits. A phone is scrolled by its holder, so the scale never goes below a floor that keeps
/// the text readable, and the rest scrolls.
pub fn next_fit(current: f64, content_px: f64, available_px: f64, floor: f64) -> f64 {
    if !(content_px > 0.0 && available_px > 0.0 && current > 0.0) {
        return current.clamp(floor.min(1.0), 1.0);
    }
    (current * available_px / content_px).clamp(floor.min(1.0), 1.0)
}

/// The scale that fits both the height and the width (tables do not wrap, so a table wider
/// than a phone is scaled down rather than cut off); same floor.
pub fn next_fit_both(current: f64, content: (f64, f64), available: (f64, f64), floor: f64) -> f64 {
    let by_height = next_fit(current, content.1, available.1, floor);
    // Width only counts when it overflows (content is never narrower than the screen).
    let by_width =
        if content.0 > available.0 + 0.5 { next_fit(current, content.0, available.0, floor) } else { by_height };
    by_height.min(by_width)
}

/// The smallest scale that keeps the base font at `min_font_px` or more.
pub fn fit_floor(base_font_px: f64, min_font_px: f64) -> f64 {
    if base_font_px <= 0.0 { 1.0 } else { (min_font_px / base_font_px).clamp(0.3, 1.0) }
}

/// A rectangle of the barbell drawing (SVG user units).
#[derive(Debug, Clone, PartialEq)]
pub struct PlateRect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// CSS colour class (`red`, `blue`, … `collar`).
    pub colour: String,
    /// Weight, for the tooltip.
    pub kg: f64,
}

/// Height of the barbell drawing's view box; its width depends on the plates.
pub const BARBELL_HEIGHT: f64 = 200.0;
/// Half the length of the bar between the sleeves' inner collars.
const SLEEVE_INNER: f64 = 44.0;
/// Bar showing beyond the outermost plate.
const SLEEVE_END: f64 = 26.0;

/// The plates of one side (inside out) drawn on both sleeves, with collars outside them:
/// bumper plates full height and thicker the heavier they are, change plates smaller.
/// Returns the width of the drawing (at least `min_width`, centred) and the rectangles.
pub fn barbell_rects(plates: &[(f64, String, bool)], collar: bool, min_width: f64) -> (f64, Vec<PlateRect>) {
    let mid = BARBELL_HEIGHT / 2.0;
    // Right side first, from the centre (x = 0) out.
    let mut right = Vec::new();
    let mut x = SLEEVE_INNER;
    let mut push = |x: &mut f64, w: f64, h: f64, colour: &str, kg: f64| {
        right.push(PlateRect { x: *x, y: mid - h / 2.0, w, h, colour: colour.to_owned(), kg });
        *x += w + 1.0;
    };
    for (kg, colour, large) in plates {
        let (w, h) = if *large {
            ((8.0 + kg * 0.6).clamp(9.0, 24.0), 180.0)
        } else {
            (7.0, (40.0 + kg * 14.0).clamp(44.0, 112.0))
        };
        push(&mut x, w, h, colour, *kg);
    }
    if collar {
        push(&mut x, 9.0, 34.0, "collar", 2.5);
    }
    let width = (2.0 * (x + SLEEVE_END)).max(min_width);
    let centre = width / 2.0;
    let right: Vec<PlateRect> = right.into_iter().map(|r| PlateRect { x: centre + r.x, ..r }).collect();
    let left = right.iter().map(|r| PlateRect { x: width - r.x - r.w, ..r.clone() });
    (width, left.chain(right.iter().cloned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::BreakClock;

    fn inputs() -> SlotInputs {
        SlotInputs { has_athlete: true, show_decisions: true, show_timer: true, ..Default::default() }
    }

    #[test]
    fn decision_beats_clocks_and_down_alone_is_the_arrow() {
        let down = DecisionEvent { visible: true, down: true, ..Default::default() };
        assert_eq!(slot(inputs(), None, Some(&down)), Slot::Down);
        let full = DecisionEvent { visible: true, lights: [Some(true), Some(false), Some(true)], ..Default::default() };
        assert_eq!(slot(inputs(), None, Some(&full)), Slot::Decision);
        let cleared = DecisionEvent::default();
        assert_eq!(slot(inputs(), None, Some(&cleared)), Slot::Athlete);
        let hidden = SlotInputs { show_decisions: false, ..inputs() };
        assert_eq!(slot(hidden, None, Some(&full)), Slot::Athlete);
    }

    #[test]
    fn clock_events_override_the_view_for_breaks_and_interruptions() {
        let stop = ClockEvent { mode: Some("INTERRUPTION".into()), ..Default::default() };
        assert_eq!(slot(inputs(), Some(&stop), None), Slot::Stop);
        assert_eq!(slot(SlotInputs { interruption: true, ..inputs() }, None, None), Slot::Stop);
        let brk = ClockEvent { in_break: true, mode: Some("INTRO_COUNTDOWN".into()), ..Default::default() };
        assert_eq!(slot(inputs(), Some(&brk), None), Slot::Break);
        let lifting = ClockEvent { mode: Some("CURRENT_ATHLETE".into()), ..Default::default() };
        assert_eq!(slot(SlotInputs { in_break: true, ..inputs() }, Some(&lifting), None), Slot::Athlete);
        let brk = ClockEvent {
            in_break: true,
            break_clock: BreakClock { state: "indefinite".into(), ..Default::default() },
            ..lifting
        };
        assert_eq!(slot(SlotInputs { has_athlete: false, ..inputs() }, Some(&brk), None), Slot::Break);
        assert_eq!(slot(SlotInputs { has_athlete: false, ..inputs() }, None, None), Slot::Nothing);
        assert_eq!(slot(SlotInputs { show_timer: false, ..inputs() }, None, None), Slot::Nothing);
    }

    #[test]
    fn the_hubs_display_choice_wins_over_the_view() {
        let shown = |display: &str, interruption: bool| ClockEvent {
            display: Some(display.into()),
            interruption,
            ..Default::default()
        };
        // After a RESET the hub shows nothing although an athlete is on the platform (R4.6).
        assert_eq!(slot(inputs(), Some(&shown("none", false)), None), Slot::Nothing);
        assert_eq!(slot(inputs(), Some(&shown("athlete", false)), None), Slot::Athlete);
        assert_eq!(slot(inputs(), Some(&shown("break", true)), None), Slot::Stop);
        assert_eq!(
            slot(SlotInputs { show_timer: false, ..inputs() }, Some(&shown("break", false)), None),
            Slot::Nothing
        );
        let full = DecisionEvent { visible: true, lights: [Some(true); 3], ..Default::default() };
        assert_eq!(slot(inputs(), Some(&shown("decision", false)), Some(&full)), Slot::Decision);
    }

    #[test]
    fn fit_scales_down_to_the_screen_but_not_below_the_floor() {
        assert_eq!(next_fit(1.0, 800.0, 1000.0, 0.4), 1.0, "fits: never scaled up");
        assert_eq!(next_fit(1.0, 2000.0, 1000.0, 0.4), 0.5);
        assert!((next_fit(0.5, 1100.0, 1000.0, 0.4) - 0.4545).abs() < 1e-3, "second pass refines");
        assert_eq!(next_fit(1.0, 10_000.0, 1000.0, 0.4), 0.4, "phone: floor, then scroll");
        assert_eq!(next_fit(0.7, 0.0, 1000.0, 0.4), 0.7);
        assert_eq!(next_fit_both(1.0, (400.0, 500.0), (390.0, 844.0), 0.4), 0.975, "too wide for a phone");
        assert_eq!(next_fit_both(1.0, (1920.0, 2160.0), (1920.0, 1080.0), 0.4), 0.5, "too tall for a TV");
        assert_eq!(next_fit_both(0.8, (1920.0, 500.0), (1920.0, 1080.0), 0.4), 1.0, "room again: back up");
        assert_eq!(fit_floor(24.0, 12.0), 0.5);
        assert_eq!(fit_floor(10.0, 12.0), 1.0);
        assert_eq!(fit_floor(0.0, 12.0), 1.0);
    }

    #[test]
    fn barbell_is_symmetric_with_large_plates_inside() {
        let plates = vec![(25.0, "red".to_owned(), true), (2.5, "red".to_owned(), false)];
        let (width, rects) = barbell_rects(&plates, true, 300.0);
        assert_eq!(width, 300.0);
        assert_eq!(rects.len(), 6, "two plates and a collar per side");
        let (left, right) = rects.split_at(3);
        assert_eq!(right[0].h, 180.0);
        assert!(right[1].h < right[0].h && right[2].colour == "collar");
        assert!(right[0].x < right[1].x && right[1].x < right[2].x, "inside out");
        for (l, r) in left.iter().zip(right) {
            assert!((l.x + l.w / 2.0 + r.x + r.w / 2.0 - width).abs() < 1e-9, "mirrored");
            assert_eq!(l.y, r.y);
        }
        assert!(right.iter().all(|r| r.x + r.w <= width));
        assert!(barbell_rects(&[], false, 300.0).1.is_empty());
        // Many plates widen the drawing instead of leaving it.
        let heavy: Vec<(f64, String, bool)> = (0..8).map(|_| (25.0, "red".to_owned(), true)).collect();
        let (width, rects) = barbell_rects(&heavy, true, 300.0);
        assert!(width > 300.0 && rects.iter().all(|r| r.x >= 0.0 && r.x + r.w <= width));
    }
}
