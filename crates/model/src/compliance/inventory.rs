//! The approved port inventory (PCI DSS 1.2.5): each port a system may
//! have open, why, who approved it and until when. An open port is judged
//! against it.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::ids::{InventoryEntryId, SystemId};
use crate::scan::Protocol;

/// One approved port of one system: the record PCI DSS 1.2.5 asks for, with
/// the business need, who approved it and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    pub id: InventoryEntryId,
    pub system_id: SystemId,
    pub port: u16,
    pub protocol: Protocol,
    /// The service expected there: an IANA name ("https", "ssh") or a
    /// product ("nginx", "OpenSSH"). `None`: any service is fine.
    pub service: Option<String>,
    /// The version expected, as a prefix: "9.2" accepts "9.2p1" and "9.2.1",
    /// not "9.21". `None`: any version is fine.
    pub version: Option<String>,
    /// Why the business needs this port open.
    pub justification: String,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    /// When the approval must be renewed; `None`: it does not lapse.
    pub expires_at: Option<DateTime<Utc>>,
    /// Where connections to the port may come from (IP addresses as /32
    /// or /128 blocks, or CIDR blocks); empty: anywhere. Firewall rulesets
    /// made from the inventory let in only these.
    #[serde(default)]
    pub sources: Vec<IpNet>,
    #[serde(default)]
    pub notes: String,
}

/// An inventory entry about to be created: everything but the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInventoryEntry {
    pub system_id: SystemId,
    pub port: u16,
    pub protocol: Protocol,
    pub service: Option<String>,
    pub version: Option<String>,
    pub justification: String,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub sources: Vec<IpNet>,
    #[serde(default)]
    pub notes: String,
}

impl NewInventoryEntry {
    /// The entry this becomes once the store has given it an id.
    pub fn with_id(self, id: InventoryEntryId) -> InventoryEntry {
        InventoryEntry {
            id,
            system_id: self.system_id,
            port: self.port,
            protocol: self.protocol,
            service: self.service,
            version: self.version,
            justification: self.justification,
            approver: self.approver,
            approved_at: self.approved_at,
            expires_at: self.expires_at,
            sources: self.sources,
            notes: self.notes,
        }
    }
}
