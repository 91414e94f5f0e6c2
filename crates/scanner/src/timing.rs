//! How fast to go and how long to wait: scan profiles, a round-trip-time
//! estimator per host, and a rate limit.
//!
//! The estimator follows TCP's own (RFC 6298): a smoothed RTT and its
//! variation give the time after which an unanswered probe is presumed lost.
//! Waiting less than that calls open ports filtered; waiting much more makes
//! scans of filtering hosts crawl.

use std::time::{Duration, Instant};

/// A named set of timing choices, from gentle to quick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// For a merchant's production server: few probes at once, a low rate.
    Polite,
    /// The default: quick on a LAN, still gentle on a small server.
    Normal,
    /// For hosts you own on a fast network.
    Fast,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Polite, Profile::Normal, Profile::Fast];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Polite => "polite",
            Profile::Normal => "normal",
            Profile::Fast => "fast",
        }
    }

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The concrete numbers behind the profile.
    pub fn timing(self) -> Timing {
        match self {
            Profile::Polite => Timing {
                max_in_flight: 64,
                max_rate: Some(200),
                initial_timeout: Duration::from_millis(1000),
                min_timeout: Duration::from_millis(200),
                max_timeout: Duration::from_secs(5),
                retries: 2,
            },
            Profile::Normal => Timing {
                max_in_flight: 2048,
                max_rate: Some(20_000),
                initial_timeout: Duration::from_millis(500),
                min_timeout: Duration::from_millis(100),
                max_timeout: Duration::from_secs(2),
                retries: 2,
            },
            Profile::Fast => Timing {
                max_in_flight: 8192,
                max_rate: None,
                initial_timeout: Duration::from_millis(300),
                min_timeout: Duration::from_millis(50),
                max_timeout: Duration::from_secs(1),
                retries: 2,
            },
        }
    }
}

/// The numbers a scan runs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Probes awaiting an answer at once (connect scans: open sockets).
    pub max_in_flight: usize,
    /// Probes per second at most; `None` for no limit.
    pub max_rate: Option<u32>,
    /// How long to wait for an answer before any RTT is measured.
    pub initial_timeout: Duration,
    /// Bounds on the adaptive timeout.
    pub min_timeout: Duration,
    pub max_timeout: Duration,
    /// How many times an unanswered probe is sent again.
    pub retries: u8,
}

/// Smoothed round-trip time of one host (RFC 6298, section 2).
#[derive(Debug, Clone, Copy)]
pub struct RttEstimator {
    smoothed: Option<Duration>,
    variation: Duration,
    initial: Duration,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    pub fn new(timing: &Timing) -> RttEstimator {
        RttEstimator {
            smoothed: None,
            variation: Duration::ZERO,
            initial: timing.initial_timeout,
            min: timing.min_timeout,
            max: timing.max_timeout,
        }
    }

    /// Takes in one measured round trip.
    pub fn observe(&mut self, sample: Duration) {
        match self.smoothed {
            None => {
                self.smoothed = Some(sample);
                self.variation = sample / 2;
            }
            Some(smoothed) => {
                let deviation = smoothed.abs_diff(sample);
                self.variation = (self.variation * 3 + deviation) / 4;
                self.smoothed = Some((smoothed * 7 + sample) / 8);
            }
        }
    }

    /// How long to wait for an answer before presuming the probe lost.
    pub fn timeout(&self) -> Duration {
        match self.smoothed {
            None => self.initial,
            Some(smoothed) => (smoothed + self.variation * 4).clamp(self.min, self.max),
        }
    }

    /// The smoothed RTT, once there is one.
    pub fn smoothed(&self) -> Option<Duration> {
        self.smoothed
    }
}

/// A token bucket: at most `rate` probes a second on average, in bursts of
/// at most a tenth of a second's worth.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(rate: u32) -> RateLimiter {
        let rate = f64::from(rate.max(1));
        let burst = (rate / 10.0).max(1.0);
        RateLimiter {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// How long to wait before the next probe may go; takes its token.
    pub fn delay_for_next(&mut self) -> Duration {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_starts_at_the_initial_value_then_follows_the_rtt() {
        let timing = Profile::Normal.timing();
        let mut rtt = RttEstimator::new(&timing);
        assert_eq!(rtt.timeout(), timing.initial_timeout);
        for _ in 0..20 {
            rtt.observe(Duration::from_millis(40));
        }
        let settled = rtt.timeout();
        assert!(settled >= Duration::from_millis(100), "{settled:?}");
        assert!(settled < Duration::from_millis(200), "{settled:?}");
        // A slow path raises it again.
        for _ in 0..20 {
            rtt.observe(Duration::from_millis(400));
        }
        assert!(rtt.timeout() > Duration::from_millis(400));
    }

    #[test]
    fn timeout_stays_within_the_profile_bounds() {
        let timing = Profile::Fast.timing();
        let mut rtt = RttEstimator::new(&timing);
        rtt.observe(Duration::from_micros(30));
        assert_eq!(rtt.timeout(), timing.min_timeout);
        rtt.observe(Duration::from_secs(30));
        assert_eq!(rtt.timeout(), timing.max_timeout);
    }

    #[test]
    fn rate_limiter_spaces_probes_after_the_burst() {
        let mut limiter = RateLimiter::new(100);
        // A burst of rate/10 = 10 probes goes at once...
        for _ in 0..10 {
            assert_eq!(limiter.delay_for_next(), Duration::ZERO);
        }
        // ...then each further probe waits about 10 ms more than the last.
        let eleventh = limiter.delay_for_next();
        let twelfth = limiter.delay_for_next();
        assert!(eleventh > Duration::from_millis(5), "{eleventh:?}");
        assert!(twelfth > eleventh, "{twelfth:?} after {eleventh:?}");
    }

    #[test]
    fn profiles_parse_by_name() {
        for profile in Profile::ALL {
            assert_eq!(Profile::parse(profile.name()), Some(profile));
        }
        assert_eq!(Profile::parse("ludicrous"), None);
    }
}
