//! Readers of the files other tools write about a network: nmap's XML
//! (`-oX`), Nessus reports (`.nessus`), Greenbone/OpenVAS report XML and
//! CSV findings lists. Each reads a stream and hands on, in file order,
//! the same events a Portcullis scan streams (and, for the findings
//! reports, the problems they list, as [`Item::Reported`]), so the
//! application records an import exactly as it records a scan.
//!
//! Pure: no database and no files of its own; the input is any
//! `BufRead`. Every reader is bounded, because an imported file is as
//! hostile as a scanned service: no single element may take more than
//! [`Limits::element_bytes`] (a 2 GB line is an error, not 2 GB of memory),
//! every text kept is cut at [`Limits::field_chars`] and made printable, and
//! document type declarations (where entity tricks live) are refused.

mod asv_pdf;
mod bounded;
mod csv;
mod decode;
mod emitter;
mod greenbone;
mod nessus;
mod nmap;
mod reported;
mod text;
mod xml;

pub use asv_pdf::{MAX_PDF_BYTES, ProposedRow, asv_pdf_text, proposal_csv, propose};
pub use csv::read_csv;
pub use greenbone::read_greenbone_xml;
pub use nessus::read_nessus;
pub use nmap::read_nmap_xml;

use portcullis_model::compliance::ScanCoverage;
pub use portcullis_model::import::ImportFormat;
use portcullis_model::import::ReportedItem;
use portcullis_model::scan::ScanEvent;

/// What a reader may take, at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes one XML element (its tag with its attributes, or one run of
    /// text) may span.
    pub element_bytes: u64,
    /// Characters kept of any one text (a script's output, a product
    /// name); the rest is cut, and the cut says so.
    pub field_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            element_bytes: 4 * 1024 * 1024,
            field_chars: 4096,
        }
    }
}

/// What the file's first bytes say it is: `None` when it is none of the
/// kinds Portcullis reads.
pub fn sniff(head: &[u8]) -> Option<ImportFormat> {
    // First: a findings list is told by its first line alone, and its
    // cells may well quote XML from a scanner's output.
    if csv::looks_like_csv(head) {
        return Some(ImportFormat::Csv);
    }
    if head.starts_with(b"%PDF-") {
        return Some(ImportFormat::AsvPdf);
    }
    let text = String::from_utf8_lossy(head);
    if text.contains("<nmaprun") {
        return Some(ImportFormat::NmapXml);
    }
    if text.contains("<NessusClientData_v2") {
        return Some(ImportFormat::Nessus);
    }
    // The management protocol's answer wraps the report in
    // <get_reports_response>; the web UI's download starts at <report>.
    if text.contains("<get_reports_response") || greenbone_report(&text) {
        return Some(ImportFormat::Greenbone);
    }
    None
}

/// Whether `text` starts a Greenbone report: a `<report` root with the
/// attributes Greenbone writes on it.
fn greenbone_report(text: &str) -> bool {
    text.contains("<report ")
        && (text.contains("format_id=")
            || text.contains("content_type=")
            || text.contains("<omp>")
            || text.contains("<gmp>"))
}

/// What the file says of the run as a whole, known before its first host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The program that wrote it, and its version ("nmap 7.93").
    pub scanner: String,
    /// The command line it ran, as the file records it.
    pub args: String,
    /// The targets, as far as the command line tells them.
    pub targets: String,
    /// The ports it probed, nmap's way ("T:1-1000,U:53").
    pub ports: String,
    /// When it started, in seconds since 1970, if the file says.
    pub started_unix: Option<i64>,
    /// What the run looked at: the ports of each protocol, and whether it
    /// identified services.
    pub coverage: ScanCoverage,
}

/// One thing read, in file order: the run first, then its events and the
/// items the scanner reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Run(RunInfo),
    Event(ScanEvent),
    /// A problem another scanner found, in its own words.
    Reported(Box<ReportedItem>),
}

/// Why a file cannot be imported. Each says what was expected and what was
/// found, and where.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("expected {expected}, but {found}")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    #[error("the file is not well-formed XML at byte {at}: {why}")]
    Malformed { at: u64, why: String },
    #[error(
        "the file declares a document type (<!DOCTYPE ...[ ]>) at byte {at}; imported files may not define entities, so it is refused"
    )]
    DocumentType { at: u64 },
    #[error("one element near byte {at} is longer than {limit} bytes; the file is refused")]
    TooLong { at: u64, limit: u64 },
    #[error("{what} at byte {at} is not valid: {why}")]
    Invalid {
        what: &'static str,
        at: u64,
        why: String,
    },
    #[error("line {line}, column {column}: {why}")]
    Cell { line: u64, column: u64, why: String },
    #[error("the file could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("the import was stopped")]
    Stopped,
}

/// What a reader says once the whole file is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOutcome {
    /// What the person should know about the file (an interrupted run,
    /// addresses of one host recorded under another).
    pub warnings: Vec<String>,
    /// False when the file ends before the run did.
    pub complete: bool,
}
