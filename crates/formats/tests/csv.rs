//! The CSV findings-list reader on the files Excel writes (by hand here,
//! from the documented layout: UTF-8 with a BOM, "Unicode text" in
//! UTF-16LE with tabs, Windows-1252, semicolons), on files with mistakes,
//! and on hostile ones.

mod common;

use common::{events, reported};
use std::io::{BufReader, Read};
use std::net::IpAddr;

use portcullis_formats::{FormatError, ImportFormat, Item, Limits, ReadOutcome, read_csv, sniff};
use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
use portcullis_model::scan::{PortState, Protocol, Reason, ScanEvent};

/// Every column of the layout, and five findings: a medium one with
/// commas and a line break in quoted cells (lines 2-3) and "é" and "–" in
/// its solution, an informational one, one about a host as a whole, a low
/// one marked false positive and an informational one marked so too.
const FINDINGS: [[&str; 14]; 6] = [
    [
        "Host",
        " hostname ",
        "PORT",
        "protocol",
        "service",
        "finding",
        "severity",
        "cvss",
        "cve",
        "id",
        "description",
        "solution",
        "evidence",
        "false positive",
    ],
    [
        "198.18.0.10",
        "shop.example",
        "443",
        "tcp",
        "www",
        "TLS 1.0, an obsolete protocol",
        "Medium",
        "6.5",
        "CVE-2011-3389, cve-2015-0204",
        "asv-101",
        "The server accepts TLS 1.0.\nClients may be downgraded.",
        "Désactiver TLS 1.0 – utiliser TLS 1.2",
        "Accepted: TLS1.0, TLS1.1; \"strict\" off",
        "no",
    ],
    [
        "198.18.0.10",
        "shop.example",
        "22",
        "TCP",
        "ssh",
        "SSH server detected",
        "info",
        "",
        "",
        "",
        "",
        "",
        "SSH-2.0-OpenSSH_9.2",
        "",
    ],
    [
        "198.18.0.11",
        "",
        "0",
        "",
        "",
        "Operating system past its end of life",
        "HIGH",
        "",
        "",
        "",
        "",
        "Upgrade",
        "",
        "",
    ],
    [
        "203.0.113.5",
        "",
        "161",
        "udp",
        "snmp",
        "SNMP default community",
        "low",
        "",
        "CVE-1999-0517",
        "",
        "",
        "",
        "",
        "yes",
    ],
    [
        "203.0.113.6",
        "",
        "",
        "",
        "",
        "Traceroute",
        "log",
        "",
        "",
        "",
        "",
        "",
        "",
        "TRUE",
    ],
];

/// `rows` as Excel writes them with `delimiter`: CRLF between rows, a
/// cell quoted when it holds the delimiter, a quote or a line break.
fn sheet<R: AsRef<[C]>, C: AsRef<str>>(rows: &[R], delimiter: char) -> String {
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .as_ref()
            .iter()
            .map(|cell| quoted(cell.as_ref(), delimiter))
            .collect();
        text.push_str(&cells.join(&delimiter.to_string()));
        text.push_str("\r\n");
    }
    text
}

fn quoted(cell: &str, delimiter: char) -> String {
    if cell.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn utf8_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Excel's "Unicode text": UTF-16LE after its BOM.
fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// Windows-1252, for the characters the fixtures use.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'é' => 0xe9,
            '–' => 0x96,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in the test's Windows-1252"),
        })
        .collect()
}

fn read(bytes: &[u8]) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    read_with(bytes, Limits::default())
}

fn read_with(input: impl Read, limits: Limits) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    common::collect(|emit| read_csv(BufReader::new(input), limits, emit))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn a_utf8_sheet_gives_its_run_findings_hosts_and_ports() {
    let (items, outcome) = read(&utf8_with_bom(&sheet(&FINDINGS, ','))).expect("it imports");
    assert!(outcome.complete);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let Item::Run(run) = &items[0] else {
        panic!("the first item is not the run: {:?}", items[0]);
    };
    assert_eq!(run.scanner, "CSV findings list");
    assert_eq!(run.targets, "imported");
    assert_eq!(run.args, "");
    assert_eq!(run.started_unix, None);
    assert!(run.coverage.tcp.is_empty() && !run.coverage.identification);
    assert_eq!(
        items
            .iter()
            .filter(|item| matches!(item, Item::Run(_)))
            .count(),
        1
    );

    let found = reported(&items);
    assert_eq!(found.len(), 4, "the informational row is not an item");
    assert_eq!(
        *found[0],
        ReportedItem {
            source: ReportSource::Csv,
            check_id: "asv-101".into(),
            name: "TLS 1.0, an obsolete protocol".into(),
            family: None,
            address: ip("198.18.0.10"),
            port: Some(443),
            protocol: Some(Protocol::Tcp),
            service: Some("www".into()),
            level: ReportedLevel::Medium,
            cvss: Some(CvssScore {
                score: 6.5,
                version: 3
            }),
            cves: vec!["CVE-2011-3389".into(), "CVE-2015-0204".into()],
            synopsis: "The server accepts TLS 1.0.\nClients may be downgraded.".into(),
            solution: "Désactiver TLS 1.0 – utiliser TLS 1.2".into(),
            output: "Accepted: TLS1.0, TLS1.1; \"strict\" off".into(),
            false_positive: false,
            quality: None,
        }
    );
    let host_wide = found[1];
    assert_eq!(host_wide.check_id, "Operating system past its end of life");
    assert_eq!(host_wide.level, ReportedLevel::High);
    assert_eq!((host_wide.port, host_wide.protocol), (None, None));
    assert_eq!(host_wide.cvss, None);
    assert_eq!(host_wide.synopsis, "");
    assert_eq!(found[2].protocol, Some(Protocol::Udp));
    assert!(found[2].false_positive);
    assert_eq!(found[3].level, ReportedLevel::Info);
    assert!(found[3].false_positive, "an info row marked so is kept");

    // The hosts come after the findings, with the ports the rows name
    // (the informational SSH row's too), each once.
    let first_event = items
        .iter()
        .position(|item| matches!(item, Item::Event(_)))
        .unwrap();
    assert!(
        items[first_event..]
            .iter()
            .all(|item| matches!(item, Item::Event(_)))
    );
    let events = events(&items);
    let hosts: Vec<(IpAddr, Option<&str>)> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Host(host) => Some((host.address, host.name.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        hosts,
        vec![
            (ip("198.18.0.10"), Some("shop.example")),
            (ip("198.18.0.11"), None),
            (ip("203.0.113.5"), None),
            (ip("203.0.113.6"), None),
        ]
    );
    let ports: Vec<(IpAddr, u16, Protocol, Option<&str>)> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Port(port) => {
                assert_eq!(port.state, PortState::Open);
                assert_eq!(port.reason, Reason::Reported);
                Some((
                    port.address,
                    port.port,
                    port.protocol,
                    port.service.as_deref(),
                ))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ports,
        vec![
            (ip("198.18.0.10"), 22, Protocol::Tcp, Some("ssh")),
            (ip("198.18.0.10"), 443, Protocol::Tcp, Some("www")),
            (ip("203.0.113.5"), 161, Protocol::Udp, Some("snmp")),
        ]
    );
    let Some(ScanEvent::Finished(summary)) = events.last() else {
        panic!("the last event is not the end: {:?}", events.last());
    };
    assert_eq!((summary.hosts_up, summary.open_ports), (4, 3));
    assert!(!summary.partial);
}

/// The same findings in each encoding and with each delimiter Excel
/// writes give the same items.
#[test]
fn every_encoding_and_delimiter_gives_the_same_items() {
    let (expected, _) = read(&utf8_with_bom(&sheet(&FINDINGS, ','))).unwrap();
    let files = [
        ("UTF-16LE, tabs", utf16le(&sheet(&FINDINGS, '\t'))),
        ("Windows-1252", windows_1252(&sheet(&FINDINGS, ','))),
        (
            "Windows-1252, semicolons",
            windows_1252(&sheet(&FINDINGS, ';')),
        ),
        ("UTF-8, semicolons", sheet(&FINDINGS, ';').into_bytes()),
        (
            "UTF-8, tabs, LF",
            sheet(&FINDINGS, '\t').replace("\r\n", "\n").into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        let (items, outcome) = read(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(
            outcome.warnings.is_empty(),
            "{name}: {:?}",
            outcome.warnings
        );
        assert_eq!(items, expected, "{name}");
    }
    let (items, _) = read(&windows_1252(&sheet(&FINDINGS, ','))).unwrap();
    assert_eq!(
        reported(&items)[0].solution,
        "Désactiver TLS 1.0 – utiliser TLS 1.2"
    );
}

#[test]
fn columns_in_another_order_with_an_unknown_one_give_the_same_items_and_a_warning() {
    let rows: Vec<Vec<&str>> = FINDINGS
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let mut cells: Vec<&str> = row.iter().rev().copied().collect();
            cells.insert(3, if index == 0 { " Notes " } else { "ask Bob" });
            cells
        })
        .collect();
    let (items, outcome) = read(sheet(&rows, ',').as_bytes()).unwrap();
    let (expected, _) = read(sheet(&FINDINGS, ',').as_bytes()).unwrap();
    assert_eq!(reported(&items), reported(&expected));
    assert_eq!(
        outcome.warnings,
        vec!["the header line names columns Portcullis does not read; they were ignored: Notes"]
    );
    assert!(events(&items).contains(&&ScanEvent::Warning {
        message: outcome.warnings[0].clone()
    }));
}

#[test]
fn a_numeric_severity_is_a_cvss_score_and_gives_the_level() {
    let text = "host;port;protocol;finding;severity;cvss\n\
                198.18.0.1;443;tcp;a;9.8;\n\
                198.18.0.1;443;tcp;b;7;\n\
                198.18.0.1;443;tcp;c;4,0;\n\
                198.18.0.1;443;tcp;d;0.1;\n\
                198.18.0.1;443;tcp;e;0;\n\
                198.18.0.1;443;tcp;f;5;7,5\n\
                198.18.0.1;443;tcp;g;low;3.1\n";
    let (items, _) = read(text.as_bytes()).unwrap();
    let found: Vec<(&str, ReportedLevel, Option<f32>)> = reported(&items)
        .iter()
        .map(|item| {
            assert!(item.cvss.is_none_or(|cvss| cvss.version == 3));
            (
                item.name.as_str(),
                item.level,
                item.cvss.map(|cvss| cvss.score),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("a", ReportedLevel::Critical, Some(9.8)),
            ("b", ReportedLevel::High, Some(7.0)),
            ("c", ReportedLevel::Medium, Some(4.0)),
            ("d", ReportedLevel::Low, Some(0.1)),
            ("f", ReportedLevel::Medium, Some(7.5)),
            ("g", ReportedLevel::Low, Some(3.1)),
        ]
    );
}

#[test]
fn a_formula_is_kept_as_text_and_warned_of() {
    let text = "host,port,protocol,finding,severity,description\r\n\
                198.18.0.1,80,tcp,Plain,high,\r\n\
                198.18.0.1,80,tcp,\"=HYPERLINK(\"\"http://203.0.113.9\"\",\"\"x\"\")\",high,=cmd|' /C calc'!A0\r\n";
    let (items, outcome) = read(text.as_bytes()).unwrap();
    let found = reported(&items);
    assert_eq!(found[1].name, "=HYPERLINK(\"http://203.0.113.9\",\"x\")");
    assert_eq!(found[1].synopsis, "=cmd|' /C calc'!A0");
    assert_eq!(
        outcome.warnings,
        vec![
            "line 3, column 4 (finding) starts like a spreadsheet formula; it was kept as plain text",
            "line 3, column 6 (description) starts like a spreadsheet formula; it was kept as plain text",
        ]
    );
}

#[test]
fn many_formulas_give_a_few_warnings_and_a_count() {
    let mut text = String::from("host,port,protocol,finding,severity,solution\n");
    for start in ["=1+1", "+1", "-2", "@SUM(A1)", "=A1", "=B2"] {
        text.push_str(&format!("198.18.0.1,80,tcp,{start},high,-\n"));
    }
    let (_, outcome) = read(text.as_bytes()).unwrap();
    assert_eq!(outcome.warnings.len(), 4, "{:?}", outcome.warnings);
    assert_eq!(
        outcome.warnings[3],
        "3 more cells start like a spreadsheet formula; they were kept as plain text"
    );
}

/// The line and column of the cell `text` is refused for, with why.
fn cell_error(text: &str) -> (u64, u64, String) {
    match read(text.as_bytes()) {
        Err(FormatError::Cell { line, column, why }) => (line, column, why),
        Err(other) => panic!("not a cell error: {other}"),
        Ok(_) => panic!("imported:\n{text}"),
    }
}

const HEADER: &str = "host,port,protocol,finding,severity\n";

#[test]
fn a_bad_cell_is_named_by_line_and_column() {
    // Line 2's quoted cell runs onto line 3, so the bad row is on line 4.
    let text =
        format!("{HEADER}198.18.0.1,443,tcp,\"two\nlines\",high\n198.18.0.1,http,tcp,x,high\n");
    let (line, column, why) = cell_error(&text);
    assert_eq!((line, column), (4, 2));
    assert_eq!(why, "the port 'http' is not a port number (0-65535)");
    let error = read(text.as_bytes()).unwrap_err().to_string();
    assert_eq!(
        error,
        "line 4, column 2: the port 'http' is not a port number (0-65535)"
    );

    let (line, column, why) = cell_error(&format!("{HEADER}198.18.0.1,-1,tcp,x,high\n"));
    assert_eq!((line, column), (2, 2));
    assert!(why.contains("'-1' is not a port number"), "{why}");
    let (_, _, why) = cell_error(&format!("{HEADER}198.18.0.1,65536,tcp,x,high\n"));
    assert!(why.contains("'65536'"), "{why}");

    let (line, column, why) = cell_error(&format!(
        "{HEADER}198.18.0.1,,,x,high\n198.18.0.300,22,tcp,x,high\n"
    ));
    assert_eq!((line, column), (3, 1));
    assert_eq!(
        why,
        "the host '198.18.0.300' is not an IPv4 or IPv6 address"
    );

    let (line, column, why) = cell_error(&format!("{HEADER}198.18.0.1,22,tcp,x,urgent\n"));
    assert_eq!((line, column), (2, 5));
    assert!(
        why.contains("'urgent'") && why.contains("CVSS score"),
        "{why}"
    );
    let (_, column, _) = cell_error(&format!("{HEADER}198.18.0.1,22,tcp,x,11\n"));
    assert_eq!(column, 5);
    let (_, column, why) = cell_error(&format!("{HEADER}198.18.0.1,22,tcp,x,\n"));
    assert_eq!(column, 5);
    assert!(why.contains("empty"), "{why}");

    let (_, column, why) = cell_error(&format!("{HEADER}198.18.0.1,22,,x,high\n"));
    assert_eq!(column, 3);
    assert!(why.contains("tcp or udp"), "{why}");
    let (_, column, _) = cell_error(&format!("{HEADER}198.18.0.1,22,icmp,x,high\n"));
    assert_eq!(column, 3);
    let (_, column, _) = cell_error(&format!("{HEADER}198.18.0.1,22,tcp,  ,high\n"));
    assert_eq!(column, 4);

    let (line, column, why) = cell_error(
        "severity,finding,cve,host,port,protocol\n\
         low,x,CVE-2014-3566 not-a-cve,198.18.0.1,22,tcp\n",
    );
    assert_eq!((line, column), (2, 3));
    assert!(why.contains("'not-a-cve'"), "{why}");
    let (_, column, _) = cell_error(
        "false_positive,finding,severity,host,port,protocol\n\
         maybe,x,low,198.18.0.1,22,tcp\n",
    );
    assert_eq!(column, 1);
}

/// Excel writes CRLF, old Mac Excel a lone CR, hand-edited files LF and
/// blank lines: every kind of line break counts as one line, blank lines
/// too, and a quoted cell keeps its blank line.
#[test]
fn lines_are_counted_whatever_the_line_breaks() {
    let rows = [
        "",
        "host,port,protocol,finding,severity,description",
        "198.18.0.1,22,tcp,x,high,\"para one",
        "",
        "para two\"",
        "",
        "198.18.0.1,23,tcp,x,urgent,",
    ];
    for newline in ["\r\n", "\n", "\r"] {
        let text = rows.join(newline);
        let (line, column, _) = cell_error(&text);
        assert_eq!((line, column), (7, 5), "{newline:?}");
        let fixed = text.replace("urgent", "low");
        let (items, _) = read(fixed.as_bytes()).unwrap();
        assert_eq!(
            reported(&items)[0].synopsis,
            "para one\n\npara two",
            "{newline:?}"
        );
    }
    let (expected, _) = read(sheet(&FINDINGS, ',').as_bytes()).unwrap();
    let old_mac = sheet(&FINDINGS, ',')
        .replace("\r\n", "\r")
        .replace('\n', "\r");
    let (items, _) = read(old_mac.as_bytes()).unwrap();
    assert_eq!(items, expected);
    // In UTF-16 too.
    let (line, column, _) = match read(&utf16le(&rows.join("\r\n"))) {
        Err(FormatError::Cell { line, column, why }) => (line, column, why),
        other => panic!("not a cell error: {other:?}"),
    };
    assert_eq!((line, column), (7, 5));
}

#[test]
fn a_header_without_the_required_columns_names_what_it_has_and_lacks() {
    let error = read(b"Host,Port,Protocol,Name,Risk\n198.18.0.1,22,tcp,x,high\n").unwrap_err();
    let FormatError::WrongKind { expected, found } = &error else {
        panic!("not a wrong kind: {error}");
    };
    assert_eq!(*expected, ImportFormat::Csv.name());
    assert!(
        found.contains("'Host', 'Port', 'Protocol', 'Name', 'Risk'"),
        "{found}"
    );
    assert!(found.ends_with("and lacks finding, severity"), "{found}");

    let error = read(b"host,port,protocol,finding,severity,Port\n").unwrap_err();
    assert!(
        matches!(
            error,
            FormatError::Cell {
                line: 1,
                column: 6,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_file_without_a_header_line_is_refused() {
    for empty in [&b""[..], b"\r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe"] {
        let error = read(empty).unwrap_err();
        assert!(error.to_string().contains("no header line"), "{error}");
    }
    let error = read(b"198.18.0.1,22,tcp,SSH,high\n").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is a row of data, not a header line"),
        "{error}"
    );
}

#[test]
fn a_header_alone_imports_nothing_and_says_so() {
    let (items, outcome) = read(HEADER.as_bytes()).unwrap();
    assert!(matches!(items[0], Item::Run(_)));
    assert!(reported(&items).is_empty());
    assert_eq!(
        outcome.warnings,
        vec!["the spreadsheet has a header line but no findings"]
    );
}

#[test]
fn blank_rows_are_skipped_and_extra_cells_warned_of() {
    let text = format!("\r\n{HEADER},,,,\n198.18.0.1,22,tcp,x,high,surplus\n");
    let (items, outcome) = read(text.as_bytes()).unwrap();
    assert_eq!(reported(&items).len(), 1);
    assert_eq!(outcome.warnings.len(), 1);
    assert!(
        outcome.warnings[0].contains("the first on line 4"),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn bytes_that_are_not_text_are_refused_clearly() {
    let zeros = vec![0u8; 4096];
    let error = read(&zeros).unwrap_err();
    assert!(
        matches!(error, FormatError::Invalid { at: 0, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("not text"), "{error}");
    // An .xlsx workbook is a zip archive.
    let error = read(b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0").unwrap_err();
    assert!(error.to_string().contains("not text"), "{error}");
    // UTF-16 without its BOM.
    let error = read(b"h\0o\0s\0t\0,\0p\0o\0r\0t\0").unwrap_err();
    assert!(error.to_string().contains("not text"), "{error}");
    // UTF-16 with half of a surrogate pair.
    let mut bytes = utf16le(HEADER);
    bytes.extend_from_slice(&[0x00, 0xd8, b'1', 0]);
    let error = read(&bytes).unwrap_err();
    assert!(error.to_string().contains("UTF-16"), "{error}");
    // UTF-8 with an "é", then a byte that is not UTF-8.
    let text = format!("{HEADER}198.18.0.1,22,tcp,caf\u{e9},high\n198.18.0.1,22,tcp,\u{e9}\u{1}");
    let mut bytes = text.into_bytes();
    bytes.push(0xe9);
    let error = read(&bytes).unwrap_err();
    assert!(matches!(error, FormatError::Invalid { .. }), "{error}");
    assert!(error.to_string().contains("UTF-8"), "{error}");
}

/// A header line, then `length` bytes of `fill` made as they are read:
/// a 2 GB file that never exists.
struct Endless {
    header: &'static [u8],
    fill: u8,
    length: u64,
    given: u64,
}

impl Read for Endless {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() && self.given < self.header.len() as u64 + self.length {
            out[n] = match self.header.get(self.given as usize) {
                Some(byte) => *byte,
                None => self.fill,
            };
            n += 1;
            self.given += 1;
        }
        Ok(n)
    }
}

const GB2: u64 = 2 * 1024 * 1024 * 1024;

fn small() -> Limits {
    Limits {
        element_bytes: 64 * 1024,
        field_chars: 256,
    }
}

/// The reader stops at the limit (and its buffer), not at the line's end:
/// a 2 GB line costs no more memory than that.
#[test]
fn a_2gb_line_is_refused_without_reading_it_whole() {
    let headers: [&'static [u8]; 3] = [
        b"host,port,protocol,finding,severity\n198.18.0.1,22,tcp,",
        b"host,port,protocol,finding,severity\n198.18.0.1,22,tcp,\"",
        b"host,port,",
    ];
    for header in headers {
        let input = Endless {
            header,
            fill: b'a',
            length: GB2,
            given: 0,
        };
        let mut given = 0;
        let result = read_csv(BufReader::new(input), small(), &mut |_| {
            given += 1;
            true
        });
        match result {
            Err(FormatError::TooLong { limit, .. }) => assert_eq!(limit, 64 * 1024),
            Err(other) => panic!("not refused as too long: {other}"),
            Ok(_) => panic!("a 2 GB line imported"),
        }
    }
}

#[test]
fn a_row_longer_than_the_limit_is_refused_and_one_within_it_is_not() {
    let limits = Limits {
        element_bytes: 1000,
        field_chars: 256,
    };
    let row = |length: usize| {
        format!(
            "{HEADER}198.18.0.1,22,tcp,{},high\n",
            "a".repeat(length - "198.18.0.1,22,tcp,,high\n".len())
        )
    };
    assert!(read_with(row(1000).as_bytes(), limits).is_ok());
    let error = read_with(row(1001).as_bytes(), limits).unwrap_err();
    assert!(
        matches!(
            error,
            FormatError::TooLong {
                at: 36,
                limit: 1000
            }
        ),
        "{error}"
    );
    let (items, _) = read_with(row(1000).as_bytes(), limits).unwrap();
    assert!(reported(&items)[0].name.ends_with(" [cut]"));
}

#[test]
fn a_stopped_import_stops() {
    let bytes = sheet(&FINDINGS, ',');
    let mut seen = 0;
    let result = read_csv(bytes.as_bytes(), Limits::default(), &mut |item| {
        seen += 1;
        !matches!(item, Item::Reported(_))
    });
    assert!(matches!(result, Err(FormatError::Stopped)));
    assert_eq!(seen, 2, "nothing is handed on after the stop");
}

#[test]
fn sniffing_tells_a_findings_list_from_xml() {
    let files = [
        utf8_with_bom(&sheet(&FINDINGS, ',')),
        utf16le(&sheet(&FINDINGS, '\t')),
        windows_1252(&sheet(&FINDINGS, ';')),
        sheet(&FINDINGS, '\t').into_bytes(),
    ];
    for file in files {
        let head = &file[..file.len().min(4096)];
        assert_eq!(sniff(head), Some(ImportFormat::Csv));
    }
    let quoting_xml = "host,port,protocol,finding,severity,evidence\n\
                       198.18.0.1,443,tcp,x,high,<nmaprun><report format_id=\"x\">\n";
    assert_eq!(sniff(quoting_xml.as_bytes()), Some(ImportFormat::Csv));
    let nmap = b"<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner=\"nmap\">\n<host><address addr=\"198.18.0.1\"/><port portid=\"22\"/></host>";
    assert_eq!(sniff(nmap), Some(ImportFormat::NmapXml));
    let nessus =
        b"<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report><ReportHost name=\"198.18.0.1\">";
    assert_eq!(sniff(nessus), Some(ImportFormat::Nessus));
    assert_eq!(
        sniff(b"<hosts><host>198.18.0.1</host><port>22</port></hosts>"),
        None
    );
    assert_eq!(sniff(b"<host,port>\n"), None);
    assert_eq!(sniff(b"address,service\n198.18.0.1,ssh\n"), None);
}

/// The example in the documentation merchants and ASVs read imports as it
/// says: four rows, three findings.
#[test]
fn the_documented_example_imports() {
    let page = include_str!("../../../docs/import-csv.md");
    let example = page
        .split("```csv\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the page has a CSV example");
    assert_eq!(sniff(example.as_bytes()), Some(ImportFormat::Csv));
    let (items, outcome) = read(example.as_bytes()).expect("the example imports");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let found = reported(&items);
    assert_eq!(found.len(), 3);
    assert_eq!(found[2].level, ReportedLevel::Medium);
    assert_eq!(
        found[2].cvss,
        Some(CvssScore {
            score: 5.0,
            version: 3
        })
    );
    assert!(found[2].false_positive);
}
