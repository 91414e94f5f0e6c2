//! The Nessus v2 reader on a report written here from Tenable's documented
//! format (no third-party file), on one cut short, and on hostile ones.

mod common;

use common::reported;
use std::io::{BufReader, Read};
use std::net::IpAddr;

use portcullis_formats::{FormatError, Item, Limits, ReadOutcome, read_nessus};
use portcullis_model::import::{ReportSource, ReportedLevel};
use portcullis_model::scan::{PortState, Protocol, Reason, ScanEvent};

const REPORT: &str = include_str!("fixtures/asv-scan.nessus");

fn read(text: &str) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    read_with(text.as_bytes(), Limits::default())
}

fn read_with(input: impl Read, limits: Limits) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    common::collect(|emit| read_nessus(BufReader::new(input), limits, emit))
}

fn open_ports(items: &[Item]) -> Vec<(String, u16, Protocol, Option<String>)> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Event(ScanEvent::Port(port)) => {
                assert_eq!(port.state, PortState::Open);
                assert_eq!(port.reason, Reason::Reported);
                Some((
                    port.address.to_string(),
                    port.port,
                    port.protocol,
                    port.service.clone(),
                ))
            }
            _ => None,
        })
        .collect()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn a_report_gives_its_hosts_open_ports_and_problems() {
    let (items, outcome) = read(REPORT).unwrap();
    assert!(outcome.complete);
    let Item::Run(run) = &items[0] else {
        panic!("the run comes first: {:?}", items[0]);
    };
    assert_eq!(run.scanner, "Nessus");
    assert_eq!(run.targets, "203.0.113.10,198.18.0.20");
    assert!(run.coverage.tcp.is_empty(), "a report claims no coverage");

    assert_eq!(
        open_ports(&items),
        vec![
            ("203.0.113.10".into(), 22, Protocol::Tcp, Some("ssh".into())),
            (
                "203.0.113.10".into(),
                443,
                Protocol::Tcp,
                Some("www".into())
            ),
            (
                "203.0.113.10".into(),
                3306,
                Protocol::Tcp,
                Some("mysql".into())
            ),
            (
                "198.18.0.20".into(),
                161,
                Protocol::Udp,
                Some("snmp".into())
            ),
        ]
    );
    let hosts: Vec<(IpAddr, Option<String>)> = items
        .iter()
        .filter_map(|item| match item {
            Item::Event(ScanEvent::Host(host)) => Some((host.address, host.name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        hosts,
        vec![
            (ip("203.0.113.10"), Some("shop.example".into())),
            (ip("198.18.0.20"), None)
        ]
    );

    let found = reported(&items);
    let names: Vec<&str> = found.iter().map(|item| item.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "TLS Version 1.0 Protocol Detection",
            "SSL Self-Signed Certificate",
            "MySQL 5.7.x < 5.7.44 Multiple Vulnerabilities",
            "ICMP Timestamp Request Remote Date Disclosure",
            "SNMP Agent Default Community Name (public)",
        ],
        "informational items are not problems"
    );
    let tls = found[0];
    assert_eq!(tls.source, ReportSource::Nessus);
    assert_eq!(tls.check_id, "104743");
    assert_eq!(tls.family.as_deref(), Some("Service detection"));
    assert_eq!((tls.port, tls.protocol), (Some(443), Some(Protocol::Tcp)));
    assert_eq!(tls.level, ReportedLevel::Medium);
    let cvss = tls.cvss.unwrap();
    assert_eq!((cvss.score, cvss.version), (6.5, 3), "CVSS v3 first");
    assert_eq!(
        tls.output,
        "TLSv1 is enabled & the server supports at least one cipher <AES128-SHA>."
    );
    assert!(tls.solution.starts_with("Enable support for TLS 1.2"));
    assert!(tls.synopsis.contains("older version of TLS"));

    let mysql = found[2];
    assert_eq!(mysql.cves, ["CVE-2023-22015", "CVE-2023-22026"]);
    assert_eq!(mysql.level, ReportedLevel::High);
    assert!(mysql.output.contains("Installed version : 5.7.42\n"));

    let icmp = found[3];
    assert_eq!((icmp.port, icmp.protocol), (None, None), "about the host");
    let cvss = icmp.cvss.unwrap();
    assert_eq!(
        (cvss.score, cvss.version),
        (2.1, 2),
        "v2 when there is no v3"
    );

    let snmp = found[4];
    assert_eq!(snmp.address, ip("198.18.0.20"), "the name, when no host-ip");

    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert!(outcome.warnings[0].contains("'office-printer' has no IP address"));
    assert!(matches!(
        items.last(),
        Some(Item::Event(ScanEvent::Finished(summary))) if !summary.partial && summary.hosts_up == 2 && summary.open_ports == 4
    ));
}

#[test]
fn a_report_cut_short_keeps_the_hosts_it_finished() {
    let cut = REPORT.find("<ReportHost name=\"office-printer\"").unwrap() + 40;
    let (items, outcome) = read(&REPORT[..cut]).unwrap();
    assert!(!outcome.complete);
    assert_eq!(reported(&items).len(), 4, "the first host's problems");
    assert!(
        outcome
            .warnings
            .iter()
            .any(|warning| warning.contains("middle of a host"))
    );
    assert!(matches!(
        items.last(),
        Some(Item::Event(ScanEvent::Finished(summary))) if summary.partial
    ));
}

#[test]
fn other_files_and_hostile_ones_are_refused_with_why() {
    let nmap = r#"<?xml version="1.0"?><nmaprun scanner="nmap"></nmaprun>"#;
    let error = read(nmap).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("expected Nessus report (.nessus), but its first element is <nmaprun>"),
        "{error}"
    );

    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE NessusClientData_v2 [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<NessusClientData_v2><Report name="&lol2;"/></NessusClientData_v2>"#;
    assert!(matches!(
        read(laughs),
        Err(FormatError::DocumentType { .. })
    ));

    let external = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><NessusClientData_v2>&x;</NessusClientData_v2>"#;
    assert!(matches!(
        read(external),
        Err(FormatError::DocumentType { .. })
    ));

    let bad_port = REPORT.replace("port=\"3306\"", "port=\"mysql\"");
    let error = read(&bad_port).unwrap_err();
    assert!(
        error.to_string().contains("'mysql' is not a port number"),
        "{error}"
    );

    let bad_utf8 = [
        &REPORT.as_bytes()[..200],
        &[0xff, 0xfe, 0xc3][..],
        &REPORT.as_bytes()[200..],
    ]
    .concat();
    assert!(read_with(&bad_utf8[..], Limits::default()).is_err());
}

/// A file of one endless line: refused after the element limit, with
/// memory to match.
#[test]
fn an_endless_line_is_refused_without_reading_it_all() {
    struct Endless(u64);
    impl Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Ok(0);
            }
            let n = out.len().min(usize::try_from(self.0).unwrap_or(usize::MAX));
            out[..n].fill(b'a');
            self.0 -= n as u64;
            Ok(n)
        }
    }
    let head = b"<NessusClientData_v2><Report name=\"".as_slice();
    let limits = Limits {
        element_bytes: 64 * 1024,
        field_chars: 256,
    };
    let input = head.chain(Endless(2 * 1024 * 1024 * 1024));
    assert!(matches!(
        read_with(input, limits),
        Err(FormatError::TooLong { limit: 65536, .. })
    ));
}

#[test]
fn stopping_stops_the_reader() {
    let mut seen = 0;
    let result = read_nessus(REPORT.as_bytes(), Limits::default(), &mut |_| {
        seen += 1;
        seen < 3
    });
    assert!(matches!(result, Err(FormatError::Stopped)));
    assert_eq!(seen, 3);
}
