//! Log throttling: at most one line per interval for an event that can repeat thousands of
//! times a second (refused clients), carrying how many events it stands for.

use parking_lot::Mutex;
use std::time::{Duration, Instant};

/// At most one log line per interval, carrying how many events it stands for.
#[derive(Debug)]
pub(crate) struct Throttle {
    state: Mutex<(Option<Instant>, u64)>,
}

impl Throttle {
    const INTERVAL: Duration = Duration::from_secs(5);

    /// A throttle that lets the first line through.
    pub(crate) fn new() -> Throttle {
        Throttle { state: Mutex::new((None, 0)) }
    }

    /// `Some(events since the last line)` when a line is due.
    pub(crate) fn due(&self) -> Option<u64> {
        let mut state = self.state.lock();
        state.1 += 1;
        let now = Instant::now();
        if state.0.is_some_and(|at| now.duration_since(at) < Self::INTERVAL) {
            return None;
        }
        state.0 = Some(now);
        Some(std::mem::take(&mut state.1))
    }
}
