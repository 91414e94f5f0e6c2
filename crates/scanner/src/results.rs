//! Counting each host's ports by state and reason as results arrive.

use std::collections::BTreeMap;
use std::net::IpAddr;

use portcullis_model::scan::{HostDone, PortCount, PortState, Protocol, Reason};

/// The running count of one host's port verdicts.
#[derive(Debug, Clone)]
pub(crate) struct HostTally {
    address: IpAddr,
    counts: BTreeMap<(Protocol, PortState, ReasonKey), (Reason, u32)>,
}

/// `Reason` without its payload ordering problems: a sortable key.
type ReasonKey = String;

impl HostTally {
    pub(crate) fn new(address: IpAddr) -> HostTally {
        HostTally {
            address,
            counts: BTreeMap::new(),
        }
    }

    pub(crate) fn record(&mut self, protocol: Protocol, state: PortState, reason: Reason) {
        self.counts
            .entry((protocol, state, reason.describe()))
            .or_insert((reason, 0))
            .1 += 1;
    }

    /// A host's tally from its counts (as the raw-socket helper sends
    /// them).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn from_done(done: HostDone) -> HostTally {
        let mut tally = HostTally::new(done.address);
        for count in done.counts {
            tally
                .counts
                .entry((count.protocol, count.state, count.reason.describe()))
                .or_insert((count.reason, 0))
                .1 += count.count;
        }
        tally
    }

    pub(crate) fn address(&self) -> IpAddr {
        self.address
    }

    /// Adds `other`'s counts (the same host, another protocol) to these.
    pub(crate) fn merge(&mut self, other: HostTally) {
        for (key, (reason, count)) in other.counts {
            self.counts.entry(key).or_insert((reason, 0)).1 += count;
        }
    }

    pub(crate) fn open_count(&self) -> u32 {
        self.counts
            .iter()
            .filter(|((_, state, _), _)| *state == PortState::Open)
            .map(|(_, (_, count))| count)
            .sum()
    }

    pub(crate) fn into_done(self) -> HostDone {
        HostDone {
            address: self.address,
            counts: self
                .counts
                .into_iter()
                .map(|((protocol, state, _), (reason, count))| PortCount {
                    protocol,
                    state,
                    reason,
                    count,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_by_state_and_reason() {
        let mut tally = HostTally::new("198.18.0.1".parse().unwrap());
        tally.record(Protocol::Tcp, PortState::Closed, Reason::Rst);
        tally.record(Protocol::Tcp, PortState::Closed, Reason::Rst);
        tally.record(Protocol::Tcp, PortState::Open, Reason::Connected);
        tally.record(Protocol::Tcp, PortState::Filtered, Reason::NoResponse);
        assert_eq!(tally.open_count(), 1);
        let done = tally.into_done();
        let closed = done
            .counts
            .iter()
            .find(|c| c.state == PortState::Closed)
            .unwrap();
        assert_eq!((closed.count, closed.reason), (2, Reason::Rst));
        assert_eq!(done.counts.len(), 3);
    }
}
