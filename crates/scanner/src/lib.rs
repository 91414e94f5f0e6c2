//! The Portcullis network engine: targets and port specifications, host
//! discovery, and port scans.
//!
//! It talks to the network and to nothing else: it knows no database and
//! reports what it finds as the event types of `portcullis-model`. A scan is
//! started with [`engine::start`] and read as a stream of events; it can be
//! cancelled at any moment and then ends with what it found, marked partial.
//!
//! Discovery: ICMP echo, TCP SYN to 443, TCP ACK to 80 and ARP with raw
//! packets where allowed (Linux, root or CAP_NET_RAW), TCP connections
//! otherwise. Scans: SYN (Linux, with that privilege, in this process or
//! through the raw-socket helper, [`rawscan`]), TCP connect and UDP
//! (everywhere), then service identification and posture checks
//! ([`identify`]).

#[cfg(target_os = "linux")]
mod batch;
mod connect;
mod discovery;
pub mod engine;
#[cfg(target_os = "linux")]
mod icmp;
pub mod identify;
mod job;
pub mod local_networks;
pub mod network_position;
pub mod ports;
pub mod privilege;
#[cfg(target_os = "linux")]
mod raw;
#[cfg(target_os = "linux")]
mod raw_discovery;
pub mod rawscan;
mod results;
pub mod services;
#[cfg(target_os = "linux")]
mod syn;
pub mod targets;
pub mod timing;
mod top_ports;
mod udp_payloads;

pub use engine::{ScanError, ScanHandle, ScanRequest, TcpMethod, start};
pub use ports::{PortSpec, PortSpecError};
pub use targets::{Target, TargetError, TargetSpec};
pub use timing::{Profile, Timing};
