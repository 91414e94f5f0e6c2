//! Evaluation: one scan, the systems, the inventory and the testing
//! history in; findings out.
//!
//! Each rule is a small function in one of the submodules, grouped by what
//! it reads: `port_rules` (one open port), `inventory_rules` (the approved
//! entries against the scan), `programme_rules` (dates of the recurring
//! tests). They decide whether a rule fires and gather the facts; the words
//! come from the rule book.
//!
//! Which ports count as open: only [`PortState::Open`]. A UDP port that gave
//! no answer is `open|filtered`: most firewalled UDP ports look like that,
//! so calling it open would bury the user in findings they cannot act on.
//! It therefore raises no finding about an open port; but neither does it
//! prove a port shut, so an inventory entry for it is not called stale.
//! `unfiltered` is treated the same way.

mod inventory_rules;
mod port_rules;
mod programme_rules;
mod reported_rules;
mod service_view;

pub(crate) use programme_rules::{SCAN_INTERVAL_DAYS, segmentation_interval_months};

use std::collections::HashMap;
use std::fmt::Write;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::{
    Finding, FindingKind, InventoryEntry, ScanCoverage, System, TestingHistory,
};
use portcullis_model::import::ReportedItem;
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{PortState, Protocol};

use crate::coverage::{HostPorts, ScannedPorts};
use crate::estate::{InventoryIndex, SystemIndex};
use crate::rulebook::Rulebook;
use crate::template::{Phrase, Values};
use portcullis_model::SystemId;

pub use service_view::ServiceView;

/// Everything an evaluation reads. Nothing is read from the clock or the
/// disk: `now` is the scan's time, passed in.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationInput<'a> {
    pub report: &'a ScanReport,
    /// The ports the scan probed and the checks it ran.
    pub coverage: &'a ScanCoverage,
    pub systems: &'a [System],
    pub inventory: &'a [InventoryEntry],
    pub history: TestingHistory,
    /// The problems another scanner reported, when the scan was imported
    /// from its report; empty for Portcullis's own scans.
    pub reported: &'a [ReportedItem],
    pub now: DateTime<Utc>,
}

/// Evaluates a scan with the built-in rule book.
pub fn evaluate(input: &EvaluationInput<'_>) -> Vec<Finding> {
    Rulebook::builtin().evaluate(input)
}

impl Rulebook {
    /// Evaluates a scan with this rule book. Findings come worst first;
    /// within a severity, in the order of the scan (hosts, then ports), with
    /// findings about the whole programme first.
    pub fn evaluate(&self, input: &EvaluationInput<'_>) -> Vec<Finding> {
        let mut evaluation = self.evaluation(input);
        evaluation.hosts(&input.report.hosts);
        evaluation.finish()
    }

    /// An evaluation given the scan's hosts part by part
    /// ([`Evaluation::hosts`]), for a scan too large to hold whole: with
    /// the parts given in the report's order, it finds what
    /// [`Rulebook::evaluate`] finds, in the same order. The hosts of
    /// `input.report` are then only looked up, by the rules on problems
    /// another scanner reported: it needs only the hosts those name.
    pub fn evaluation<'a>(&'a self, input: &'a EvaluationInput<'a>) -> Evaluation<'a> {
        let mut evaluator = Evaluator::new(self, input);
        programme_rules::check(&mut evaluator);
        Evaluation { evaluator }
    }
}

/// An evaluation under way (see [`Rulebook::evaluation`]).
pub struct Evaluation<'a> {
    evaluator: Evaluator<'a>,
}

impl Evaluation<'_> {
    /// Runs the rules about hosts and their ports on `hosts`, the next
    /// part of the scan's.
    pub fn hosts(&mut self, hosts: &[HostResult]) {
        self.evaluator.check_hosts(hosts);
    }

    /// Runs the rules that need the whole scan, and gives the findings.
    pub fn finish(self) -> Vec<Finding> {
        let mut evaluator = self.evaluator;
        reported_rules::check(&mut evaluator);
        inventory_rules::check(&mut evaluator);
        let mut findings = evaluator.findings;
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        findings
    }
}

/// The state of one evaluation: indexes built once, findings gathered.
pub(crate) struct Evaluator<'a> {
    book: &'a Rulebook,
    input: &'a EvaluationInput<'a>,
    systems: SystemIndex<'a>,
    inventory: InventoryIndex<'a>,
    scanned: ScannedPorts,
    /// Per system: its hosts that were up, with their listed ports (for
    /// stale entries).
    systems_up: HashMap<SystemId, Vec<HostPorts>>,
    findings: Vec<Finding>,
    /// The text of the address last written into a finding: a host's
    /// findings come one after another.
    address_text: (Option<IpAddr>, String),
    port_text: String,
    /// Where texts are rendered before they get their own allocation.
    scratch: String,
}

/// What a finding is made of before the rule book gives it words.
pub(crate) struct Draft<'a> {
    pub kind: FindingKind,
    pub system: Option<&'a System>,
    pub address: Option<IpAddr>,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    /// `{service}`: what answers, briefly.
    pub service_label: Phrase<'a>,
    /// `{what}`: what that is, in words.
    pub what: Phrase<'a>,
    /// `{detail}`: the rule's own facts.
    pub detail: String,
    pub evidence: String,
    /// `None` for a finding about one port: its key is `port_key`'s,
    /// written from the texts of the address and port already made for
    /// the words.
    pub key: Option<String>,
    pub service: Option<String>,
    pub product: Option<String>,
    pub version: Option<String>,
}

impl<'a> Evaluator<'a> {
    fn new(book: &'a Rulebook, input: &'a EvaluationInput<'a>) -> Evaluator<'a> {
        Evaluator {
            book,
            input,
            systems: SystemIndex::new(input.systems),
            inventory: InventoryIndex::new(input.inventory),
            scanned: ScannedPorts::new(input.coverage),
            systems_up: HashMap::new(),
            findings: Vec::with_capacity(input.inventory.len() + FindingKind::ALL.len()),
            address_text: (None, String::new()),
            port_text: String::new(),
            scratch: String::new(),
        }
    }

    fn check_hosts(&mut self, hosts: &[HostResult]) {
        // Usually at most one finding per open port (and per inventory
        // entry, reserved for at the start): sized once a part rather than
        // grown (and copied) a dozen times.
        let open_ports: usize = hosts
            .iter()
            .filter(|h| h.host.up)
            .map(|h| h.ports_in(PortState::Open).count())
            .sum();
        self.findings.reserve(open_ports);
        for host in hosts.iter().filter(|h| h.host.up) {
            let system = self.systems.for_host(&host.host);
            match system {
                Some(system) => self
                    .systems_up
                    .entry(system.id)
                    .or_default()
                    .push(HostPorts::new(host)),
                None => port_rules::unassigned_host(self, host),
            }
            for port in host.ports_in(PortState::Open) {
                port_rules::check(self, host, system, port);
            }
        }
    }

    /// Gives a draft its words and records it.
    fn emit(&mut self, draft: Draft<'_>) {
        let wording = self.book.wording(draft.kind);
        let (last_address, address) = &mut self.address_text;
        if *last_address != draft.address {
            *last_address = draft.address;
            address.clear();
            if let Some(ip) = draft.address {
                let _ = write!(address, "{ip}");
            }
        }
        let port = &mut self.port_text;
        port.clear();
        if let Some(number) = draft.port {
            let _ = write!(port, "{number}");
        }
        let protocol = draft.protocol.map(Protocol::as_str).unwrap_or_default();
        let key = draft.key.unwrap_or_else(|| {
            let kind = draft.kind.id();
            let mut key =
                String::with_capacity(kind.len() + address.len() + protocol.len() + port.len() + 3);
            for piece in [kind, "|", address, "|", protocol, "/", port] {
                key.push_str(piece);
            }
            key
        });
        let values = Values {
            system: draft
                .system
                .map_or("an unregistered machine", |s| s.name.as_str()),
            address: address.as_str(),
            port: port.as_str(),
            protocol,
            service: draft.service_label,
            what: draft.what,
            detail: &draft.detail,
        };
        self.findings.push(Finding {
            kind: draft.kind,
            severity: wording.severity,
            title: wording.title.render(&values, &mut self.scratch),
            explanation: wording.explanation.render(&values, &mut self.scratch),
            remedy: wording.remedy.render(&values, &mut self.scratch),
            requirements: wording.requirements.clone(),
            system_id: draft.system.map(|s| s.id),
            address: draft.address,
            port: draft.port,
            protocol: draft.protocol,
            service: draft.service,
            product: draft.product,
            version: draft.version,
            evidence: draft.evidence,
            key,
        });
    }
}

/// How strongly a state suggests something listens: open beats the
/// ambiguous states, which beat the shut ones.
pub(crate) fn openness(state: PortState) -> u8 {
    match state {
        PortState::Open => 3,
        PortState::OpenFiltered | PortState::Unfiltered => 2,
        PortState::Filtered => 1,
        PortState::Closed => 0,
    }
}

/// The identity of a finding about one port (evaluation writes the same
/// from texts it has already made; a test keeps the two equal).
#[cfg(test)]
pub(crate) fn port_key(
    kind: FindingKind,
    address: IpAddr,
    protocol: Protocol,
    port: u16,
) -> String {
    format!("{}|{}|{}/{}", kind.id(), address, protocol.as_str(), port)
}

/// Joins at most `limit` items, saying how many more there were.
pub(crate) fn join_limited<I, S>(items: I, limit: usize) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut shown = Vec::new();
    let mut more = 0usize;
    for item in items {
        if shown.len() < limit {
            shown.push(item.as_ref().to_string());
        } else {
            more += 1;
        }
    }
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests;
