//! The simulator's pace: real time, N times faster, or as fast as the tracker answers.

use std::str::FromStr;
use std::time::Duration;

/// How simulated time maps to real time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Each simulated second takes `1/n` real seconds (`1` is real time).
    Factor(f64),
    /// No waiting: each message goes out as soon as the previous one was answered.
    Max,
}

impl Speed {
    /// Waits for `simulated` time at this pace.
    pub async fn sleep(&self, simulated: Duration) {
        if let Speed::Factor(n) = self {
            tokio::time::sleep(simulated.div_f64(*n)).await;
        }
    }
}

impl FromStr for Speed {
    type Err = String;

    /// `max`, `realtime`, or a factor such as `10` or `x10`.
    fn from_str(text: &str) -> Result<Speed, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "max" => Ok(Speed::Max),
            "realtime" | "real-time" | "1" => Ok(Speed::Factor(1.0)),
            other => other
                .trim_start_matches(['x', '×'])
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .map(Speed::Factor)
                .ok_or_else(|| format!("expected max, realtime or a positive factor like 10, not {text:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_speeds() {
        assert_eq!("max".parse(), Ok(Speed::Max));
        assert_eq!("x10".parse(), Ok(Speed::Factor(10.0)));
        assert_eq!("realtime".parse(), Ok(Speed::Factor(1.0)));
        assert!("0".parse::<Speed>().is_err());
        assert!("fast".parse::<Speed>().is_err());
    }
}
