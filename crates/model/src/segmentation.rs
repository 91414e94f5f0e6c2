//! The guided segmentation test (PCI DSS 11.4.5): from a network the
//! merchant says is cut off from the card data systems, every in-scope
//! address is scanned, and anything that answers proves it is not.
//!
//! "Segmentation" is keeping the cardholder data environment (CDE: the
//! systems that store, process or transmit card data) on a network of its
//! own, so that the rest of the business (the guest Wi-Fi, the office) is
//! out of PCI DSS scope. The standard asks for proof that it works.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ScanId, SegmentationTestId};
use crate::judgement::Judgement;
use crate::scan::Protocol;

/// The most characters a network's name may have: a name, not a note.
pub const NETWORK_NAME_MAX_CHARS: usize = 100;

/// Start a segmentation test from the network this computer is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationRunInput {
    /// What the merchant calls the network this computer is on, the one
    /// claimed to be out of scope ("Guest Wi-Fi").
    pub network: String,
}

/// Where this computer was when it tested: read from its own interfaces
/// and routes, so an assessor can see the test ran from the network named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkPosition {
    /// The interface the scan went out of (`wlan0`, `Wi-Fi`).
    pub interface: String,
    /// This computer's address on it.
    pub address: IpAddr,
    /// The router the interface sends other networks' traffic to; `None`
    /// when there is none, or the system would not say.
    pub gateway: Option<IpAddr>,
}

/// Something in scope that answered from the network that should be cut
/// off: each one is a way across the segmentation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SegmentationAnswer {
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    /// The service IANA registered for the port (what usually runs there).
    pub service: Option<String>,
}

/// What a guided test recorded beside its outcome: the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationEvidence {
    /// The network's name, as the merchant gave it.
    pub network: String,
    pub position: NetworkPosition,
    /// The scan that tested it (all TCP ports and the common UDP ones).
    pub scan_id: ScanId,
    /// What answered, one by one; empty when the test passed.
    pub answers: Vec<SegmentationAnswer>,
    /// How many more answered than are listed (a host that answers on
    /// every port is listed in part).
    #[serde(default)]
    pub answers_not_listed: u64,
}

/// A guided segmentation test, recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationRunOutcome {
    pub id: SegmentationTestId,
    /// When the scan ended.
    pub at: DateTime<Utc>,
    /// Nothing in scope answered.
    pub passed: bool,
    pub evidence: SegmentationEvidence,
    /// The outcome in plain English, with what to do when it failed.
    pub summary: String,
    /// The newest judged scan, judged again with the test; `None` when no
    /// scan was judged yet.
    pub rejudged: Option<Judgement>,
}
