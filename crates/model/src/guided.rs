//! What the guided check's Scan and Verify steps ask the backend: the
//! scan a depth means, what may spoil it, and the rescan that proves fixes.

use serde::{Deserialize, Serialize};

/// Which TCP scan will run, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodNote {
    /// A SYN scan (fast; needs permission to send raw packets) or a
    /// connect scan (slower, as exact for open ports).
    pub syn: bool,
    /// "A fast SYN scan will run: ..." or "A connect scan will run: ...".
    pub sentence: String,
    /// How to grant the faster scan on this OS, when it is not granted.
    pub how_to_grant: Option<String>,
}

/// Something that may spoil a scan's result, said before it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessNote {
    /// The system it concerns, by name; `None`: all of them.
    pub system: Option<String>,
    pub message: String,
}

/// What the Scan step says before the merchant starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub method: MethodNote,
    pub notes: Vec<ReadinessNote>,
}

/// A network this computer is on, as its interfaces report it: what the
/// Your systems step offers to add, before anything is probed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalNetwork {
    /// The interface's name ("wlan0", "Ethernet").
    pub interface: String,
    /// This computer's own address on it.
    pub address: std::net::IpAddr,
    /// The network as CIDR ("192.168.1.0/24"): what a scan of it covers.
    pub network: String,
    /// How many addresses a scan of the whole network would try.
    pub addresses: u64,
}
