//! What an import of another tool's file gives back.

use serde::{Deserialize, Serialize};

use crate::compliance::Exposure;
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The same rows, for the window to show before anything is saved.
    #[serde(default)]
    pub items: Vec<ProposedItem>,
}

/// One open port or finding an ASV's report seems to list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedItem {
    pub host: std::net::IpAddr,
    /// `None` for a finding about the host as a whole.
    pub port: Option<u16>,
    pub protocol: Option<crate::scan::Protocol>,
    /// "Open port", or the finding's name as the report gives it.
    pub finding: String,
    /// The report's word for its severity ("High", "Low"...).
    pub severity: String,
    pub cvss: Option<f32>,
}

/// What the window asks of an import: where the scan ran from, and
/// whether the ASV's PDF report proposed before (kept by the backend,
/// never named by the window) is the evidence of the chosen file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChoice {
    pub origin: Exposure,
    #[serde(default)]
    pub with_asv_report: bool,
}

/// How far an import has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub stage: ImportStage,
    /// Bytes of the file read so far, and its size.
    pub read_bytes: u64,
    pub total_bytes: u64,
}

/// The two parts of an import a person waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportStage {
    /// Reading the file and recording what it holds: can be cancelled,
    /// and then nothing is kept.
    Reading,
    /// Judging the recorded scan; no longer cancelled.
    Judging,
}

impl ImportProgress {
    /// Percent of the file read, 0 to 100.
    pub fn percent(&self) -> f64 {
        if self.total_bytes == 0 {
            return 0.0;
        }
        (self.read_bytes as f64 * 100.0 / self.total_bytes as f64).min(100.0)
    }
}

/// An import as the window tells it: the scan, and how many findings it
/// raised or touched, not the findings themselves (a sweep of a /15
/// raises tens of thousands; the findings page lists them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedScan {
    pub kind: String,
    pub scan: ScanRecord,
    pub warnings: Vec<String>,
    pub reported_items: u64,
    pub false_positives: u64,
    pub original_sha256: Option<String>,
    /// "Saved as scan 4: 2 new findings, 1 still open."; `None` for a run
    /// cut short, kept but not judged.
    pub judged: Option<String>,
    /// Findings the scan raised or changed.
    pub findings: u64,
}

impl From<ImportOutcome> for ImportedScan {
    fn from(outcome: ImportOutcome) -> ImportedScan {
        let findings = outcome.judgement.as_ref().map_or(0, |judgement| {
            (judgement.saved.new.len() + judgement.saved.updated.len()) as u64
        });
        ImportedScan {
            kind: outcome.kind,
            scan: outcome.scan,
            warnings: outcome.warnings,
            reported_items: outcome.reported_items,
            false_positives: outcome.false_positives,
            original_sha256: outcome.original_sha256,
            judged: outcome.judgement.map(|judgement| judgement.sentence),
            findings,
        }
    }
}

/// What a desktop import came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", content = "value", rename_all = "kebab-case")]
pub enum ImportAnswer {
    /// The file dialog was closed without a choice.
    Dismissed,
    /// The person stopped it; nothing was kept.
    Cancelled,
    Imported(Box<ImportedScan>),
    /// An ASV's PDF report, read and proposed: nothing is saved until the
    /// person confirms.
    Proposed(AsvProposal),
}
