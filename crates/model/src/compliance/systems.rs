//! The systems a merchant declares: what each is for, whether it is in
//! scope for PCI DSS, and whether the internet can reach it. Scan results
//! are judged by the system an address belongs to.

use crate::ids::SystemId;
use serde::{Deserialize, Serialize};

/// What a system is for. The role explains findings ("a database server
/// should not be reachable from the internet") and lets a person group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemRole {
    WebServer,
    Database,
    /// Payment terminals, payment applications, gateways.
    Payment,
    /// Staff workstations, printers, the back office.
    Office,
    /// Routers, switches, firewalls, access points.
    NetworkDevice,
    Other,
}

/// Where a system stands with respect to the cardholder data environment
/// (CDE). PCI DSS applies to the CDE and to everything that can reach it;
/// only systems proven to be segmented away are out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Stores, processes or transmits card data.
    Cde,
    /// Can reach the CDE, or can change its security: also in scope.
    ConnectedToCde,
    /// Segmented away from the CDE. Its findings are reported but do not
    /// count towards the overall verdict; the segmentation must be tested
    /// (PCI DSS 11.4.5) for this claim to hold.
    OutOfScope,
}

/// Whether a system can be reached from the internet. External systems are
/// what an Approved Scanning Vendor (ASV) scans each quarter, and the rules
/// for them are stricter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    External,
    Internal,
}

impl SystemRole {
    /// The role in words, for documents.
    pub fn label(self) -> &'static str {
        match self {
            SystemRole::WebServer => "web server",
            SystemRole::Database => "database",
            SystemRole::Payment => "payment",
            SystemRole::Office => "office",
            SystemRole::NetworkDevice => "network device",
            SystemRole::Other => "other",
        }
    }
}

impl Scope {
    /// The scope in words, for documents.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Cde => "in the CDE",
            Scope::ConnectedToCde => "connected to the CDE",
            Scope::OutOfScope => "out of scope",
        }
    }
}

impl Exposure {
    /// The exposure in words, for documents.
    pub fn label(self) -> &'static str {
        match self {
            Exposure::External => "internet-facing",
            Exposure::Internal => "internal",
        }
    }
}

/// A machine (or a group of addresses that act as one) the merchant
/// declares, so that scan results can be judged by what the machine is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub id: SystemId,
    pub name: String,
    /// The system's addresses as the user typed them: IP addresses
    /// ("203.0.113.10", "2001:db8::5"), CIDR blocks ("10.0.1.0/28") or host
    /// names ("shop.example.com", matched against the name a scan target was
    /// given).
    pub addresses: Vec<String>,
    pub role: SystemRole,
    pub scope: Scope,
    pub exposure: Exposure,
    #[serde(default)]
    pub notes: String,
}

/// A system about to be created: everything but the id the store assigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSystem {
    pub name: String,
    pub addresses: Vec<String>,
    pub role: SystemRole,
    pub scope: Scope,
    pub exposure: Exposure,
    #[serde(default)]
    pub notes: String,
}

impl NewSystem {
    /// The system this becomes once the store has given it an id.
    pub fn with_id(self, id: SystemId) -> System {
        System {
            id,
            name: self.name,
            addresses: self.addresses,
            role: self.role,
            scope: self.scope,
            exposure: self.exposure,
            notes: self.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_round_trips_through_json() {
        let system = NewSystem {
            name: "shop".into(),
            addresses: vec!["203.0.113.10".into(), "shop.example.com".into()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: Exposure::External,
            notes: String::new(),
        }
        .with_id(SystemId(7));
        let json = serde_json::to_string(&system).unwrap();
        assert!(json.contains("\"role\":\"web-server\""), "{json}");
        let back: System = serde_json::from_str(&json).unwrap();
        assert_eq!(back, system);
    }
}
