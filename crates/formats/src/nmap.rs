//! nmap's XML output (`-oX`, any version with `nmaprun`): the run, its
//! scan types and the ports they covered (`scaninfo`), then each host with
//! its addresses, names, listed ports and the ports it did not list
//! (`extraports`), then the run's statistics.
//!
//! Hosts are handed on whole, at their closing tag, so a file cut short
//! by an interrupted run gives every host it finished, and says that it
//! ended early. A service nmap named from its port table (`method="table"`)
//! is kept as a guess, as the port's usual service; only a probed one
//! becomes an identification.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::IpAddr;

use crate::emitter::Emitter;
use crate::text::{kept, one_line};
use crate::xml::{Attributes, Handler, get, read_xml, wrong_root};
use crate::{FormatError, ImportFormat, Item, Limits, ReadOutcome, RunInfo};
use portcullis_model::compliance::{PortRange, ScanCoverage};
use portcullis_model::scan::{
    HostDone, HostReport, MethodChoice, PortCount, PortResult, PortState, Protocol, Reason,
    ScanEvent, ScanMethod, ScanSummary,
};
use portcullis_model::service::{Confidence, Posture, ServiceIdentity, ServiceReport};

/// Reads nmap XML from `input`, handing each item to `emit` in file order;
/// `emit` answers false to stop (the import was cancelled).
pub fn read_nmap_xml<R: BufRead>(
    input: R,
    limits: Limits,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    let mut out = Emitter::new(emit);
    let mut parser = Parser::new(limits);
    read_xml(input, limits, &mut parser, &mut out)?;
    parser.finish(&mut out)
}

/// A host being read, handed on at its closing tag.
#[derive(Debug, Default)]
struct HostBuilder {
    addresses: Vec<IpAddr>,
    names: Vec<(String, String)>,
    up: bool,
    reason: String,
    ports: Vec<PortBuilder>,
    /// Ports not listed: by protocol (when the file says), state, reason.
    unlisted: Vec<(Option<Protocol>, PortState, Reason, u32)>,
    /// The `extraports` being read: its state and count, until its reasons
    /// say more.
    extra: Option<(PortState, u32, bool)>,
}

#[derive(Debug)]
struct PortBuilder {
    port: u16,
    protocol: Protocol,
    state: PortState,
    reason: Reason,
    service: Option<String>,
    identity: Option<ServiceIdentity>,
    evidence: Vec<String>,
}

/// Where the reader is, and what it has gathered.
struct Parser {
    limits: Limits,
    seen_root: bool,
    run: Option<RunInfo>,
    run_sent: bool,
    run_ended: bool,
    scan_types: Vec<(String, Protocol)>,
    host: Option<HostBuilder>,
    port: Option<PortBuilder>,
    /// Collecting a `cpe` element's text.
    cpe: Option<String>,
    /// Up and down, as the run's statistics count them.
    hosts_up: u32,
    hosts_down: u32,
    /// Up and down, as the hosts read so far count them.
    hosts_seen: (u32, u32),
    open_ports: u32,
    elapsed: f64,
    warnings: Vec<String>,
}

impl Parser {
    fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            seen_root: false,
            run: None,
            run_sent: false,
            run_ended: false,
            scan_types: Vec::new(),
            host: None,
            port: None,
            cpe: None,
            hosts_up: 0,
            hosts_down: 0,
            hosts_seen: (0, 0),
            open_ports: 0,
            elapsed: 0.0,
            warnings: Vec::new(),
        }
    }

    fn send_run(&mut self, out: &mut Emitter<'_>) {
        if self.run_sent {
            return;
        }
        self.run_sent = true;
        let run = self.run.clone().unwrap_or_else(|| empty_run(String::new()));
        out.send(Item::Run(run));
    }
}

impl Handler for Parser {
    /// nmap writes `<!DOCTYPE nmaprun>`.
    fn allows_doctype(&self, declaration: &str) -> bool {
        declaration == "nmaprun"
    }

    fn open(
        &mut self,
        name: &[u8],
        attributes: &Attributes,
        at: u64,
        out: &mut Emitter<'_>,
    ) -> Result<(), FormatError> {
        if !self.seen_root {
            if name != b"nmaprun" {
                return Err(wrong_root(ImportFormat::NmapXml, name, "<nmaprun>"));
            }
            self.seen_root = true;
            self.run = Some(run_info(attributes, self.limits));
            return Ok(());
        }
        let limit = self.limits.field_chars;
        match name {
            b"scaninfo" => self.scan_info(attributes, at)?,
            b"host" => {
                self.send_run(out);
                self.host = Some(HostBuilder::default());
            }
            b"status" => {
                if let Some(host) = &mut self.host {
                    host.up = get(attributes, "state") == Some("up");
                    host.reason = one_line(get(attributes, "reason").unwrap_or(""), limit);
                }
            }
            b"address" => {
                if let Some(host) = &mut self.host
                    && matches!(get(attributes, "addrtype"), Some("ipv4" | "ipv6"))
                {
                    let text = get(attributes, "addr").unwrap_or("");
                    let address = text.parse().map_err(|_| FormatError::Invalid {
                        what: "a host address",
                        at,
                        why: format!("'{}' is not an IP address", one_line(text, 60)),
                    })?;
                    host.addresses.push(address);
                }
            }
            b"hostname" => {
                if let Some(host) = &mut self.host
                    && let Some(name) = get(attributes, "name")
                {
                    let kind = get(attributes, "type").unwrap_or("").to_owned();
                    host.names.push((one_line(name, 255), kind));
                }
            }
            b"extraports" => {
                if let Some(host) = &mut self.host {
                    let state = port_state(get(attributes, "state").unwrap_or(""), at)?;
                    let count = number(attributes, "count", at)?;
                    host.extra = Some((state, count, false));
                }
            }
            b"extrareasons" => {
                if let Some(host) = &mut self.host
                    && let Some((state, _, explained)) = &mut host.extra
                {
                    *explained = true;
                    let protocol = get(attributes, "proto").and_then(protocol_of);
                    let reason = reason_of(get(attributes, "reason").unwrap_or(""));
                    let count = number(attributes, "count", at)?;
                    host.unlisted.push((protocol, *state, reason, count));
                }
            }
            b"port" => {
                let protocol = get(attributes, "protocol")
                    .and_then(protocol_of)
                    .ok_or_else(|| FormatError::Invalid {
                        what: "a port",
                        at,
                        why: "its protocol is neither tcp nor udp".into(),
                    })?;
                let port = number(attributes, "portid", at)?;
                let port = u16::try_from(port).map_err(|_| FormatError::Invalid {
                    what: "a port",
                    at,
                    why: format!("{port} is not a port number"),
                })?;
                self.port = Some(PortBuilder {
                    port,
                    protocol,
                    state: PortState::Filtered,
                    reason: Reason::NoResponse,
                    service: None,
                    identity: None,
                    evidence: Vec::new(),
                });
            }
            b"state" => {
                if let Some(port) = &mut self.port {
                    port.state = port_state(get(attributes, "state").unwrap_or(""), at)?;
                    port.reason = reason_of(get(attributes, "reason").unwrap_or(""));
                }
            }
            b"service" => {
                if let Some(port) = &mut self.port {
                    service(port, attributes, limit);
                }
            }
            b"cpe" if self.port.is_some() => self.cpe = Some(String::new()),
            b"script" => {
                if let Some(port) = &mut self.port {
                    let id = one_line(get(attributes, "id").unwrap_or("script"), 80);
                    let output = kept(get(attributes, "output").unwrap_or(""), limit);
                    port.evidence.push(format!("nmap script {id}: {output}"));
                }
            }
            b"finished" => {
                self.elapsed = get(attributes, "elapsed")
                    .and_then(|text| text.parse().ok())
                    .unwrap_or(0.0);
                if get(attributes, "exit") == Some("error") {
                    let why = one_line(get(attributes, "errormsg").unwrap_or("no reason"), limit);
                    self.warnings
                        .push(format!("nmap says its run ended in an error: {why}"));
                }
            }
            b"hosts" if self.host.is_none() => {
                // The run's own count, where the file has it.
                self.hosts_up = number(attributes, "up", at).unwrap_or(self.hosts_up);
                self.hosts_down = number(attributes, "down", at).unwrap_or(self.hosts_down);
            }
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if let Some(cpe) = &mut self.cpe
            && cpe.len() < self.limits.field_chars
        {
            cpe.push_str(text);
        }
    }

    fn close(&mut self, name: &[u8], at: u64, out: &mut Emitter<'_>) -> Result<(), FormatError> {
        match name {
            b"cpe" => {
                if let (Some(cpe), Some(port)) = (self.cpe.take(), &mut self.port) {
                    port.evidence
                        .push(format!("CPE {}", one_line(&cpe, self.limits.field_chars)));
                }
            }
            b"extraports" => {
                if let Some(host) = &mut self.host
                    && let Some((state, count, explained)) = host.extra.take()
                    && !explained
                {
                    let reason = match state {
                        PortState::Closed => Reason::Rst,
                        _ => Reason::NoResponse,
                    };
                    host.unlisted.push((None, state, reason, count));
                }
            }
            b"port" => {
                if let (Some(port), Some(host)) = (self.port.take(), &mut self.host) {
                    host.ports.push(port);
                }
            }
            b"host" => {
                if let Some(host) = self.host.take() {
                    self.emit_host(host, at, out);
                }
            }
            b"nmaprun" => self.run_ended = true,
            _ => {}
        }
        Ok(())
    }
}

impl Parser {
    fn scan_info(&mut self, attributes: &Attributes, at: u64) -> Result<(), FormatError> {
        let protocol = get(attributes, "protocol")
            .and_then(protocol_of)
            .ok_or_else(|| FormatError::Invalid {
                what: "the scan's description (scaninfo)",
                at,
                why: "its protocol is neither tcp nor udp".into(),
            })?;
        let services = get(attributes, "services").unwrap_or("");
        let ranges = port_ranges(services).ok_or_else(|| FormatError::Invalid {
            what: "the scan's port list (scaninfo services)",
            at,
            why: format!("'{}' is not a list of ports", one_line(services, 60)),
        })?;
        let kind = get(attributes, "type").unwrap_or("").to_owned();
        self.scan_types.push((kind, protocol));
        if let Some(run) = &mut self.run {
            let prefix = match protocol {
                Protocol::Tcp => "T:",
                Protocol::Udp => "U:",
            };
            if !run.ports.is_empty() {
                run.ports.push(',');
            }
            run.ports.push_str(prefix);
            run.ports.push_str(&one_line(services, 1000));
            match protocol {
                Protocol::Tcp => run.coverage.tcp.extend(ranges),
                Protocol::Udp => run.coverage.udp.extend(ranges),
            }
        }
        Ok(())
    }

    fn emit_host(&mut self, host: HostBuilder, at: u64, out: &mut Emitter<'_>) {
        let Some(&address) = host
            .addresses
            .iter()
            .find(|address| address.is_ipv4())
            .or_else(|| host.addresses.first())
        else {
            self.warnings.push(format!(
                "a host near byte {at} has no IP address and was left out"
            ));
            return;
        };
        for other in host.addresses.iter().filter(|other| **other != address) {
            self.warnings.push(format!(
                "{address} also has the address {other}: its ports are recorded under {address}"
            ));
        }
        let name = host
            .names
            .iter()
            .find(|(_, kind)| kind == "user")
            .or_else(|| host.names.first())
            .map(|(name, _)| name.clone());
        let default_protocol = self
            .scan_types
            .first()
            .map_or(Protocol::Tcp, |(_, protocol)| *protocol);
        out.send(Item::Event(ScanEvent::Host(HostReport {
            address,
            name,
            up: host.up,
            reason: if host.reason.is_empty() {
                "imported from nmap".to_owned()
            } else {
                format!("nmap: {}", host.reason)
            },
        })));
        let mut counts: BTreeMap<(Protocol, PortState, String), (Reason, u32)> = BTreeMap::new();
        let mut services = Vec::new();
        for port in host.ports {
            if port.state == PortState::Open {
                self.open_ports = self.open_ports.saturating_add(1);
            }
            let entry = counts
                .entry((port.protocol, port.state, port.reason.to_string()))
                .or_insert((port.reason, 0));
            entry.1 = entry.1.saturating_add(1);
            if let Some(mut identity) = port.identity {
                identity.evidence = kept(&port.evidence.join("\n"), self.limits.field_chars);
                services.push(ServiceReport {
                    address,
                    port: port.port,
                    protocol: port.protocol,
                    identity,
                    posture: Posture::default(),
                });
            }
            out.send(Item::Event(ScanEvent::Port(PortResult {
                address,
                port: port.port,
                protocol: port.protocol,
                state: port.state,
                reason: port.reason,
                rtt_micros: None,
                service: port.service,
                identity: None,
                posture: None,
            })));
        }
        for found in services {
            out.send(Item::Event(ScanEvent::Service(Box::new(found))));
        }
        for (protocol, state, reason, count) in host.unlisted {
            let entry = counts
                .entry((
                    protocol.unwrap_or(default_protocol),
                    state,
                    reason.to_string(),
                ))
                .or_insert((reason, 0));
            entry.1 = entry.1.saturating_add(count);
        }
        let counts = counts
            .into_iter()
            .map(|((protocol, state, _), (reason, count))| PortCount {
                protocol,
                state,
                reason,
                count,
            })
            .collect();
        out.send(Item::Event(ScanEvent::HostDone(HostDone {
            address,
            counts,
        })));
        self.hosts_seen.0 += u32::from(host.up);
        self.hosts_seen.1 += u32::from(!host.up);
    }

    fn finish(mut self, out: &mut Emitter<'_>) -> Result<ReadOutcome, FormatError> {
        if !self.seen_root {
            return Err(FormatError::WrongKind {
                expected: ImportFormat::NmapXml.name(),
                found: "it holds no <nmaprun> element".into(),
            });
        }
        if self.host.is_some() {
            self.warnings
                .push("the file ends in the middle of a host, which was left out".to_owned());
        }
        let complete = self.run_ended;
        if !complete {
            self.warnings.push(
                "the file ends before nmap finished (an interrupted run?): the hosts it holds were imported".to_owned(),
            );
        }
        self.send_run(out);
        let (up, down) = if self.hosts_up + self.hosts_down > 0 {
            (self.hosts_up, self.hosts_down)
        } else {
            self.hosts_seen
        };
        let methods = self
            .scan_types
            .iter()
            .filter_map(|(kind, _)| {
                let method = match kind.as_str() {
                    "syn" => ScanMethod::Syn,
                    "connect" => ScanMethod::Connect,
                    "udp" => ScanMethod::Udp,
                    _ => return None,
                };
                Some(MethodChoice {
                    method,
                    why: format!("imported from nmap ({kind} scan)"),
                })
            })
            .collect();
        for message in &self.warnings {
            let warning = ScanEvent::Warning {
                message: message.clone(),
            };
            out.send(Item::Event(warning));
        }
        let summary = ScanSummary {
            methods,
            hosts_up: up,
            hosts_down: down,
            open_ports: self.open_ports,
            elapsed_seconds: self.elapsed,
            partial: !complete,
        };
        out.send(Item::Event(ScanEvent::Finished(summary)));
        if out.stopped() {
            return Err(FormatError::Stopped);
        }
        Ok(ReadOutcome {
            warnings: self.warnings,
            complete,
        })
    }
}

/// The run as `nmaprun` describes it; the ports come with `scaninfo`.
fn run_info(attributes: &Attributes, limits: Limits) -> RunInfo {
    let args = one_line(get(attributes, "args").unwrap_or(""), limits.field_chars);
    let mut run = empty_run(args);
    run.scanner = one_line(
        &format!(
            "{} {}",
            get(attributes, "scanner").unwrap_or("nmap"),
            get(attributes, "version").unwrap_or("")
        ),
        80,
    );
    run.started_unix = get(attributes, "start").and_then(|start| start.parse().ok());
    run
}

fn empty_run(args: String) -> RunInfo {
    let words: Vec<&str> = args.split_whitespace().collect();
    let identification = words.iter().any(|word| matches!(*word, "-sV" | "-A"));
    RunInfo {
        scanner: "nmap".into(),
        targets: targets_of(&words),
        args,
        ports: String::new(),
        started_unix: None,
        coverage: ScanCoverage {
            identification,
            ..ScanCoverage::default()
        },
    }
}

/// The targets at the end of an nmap command line: the words after the
/// last option and its value.
fn targets_of(words: &[&str]) -> String {
    let targets: Vec<&str> = words
        .iter()
        .rev()
        .take_while(|word| !word.starts_with('-'))
        .copied()
        .collect();
    // The last option may have taken the first of them as its value.
    let mut targets: Vec<&str> = targets.into_iter().rev().collect();
    let option_before = words.len().checked_sub(targets.len() + 1);
    if let Some(index) = option_before
        && takes_value(words[index])
        && !targets.is_empty()
    {
        targets.remove(0);
    }
    if targets.is_empty() || words.len() <= 1 {
        "imported".to_owned()
    } else {
        targets.join(" ")
    }
}

/// nmap options that take the next word as their value.
fn takes_value(option: &str) -> bool {
    matches!(
        option,
        "-p" | "-oX"
            | "-oN"
            | "-oG"
            | "-oA"
            | "-iL"
            | "--top-ports"
            | "--script"
            | "--exclude"
            | "-e"
            | "-S"
            | "--max-retries"
            | "--host-timeout"
            | "--min-rate"
            | "--max-rate"
            | "--version-intensity"
    )
}

/// nmap's `services` list ("1,3-4,6-7,22"): `None` if any part is not a
/// port or a range of ports.
fn port_ranges(services: &str) -> Option<Vec<PortRange>> {
    if services.trim().is_empty() {
        return Some(Vec::new());
    }
    services
        .split(',')
        .map(|part| {
            let part = part.trim();
            match part.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (first.parse().ok()?, last.parse().ok()?);
                    (first <= last).then_some(PortRange { first, last })
                }
                None => part.parse().ok().map(PortRange::single),
            }
        })
        .collect()
}

fn protocol_of(text: &str) -> Option<Protocol> {
    match text {
        "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        _ => None,
    }
}

fn port_state(text: &str, at: u64) -> Result<PortState, FormatError> {
    Ok(match text {
        "open" => PortState::Open,
        "closed" => PortState::Closed,
        "filtered" | "closed|filtered" => PortState::Filtered,
        "unfiltered" => PortState::Unfiltered,
        "open|filtered" => PortState::OpenFiltered,
        other => {
            return Err(FormatError::Invalid {
                what: "a port state",
                at,
                why: format!("'{}' is not one nmap writes", one_line(other, 40)),
            });
        }
    })
}

/// nmap's words for the ICMP "destination unreachable" (type 3) codes.
const UNREACHABLE: [(&str, u8); 7] = [
    ("net-unreach", 0),
    ("host-unreach", 1),
    ("proto-unreach", 2),
    ("port-unreach", 3),
    ("net-prohibited", 9),
    ("host-prohibited", 10),
    ("admin-prohibited", 13),
];

/// nmap's reason words; one nmap has that Portcullis does not (a TTL
/// expiry, say) reads as no response.
fn reason_of(text: &str) -> Reason {
    match text {
        "syn-ack" => Reason::SynAck,
        "conn-refused" | "reset" => Reason::Rst,
        "udp-response" => Reason::UdpResponse,
        _ => UNREACHABLE.iter().find(|(word, _)| *word == text).map_or(
            Reason::NoResponse,
            |(_, code)| Reason::Icmp {
                icmp_type: 3,
                code: *code,
            },
        ),
    }
}

fn number(attributes: &Attributes, key: &'static str, at: u64) -> Result<u32, FormatError> {
    let text = get(attributes, key).unwrap_or("");
    text.trim().parse().map_err(|_| FormatError::Invalid {
        what: "a number",
        at,
        why: format!("{key}='{}' is not a whole number", one_line(text, 40)),
    })
}

/// The port's `service`: a probed one is an identification; one named
/// from nmap's port table only says what usually runs there.
fn service(port: &mut PortBuilder, attributes: &Attributes, limit: usize) {
    let name = one_line(get(attributes, "name").unwrap_or("unknown"), 80);
    port.service = Some(name.clone());
    if get(attributes, "method") != Some("probed") {
        return;
    }
    let field = |key| {
        get(attributes, key)
            .map(|value| one_line(value, limit))
            .filter(|value| !value.is_empty())
    };
    let product = field("product");
    // nmap's version carries the distribution's build after a space
    // ("9.2p1 Debian 2+deb12u3"): the version is the first word, the rest
    // goes with the extra information.
    let (version, build) = match field("version") {
        Some(version) => match version.split_once(' ') {
            Some((number, rest)) => (Some(number.to_owned()), Some(rest.to_owned())),
            None => (Some(version), None),
        },
        None => (None, None),
    };
    let extra: Vec<String> = [build, field("extrainfo"), field("ostype")]
        .into_iter()
        .flatten()
        .collect();
    port.evidence.push(format!(
        "nmap identified {name}{}{} (confidence {}/10)",
        product
            .as_deref()
            .map(|product| format!(", {product}"))
            .unwrap_or_default(),
        get(attributes, "version")
            .map(|version| format!(" {}", one_line(version, 80)))
            .unwrap_or_default(),
        get(attributes, "conf").unwrap_or("?"),
    ));
    port.identity = Some(ServiceIdentity {
        service: name,
        confidence: if product.is_some() {
            Confidence::Product
        } else {
            Confidence::Protocol
        },
        product,
        version,
        extra: (!extra.is_empty()).then(|| extra.join("; ")),
        tls: get(attributes, "tunnel") == Some("ssl"),
        evidence: String::new(),
        probes_tried: vec!["nmap service detection (imported)".to_owned()],
    });
}
