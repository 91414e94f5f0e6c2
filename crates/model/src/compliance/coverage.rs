//! What a scan looked at, as opposed to what it found: without it, an
//! absence proves nothing, so no finding could be called fixed and no
//! inventory entry stale.

use serde::{Deserialize, Serialize};

use crate::scan::Protocol;

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub fn single(port: u16) -> PortRange {
        PortRange {
            first: port,
            last: port,
        }
    }

    pub fn contains(self, port: u16) -> bool {
        self.first <= port && port <= self.last
    }
}

/// What a scan asked about. A `ScanReport` lists what was found, not what
/// was looked for; without this, "port 22 was not seen" cannot be told from
/// "port 22 was never probed", and a finding would be called fixed, or an
/// inventory entry stale, on the strength of a scan that did not look.
///
/// Every host of a scan is probed on the same ports, so one list per
/// protocol serves all of them; which hosts were probed at all is in the
/// report (hosts that were up).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCoverage {
    /// TCP ports probed, in any order; overlaps are allowed.
    pub tcp: Vec<PortRange>,
    /// UDP ports probed, in any order; overlaps are allowed.
    pub udp: Vec<PortRange>,
    /// Whether service identification ran on the open ports: without it,
    /// "the version differs from the inventory" cannot be judged.
    pub identification: bool,
    /// Whether posture checks (TLS, SSH, HTTP, open access, advisories) ran:
    /// without them, a TLS finding's absence proves nothing.
    pub posture: bool,
    /// Whether the scan is another scanner's findings report (an imported
    /// Nessus, Greenbone or CSV report): the scanner ran its own checks on
    /// every port it lists, so a problem it does not list there is gone;
    /// but it lists only open ports, so it proves no other port shut.
    #[serde(default)]
    pub reported_checks: bool,
}

impl ScanCoverage {
    /// The ranges probed for `protocol`.
    pub fn ranges(&self, protocol: Protocol) -> &[PortRange] {
        match protocol {
            Protocol::Tcp => &self.tcp,
            Protocol::Udp => &self.udp,
        }
    }
}
