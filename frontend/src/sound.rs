//! Sound cues of a board (option `sound`, off by default): OWLCMS's timer cues (the clock
//! enters its initial or final warning band, time is over) and the down signal, played with
//! Web Audio tones (no media files).
//!
//! The cue logic ([`CueTracker`]) is pure and tested natively. It reads the clock only through
//! [`ClockReading`], built by [`reading`]: the one function to adapt when the clock event's
//! shape changes. Cues fire when a running clock *crosses* a threshold between two readings,
//! so a page opened (or reconnected) mid-countdown stays quiet until the next crossing, and a
//! re-set clock (remaining time going up) starts over without a sound.

use crate::clock::{self, ClockEvent, Warning};

/// How much faster than time a clock may seem to go down between two readings (offset
/// re-estimates, late ticks) and still be the same countdown.
const JUMP_TOLERANCE_MS: f64 = 1_000.0;

/// What the cue logic needs of the athlete's clock at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockReading {
    /// Server time of the reading (ms).
    pub at_ms: f64,
    /// The clock is counting down.
    pub running: bool,
    /// Remaining milliseconds now.
    pub remaining_ms: f64,
    /// The colour band at that time (OWLCMS's initial / final warning thresholds).
    pub band: Warning,
}

/// The athlete clock of a clock event at server time `server_now`.
pub fn reading(event: &ClockEvent, server_now: f64) -> ClockReading {
    let remaining_ms = clock::athlete_remaining(&event.athlete, server_now);
    ClockReading {
        at_ms: server_now,
        running: event.athlete.state == "running",
        remaining_ms,
        band: clock::warning(&event.athlete, remaining_ms),
    }
}

/// A sound to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// The clock entered the initial warning band (OWLCMS: 90 s of a 2-minute clock).
    InitialWarning,
    /// The clock entered the final warning band (OWLCMS: 30 s).
    FinalWarning,
    /// The clock reached zero.
    TimeOver,
    /// The referees' down signal.
    Down,
}

impl Cue {
    /// The tones of the cue: (frequency in Hz, start offset in s, duration in s). Distinct
    /// pitches and counts so that people tell them apart (and tests can too).
    pub fn tones(self) -> &'static [(f32, f64, f64)] {
        match self {
            Cue::InitialWarning => &[(660.0, 0.0, 0.35)],
            Cue::FinalWarning => &[(880.0, 0.0, 0.25), (880.0, 0.35, 0.25)],
            Cue::TimeOver => &[(440.0, 0.0, 0.4), (440.0, 0.5, 0.4), (440.0, 1.0, 0.8)],
            Cue::Down => &[(1320.0, 0.0, 0.9)],
        }
    }
}

/// Remembers the last clock reading and down state, and says which cue a new one triggers.
#[derive(Debug, Clone, Default)]
pub struct CueTracker {
    last: Option<ClockReading>,
    down: bool,
}

impl CueTracker {
    /// A new clock reading (`None`: no clock); the cue it triggers, if any.
    pub fn clock(&mut self, now: Option<ClockReading>) -> Option<Cue> {
        let previous = std::mem::replace(&mut self.last, now);
        let (previous, now) = (previous?, now?);
        // Only a clock that kept running and went down by about the time elapsed crosses
        // anything; a jump (up, or down faster than time: a new clock started) is a new clock,
        // a stopped clock is quiet.
        let dropped = previous.remaining_ms - now.remaining_ms;
        let elapsed = now.at_ms - previous.at_ms;
        if !(previous.running && now.running && dropped > 0.0 && dropped <= elapsed + JUMP_TOLERANCE_MS) {
            return None;
        }
        if previous.remaining_ms > 0.0 && now.remaining_ms <= 0.0 {
            return Some(Cue::TimeOver);
        }
        match (previous.band, now.band) {
            (Warning::None, Warning::Initial) => Some(Cue::InitialWarning),
            (Warning::None | Warning::Initial, Warning::Final) => Some(Cue::FinalWarning),
            _ => None,
        }
    }

    /// The decision's down signal now; [`Cue::Down`] when it just appeared. The first call
    /// only records it (a page opened while it shows stays quiet).
    pub fn down(&mut self, down: bool, first: bool) -> Option<Cue> {
        let appeared = down && !self.down && !first;
        self.down = down;
        appeared.then_some(Cue::Down)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A running 2-minute countdown read at `remaining_ms` (its server time follows from it).
    fn run(remaining_ms: f64, band: Warning) -> Option<ClockReading> {
        Some(ClockReading { at_ms: 1e9 - remaining_ms, running: true, remaining_ms, band })
    }

    #[test]
    fn cues_fire_once_when_a_running_clock_crosses_a_threshold() {
        let mut t = CueTracker::default();
        assert_eq!(t.clock(run(91_000.0, Warning::None)), None, "first reading: nothing to compare");
        assert_eq!(t.clock(run(90_500.0, Warning::None)), None);
        assert_eq!(t.clock(run(89_950.0, Warning::Initial)), Some(Cue::InitialWarning));
        assert_eq!(t.clock(run(89_850.0, Warning::Initial)), None, "once");
        assert_eq!(t.clock(run(30_020.0, Warning::Initial)), None);
        assert_eq!(t.clock(run(29_920.0, Warning::Final)), Some(Cue::FinalWarning));
        assert_eq!(t.clock(run(50.0, Warning::Final)), None);
        assert_eq!(t.clock(run(0.0, Warning::Final)), Some(Cue::TimeOver));
        assert_eq!(t.clock(run(0.0, Warning::Final)), None, "stays at zero quietly");
    }

    #[test]
    fn opened_mid_countdown_stopped_or_reset_clocks_are_quiet() {
        let mut t = CueTracker::default();
        assert_eq!(t.clock(run(20_000.0, Warning::Final)), None, "opened inside the final band");
        // Stopped, then a new 60 s clock set and started: no cue for the jump up.
        let stopped = Some(ClockReading { at_ms: 1e9, running: false, remaining_ms: 20_000.0, band: Warning::Final });
        assert_eq!(t.clock(stopped), None);
        assert_eq!(t.clock(run(60_000.0, Warning::None)), None);
        assert_eq!(t.clock(None), None);
        assert_eq!(t.clock(run(29_000.0, Warning::Final)), None, "after no clock: a baseline again");
        // A one-minute clock goes straight from no warning to the final one.
        assert_eq!(t.clock(run(30_100.0, Warning::None)), None, "a jump up is a new clock");
        assert_eq!(t.clock(run(29_990.0, Warning::Final)), Some(Cue::FinalWarning));
        // A new, shorter clock started while one ran: it went down faster than time, no cue.
        let mut t = CueTracker::default();
        let at = |at_ms, remaining_ms, band| Some(ClockReading { at_ms, running: true, remaining_ms, band });
        assert_eq!(t.clock(at(0.0, 89_000.0, Warning::Initial)), None);
        assert_eq!(t.clock(at(100.0, 1_500.0, Warning::Final)), None, "a new clock");
        assert_eq!(t.clock(at(1_600.0, 0.0, Warning::Final)), Some(Cue::TimeOver));
    }

    #[test]
    fn down_signal_fires_when_it_appears() {
        let mut t = CueTracker::default();
        assert_eq!(t.down(true, true), None, "showing when the page opened");
        assert_eq!(t.down(false, false), None);
        assert_eq!(t.down(true, false), Some(Cue::Down));
        assert_eq!(t.down(true, false), None);
        assert!(Cue::TimeOver.tones().len() == 3 && Cue::Down.tones()[0].0 > 1000.0);
    }
}
