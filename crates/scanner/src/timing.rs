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
    /// The default: as fast as the network answers without loss.
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
            // No fixed ceiling: congestion control (`Pacer`) decides, as
            // nmap's default timing does; a fixed rate is the polite
            // profile's, or asked for with `max_rate`. With a 20,000 a
            // second cap, a full scan took 3.2 s where nmap's default took
            // 1.0 s (`cargo xtask bench scan`).
            Profile::Normal => Timing {
                max_in_flight: 2048,
                max_rate: None,
                initial_timeout: Duration::from_millis(500),
                min_timeout: Duration::from_millis(100),
                max_timeout: Duration::from_secs(2),
                retries: 2,
            },
            Profile::Fast => Timing {
                // Each connection in flight costs about 5 KiB of memory in
                // a connect scan (measured: 68 MiB peak at 8,192); 4,096
                // keeps a full-range scan under 50 MiB.
                max_in_flight: 4096,
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
        RateLimiter::with_rate(f64::from(rate.max(1)))
    }

    fn with_rate(rate: f64) -> RateLimiter {
        let burst = (rate / 10.0).max(1.0);
        RateLimiter {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Changes the rate from now on; tokens saved up stay within the new
    /// burst size.
    fn set_rate(&mut self, rate: f64) {
        self.rate = rate.max(1.0);
        self.burst = (self.rate / 10.0).max(1.0);
        self.tokens = self.tokens.min(self.burst);
    }

    /// How long to wait before the next `probes` may go together; takes
    /// their tokens.
    fn delay_for(&mut self, probes: usize) -> Duration {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= probes as f64;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

/// Congestion control by rate: as fast as the profile allows until replies
/// are lost, then half the rate, then back up slowly while replies keep
/// coming (additive increase, multiplicative decrease).
///
/// A window of probes in flight, as TCP and nmap use, would be the textbook
/// choice, but it punishes a host that drops everything: nothing comes back,
/// so the window never opens, and a firewalled host takes minutes. Loss is
/// only ever detected from evidence (a retransmitted probe that is then
/// answered, so the first one or its answer was dropped), never from plain
/// silence, which is what a filtered port looks like.
///
/// As in nmap, a loss only slows the scan if the lost probe was sent after
/// the last slowdown: the losses of one burst, found one by one as their
/// retransmissions are answered, count once, and a path with steady random
/// loss costs a halving or two, not a collapse to the floor.
#[derive(Debug)]
pub struct Pacer {
    /// `None`: no limit until the first loss.
    limiter: Option<RateLimiter>,
    ceiling: Option<f64>,
    floor: f64,
    /// Probes sent since `window_start`, to know the rate actually reached.
    sent_in_window: u64,
    window_start: Instant,
    measured_rate: f64,
    last_cut: Option<Instant>,
    cuts: u32,
}

impl Pacer {
    /// The lowest rate loss can push a scan down to, in probes a second.
    const FLOOR: f64 = 100.0;

    pub fn new(timing: &Timing) -> Pacer {
        Pacer {
            limiter: timing.max_rate.map(RateLimiter::new),
            ceiling: timing.max_rate.map(f64::from),
            floor: Self::FLOOR.min(timing.max_rate.map_or(f64::MAX, f64::from)),
            sent_in_window: 0,
            window_start: Instant::now(),
            measured_rate: 0.0,
            last_cut: None,
            cuts: 0,
        }
    }

    /// How long to wait before the next probe; counts it as sent.
    pub fn delay_for_next(&mut self) -> Duration {
        self.delay_for(1)
    }

    /// How many probes may go out together, at most `wanted`: all of them
    /// while the rate is unlimited, else no more than the limiter's burst,
    /// so that a slow rate stays smooth.
    pub fn batch(&self, wanted: usize) -> usize {
        self.limiter
            .as_ref()
            .map_or(wanted, |limiter| wanted.min(limiter.burst as usize).max(1))
    }

    /// How long to wait before the next `probes` go out together; counts
    /// them as sent.
    pub fn delay_for(&mut self, probes: usize) -> Duration {
        self.sent_in_window += probes as u64;
        let elapsed = self.window_start.elapsed();
        if elapsed >= Duration::from_millis(50) {
            self.measured_rate = self.sent_in_window as f64 / elapsed.as_secs_f64();
            self.sent_in_window = 0;
            self.window_start = Instant::now();
        }
        self.limiter
            .as_mut()
            .map_or(Duration::ZERO, |limiter| limiter.delay_for(probes))
    }

    /// A new round of sending starts: the rate is measured from here, not
    /// across the wait before it.
    pub fn start_round(&mut self) {
        self.sent_in_window = 0;
        self.window_start = Instant::now();
    }

    /// A reply showed that a probe sent at `lost_copy_sent_at` (or its
    /// answer) was lost. Halves the rate, unless that probe went out before
    /// the last slowdown: then the loss is old news.
    pub fn on_loss(&mut self, lost_copy_sent_at: Instant) {
        if self.last_cut.is_some_and(|cut| lost_copy_sent_at < cut) {
            return;
        }
        self.last_cut = Some(Instant::now());
        self.cuts += 1;
        let current = self
            .limiter
            .as_ref()
            .map(|limiter| limiter.rate)
            .unwrap_or(self.measured_rate)
            .max(self.measured_rate.min(self.ceiling.unwrap_or(f64::MAX)));
        self.set_rate((current / 2.0).max(self.floor));
    }

    /// A reply to a first probe: the path carries this rate, so go a little
    /// faster (by 1% per hundred answers: doubling takes ~7,000 answers).
    pub fn on_answer(&mut self) {
        if let Some(rate) = self.limiter.as_ref().map(|limiter| limiter.rate) {
            let raised = rate * 1.0001;
            self.set_rate(self.ceiling.map_or(raised, |ceiling| raised.min(ceiling)));
        }
    }

    /// The rate in force, `None` when unlimited.
    pub fn rate(&self) -> Option<f64> {
        self.limiter.as_ref().map(|limiter| limiter.rate)
    }

    /// How many times loss slowed the scan.
    pub fn cuts(&self) -> u32 {
        self.cuts
    }

    fn set_rate(&mut self, rate: f64) {
        match self.limiter.as_mut() {
            Some(limiter) => limiter.set_rate(rate),
            None => self.limiter = Some(RateLimiter::with_rate(rate)),
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
    fn pacer_is_unlimited_until_loss_then_halves_and_recovers() {
        let mut pacer = Pacer::new(&Profile::Fast.timing());
        assert_eq!(pacer.rate(), None);
        assert_eq!(pacer.delay_for_next(), Duration::ZERO);
        pacer.measured_rate = 10_000.0;
        let lost_early = Instant::now();
        let lost_later = Instant::now();
        pacer.on_loss(lost_later);
        assert_eq!(pacer.rate(), Some(5_000.0));
        // Probes sent before the slowdown were lost in the same burst:
        // they count once.
        pacer.on_loss(lost_early);
        pacer.on_loss(lost_later);
        assert_eq!(pacer.rate(), Some(5_000.0));
        for _ in 0..7_000 {
            pacer.on_answer();
        }
        let recovered = pacer.rate().unwrap();
        assert!(recovered > 9_000.0 && recovered < 11_000.0, "{recovered}");
        assert_eq!(pacer.cuts(), 1);
    }

    #[test]
    fn pacer_never_exceeds_the_profile_rate_nor_drops_below_its_floor() {
        let timing = Profile::Polite.timing();
        let mut pacer = Pacer::new(&timing);
        for _ in 0..1_000 {
            pacer.on_answer();
        }
        assert_eq!(pacer.rate(), Some(200.0));
        for _ in 0..20 {
            pacer.on_loss(Instant::now());
        }
        assert_eq!(pacer.rate(), Some(100.0));
    }

    #[test]
    fn batches_are_whole_while_unlimited_and_never_beyond_the_burst_after() {
        let mut pacer = Pacer::new(&Profile::Fast.timing());
        assert_eq!(pacer.batch(32), 32);
        assert_eq!(pacer.delay_for(32), Duration::ZERO);
        pacer.measured_rate = 200.0;
        pacer.on_loss(Instant::now());
        // 100 probes a second: bursts of 10, so a batch of 32 becomes 10...
        assert_eq!(pacer.batch(32), 10);
        assert_eq!(pacer.delay_for(10), Duration::ZERO);
        // ...and the next batch waits for its tokens: 10 at 100/s, 0.1 s.
        let wait = pacer.delay_for(10);
        assert!(
            wait > Duration::from_millis(80) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        pacer.set_rate(1.0);
        assert_eq!(pacer.batch(32), 1, "never less than one probe");
    }

    #[test]
    fn rate_limiter_spaces_probes_after_the_burst() {
        let mut limiter = RateLimiter::new(100);
        // A burst of rate/10 = 10 probes goes at once...
        for _ in 0..10 {
            assert_eq!(limiter.delay_for(1), Duration::ZERO);
        }
        // ...then each further probe waits about 10 ms more than the last.
        let eleventh = limiter.delay_for(1);
        let twelfth = limiter.delay_for(1);
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
