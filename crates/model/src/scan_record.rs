//! Scans as the application keeps them: the settings a person chooses, the
//! record the store keeps of each scan, and the coalesced updates a window
//! receives while one runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{Exposure, ScanCoverage};
use crate::scan::{HostDone, HostReport, MethodChoice, PortResult, Progress, ScanSummary};
use crate::service::ServiceReport;

pub use crate::ids::ScanId;

/// How hard a scan pushes the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanProfile {
    /// Production servers: a fixed, gentle rate.
    Polite,
    /// The default: as fast as the network answers, slowing on loss.
    #[default]
    Normal,
    /// Shorter waits and fewer retries, for fast local networks.
    Fast,
}

impl ScanProfile {
    pub fn name(self) -> &'static str {
        match self {
            ScanProfile::Polite => "polite",
            ScanProfile::Normal => "normal",
            ScanProfile::Fast => "fast",
        }
    }

    pub fn parse(name: &str) -> Option<ScanProfile> {
        [ScanProfile::Polite, ScanProfile::Normal, ScanProfile::Fast]
            .into_iter()
            .find(|profile| profile.name() == name)
    }
}

/// Which TCP method a person asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TcpChoice {
    /// The best this process may use: SYN where raw sockets open, else
    /// connect; the scan says which ran and why.
    #[default]
    Auto,
    /// Raw SYN packets (Linux, root or CAP_NET_RAW).
    Syn,
    /// The OS's own connections: needs no privilege.
    Connect,
    /// No TCP scan (UDP only).
    None,
}

impl TcpChoice {
    pub fn name(self) -> &'static str {
        match self {
            TcpChoice::Auto => "auto",
            TcpChoice::Syn => "syn",
            TcpChoice::Connect => "connect",
            TcpChoice::None => "none",
        }
    }
}

/// A scan as a person asks for it, before anything is parsed or resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSettings {
    /// Addresses, CIDR blocks, ranges, host names; each may hold a
    /// comma-separated list.
    pub targets: Vec<String>,
    /// A file with more targets, one or more a line, `#` comments.
    pub targets_file: Option<String>,
    /// `22,80,443`, `1-1024`, `-`, `T:`/`U:` prefixes, `top:N`.
    pub ports: String,
    pub tcp: TcpChoice,
    /// Scan the UDP ports too.
    pub udp: bool,
    pub profile: ScanProfile,
    /// Probes per second at most; `None`: the profile decides.
    pub max_rate: Option<u32>,
    /// Probe whether hosts are up first (otherwise every target is up).
    pub discover: bool,
    /// Identify the service and version behind each open port.
    pub identify: bool,
    /// Check each identified service's posture (implies `identify`).
    pub posture: bool,
    /// The scan runs from the internet (PCI DSS 11.3.2), not from inside
    /// the network (11.3.1).
    pub external: bool,
    /// PEM files of certificate authorities to trust besides the roots
    /// browsers trust (as testssl.sh's `--add-ca`): a lab's or an office's
    /// own CA. An ASV trusts only the public roots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_ca_files: Vec<String>,
}

impl Default for ScanSettings {
    fn default() -> ScanSettings {
        ScanSettings {
            targets: Vec::new(),
            targets_file: None,
            ports: "top:1000".into(),
            tcp: TcpChoice::Auto,
            udp: false,
            profile: ScanProfile::Normal,
            max_rate: None,
            discover: true,
            identify: false,
            posture: false,
            external: false,
            trusted_ca_files: Vec::new(),
        }
    }
}

/// A scan's outcome as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Running,
    Finished,
    /// Stopped on request (or when Portcullis shut down): what it found is
    /// kept, marked partial.
    Cancelled,
    /// The writer died (killed, crashed, power cut) before the end.
    Interrupted,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Running => "running",
            ScanStatus::Finished => "finished",
            ScanStatus::Cancelled => "cancelled",
            ScanStatus::Interrupted => "interrupted",
        }
    }
}

/// A scan as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    pub id: ScanId,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub actor: String,
    pub targets: String,
    pub ports: String,
    pub requested_method: String,
    /// What ran and why; empty until the scan finished.
    pub methods: Vec<MethodChoice>,
    pub profile: String,
    pub origin: Exposure,
    pub coverage: ScanCoverage,
    pub status: ScanStatus,
    pub hosts_up: Option<u32>,
    pub hosts_down: Option<u32>,
    pub open_ports: Option<u32>,
    pub elapsed_seconds: Option<f64>,
    pub warnings: Vec<String>,
    pub writer_pid: Option<u32>,
    /// When its findings were saved; `None`: not judged yet.
    pub evaluated_at: Option<DateTime<Utc>>,
}

impl ScanRecord {
    /// The summary a report of this scan carries; `None` while running.
    pub fn summary(&self) -> Option<ScanSummary> {
        match self.status {
            ScanStatus::Running => None,
            status => Some(ScanSummary {
                methods: self.methods.clone(),
                hosts_up: self.hosts_up.unwrap_or(0),
                hosts_down: self.hosts_down.unwrap_or(0),
                open_ports: self.open_ports.unwrap_or(0),
                elapsed_seconds: self.elapsed_seconds.unwrap_or(0.0),
                partial: status != ScanStatus::Finished,
            }),
        }
    }
}

pub use crate::ids::RunId;

/// Where a supervised scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    Running,
    Finished,
    Cancelled,
    /// The scan could not go on (the network, the database); see the
    /// update's `error`.
    Failed,
}

/// What changed in a running scan since the last update a subscriber got.
/// Sent at most about ten times a second however fast ports arrive; every
/// host and port reaches every subscriber exactly once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanUpdate {
    pub run: RunId,
    /// The store's id of the scan, when it is recorded.
    pub scan_id: Option<ScanId>,
    pub state: RunState,
    /// The newest progress figures.
    pub progress: Option<Progress>,
    pub hosts: Vec<HostReport>,
    pub ports: Vec<PortResult>,
    pub services: Vec<ServiceReport>,
    pub hosts_done: Vec<HostDone>,
    pub warnings: Vec<String>,
    /// Set once, on the last update.
    pub summary: Option<ScanSummary>,
    /// Why the scan failed, when `state` is `Failed`.
    pub error: Option<String>,
}

impl ScanUpdate {
    pub fn new(run: RunId, scan_id: Option<ScanId>, state: RunState) -> ScanUpdate {
        ScanUpdate {
            run,
            scan_id,
            state,
            progress: None,
            hosts: Vec::new(),
            ports: Vec::new(),
            services: Vec::new(),
            hosts_done: Vec::new(),
            warnings: Vec::new(),
            summary: None,
            error: None,
        }
    }
}

/// A scan the supervisor is running, as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningScan {
    pub run: RunId,
    pub scan_id: Option<ScanId>,
    pub targets: String,
    pub state: RunState,
}
