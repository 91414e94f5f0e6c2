//! What an import of another tool's file gives back.

use serde::{Deserialize, Serialize};

use crate::judgement::Judgement;
use crate::scan_record::ScanRecord;

/// The kinds of file Portcullis imports. The serde name is the
/// [`id`](ImportFormat::id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportFormat {
    #[serde(rename = "nmap")]
    NmapXml,
    Nessus,
    #[serde(rename = "openvas")]
    Greenbone,
    Csv,
    /// An ASV's own PDF report: read to propose rows for the merchant to
    /// confirm, never saved as it is read.
    AsvPdf,
}

impl ImportFormat {
    /// Every kind, in the order a list of them is shown.
    pub const ALL: [ImportFormat; 5] = [
        ImportFormat::NmapXml,
        ImportFormat::Nessus,
        ImportFormat::Greenbone,
        ImportFormat::Csv,
        ImportFormat::AsvPdf,
    ];

    /// How a person would name the kind.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::NmapXml => "nmap XML (-oX)",
            ImportFormat::Nessus => "Nessus report (.nessus)",
            ImportFormat::Greenbone => "Greenbone/OpenVAS report (XML)",
            ImportFormat::Csv => "CSV findings list",
            ImportFormat::AsvPdf => "ASV report (PDF)",
        }
    }

    /// The word for the kind on a command line (`--format`).
    pub fn id(self) -> &'static str {
        match self {
            ImportFormat::NmapXml => "nmap",
            ImportFormat::Nessus => "nessus",
            ImportFormat::Greenbone => "openvas",
            ImportFormat::Csv => "csv",
            ImportFormat::AsvPdf => "asv-pdf",
        }
    }

    /// The kind whose [`id`](ImportFormat::id) is `id`.
    pub fn from_id(id: &str) -> Option<ImportFormat> {
        ImportFormat::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// The kinds a file's name claims by its extension: `.xml` is both
    /// nmap's and Greenbone's; a name with another ending claims nothing,
    /// and the content alone decides.
    pub fn claimed_by_name(name: &str) -> Option<&'static [ImportFormat]> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "xml" => Some(&[ImportFormat::NmapXml, ImportFormat::Greenbone]),
            "nessus" => Some(&[ImportFormat::Nessus]),
            "csv" => Some(&[ImportFormat::Csv]),
            "pdf" => Some(&[ImportFormat::AsvPdf]),
            _ => None,
        }
    }
}

/// A file imported as a recorded scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// What the file was ("nmap XML (-oX)").
    pub kind: String,
    /// The program and command line that wrote it.
    pub scanner: String,
    pub args: String,
    /// The scan it became.
    pub scan: ScanRecord,
    /// What the person should know about the file (an interrupted run).
    pub warnings: Vec<String>,
    /// The problems the report listed in its own words (Low and above),
    /// false positives included: none for nmap's files.
    #[serde(default)]
    pub reported_items: u64,
    /// Of those, the ones the scanner marked false positive: kept, and
    /// raising nothing.
    #[serde(default)]
    pub false_positives: u64,
    /// The SHA-256 of the original file, kept unchanged for the evidence
    /// pack; `None` if it could not be kept (a warning says why).
    #[serde(default)]
    pub original_sha256: Option<String>,
    /// Its findings, when the file held a whole run; a cut-off run is kept
    /// but not judged, as a cancelled scan is not.
    pub judgement: Option<Judgement>,
}

/// The scanners whose reports carry findings of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportSource {
    /// Tenable Nessus (.nessus, version 2), as Tenable-based ASVs export.
    Nessus,
    /// Greenbone / OpenVAS report XML.
    Greenbone,
    /// A spreadsheet in Portcullis's documented CSV layout.
    Csv,
}

impl ReportSource {
    /// The scanner's name, as a person says it.
    pub fn name(self) -> &'static str {
        match self {
            ReportSource::Nessus => "Nessus",
            ReportSource::Greenbone => "Greenbone (OpenVAS)",
            ReportSource::Csv => "the spreadsheet",
        }
    }

    /// What the scanner calls one of its checks.
    pub fn check_word(self) -> &'static str {
        match self {
            ReportSource::Nessus => "plugin",
            ReportSource::Greenbone => "NVT",
            ReportSource::Csv => "finding",
        }
    }
}

/// The scanner's own grading of an item, before Portcullis weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportedLevel {
    /// Information only (Nessus 0, Greenbone "Log").
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// A score in the Common Vulnerability Scoring System (CVSS), the 0 to 10
/// scale ASVs fail on (4.0 and up fails).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    pub score: f32,
    /// The CVSS version the score is in: 2, 3 or 4.
    pub version: u8,
}

/// One item of another scanner's report: a problem it found on a host or
/// a port, as the report words it. Every text came from a file and is as
/// hostile as a banner: bounded and made printable by the reader, never
/// rendered as HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedItem {
    pub source: ReportSource,
    /// The scanner's id of the check: a Nessus plugin id, a Greenbone NVT
    /// OID, the spreadsheet's finding.
    pub check_id: String,
    /// The check's name ("TLS Version 1.0 Protocol Detection").
    pub name: String,
    /// The check's family ("Service detection", "SSL and TLS").
    pub family: Option<String>,
    pub address: std::net::IpAddr,
    /// `None` for an item about the host as a whole (Nessus port 0,
    /// Greenbone "general/tcp").
    pub port: Option<u16>,
    pub protocol: Option<crate::scan::Protocol>,
    /// The service the scanner named on the port ("www", "ssh").
    pub service: Option<String>,
    pub level: ReportedLevel,
    pub cvss: Option<CvssScore>,
    /// CVE identifiers ("CVE-2014-3566").
    pub cves: Vec<String>,
    /// What is wrong, in the scanner's words.
    pub synopsis: String,
    /// What the scanner says to do.
    pub solution: String,
    /// What the scanner saw (a plugin's output, a result's description).
    pub output: String,
    /// The scanner (or a person in it) marked the item a false positive.
    pub false_positive: bool,
    /// Greenbone's quality of detection, 0 to 100.
    pub quality: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_ids_are_the_serde_names() {
        for format in ImportFormat::ALL {
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.id()));
            assert_eq!(ImportFormat::from_id(format.id()), Some(format));
        }
        assert_eq!(
            ImportFormat::claimed_by_name("scan.NESSUS"),
            Some(&[ImportFormat::Nessus][..])
        );
        assert_eq!(ImportFormat::claimed_by_name("report"), None);
    }
}

/// What an ASV's PDF report seems to list, proposed for the merchant to
/// confirm: as a CSV findings list (docs/import-csv.md) they correct and
/// then import, with the PDF kept as its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsvProposal {
    /// The PDF's SHA-256, to quote as the evidence's fingerprint.
    pub sha256: String,
    /// Rows proposed: open ports and findings.
    pub rows: u64,
    /// Distinct hosts among them.
    pub hosts: u64,
    /// Rows that are open ports only.
    pub open_ports: u64,
    /// The proposal, in the CSV layout, each row with the report's line.
    pub csv: String,
}
