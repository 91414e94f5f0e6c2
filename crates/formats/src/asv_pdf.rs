//! An ASV's own PDF report, read for what it lists: every open port (the
//! ASV Program Guide has the report list each one) and each vulnerability
//! noted, with its severity and score. A PDF is made for people, not
//! programs, so what comes out is a proposal: rows in the CSV layout of
//! `docs/import-csv.md`, each with the line it came from, which the
//! merchant checks and corrects before anything is saved.
//!
//! The text comes from `pdf-extract`, run on the bytes in memory (a PDF
//! cannot be read as a stream); the file is capped in size, and a panic
//! in the extractor on a hostile file is an error, not a crash.

use std::net::IpAddr;

use portcullis_model::scan::Protocol;

use crate::text::one_line;
use crate::{FormatError, ImportFormat};
use portcullis_model::documents::inert_cell;

/// The largest ASV report read: reports run to a few megabytes.
pub const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

/// One row the report seems to say, for the merchant to confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedRow {
    pub host: IpAddr,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    /// The finding's words, or "Open port" for a port listed alone.
    pub finding: String,
    /// critical, high, medium, low or info, as the line says it.
    pub severity: String,
    pub cvss: Option<f32>,
    /// The line of the report it came from.
    pub line: String,
}

/// The report's text, extracted; refuses what is not a PDF.
pub fn asv_pdf_text(bytes: &[u8]) -> Result<String, FormatError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(FormatError::WrongKind {
            expected: ImportFormat::AsvPdf.name(),
            found: "it does not start with %PDF-".to_owned(),
        });
    }
    if bytes.len() > MAX_PDF_BYTES {
        return Err(FormatError::TooLong {
            at: 0,
            limit: MAX_PDF_BYTES as u64,
        });
    }
    let extracted = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    match extracted {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(error)) => Err(FormatError::Invalid {
            what: "the PDF",
            at: 0,
            why: one_line(&error.to_string(), 200),
        }),
        Err(_) => Err(FormatError::Invalid {
            what: "the PDF",
            at: 0,
            why: "its text could not be read".to_owned(),
        }),
    }
}

/// What the text seems to list: open ports and noted vulnerabilities.
///
/// The text is read as words, not lines: a PDF's table comes out of the
/// extractor one cell a line, or one row a line, or a paragraph a line.
/// An address starts an item; the words after it name the finding until
/// a port, a severity, a score or a pass/fail word; a name that follows
/// those starts the next item of the same address (reports list a host
/// once, then its items). Words with none of those after them (headings,
/// page footers) are left out.
pub fn propose(text: &str) -> Vec<ProposedRow> {
    let words: Vec<&str> = text.split_whitespace().flat_map(split_word).collect();
    let mut rows: Vec<ProposedRow> = Vec::new();
    let mut item: Option<Item> = None;
    for (index, word) in words.iter().enumerate() {
        let word = *word;
        if let Ok(address) = word.parse::<IpAddr>() {
            flush(&mut item, &mut rows);
            item = Some(Item::new(address));
            continue;
        }
        let Some(current) = &mut item else { continue };
        let previous = index.checked_sub(1).map(|i| words[i]);
        let next = words.get(index + 1).copied();
        if let Some((port, protocol)) = port_of(word) {
            current.port.get_or_insert((port, protocol));
            current.ended = true;
        } else if let Some(severity) = severity_of(word) {
            current.severity.get_or_insert(severity);
            current.ended = true;
        } else if let Some(score) = score_of(word).filter(|_| is_scored(previous, next)) {
            current.cvss.get_or_insert(score);
            current.ended = true;
        } else if is_status(word) {
            current.ended = true;
        } else {
            if current.ended {
                let address = current.address;
                flush(&mut item, &mut rows);
                item = Some(Item::new(address));
            }
            if let Some(current) = &mut item {
                current.words.push(word);
            }
        }
        if let Some(current) = &mut item {
            current.line.push(word);
        }
    }
    flush(&mut item, &mut rows);
    rows.dedup_by(|a, b| a.host == b.host && a.port == b.port && a.finding == b.finding);
    rows
}

/// An item being read: its address, the words naming it, and what the
/// words after them said.
struct Item<'t> {
    address: IpAddr,
    words: Vec<&'t str>,
    port: Option<(u16, Protocol)>,
    severity: Option<&'static str>,
    cvss: Option<f32>,
    /// A port, severity, score or status has come: a name after it is the
    /// next item's.
    ended: bool,
    /// Every word of the item, for the evidence.
    line: Vec<&'t str>,
}

impl<'t> Item<'t> {
    fn new(address: IpAddr) -> Item<'t> {
        Item {
            address,
            words: Vec::new(),
            port: None,
            severity: None,
            cvss: None,
            ended: false,
            line: Vec::new(),
        }
    }
}

/// Turns the item read into a row, if it said anything a row can hold.
fn flush(item: &mut Option<Item<'_>>, rows: &mut Vec<ProposedRow>) {
    let Some(item) = item.take() else { return };
    if item.port.is_none() && item.severity.is_none() && item.cvss.is_none() {
        return;
    }
    let finding = one_line(&item.words.join(" "), 300);
    let only_a_port = item.severity.is_none() && item.cvss.is_none();
    let line = one_line(&format!("{} {}", item.address, item.line.join(" ")), 400);
    rows.push(ProposedRow {
        host: item.address,
        port: item.port.map(|(port, _)| port),
        protocol: item.port.map(|(_, protocol)| protocol),
        finding: if finding.is_empty() {
            if only_a_port {
                "Open port".to_owned()
            } else {
                "A finding (see the evidence)".to_owned()
            }
        } else {
            finding
        },
        severity: item
            .severity
            .map(str::to_owned)
            .or_else(|| item.cvss.map(severity_of_score))
            .unwrap_or_else(|| "info".to_owned()),
        cvss: item.cvss,
        line,
    });
}

/// Splits a word glued to table punctuation ("|", ",", ";"), and an
/// address glued to the word before it ("Component203.0.113.10": an
/// extractor may join a heading to the first cell).
fn split_word(word: &str) -> impl Iterator<Item = &str> {
    word.split(['|', ',', ';'])
        .map(|part| part.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ':')))
        .filter(|part| !part.is_empty())
        .flat_map(unglue_address)
}

/// `word` as one piece, or as the text before an address and the address.
fn unglue_address(word: &str) -> Vec<&str> {
    if word.parse::<IpAddr>().is_ok() {
        return vec![word];
    }
    let glued = word.char_indices().find(|&(at, c)| {
        at > 0
            && c.is_ascii_digit()
            && !word[..at].ends_with(|p: char| p.is_ascii_digit() || p == '.')
            && word[at..].parse::<std::net::Ipv4Addr>().is_ok()
    });
    match glued {
        Some((at, _)) => vec![&word[..at], &word[at..]],
        None => vec![word],
    }
}

/// Whether a number is a score here: after a severity or "CVSS", or
/// before a pass/fail word ("TLS Version 1.0 Protocol" holds a version).
fn is_scored(previous: Option<&str>, next: Option<&str>) -> bool {
    previous.is_some_and(|word| severity_of(word).is_some() || word.eq_ignore_ascii_case("cvss"))
        || next.is_some_and(is_status)
}

fn is_status(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "pass" | "fail" | "failed" | "passed"
    )
}

/// The proposal as a CSV findings list (docs/import-csv.md), with the
/// report's line as the evidence, every cell inert in a spreadsheet: the
/// merchant opens it in one to correct it.
pub fn proposal_csv(rows: &[ProposedRow]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "host", "port", "protocol", "finding", "severity", "cvss", "evidence",
        ])
        .expect("CSV into memory cannot fail");
    for row in rows {
        let cells = [
            row.host.to_string(),
            row.port.map(|p| p.to_string()).unwrap_or_default(),
            row.protocol
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            row.finding.clone(),
            row.severity.clone(),
            row.cvss.map(|c| format!("{c:.1}")).unwrap_or_default(),
            format!("From the ASV's PDF: {}", row.line),
        ];
        writer
            .write_record(cells.iter().map(|cell| inert_cell(cell).into_owned()))
            .expect("CSV into memory cannot fail");
    }
    let bytes = writer.into_inner().expect("CSV into memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
}

/// "443/tcp", "tcp/443", "443/TCP".
fn port_of(word: &str) -> Option<(u16, Protocol)> {
    let (left, right) = word.split_once('/')?;
    let protocol = |text: &str| match text.to_ascii_lowercase().as_str() {
        "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        _ => None,
    };
    match (left.parse::<u16>(), right.parse::<u16>()) {
        (Ok(port), Err(_)) => Some((port, protocol(right)?)),
        (Err(_), Ok(port)) => Some((port, protocol(left)?)),
        _ => None,
    }
}

fn severity_of(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "critical" => Some("critical"),
        "high" => Some("high"),
        "medium" => Some("medium"),
        "low" => Some("low"),
        _ => None,
    }
}

/// A CVSS score: a number from 0.0 to 10.0 written with one decimal.
fn score_of(word: &str) -> Option<f32> {
    let (whole, tenth) = word.split_once('.')?;
    if whole.is_empty() || whole.len() > 2 || tenth.len() != 1 {
        return None;
    }
    let score: f32 = word.parse().ok()?;
    (0.0..=10.0).contains(&score).then_some(score)
}

fn severity_of_score(score: f32) -> String {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "info",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_findings_and_scores_are_read_from_a_reports_lines() {
        let text = "Part 3a. Vulnerabilities Noted for each Component\n\
                    203.0.113.10 TLS Version 1.0 Protocol Detection Medium 6.5 Fail 443/tcp\n\
                    MySQL 5.7.x < 5.7.44 Multiple Vulnerabilities High 7.5 Fail 3306/tcp\n\
                    Part 3c. Open ports\n\
                    203.0.113.11 tcp/22\n\
                    Page 2 of 9\n";
        // A heading glued to the first address, as an extractor may join them.
        let glued = text.replace("Component\n203.0.113.10", "Component203.0.113.10");
        assert_eq!(propose(&glued).len(), 3, "{:#?}", propose(&glued));
        // One cell a line, as some extractors give a table.
        let cells = text.replace(' ', "\n");
        assert_eq!(propose(&cells).len(), 3);
        let rows = propose(text);
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert_eq!(rows[0].finding, "TLS Version 1.0 Protocol Detection");
        assert_eq!(
            (rows[0].port, rows[0].severity.as_str()),
            (Some(443), "medium")
        );
        assert_eq!(rows[0].cvss, Some(6.5));
        assert_eq!(
            rows[1].host.to_string(),
            "203.0.113.10",
            "the host carries over"
        );
        assert_eq!(
            rows[1].finding,
            "MySQL 5.7.x < 5.7.44 Multiple Vulnerabilities"
        );
        assert_eq!(rows[2].finding, "Open port");
        assert_eq!(
            (rows[2].port, rows[2].protocol),
            (Some(22), Some(Protocol::Tcp))
        );
        let csv = proposal_csv(&rows);
        assert!(csv.starts_with("host,port,protocol,finding,severity,cvss,evidence\n"));
        assert!(
            csv.contains("203.0.113.11,22,tcp,Open port,info,,"),
            "{csv}"
        );
    }

    #[test]
    fn what_is_not_a_pdf_is_refused() {
        assert!(matches!(
            asv_pdf_text(b"<nmaprun>"),
            Err(FormatError::WrongKind { .. })
        ));
        assert!(asv_pdf_text(b"%PDF-1.7\nnot really").is_err());
    }
}
