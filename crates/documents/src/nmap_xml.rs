//! The report in nmap's XML format (`nmaprun`, xmloutputversion 1.05), close
//! enough that tools reading nmap XML accept it: hosts with their status and
//! addresses, listed ports with state and reason, the ports not listed as
//! `extraports`, and run statistics.

use std::io::Cursor;

use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{PortState, ScanMethod};
use portcullis_model::service::{Confidence, ServiceIdentity};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use portcullis_model::scan_record::ScanRecord;

type XmlWriter = Writer<Cursor<Vec<u8>>>;

/// Writing XML into memory fails only if the writer has a bug.
type Result<T> = std::result::Result<T, quick_xml::Error>;

/// What the run was, as `nmaprun` and `scaninfo` say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmapRun {
    pub targets: String,
    /// The ports asked for ("1-1000", "T:22,80").
    pub ports: String,
    /// When the scan started, in seconds since the Unix epoch.
    pub started_at_unix: u64,
    /// How many TCP ports each host was scanned on.
    pub port_count: usize,
}

impl NmapRun {
    /// The run a recorded scan was.
    pub fn of(scan: &ScanRecord) -> NmapRun {
        let port_count = scan
            .coverage
            .tcp
            .iter()
            .map(|range| usize::from(range.last.saturating_sub(range.first)) + 1)
            .sum();
        NmapRun {
            targets: scan.targets.clone(),
            ports: scan.ports.clone(),
            started_at_unix: u64::try_from(scan.started_at.timestamp()).unwrap_or(0),
            port_count,
        }
    }
}

/// The report as nmap XML.
pub fn nmap_xml(report: &ScanReport, context: &NmapRun) -> Vec<u8> {
    render(report, context).expect("XML into memory cannot fail")
}

fn render(report: &ScanReport, context: &NmapRun) -> Result<Vec<u8>> {
    let mut xml = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 1);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.write_event(Event::DocType(BytesText::from_escaped("nmaprun")))?;
    let start = context.started_at_unix.to_string();
    let args = format!("portcullis scan {} -p {}", context.targets, context.ports);
    let version = env!("CARGO_PKG_VERSION");
    xml.write_event(Event::Start(BytesStart::new("nmaprun").with_attributes([
        ("scanner", "portcullis"),
        ("args", args.as_str()),
        ("start", start.as_str()),
        ("version", version),
        ("xmloutputversion", "1.05"),
    ])))?;
    write_scaninfo(&mut xml, report, context)?;
    empty(&mut xml, "verbose", &[("level", "0")])?;
    empty(&mut xml, "debugging", &[("level", "0")])?;
    for host in &report.hosts {
        write_host(&mut xml, host)?;
    }
    write_runstats(&mut xml, report, context)?;
    xml.write_event(Event::End(BytesEnd::new("nmaprun")))?;
    let mut bytes = xml.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn empty(xml: &mut XmlWriter, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
    xml.write_event(Event::Empty(
        BytesStart::new(name).with_attributes(attributes.iter().copied()),
    ))?;
    Ok(())
}

fn write_scaninfo(xml: &mut XmlWriter, report: &ScanReport, context: &NmapRun) -> Result<()> {
    let kind = match report.summary.as_ref().and_then(|s| s.methods.first()) {
        Some(choice) if choice.method == ScanMethod::Syn => "syn",
        _ => "connect",
    };
    let services = context.ports.trim_start_matches("T:");
    let count = context.port_count.to_string();
    empty(
        xml,
        "scaninfo",
        &[
            ("type", kind),
            ("protocol", "tcp"),
            ("numservices", &count),
            ("services", services),
        ],
    )
}

fn write_host(xml: &mut XmlWriter, host: &HostResult) -> Result<()> {
    xml.write_event(Event::Start(BytesStart::new("host")))?;
    let state = if host.host.up { "up" } else { "down" };
    empty(
        xml,
        "status",
        &[
            ("state", state),
            ("reason", "user-set"),
            ("reason_ttl", "0"),
        ],
    )?;
    let address = host.host.address.to_string();
    let family = if host.host.address.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    };
    empty(xml, "address", &[("addr", &address), ("addrtype", family)])?;
    xml.write_event(Event::Start(BytesStart::new("hostnames")))?;
    if let Some(name) = &host.host.name {
        empty(xml, "hostname", &[("name", name), ("type", "user")])?;
    }
    xml.write_event(Event::End(BytesEnd::new("hostnames")))?;
    if host.host.up {
        write_ports(xml, host)?;
    }
    xml.write_event(Event::End(BytesEnd::new("host")))?;
    Ok(())
}

fn write_ports(xml: &mut XmlWriter, host: &HostResult) -> Result<()> {
    xml.write_event(Event::Start(BytesStart::new("ports")))?;
    for count in &host.counts {
        let listed = host
            .ports
            .iter()
            .filter(|p| p.state == count.state && p.protocol == count.protocol)
            .count() as u32;
        let hidden = count.count.saturating_sub(listed);
        if hidden == 0 || count.state == PortState::Open {
            continue;
        }
        let hidden = hidden.to_string();
        xml.write_event(Event::Start(BytesStart::new("extraports").with_attributes(
            [("state", count.state.as_str()), ("count", hidden.as_str())],
        )))?;
        let reason = nmap_reason(&count.reason.describe());
        empty(
            xml,
            "extrareasons",
            &[
                ("reason", &reason),
                ("count", &hidden),
                ("proto", count.protocol.as_str()),
            ],
        )?;
        xml.write_event(Event::End(BytesEnd::new("extraports")))?;
    }
    for port in &host.ports {
        let id = port.port.to_string();
        xml.write_event(Event::Start(BytesStart::new("port").with_attributes([
            ("protocol", port.protocol.as_str()),
            ("portid", id.as_str()),
        ])))?;
        let reason = nmap_reason(&port.reason.describe());
        empty(
            xml,
            "state",
            &[
                ("state", port.state.as_str()),
                ("reason", &reason),
                ("reason_ttl", "0"),
            ],
        )?;
        match (&port.identity, &port.service) {
            (Some(identity), _) if identity.confidence != Confidence::PortOnly => {
                write_identity(xml, identity)?;
            }
            (_, Some(service)) => {
                // method="table": named from the port number (IANA), as
                // nmap says when it has not talked to the service.
                empty(
                    xml,
                    "service",
                    &[("name", service), ("method", "table"), ("conf", "3")],
                )?;
            }
            (_, None) => {}
        }
        xml.write_event(Event::End(BytesEnd::new("port")))?;
    }
    xml.write_event(Event::End(BytesEnd::new("ports")))?;
    Ok(())
}

/// What identification found, as nmap writes a probed service: a reader
/// of nmap XML (python-libnmap, ndiff) then shows the product and version
/// instead of a guess from the port number.
fn write_identity(xml: &mut XmlWriter, identity: &ServiceIdentity) -> Result<()> {
    let confidence = match identity.confidence {
        Confidence::Product => "10",
        Confidence::Protocol => "8",
        Confidence::PortOnly => "3",
    };
    let mut attributes: Vec<(&str, &str)> = vec![("name", identity.service.as_str())];
    if let Some(product) = &identity.product {
        attributes.push(("product", product));
    }
    if let Some(version) = &identity.version {
        attributes.push(("version", version));
    }
    if let Some(extra) = &identity.extra {
        attributes.push(("extrainfo", extra));
    }
    if identity.tls {
        attributes.push(("tunnel", "ssl"));
    }
    attributes.push(("method", "probed"));
    attributes.push(("conf", confidence));
    empty(xml, "service", &attributes)
}

/// Reasons as single words, as nmap writes them ("icmp type 3 code 3"
/// becomes "icmp-type-3-code-3").
fn nmap_reason(reason: &str) -> String {
    reason.replace(' ', "-")
}

fn write_runstats(xml: &mut XmlWriter, report: &ScanReport, context: &NmapRun) -> Result<()> {
    xml.write_event(Event::Start(BytesStart::new("runstats")))?;
    let (elapsed, up, down, exit) = match &report.summary {
        Some(summary) => (
            summary.elapsed_seconds,
            summary.hosts_up,
            summary.hosts_down,
            if summary.partial { "error" } else { "success" },
        ),
        None => (0.0, 0, 0, "error"),
    };
    let finished = (context.started_at_unix + elapsed.round() as u64).to_string();
    let elapsed = format!("{elapsed:.2}");
    let summary = format!(
        "Portcullis done: {} IP addresses ({up} hosts up) scanned in {elapsed} seconds",
        up + down
    );
    empty(
        xml,
        "finished",
        &[
            ("time", &finished),
            ("elapsed", &elapsed),
            ("summary", &summary),
            ("exit", exit),
        ],
    )?;
    let (up, down, total) = (up.to_string(), down.to_string(), (up + down).to_string());
    empty(
        xml,
        "hosts",
        &[("up", &up), ("down", &down), ("total", &total)],
    )?;
    xml.write_event(Event::End(BytesEnd::new("runstats")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use portcullis_model::report::HostResult;
    use portcullis_model::scan::{HostReport, PortResult, Protocol, Reason};

    use super::*;

    fn port(number: u16, identity: Option<ServiceIdentity>) -> PortResult {
        PortResult {
            address: "198.18.0.10".parse().unwrap(),
            port: number,
            protocol: Protocol::Tcp,
            state: PortState::Open,
            reason: Reason::SynAck,
            rtt_micros: None,
            service: Some("http".into()),
            identity: identity.map(Box::new),
            posture: None,
        }
    }

    /// An identified service is written as nmap writes a probed one; a
    /// port nothing identified keeps nmap's port-table guess.
    #[test]
    fn identified_services_are_written_as_probed() {
        let ssh = ServiceIdentity {
            service: "ssh".into(),
            product: Some("OpenSSH".into()),
            version: Some("9.2p1".into()),
            extra: Some("Debian 2+deb12u3 & co".into()),
            confidence: Confidence::Product,
            tls: false,
            evidence: String::new(),
            probes_tried: Vec::new(),
        };
        let https = ServiceIdentity {
            service: "http".into(),
            product: None,
            version: None,
            extra: None,
            confidence: Confidence::Protocol,
            tls: true,
            evidence: String::new(),
            probes_tried: Vec::new(),
        };
        let report = ScanReport {
            hosts: vec![HostResult {
                host: HostReport {
                    address: "198.18.0.10".parse().unwrap(),
                    name: None,
                    up: true,
                    reason: "syn-ack".into(),
                },
                ports: vec![port(22, Some(ssh)), port(80, None), port(443, Some(https))],
                counts: Vec::new(),
            }],
            warnings: Vec::new(),
            summary: None,
        };
        let context = NmapRun {
            targets: "198.18.0.10".into(),
            ports: "22,80,443".into(),
            started_at_unix: 0,
            port_count: 3,
        };
        let xml = String::from_utf8(nmap_xml(&report, &context)).unwrap();
        assert!(
            xml.contains(r#"<service name="ssh" product="OpenSSH" version="9.2p1" extrainfo="Debian 2+deb12u3 &amp; co" method="probed" conf="10"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<service name="http" method="table" conf="3"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<service name="http" tunnel="ssl" method="probed" conf="8"/>"#),
            "{xml}"
        );
    }
}
