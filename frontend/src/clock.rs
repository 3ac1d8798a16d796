//! Clock arithmetic, free of any browser API so that it is tested natively.
//!
//! The server sends absolute end times (`endsAtMs`, server epoch milliseconds) with its own
//! time (`serverTimeMs`). The browser's clock may be off by minutes, so the page estimates
//! `offset = server time − browser time` and counts down against `browser time + offset`.
//! The event types are the browser contract's (`owlcms_contract::events`), re-exported here.

/// How long an offset sample stays usable: long enough to keep the best (lowest-latency)
/// sample across quiet periods, short enough to follow a drifting or re-set clock.
const SAMPLE_LIFETIME_MS: f64 = 10.0 * 60_000.0;
/// A sample this much below the current estimate cannot be latency (streams are not that
/// slow): one of the two clocks jumped, so the estimate starts again from that sample.
const JUMP_MS: f64 = 5_000.0;
/// Default final warning when OWLCMS sends none (OWLCMS's default for both clock lengths).
const DEFAULT_FINAL_WARNING_MS: i64 = 30_000;
/// Default first warning of a 2-minute clock when OWLCMS sends none.
const DEFAULT_INITIAL_WARNING_MS_120: i64 = 90_000;

pub use owlcms_contract::events::{AthleteClock, BreakClock, ClockEvent};

/// Remaining milliseconds of the athlete's clock at server time `server_now`.
pub fn athlete_remaining(clock: &AthleteClock, server_now: f64) -> f64 {
    match (clock.state.as_str(), clock.ends_at_ms) {
        ("running", Some(end)) => (end as f64 - server_now).max(0.0),
        _ => (clock.remaining_ms as f64).max(0.0),
    }
}

/// Remaining milliseconds of the break clock at `server_now`; `None` when it shows no digits
/// (indefinite break, or no break clock at all).
pub fn break_remaining(clock: &BreakClock, server_now: f64) -> Option<f64> {
    match clock.state.as_str() {
        "running" => match clock.ends_at_ms {
            Some(end) => Some((end as f64 - server_now).max(0.0)),
            None => clock.remaining_ms.map(|r| (r as f64).max(0.0)),
        },
        "paused" => clock.remaining_ms.map(|r| (r as f64).max(0.0)),
        _ => None,
    }
}

/// `M:SS` (or `H:MM:SS` from one hour), rounding up so that a fresh 60 s clock shows 1:00 and
/// 0:00 appears only when time is up.
pub fn format_clock(ms: f64) -> String {
    let total = if ms.is_finite() && ms > 0.0 { (ms / 1000.0).ceil() as u64 } else { 0 };
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// Colour band of the athlete's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// Plenty of time.
    None,
    /// Past the first warning (OWLCMS: 90 s on a 2-minute clock).
    Initial,
    /// Past the final warning (OWLCMS: 30 s).
    Final,
}

impl Warning {
    /// CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Warning::None => "",
            Warning::Initial => "warn-initial",
            Warning::Final => "warn-final",
        }
    }
}

/// Which warning band `remaining` falls in, with OWLCMS's thresholds when it sent them.
pub fn warning(clock: &AthleteClock, remaining: f64) -> Warning {
    let final_ms = clock.final_warning_ms.unwrap_or(DEFAULT_FINAL_WARNING_MS) as f64;
    let initial_ms = clock
        .initial_warning_ms
        .or_else(|| {
            (clock.time_allowed_ms >= 120_000 || clock.remaining_ms > 60_000).then_some(DEFAULT_INITIAL_WARNING_MS_120)
        })
        .map(|ms| ms as f64);
    if remaining <= final_ms {
        Warning::Final
    } else if initial_ms.is_some_and(|i| remaining <= i) {
        Warning::Initial
    } else {
        Warning::None
    }
}

/// Estimates `server clock − browser clock` from the `serverTimeMs` of received events.
///
/// Each sample is `serverTimeMs − browser now at receipt` = true offset − transit delay, so
/// the largest recent sample (the one with the least delay) is the best estimate.
#[derive(Debug, Clone, Default)]
pub struct OffsetEstimator {
    samples: Vec<(f64, f64)>,
}

impl OffsetEstimator {
    /// Records a sample: the event's server time, and the browser's time when it arrived.
    pub fn add(&mut self, server_time_ms: f64, local_now_ms: f64) {
        if !(server_time_ms.is_finite() && server_time_ms > 0.0 && local_now_ms.is_finite()) {
            return;
        }
        let sample = server_time_ms - local_now_ms;
        // A clock jumped (a sample that is higher simply wins the maximum below).
        if self.offset().is_some_and(|best| sample < best - JUMP_MS) {
            self.samples.clear();
        }
        self.samples.retain(|(at, _)| local_now_ms - at < SAMPLE_LIFETIME_MS && *at <= local_now_ms);
        self.samples.push((local_now_ms, sample));
    }

    /// The current estimate, or `None` before the first sample.
    pub fn offset(&self) -> Option<f64> {
        self.samples.iter().map(|(_, o)| *o).reduce(f64::max)
    }

    /// Server time now, given the browser's time now.
    pub fn server_now(&self, local_now_ms: f64) -> f64 {
        local_now_ms + self.offset().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(ends_at: i64) -> AthleteClock {
        AthleteClock { state: "running".into(), ends_at_ms: Some(ends_at), remaining_ms: 60_000, ..Default::default() }
    }

    #[test]
    fn formats_minutes_and_seconds_rounding_up() {
        assert_eq!(format_clock(60_000.0), "1:00");
        assert_eq!(format_clock(59_001.0), "1:00");
        assert_eq!(format_clock(59_000.0), "0:59");
        assert_eq!(format_clock(40_000.0), "0:40");
        assert_eq!(format_clock(1.0), "0:01");
        assert_eq!(format_clock(0.0), "0:00");
        assert_eq!(format_clock(-5.0), "0:00");
        assert_eq!(format_clock(f64::NAN), "0:00");
        assert_eq!(format_clock(600_000.0), "10:00");
        assert_eq!(format_clock(3_600_000.0 + 61_000.0), "1:01:01");
    }

    #[test]
    fn running_clock_counts_to_its_end_time_stopped_clock_holds() {
        let clock = running(1_060_000);
        assert_eq!(athlete_remaining(&clock, 1_020_000.0), 40_000.0);
        assert_eq!(athlete_remaining(&clock, 2_000_000.0), 0.0);
        let stopped = AthleteClock { state: "stopped".into(), remaining_ms: 41_000, ..Default::default() };
        assert_eq!(athlete_remaining(&stopped, 9e12), 41_000.0);
    }

    #[test]
    fn break_clock_digits() {
        let run = BreakClock {
            state: "running".into(),
            remaining_ms: Some(600_000),
            ends_at_ms: Some(700_000),
            ..Default::default()
        };
        assert_eq!(break_remaining(&run, 400_000.0), Some(300_000.0));
        let paused =
            BreakClock { state: "paused".into(), remaining_ms: Some(90_000), ends_at_ms: None, ..Default::default() };
        assert_eq!(break_remaining(&paused, 1e12), Some(90_000.0));
        let indefinite =
            BreakClock { state: "indefinite".into(), remaining_ms: None, ends_at_ms: None, ..Default::default() };
        assert_eq!(break_remaining(&indefinite, 0.0), None);
        assert_eq!(break_remaining(&BreakClock::default(), 0.0), None);
    }

    #[test]
    fn warnings_follow_owlcms_thresholds_or_defaults() {
        let one_minute = AthleteClock::default();
        assert_eq!(warning(&one_minute, 45_000.0), Warning::None);
        assert_eq!(warning(&one_minute, 30_000.0), Warning::Final);
        let two_minutes = AthleteClock { time_allowed_ms: 120_000, remaining_ms: 120_000, ..Default::default() };
        assert_eq!(warning(&two_minutes, 100_000.0), Warning::None);
        assert_eq!(warning(&two_minutes, 90_000.0), Warning::Initial);
        assert_eq!(warning(&two_minutes, 29_000.0), Warning::Final);
        let sent =
            AthleteClock { initial_warning_ms: Some(50_000), final_warning_ms: Some(10_000), ..Default::default() };
        assert_eq!(warning(&sent, 40_000.0), Warning::Initial);
        assert_eq!(warning(&sent, 20_000.0), Warning::Initial);
        assert_eq!(warning(&sent, 10_000.0), Warning::Final);
        assert_eq!(Warning::Final.class(), "warn-final");
    }

    #[test]
    fn offset_keeps_the_lowest_latency_sample() {
        let mut est = OffsetEstimator::default();
        assert_eq!(est.offset(), None);
        assert_eq!(est.server_now(5.0), 5.0);
        // Browser 5 minutes ahead of the server; transit delays 80, 10 and 300 ms.
        let skew = -300_000.0;
        est.add(1_000_000.0, 1_000_080.0 - skew);
        est.add(1_001_000.0, 1_001_010.0 - skew);
        est.add(1_002_000.0, 1_002_300.0 - skew);
        assert_eq!(est.offset(), Some(skew - 10.0));
        // A clock at 20 s into a 60 s countdown reads 0:40 whatever the browser's clock says.
        let clock = running(1_040_000);
        let local_now = 1_000_010.0 - skew;
        assert_eq!(format_clock(athlete_remaining(&clock, est.server_now(local_now))), "0:40");
    }

    #[test]
    fn offset_follows_a_clock_jump_and_forgets_old_samples() {
        let mut est = OffsetEstimator::default();
        est.add(1_000_000.0, 1_000_000.0);
        assert_eq!(est.offset(), Some(0.0));
        // The browser's clock is set 2 minutes forward.
        est.add(1_010_000.0, 1_130_050.0);
        assert_eq!(est.offset(), Some(-120_050.0));
        // Samples older than the lifetime are dropped.
        est.add(2_000_000.0, 2_120_500.0);
        assert_eq!(est.offset(), Some(-120_500.0));
        est.add(f64::NAN, 1.0);
        assert_eq!(est.offset(), Some(-120_500.0));
    }
}
