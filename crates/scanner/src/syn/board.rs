//! The shared board: what is known of every probe (pending or answered,
//! when it was sent, and the copy before), each host's round-trip time, and
//! the pacer every sending thread obeys. The threads take its lock once a
//! batch, not once a probe.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use portcullis_model::scan::{PortResult, PortState, Protocol, Reason, ScanEvent};

use super::packet::{Answer, Reply};
use crate::job::ScanJob;
use crate::results::HostTally;
use crate::services::registered_name;
use crate::timing::{Pacer, RttEstimator, Timing};

/// What is known of each probe: index = host index * ports + port index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pending,
    Answered(Answer),
}

/// A probe to send: where, and its place on the board.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target {
    pub(super) index: usize,
    pub(super) host: IpAddr,
    pub(super) port: u16,
}

/// A reply that decided its port, and the round trip it measured.
pub(super) struct Decided {
    pub(super) reply: Reply,
    rtt: Option<Duration>,
}

impl Decided {
    /// The port's result. Made only for the ports reported one by one (open
    /// ones, usually), outside the board's lock: a full scan decides tens
    /// of thousands of closed ports that need no name.
    pub(super) fn into_result(self) -> PortResult {
        let (state, reason) = self.reply.answer.state_and_reason();
        PortResult {
            address: self.reply.from,
            port: self.reply.port,
            protocol: Protocol::Tcp,
            state,
            reason,
            rtt_micros: self.rtt.map(|d| d.as_micros() as u64),
            service: registered_name(self.reply.port, Protocol::Tcp),
            identity: None,
            posture: None,
        }
    }
}

/// When each probe was sent, if it was: nanoseconds after the board was
/// made, plus one so that zero means never. Eight bytes a probe instead of
/// `Option<Instant>`'s 24: a full scan keeps two of these per port for every
/// host, and the desktop's memory goal counts them.
struct SendTimes {
    epoch: Instant,
    nanos: Vec<u64>,
}

impl SendTimes {
    fn new(probes: usize) -> SendTimes {
        SendTimes {
            epoch: Instant::now(),
            nanos: vec![0; probes],
        }
    }

    fn get(&self, index: usize) -> Option<Instant> {
        match self.nanos[index] {
            0 => None,
            stored => Some(self.epoch + Duration::from_nanos(stored - 1)),
        }
    }

    /// A time before the board was made counts as the board's making.
    fn set(&mut self, index: usize, at: Option<Instant>) {
        self.nanos[index] = at.map_or(0, |at| {
            let since = at.saturating_duration_since(self.epoch).as_nanos();
            u64::try_from(since).unwrap_or(u64::MAX - 1) + 1
        });
    }
}

/// The scan's state: a verdict and a send time per probe, RTTs per host.
pub(super) struct Board {
    hosts: Vec<IpAddr>,
    host_index: HashMap<IpAddr, usize>,
    ports: Vec<u16>,
    /// Port number to its index in `ports`, `u32::MAX` when not scanned.
    port_index: Vec<u32>,
    verdicts: Vec<Verdict>,
    sent_at: SendTimes,
    rtt: Vec<RttEstimator>,
    /// When each probe was sent the time before, `None` before its first
    /// retransmission: a retransmitted probe's answer means that earlier
    /// copy was lost, and when it was sent tells the pacer whether the loss
    /// is news.
    previously_sent_at: SendTimes,
    /// Probes of the current round still unanswered.
    pub(super) outstanding: usize,
    /// Retransmitted probes answered in the current round: evidence of
    /// loss.
    recovered_this_round: usize,
    /// The sending rate, lowered when replies are lost. Here, under the
    /// board's lock, because every sending thread must obey one rate.
    pub(super) pacer: Pacer,
}

impl Board {
    pub(super) fn new(hosts: &[IpAddr], ports: &[u16], timing: &Timing) -> Board {
        let mut port_index = vec![u32::MAX; usize::from(u16::MAX) + 1];
        for (index, port) in ports.iter().enumerate() {
            port_index[usize::from(*port)] = index as u32;
        }
        let probes = hosts.len() * ports.len();
        Board {
            hosts: hosts.to_vec(),
            host_index: hosts.iter().enumerate().map(|(i, h)| (*h, i)).collect(),
            ports: ports.to_vec(),
            port_index,
            verdicts: vec![Verdict::Pending; probes],
            sent_at: SendTimes::new(probes),
            previously_sent_at: SendTimes::new(probes),
            rtt: hosts.iter().map(|_| RttEstimator::new(timing)).collect(),
            outstanding: 0,
            recovered_this_round: 0,
            pacer: Pacer::new(timing),
        }
    }

    fn target(&self, index: usize) -> (IpAddr, u16) {
        (
            self.hosts[index / self.ports.len()],
            self.ports[index % self.ports.len()],
        )
    }

    /// Undecided probes, port-major so each host's probes are spread out.
    pub(super) fn pending_targets(&self) -> Vec<Target> {
        let (hosts, ports) = (self.hosts.len(), self.ports.len());
        (0..ports)
            .flat_map(|port| (0..hosts).map(move |host| host * ports + port))
            .filter(|index| self.verdicts[*index] == Verdict::Pending)
            .map(|index| {
                let (host, port) = self.target(index);
                Target { index, host, port }
            })
            .collect()
    }

    /// Whether the round that just ended answered any retransmission.
    pub(super) fn loss_seen_last_round(&self) -> bool {
        self.recovered_this_round > 0
    }

    pub(super) fn start_round(&mut self) {
        self.outstanding = 0;
        self.recovered_this_round = 0;
        self.pacer.start_round();
    }

    /// Notes that these probes are going out now.
    pub(super) fn launched(&mut self, indices: impl Iterator<Item = usize>) {
        let now = Instant::now();
        for index in indices {
            self.previously_sent_at.set(index, self.sent_at.get(index));
            self.sent_at.set(index, Some(now));
            self.outstanding += 1;
        }
    }

    /// Takes back `launched` for a probe that could not be sent.
    pub(super) fn unlaunched(&mut self, index: usize) {
        self.sent_at.set(index, self.previously_sent_at.get(index));
        self.previously_sent_at.set(index, None);
        self.outstanding = self.outstanding.saturating_sub(1);
    }

    pub(super) fn longest_timeout(&self) -> Duration {
        self.rtt
            .iter()
            .map(RttEstimator::timeout)
            .max()
            .unwrap_or(Duration::from_secs(1))
    }

    /// Records a reply; `None` when it decides nothing new (a duplicate, or
    /// a port or host not scanned).
    pub(super) fn absorb(&mut self, reply: Reply) -> Option<Decided> {
        let host = *self.host_index.get(&reply.from)?;
        let port = self.port_index[usize::from(reply.port)];
        if port == u32::MAX {
            return None;
        }
        let index = host * self.ports.len() + port as usize;
        if self.verdicts[index] != Verdict::Pending {
            return None;
        }
        let lost_copy_sent_at = self.previously_sent_at.get(index);
        let retransmitted = lost_copy_sent_at.is_some();
        let rtt = self
            .sent_at
            .get(index)
            .map(|sent| reply.at.saturating_duration_since(sent));
        // Karn's rule: a retransmitted probe's answer may belong to either
        // copy, so it says nothing reliable about the round trip.
        if let Some(rtt) = rtt
            && !retransmitted
        {
            self.rtt[host].observe(rtt);
        }
        self.verdicts[index] = Verdict::Answered(reply.answer);
        self.outstanding = self.outstanding.saturating_sub(1);
        match lost_copy_sent_at {
            Some(sent_at) => {
                self.recovered_this_round += 1;
                self.pacer.on_loss(sent_at);
            }
            None => self.pacer.on_answer(),
        }
        Some(Decided { reply, rtt })
    }

    /// Tallies every host; probes still pending are filtered (unless the
    /// scan was cancelled, when they are left out: the result is partial).
    pub(super) async fn finish(self, job: &ScanJob<'_>) -> Vec<HostTally> {
        let cancelled = job.cancel.is_cancelled();
        let mut tallies: Vec<HostTally> = self.hosts.iter().map(|h| HostTally::new(*h)).collect();
        for (index, verdict) in self.verdicts.iter().enumerate() {
            let host = index / self.ports.len();
            let (state, reason) = match verdict {
                Verdict::Answered(answer) => answer.state_and_reason(),
                Verdict::Pending if cancelled => continue,
                Verdict::Pending => (PortState::Filtered, Reason::NoResponse),
            };
            tallies[host].record(Protocol::Tcp, state, reason);
            if *verdict == Verdict::Pending {
                job.probes_done.fetch_add(1, Ordering::Relaxed);
                if job.list_every_port {
                    let (address, port) = self.target(index);
                    job.events
                        .send(ScanEvent::Port(PortResult {
                            address,
                            port,
                            protocol: Protocol::Tcp,
                            state,
                            reason,
                            rtt_micros: None,
                            service: registered_name(port, Protocol::Tcp),
                            identity: None,
                            posture: None,
                        }))
                        .await;
                }
            }
        }
        tallies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_time_comes_back_as_it_was_stored() {
        let mut times = SendTimes::new(3);
        assert_eq!(times.get(0), None);
        let later = times.epoch + Duration::from_micros(1_234_567);
        times.set(1, Some(later));
        assert_eq!(times.get(1), Some(later));
        times.set(2, Some(times.epoch));
        assert_eq!(
            times.get(2),
            Some(times.epoch),
            "the first instant is not 'never'"
        );
        times.set(1, None);
        assert_eq!(times.get(1), None);
    }
}
