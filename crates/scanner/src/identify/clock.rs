//! How long identification waits, from the round-trip time the port scan
//! measured.
//!
//! nmap -sV waits up to 6 s for a banner on every port and then walks its
//! whole probe list, which is why a silent port costs it minutes. Here every
//! wait is a few round trips plus a margin for the server to think, and
//! the whole identification of one port shares one deadline, so a port that
//! accepts and never speaks costs at most the port budget (5 s by default).

use std::time::Duration;

use tokio::time::Instant;

/// Used when the scan measured no round trip (a port given by hand).
const ASSUMED_RTT: Duration = Duration::from_millis(50);

/// The waits for one host.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    rtt: Duration,
}

impl Clock {
    pub(crate) fn new(rtt: Option<Duration>) -> Clock {
        Clock {
            rtt: rtt.unwrap_or(ASSUMED_RTT),
        }
    }

    /// To open a connection to a port just found open.
    pub(crate) fn connect(&self) -> Duration {
        (self.rtt * 10 + Duration::from_millis(500)).min(Duration::from_secs(3))
    }

    /// For a service that is expected to speak first (SSH, FTP, SMTP,
    /// MySQL...): greeting delays of a second or two are common in mail
    /// servers.
    pub(crate) fn expected_banner(&self) -> Duration {
        (self.rtt * 10 + Duration::from_millis(2000)).min(Duration::from_secs(3))
    }

    /// For a port whose service is unknown: anything that speaks first
    /// does so at once.
    pub(crate) fn possible_banner(&self) -> Duration {
        (self.rtt * 10 + Duration::from_millis(400)).min(Duration::from_secs(2))
    }

    /// For the answer to a request we sent.
    pub(crate) fn reply(&self) -> Duration {
        (self.rtt * 10 + Duration::from_millis(700)).min(Duration::from_secs(3))
    }

    /// Once an answer has started, the pause that ends it: a few round
    /// trips, as segments of one answer arrive back to back.
    pub(crate) fn quiet(&self) -> Duration {
        (self.rtt * 4 + Duration::from_millis(150)).min(Duration::from_secs(1))
    }

    /// `wait` from now, but never past `deadline`.
    pub(crate) fn until(wait: Duration, deadline: Instant) -> Instant {
        (Instant::now() + wait).min(deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_with_the_round_trip_and_stay_bounded() {
        let lan = Clock::new(Some(Duration::from_micros(300)));
        let far = Clock::new(Some(Duration::from_millis(150)));
        let absurd = Clock::new(Some(Duration::from_secs(30)));
        assert!(lan.reply() < far.reply());
        assert!(lan.possible_banner() < lan.expected_banner());
        assert_eq!(absurd.reply(), Duration::from_secs(3));
        assert_eq!(absurd.connect(), Duration::from_secs(3));
        assert!(absurd.possible_banner() <= Duration::from_secs(2));
    }
}
