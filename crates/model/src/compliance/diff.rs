//! What changed between two scans of the same targets, host by host and
//! port by port, each change with what the inventory says about it.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::ids::{InventoryEntryId, SystemId};
use crate::scan::{PortState, Protocol};

/// What changed on one port between two scans. "Open" means
/// [`PortState::Open`]; `None` as a state means the port was not listed
/// (closed or filtered, not told apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum PortChangeKind {
    Opened {
        from: Option<PortState>,
    },
    Closed {
        to: Option<PortState>,
    },
    /// Between two states neither of which is open (e.g. closed to
    /// open|filtered).
    StateChanged {
        from: Option<PortState>,
        to: Option<PortState>,
    },
    /// A different service answers.
    ServiceChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// The same service, another product or version ("OpenSSH 9.2p1").
    VersionChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// Posture facts that appeared or disappeared ("accepts TLS 1.0",
    /// "certificate expired").
    PostureChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
}

/// What the inventory says about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryVerdict {
    /// The new state is what the inventory approves: an approved port
    /// opened, an unapproved port closed, the expected service or version.
    Approved,
    /// It is not: an unapproved port opened, a service or version other
    /// than the entry's.
    NotApproved,
    /// An approved port closed: the entry may no longer be needed.
    ApprovedPortClosed,
    /// No system claims the address, so there is no inventory to consult.
    NoSystem,
    /// The inventory says nothing about this kind of change (posture,
    /// states that are not open).
    NotApplicable,
}

/// One change on one port, with the inventory's view of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortChange {
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    pub change: PortChangeKind,
    pub system_id: Option<SystemId>,
    /// The inventory entry for this system and port, if any.
    pub inventory_entry_id: Option<InventoryEntryId>,
    pub inventory: InventoryVerdict,
}

/// A host's reachability changed between two scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostChangeKind {
    /// Down or absent in the first scan, up in the second.
    CameUp,
    /// Up in the first scan, down or absent in the second: its ports were
    /// not reached, so they are not reported as closed.
    WentDown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostChange {
    pub address: IpAddr,
    pub change: HostChangeKind,
    pub system_id: Option<SystemId>,
}

/// Everything that changed between two scans of the same targets, like
/// ndiff, and against the inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanDiff {
    pub hosts: Vec<HostChange>,
    /// By address, then protocol, then port.
    pub ports: Vec<PortChange>,
}
