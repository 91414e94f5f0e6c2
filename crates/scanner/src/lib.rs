//! The Portcullis network engine: targets and port specifications, host
//! discovery, and port scans.
//!
//! It talks to the network and to nothing else: it knows no database and
//! reports what it finds as the event types of `portcullis-model`. A scan is
//! started with [`engine::start`] and read as a stream of events; it can be
//! cancelled at any moment and then ends with what it found, marked partial.
//!
//! Today: SYN scans (Linux, with raw-socket privilege), connect scans
//! (everywhere), and connect-based discovery. UDP scanning and raw-packet
//! discovery are still to come (see the scan-engine issue).

mod connect;
mod discovery;
pub mod engine;
#[cfg(target_os = "linux")]
mod icmp;
pub mod identify;
pub mod ports;
pub mod privilege;
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
