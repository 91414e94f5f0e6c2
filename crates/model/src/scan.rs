//! What a scan reports: port states and their reasons, as nmap defines them,
//! and the stream of events a running scan emits.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::service::{Posture, ServiceIdentity, ServiceReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// A port's state, with nmap's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    /// A service accepts connections or answers datagrams.
    Open,
    /// Reachable, but nothing listens (RST, or ICMP port unreachable).
    Closed,
    /// Something in the way drops or rejects the probes.
    Filtered,
    /// Reachable, open or closed unknown (ACK scans).
    Unfiltered,
    /// No answer to a probe that an open port may ignore (UDP).
    OpenFiltered,
}

impl PortState {
    /// The word nmap prints for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::Unfiltered => "unfiltered",
            PortState::OpenFiltered => "open|filtered",
        }
    }
}

/// Why a port was given its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// SYN/ACK to our SYN.
    SynAck,
    /// A completed TCP handshake (connect scan).
    Connected,
    /// RST to our SYN, or a refused connection.
    Rst,
    /// A UDP answer from the port.
    UdpResponse,
    /// Nothing came back, even after retransmissions.
    NoResponse,
    /// An ICMP (or ICMPv6) error, e.g. type 3 code 3: port unreachable.
    Icmp { icmp_type: u8, code: u8 },
    /// The local host refused to send: no route, network unreachable.
    HostUnreachable,
    /// Another scanner's report listed the port open (an imported Nessus,
    /// Greenbone or spreadsheet report, which do not say how they knew).
    Reported,
}

impl Reason {
    /// nmap's word for the reason.
    pub fn describe(self) -> String {
        self.to_string()
    }
}

/// nmap's word for the reason, written where it is needed (evidence for
/// thousands of findings is written this way without a copy each).
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::SynAck => f.write_str("syn-ack"),
            Reason::Connected => f.write_str("conn-accepted"),
            Reason::Rst => f.write_str("reset"),
            Reason::UdpResponse => f.write_str("udp-response"),
            Reason::NoResponse => f.write_str("no-response"),
            Reason::Icmp { icmp_type, code } => write!(f, "icmp type {icmp_type} code {code}"),
            Reason::HostUnreachable => f.write_str("host-unreach"),
            Reason::Reported => f.write_str("reported"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanMethod {
    /// Half-open scan with raw packets; needs root or CAP_NET_RAW.
    Syn,
    /// Full TCP handshake through the OS; needs no privilege.
    Connect,
    /// UDP probes with protocol payloads; ICMP decides closed ports.
    Udp,
}

impl ScanMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanMethod::Syn => "syn",
            ScanMethod::Connect => "connect",
            ScanMethod::Udp => "udp",
        }
    }
}

/// One port's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortResult {
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    pub state: PortState,
    pub reason: Reason,
    /// Round-trip time of the answer that decided the state, when there was
    /// one.
    pub rtt_micros: Option<u64>,
    /// The service IANA registered for the port: what usually runs there,
    /// not yet what does.
    #[serde(default)]
    pub service: Option<String>,
    /// What actually answers there, when identification ran (`-sV`).
    /// Boxed, like `posture`: most ports have neither, and a full scan holds
    /// 65,535 of these, so the inline size is what reading a scan costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Box<ServiceIdentity>>,
    /// The posture checks that ran on it (`--posture`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture: Option<Box<Posture>>,
}

/// A host as the scan saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostReport {
    pub address: IpAddr,
    /// The name the user gave, when the target was a host name.
    pub name: Option<String>,
    pub up: bool,
    /// How discovery decided: e.g. "syn-ack to 443", "treated as up: discovery was turned off".
    pub reason: String,
}

/// Progress of a running scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub probes_done: u64,
    pub probes_total: u64,
    /// Probes sent per second, over the last interval.
    pub rate: f64,
    /// Estimated seconds left; `None` until the rate is known.
    pub eta_seconds: Option<f64>,
}

/// What ran, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub method: ScanMethod,
    pub why: String,
}

/// The end of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub methods: Vec<MethodChoice>,
    pub hosts_up: u32,
    pub hosts_down: u32,
    pub open_ports: u32,
    pub elapsed_seconds: f64,
    /// True when the scan was cancelled or failed part-way: the results are
    /// what was found until then.
    pub partial: bool,
}

/// How many ports of a host ended in one state for one reason: the ports a
/// scan does not list one by one (closed and filtered, usually).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortCount {
    pub protocol: Protocol,
    pub state: PortState,
    pub reason: Reason,
    pub count: u32,
}

/// Every port of a host is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostDone {
    pub address: IpAddr,
    /// All ports by state and reason, listed ones included.
    pub counts: Vec<PortCount>,
}

/// The stream a running scan emits, in order: hosts as discovery decides
/// them, port results as they are known (every open-ish port; closed and
/// filtered ones only when the scan was asked to list them), a `HostDone`
/// with the counts of every state per host, progress now and then, warnings,
/// and exactly one `Finished` at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ScanEvent {
    Host(HostReport),
    Port(PortResult),
    /// Identification (and posture) of an open port, after the port scan.
    /// Boxed: it is ten times the size of the other events, and a scan
    /// streams thousands of those.
    Service(Box<ServiceReport>),
    HostDone(HostDone),
    Progress(Progress),
    Warning {
        message: String,
    },
    Finished(ScanSummary),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full scan holds 65,535 port results: their inline size is what
    /// reading, evaluating and diffing one costs (the posture alone was
    /// 560 bytes before it was boxed).
    #[test]
    fn a_port_result_stays_small() {
        let size = std::mem::size_of::<PortResult>();
        assert!(size <= 96, "PortResult is {size} bytes");
    }

    #[test]
    fn boxing_leaves_the_json_unchanged() {
        let port = PortResult {
            address: "127.0.0.1".parse().unwrap(),
            port: 22,
            protocol: Protocol::Tcp,
            state: PortState::Open,
            reason: Reason::SynAck,
            rtt_micros: None,
            service: Some("ssh".into()),
            identity: Some(Box::new(ServiceIdentity {
                service: "ssh".into(),
                product: Some("OpenSSH".into()),
                version: Some("9.2p1".into()),
                extra: None,
                confidence: crate::service::Confidence::Product,
                tls: false,
                evidence: "SSH-2.0-OpenSSH_9.2p1".into(),
                probes_tried: vec!["banner".into()],
            })),
            posture: None,
        };
        let json = serde_json::to_string(&port).unwrap();
        assert!(
            json.contains(r#""identity":{"service":"ssh","product":"OpenSSH""#),
            "{json}"
        );
        assert!(!json.contains("posture"), "{json}");
        let back: PortResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, port);
    }
}
