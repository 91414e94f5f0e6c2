//! The segmentation test's rule (PCI DSS 11.4.5): from a network that is
//! meant to be cut off from the cardholder data environment, nothing in
//! scope may answer. One open TCP port, or one UDP port that replies, is a
//! way across, and the test fails.
//!
//! Only a real answer counts. A port that a firewall drops (filtered), or
//! a UDP port that stayed silent (open or filtered: nothing came back),
//! proves nothing was reached. A closed port (a TCP reset, an ICMP "port
//! unreachable") is left out too: many firewalls refuse with exactly those
//! answers, and no service can be used through a refused port.

use portcullis_model::report::HostResult;
use portcullis_model::scan::{PortState, Protocol};
use portcullis_model::segmentation::SegmentationAnswer;

/// The most answers a test lists one by one. A host that accepts on every
/// port (some firewalls answer for all of them) would otherwise put 65,535
/// lines in the evidence; the rest are counted.
pub const MAX_LISTED_ANSWERS: usize = 1_000;

/// What answered, and how many more did past [`MAX_LISTED_ANSWERS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentationVerdict {
    /// Sorted by address, then protocol and port; empty when it passed.
    pub answers: Vec<SegmentationAnswer>,
    pub not_listed: u64,
}

impl SegmentationVerdict {
    /// Segmentation holds when nothing answered.
    pub fn passed(&self) -> bool {
        self.answers.is_empty() && self.not_listed == 0
    }
}

/// Judges a segmentation scan: every open port of every host is a way
/// across the segmentation.
pub fn judge_segmentation<'a>(
    hosts: impl IntoIterator<Item = &'a HostResult>,
) -> SegmentationVerdict {
    let mut answers: Vec<SegmentationAnswer> = hosts
        .into_iter()
        .flat_map(|host| host.ports_in(PortState::Open))
        .map(|port| SegmentationAnswer {
            address: port.address,
            port: port.port,
            protocol: port.protocol,
            service: port.service.clone(),
        })
        .collect();
    answers.sort();
    answers.dedup();
    let not_listed = answers.len().saturating_sub(MAX_LISTED_ANSWERS) as u64;
    answers.truncate(MAX_LISTED_ANSWERS);
    SegmentationVerdict {
        answers,
        not_listed,
    }
}

/// The verdict in plain English for the person who ran it: what answered
/// and what to do about it, or that the network is cut off.
pub fn segmentation_summary(network: &str, verdict: &SegmentationVerdict) -> String {
    if verdict.passed() {
        return format!(
            "Passed: nothing in scope answered from \"{network}\". This network is cut off \
             from your card data systems, as PCI DSS 11.4.5 asks. Run the test again at \
             least once a year and after any change to your network or firewall."
        );
    }
    let count = verdict.answers.len() as u64 + verdict.not_listed;
    let listed: Vec<String> = verdict.answers.iter().map(describe_answer).collect();
    let more = match verdict.not_listed {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    format!(
        "Failed: from \"{network}\", {count} {} in scope answered: {}{more}. This network \
         can reach your card data systems, so it is not out of scope. Fix: on the router or \
         firewall in front of the card data systems, block all traffic from this network to \
         them (or move the card data systems to a network of their own), then run the \
         segmentation test again from this network.",
        if count == 1 { "port" } else { "ports" },
        listed.join(", ")
    )
}

/// `198.18.0.20 port 5432/tcp (postgresql)`.
pub fn describe_answer(answer: &SegmentationAnswer) -> String {
    let protocol = match answer.protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    };
    let service = answer
        .service
        .as_deref()
        .map(|name| format!(" ({name})"))
        .unwrap_or_default();
    format!(
        "{} port {}/{protocol}{service}",
        answer.address, answer.port
    )
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use portcullis_model::report::ScanReport;
    use portcullis_model::scan::{HostReport, PortResult, Reason, ScanEvent};

    use super::*;

    const DB: &str = "198.18.0.20";

    fn port(address: &str, number: u16, protocol: Protocol, state: PortState) -> ScanEvent {
        ScanEvent::Port(PortResult {
            address: address.parse().unwrap(),
            port: number,
            protocol,
            state,
            reason: Reason::NoResponse,
            rtt_micros: None,
            service: (number == 5432).then(|| "postgresql".to_owned()),
            identity: None,
            posture: None,
        })
    }

    fn report(ports: Vec<ScanEvent>) -> ScanReport {
        let host = ScanEvent::Host(HostReport {
            address: DB.parse::<IpAddr>().unwrap(),
            name: None,
            up: true,
            reason: "treated as up: discovery was turned off".into(),
        });
        ScanReport::from_events(std::iter::once(host).chain(ports))
    }

    #[test]
    fn silence_filtering_and_refusals_pass() {
        let scan = report(vec![
            port(DB, 5432, Protocol::Tcp, PortState::Filtered),
            port(DB, 22, Protocol::Tcp, PortState::Closed),
            port(DB, 53, Protocol::Udp, PortState::OpenFiltered),
        ]);
        let verdict = judge_segmentation(&scan.hosts);
        assert!(verdict.passed());
        assert!(segmentation_summary("Guest Wi-Fi", &verdict).starts_with("Passed"));
    }

    #[test]
    fn no_host_at_all_passes() {
        assert!(judge_segmentation(&[]).passed());
    }

    #[test]
    fn one_open_port_fails_and_is_named_with_the_fix() {
        let scan = report(vec![
            port(DB, 5432, Protocol::Tcp, PortState::Open),
            port(DB, 3306, Protocol::Tcp, PortState::Filtered),
        ]);
        let verdict = judge_segmentation(&scan.hosts);
        assert!(!verdict.passed());
        assert_eq!(
            verdict.answers,
            [SegmentationAnswer {
                address: DB.parse().unwrap(),
                port: 5432,
                protocol: Protocol::Tcp,
                service: Some("postgresql".into()),
            }]
        );
        let summary = segmentation_summary("Guest Wi-Fi", &verdict);
        assert!(summary.starts_with("Failed"), "{summary}");
        assert!(
            summary.contains("198.18.0.20 port 5432/tcp (postgresql)"),
            "{summary}"
        );
        assert!(
            summary.contains("block all traffic from this network"),
            "{summary}"
        );
        assert!(summary.contains("1 port in scope"), "{summary}");
    }

    #[test]
    fn a_udp_reply_fails() {
        let scan = report(vec![port(DB, 161, Protocol::Udp, PortState::Open)]);
        let verdict = judge_segmentation(&scan.hosts);
        assert!(!verdict.passed());
        assert_eq!(verdict.answers[0].protocol, Protocol::Udp);
    }

    #[test]
    fn a_host_answering_everywhere_is_listed_in_part_and_counted() {
        let ports = (1..=1_500)
            .map(|number| port(DB, number, Protocol::Tcp, PortState::Open))
            .collect();
        let verdict = judge_segmentation(&report(ports).hosts);
        assert_eq!(verdict.answers.len(), MAX_LISTED_ANSWERS);
        assert_eq!(verdict.not_listed, 500);
        let summary = segmentation_summary("Office", &verdict);
        assert!(summary.contains("1500 ports"), "{summary}");
        assert!(summary.contains("and 500 more"), "{summary}");
    }
}
