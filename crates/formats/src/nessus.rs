//! Nessus reports (`.nessus`, version 2), as Tenable's scanners and the
//! ASVs built on them export: the policy, then per `ReportHost` its
//! properties (`host-ip`, names, times) and its `ReportItem`s, one per
//! plugin and port.
//!
//! Nessus lists only ports where a plugin said something, so every item
//! with a port number marks that port open; port 0 is about the host.
//! Items at Low and above become reported items, in Nessus's words; the
//! informational ones (the port scanners' "port is open", service
//! detection) only tell which ports are open and what runs there. A host
//! is handed on at its closing tag, so a file cut short gives every host
//! it finished.

use std::io::BufRead;
use std::net::IpAddr;

use portcullis_model::compliance::ScanCoverage;
use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
use portcullis_model::scan::Protocol;

use crate::emitter::Emitter;
use crate::reported::Hosts;
use crate::text::{kept, one_line};
use crate::xml::{Attributes, Handler, get, read_xml, wrong_root};
use crate::{FormatError, ImportFormat, Item, Limits, ReadOutcome, RunInfo};

/// The scanner's name in warnings and host reasons.
const SCANNER: &str = "Nessus";

/// Reads a Nessus v2 report from `input`, handing each item to `emit`;
/// `emit` answers false to stop (the import was cancelled).
pub fn read_nessus<R: BufRead>(
    input: R,
    limits: Limits,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    let mut out = Emitter::new(emit);
    let mut parser = Parser::new(limits);
    read_xml(input, limits, &mut parser, &mut out)?;
    parser.finish(&mut out)
}

/// A `ReportItem` being read.
#[derive(Debug)]
struct ItemBuilder {
    port: Option<u16>,
    protocol: Option<Protocol>,
    service: Option<String>,
    level: ReportedLevel,
    plugin_id: String,
    name: String,
    family: Option<String>,
    cvss3: Option<f32>,
    cvss2: Option<f32>,
    cves: Vec<String>,
    synopsis: String,
    solution: String,
    output: String,
}

/// A `ReportHost` being read, handed on at its closing tag.
#[derive(Debug, Default)]
struct HostBuilder {
    /// The `name` attribute: an address or a name the user typed.
    name: String,
    ip: Option<String>,
    fqdn: Option<String>,
    items: Vec<ItemBuilder>,
}

struct Parser {
    limits: Limits,
    seen_root: bool,
    ended: bool,
    /// Element names from the root down to the one being read.
    path: Vec<Vec<u8>>,
    /// The policy's `TARGET` preference: what the scan was pointed at.
    targets: Option<String>,
    /// The name of the policy preference being read.
    preference: Option<String>,
    run_sent: bool,
    host: Option<HostBuilder>,
    item: Option<ItemBuilder>,
    /// The text of the element being read, when it is one kept.
    text: String,
    hosts: Hosts,
    /// The `name` of the host property (`<tag>`) being read.
    property: Option<String>,
    warnings: Vec<String>,
}

impl Parser {
    fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            seen_root: false,
            ended: false,
            path: Vec::new(),
            targets: None,
            preference: None,
            run_sent: false,
            host: None,
            item: None,
            text: String::new(),
            hosts: Hosts::default(),
            property: None,
            warnings: Vec::new(),
        }
    }

    fn run_info(&self) -> RunInfo {
        RunInfo {
            scanner: SCANNER.to_owned(),
            args: String::new(),
            targets: self
                .targets
                .clone()
                .filter(|targets| !targets.is_empty())
                .unwrap_or_else(|| "imported".to_owned()),
            ports: String::new(),
            started_unix: None,
            coverage: ScanCoverage {
                reported_checks: true,
                ..ScanCoverage::default()
            },
        }
    }

    fn send_run(&mut self, out: &mut Emitter<'_>) {
        if !self.run_sent {
            self.run_sent = true;
            let run = self.run_info();
            out.send(Item::Run(run));
        }
    }

    fn open_item(&mut self, attributes: &Attributes, at: u64) -> Result<(), FormatError> {
        let limit = self.limits.field_chars;
        let port = get(attributes, "port").unwrap_or("0").trim();
        let port: u16 = port.parse().map_err(|_| FormatError::Invalid {
            what: "a ReportItem's port",
            at,
            why: format!("'{}' is not a port number", one_line(port, 40)),
        })?;
        let protocol = match get(attributes, "protocol").map(str::to_ascii_lowercase) {
            Some(text) if text == "tcp" => Some(Protocol::Tcp),
            Some(text) if text == "udp" => Some(Protocol::Udp),
            _ => None,
        };
        let severity = get(attributes, "severity").unwrap_or("0").trim();
        let level = match severity {
            "0" => ReportedLevel::Info,
            "1" => ReportedLevel::Low,
            "2" => ReportedLevel::Medium,
            "3" => ReportedLevel::High,
            "4" => ReportedLevel::Critical,
            other => {
                return Err(FormatError::Invalid {
                    what: "a ReportItem's severity",
                    at,
                    why: format!("'{}' is not one of 0 to 4", one_line(other, 40)),
                });
            }
        };
        self.item = Some(ItemBuilder {
            // Port 0 is Nessus's "about the host"; a port without a
            // protocol (icmp) is too.
            port: (port != 0 && protocol.is_some()).then_some(port),
            protocol,
            service: get(attributes, "svc_name")
                .map(|name| one_line(name, 80))
                .filter(|name| !name.is_empty() && name != "general"),
            level,
            plugin_id: one_line(get(attributes, "pluginID").unwrap_or("?"), 40),
            name: one_line(get(attributes, "pluginName").unwrap_or(""), limit),
            family: get(attributes, "pluginFamily")
                .map(|family| one_line(family, 200))
                .filter(|family| !family.is_empty()),
            cvss3: None,
            cvss2: None,
            cves: Vec::new(),
            synopsis: String::new(),
            solution: String::new(),
            output: String::new(),
        });
        Ok(())
    }

    /// Gives the text just read to the element it belongs to.
    fn close_text(&mut self, name: &[u8]) {
        let text = std::mem::take(&mut self.text);
        let text = text.trim();
        let limit = self.limits.field_chars;
        if let Some(item) = &mut self.item {
            match name {
                b"cvss3_base_score" => item.cvss3 = score(text),
                b"cvss_base_score" => item.cvss2 = score(text),
                b"cve" => {
                    let cve = one_line(text, 40);
                    if !cve.is_empty() && item.cves.len() < 1000 {
                        item.cves.push(cve);
                    }
                }
                b"synopsis" => item.synopsis = kept(text, limit),
                b"solution" => item.solution = kept(text, limit),
                b"plugin_output" => item.output = kept(text, limit),
                b"plugin_name" if item.name.is_empty() => item.name = one_line(text, limit),
                _ => {}
            }
            return;
        }
        if name == b"value" && self.path.iter().any(|element| element == b"Policy") {
            if self.preference.as_deref() == Some("TARGET") {
                self.targets = Some(one_line(text, 1000));
            }
            return;
        }
        if name == b"name" && self.path.iter().any(|element| element == b"Policy") {
            self.preference = Some(one_line(text, 200));
        }
    }

    /// A host's properties: `<tag name="host-ip">198.18.0.10</tag>`.
    fn host_property(&mut self, key: &str) {
        let text = std::mem::take(&mut self.text);
        let Some(host) = &mut self.host else {
            return;
        };
        match key {
            "host-ip" => host.ip = Some(one_line(&text, 60)),
            "host-fqdn" | "hostname" if host.fqdn.is_none() => {
                host.fqdn = Some(one_line(&text, 255));
            }
            _ => {}
        }
    }

    fn close_host(&mut self, out: &mut Emitter<'_>) {
        let Some(host) = self.host.take() else {
            return;
        };
        let shown = host.ip.clone().unwrap_or_else(|| host.name.clone());
        let Some(address) = host
            .ip
            .as_deref()
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .or_else(|| host.name.parse().ok())
        else {
            self.warnings.push(format!(
                "the host '{}' has no IP address (no host-ip property, and its name is not an address): {} left out",
                one_line(&shown, 80),
                match host.items.len() {
                    1 => "its 1 item was".to_owned(),
                    count => format!("its {count} items were"),
                }
            ));
            return;
        };
        let name = host.fqdn.or_else(|| {
            (host.name.parse::<IpAddr>().is_err() && !host.name.is_empty())
                .then(|| one_line(&host.name, 255))
        });
        self.hosts.host(address, name);
        for item in host.items {
            if let (Some(port), Some(protocol)) = (item.port, item.protocol) {
                self.hosts
                    .port(address, protocol, port, item.service.clone());
            }
            if item.level == ReportedLevel::Info {
                continue;
            }
            let reported = reported(item, address);
            out.send(Item::Reported(Box::new(reported)));
        }
    }

    fn finish(self, out: &mut Emitter<'_>) -> Result<ReadOutcome, FormatError> {
        if !self.seen_root {
            return Err(FormatError::WrongKind {
                expected: ImportFormat::Nessus.name(),
                found: "it holds no <NessusClientData_v2> element".into(),
            });
        }
        if out.stopped() {
            return Err(FormatError::Stopped);
        }
        if !self.run_sent {
            out.send(Item::Run(self.run_info()));
        }
        let mut warnings = self.warnings;
        if self.host.is_some() {
            warnings.push("the file ends in the middle of a host, which was left out".to_owned());
        }
        if !self.ended {
            warnings.push(
                "the file ends before the report does (was it cut short?): the hosts it holds were imported"
                    .to_owned(),
            );
        }
        if self.hosts.is_empty() {
            warnings.push("the report names no host".to_owned());
        }
        let outcome = self.hosts.finish(SCANNER, warnings, self.ended, out);
        if out.stopped() {
            return Err(FormatError::Stopped);
        }
        Ok(outcome)
    }
}

impl Handler for Parser {
    /// Nessus writes no document type.
    fn allows_doctype(&self, _declaration: &str) -> bool {
        false
    }

    fn open(
        &mut self,
        name: &[u8],
        attributes: &Attributes,
        at: u64,
        out: &mut Emitter<'_>,
    ) -> Result<(), FormatError> {
        if !self.seen_root {
            if name != b"NessusClientData_v2" {
                return Err(wrong_root(
                    ImportFormat::Nessus,
                    name,
                    "<NessusClientData_v2>",
                ));
            }
            self.seen_root = true;
            self.path.push(name.to_vec());
            return Ok(());
        }
        self.path.push(name.to_vec());
        self.text.clear();
        match name {
            b"ReportHost" => {
                self.send_run(out);
                self.host = Some(HostBuilder {
                    name: one_line(get(attributes, "name").unwrap_or(""), 255),
                    ..HostBuilder::default()
                });
            }
            b"ReportItem" if self.host.is_some() => self.open_item(attributes, at)?,
            b"tag" if self.host.is_some() && self.item.is_none() => {
                self.property = get(attributes, "name").map(str::to_owned);
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, name: &[u8], _at: u64, out: &mut Emitter<'_>) -> Result<(), FormatError> {
        match name {
            b"ReportItem" => {
                if let (Some(item), Some(host)) = (self.item.take(), &mut self.host) {
                    host.items.push(item);
                }
            }
            b"ReportHost" => self.close_host(out),
            b"NessusClientData_v2" => self.ended = true,
            b"tag" if self.host.is_some() && self.item.is_none() => {
                let key = self.property.take().unwrap_or_default();
                self.host_property(&key);
            }
            _ => self.close_text(name),
        }
        self.text.clear();
        self.path.pop();
        Ok(())
    }

    fn text(&mut self, text: &str) {
        // Keep a little more than a field's worth: `kept` cuts it and says so.
        if self.text.len() <= self.limits.field_chars.saturating_mul(4) {
            self.text.push_str(text);
        }
    }
}

/// A CVSS score as Nessus writes it ("6.5"), if it is one.
fn score(text: &str) -> Option<f32> {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|score| (0.0..=10.0).contains(score))
}

fn reported(item: ItemBuilder, address: IpAddr) -> ReportedItem {
    let cvss = match (item.cvss3, item.cvss2) {
        (Some(score), _) => Some(CvssScore { score, version: 3 }),
        (None, Some(score)) => Some(CvssScore { score, version: 2 }),
        (None, None) => None,
    };
    ReportedItem {
        source: ReportSource::Nessus,
        check_id: item.plugin_id,
        name: item.name,
        family: item.family,
        address,
        port: item.port,
        protocol: item.protocol,
        service: item.service,
        level: item.level,
        cvss,
        cves: item.cves,
        synopsis: item.synopsis,
        solution: item.solution,
        output: item.output,
        false_positive: false,
        quality: None,
    }
}
