//! Two scans compared, as a person reads it.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::compliance::ScanDiff;
use crate::scan_record::ScanRecord;

/// The changes at one address, each said in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressChanges {
    pub address: IpAddr,
    /// "system web shop", or "no system claims this address".
    pub system: String,
    /// One sentence a change: "6379/tcp opened (it was closed): NOT in the
    /// inventory: approve it or close it".
    pub changes: Vec<String>,
}

/// What changed between two recorded scans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffView {
    pub before: ScanRecord,
    pub after: ScanRecord,
    /// Why the comparison may mislead (the scans looked at different
    /// things).
    pub warnings: Vec<String>,
    /// By address, in address order.
    pub addresses: Vec<AddressChanges>,
    /// "In all: 1 port opened, 1 closed, 2 otherwise changed."
    pub summary: String,
    /// The changes as data.
    pub diff: ScanDiff,
}
