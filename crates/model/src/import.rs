//! What an import of another tool's file gives back.

use serde::{Deserialize, Serialize};

use crate::judgement::Judgement;
use crate::scan_record::ScanRecord;

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
    /// Its findings, when the file held a whole run; a cut-off run is kept
    /// but not judged, as a cancelled scan is not.
    pub judgement: Option<Judgement>,
}
