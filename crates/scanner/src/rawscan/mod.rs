//! The SYN scan through a helper process, so that the program a person
//! runs (the desktop window, the CLI) never needs CAP_NET_RAW.
//!
//! The helper (`crates/rawscan`, the `portcullis-rawscan` binary) is the
//! only file the Debian package grants CAP_NET_RAW, as Wireshark's package
//! grants it to `dumpcap` and not to Wireshark. The cut is the narrowest
//! the engine has: only the SYN scan's rounds (`crate::syn::scan`) run
//! there. Host discovery, the connect and UDP scans, service
//! identification, and everything that reads what a server says stay in
//! the calling process, without privilege; with the helper, discovery uses
//! connection attempts, as it does for anyone without raw sockets.
//!
//! The protocol, one JSON document a line:
//! - the caller writes one [`Request`] (at most [`MAX_REQUEST_BYTES`]):
//!   addresses, ports and timing, each bounded and checked by
//!   [`Request::parse`]. The helper refuses anything else; it cannot be
//!   asked to do anything but send SYN probes to the addresses given.
//! - the helper writes [`Reply`] lines (each at most [`MAX_REPLY_BYTES`]):
//!   ports as they are decided, warnings, progress, and at the end every
//!   host's counts (`Done`), or why it refused or failed.
//! - closing the helper's standard input cancels the scan: the helper then
//!   ends it and still sends `Done` with what it found.
//!
//! The caller checks what comes back as it would a stranger's answer: only
//! the addresses and ports it asked about, a bounded number of lines.

#[cfg(target_os = "linux")]
pub(crate) mod client;
#[cfg(target_os = "linux")]
pub mod serve;

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use portcullis_model::scan::{HostDone, PortResult};
use serde::{Deserialize, Serialize};

use crate::timing::Timing;

/// The helper's file name, beside the program that uses it or in
/// [`INSTALLED_HELPER`]'s folder.
pub const HELPER_NAME: &str = "portcullis-rawscan";

/// Where the Debian package installs the helper (and grants it
/// CAP_NET_RAW in its post-install script).
pub const INSTALLED_HELPER: &str = "/usr/lib/portcullis/portcullis-rawscan";

/// An explicit path to the helper, first choice when set (tests, unusual
/// installs). Naming another program here gives it no privilege.
pub const HELPER_ENV: &str = "PORTCULLIS_RAWSCAN";

/// The version of this protocol; the helper refuses any other.
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest request line the helper reads.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// The longest reply line the caller reads.
pub const MAX_REPLY_BYTES: usize = 64 << 10;

/// At most this many addresses in one request.
pub const MAX_HOSTS: usize = 4096;

/// At most this many probes (addresses times ports) in one request: every
/// port of a /24.
pub const MAX_PROBES: u64 = 256 * 65_535;

/// The fastest rate a request may ask for, in probes a second.
pub const MAX_RATE: u32 = 1_000_000;

/// The most probes in flight a request may ask for.
pub const MAX_IN_FLIGHT: usize = 16_384;

/// The longest timeout a request may ask for.
pub const MAX_TIMEOUT_MS: u64 = 30_000;

/// The most retries a request may ask for.
pub const MAX_RETRIES: u8 = 10;

/// What the caller asks the helper to scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub version: u32,
    pub hosts: Vec<IpAddr>,
    pub ports: Vec<u16>,
    pub timing: WireTiming,
    /// Report closed and filtered ports one by one, not only as counts.
    pub list_every_port: bool,
}

/// [`Timing`] as it crosses the process boundary (whole milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireTiming {
    pub max_in_flight: usize,
    pub max_rate: Option<u32>,
    pub initial_timeout_ms: u64,
    pub min_timeout_ms: u64,
    pub max_timeout_ms: u64,
    pub retries: u8,
}

/// One line from the helper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    /// A port decided (open ones always; the others when listed).
    Port(PortResult),
    Warning {
        message: String,
    },
    /// Ports decided so far.
    Progress {
        probes_done: u64,
    },
    /// The end: every host's counts, in the request's order.
    Done {
        hosts: Vec<HostDone>,
    },
    /// The request was malformed or out of bounds; nothing was sent.
    Refused {
        reason: String,
    },
    /// The scan could not run (raw sockets refused, no route).
    Failed {
        error: String,
    },
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl Request {
    /// The request for scanning `ports` of `hosts` with `timing`.
    pub fn new(hosts: &[IpAddr], ports: &[u16], timing: &Timing, list_every_port: bool) -> Self {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Request {
            version: PROTOCOL_VERSION,
            hosts: hosts.to_vec(),
            ports: ports.to_vec(),
            timing: WireTiming {
                max_in_flight: timing.max_in_flight,
                max_rate: timing.max_rate,
                initial_timeout_ms: ms(timing.initial_timeout),
                min_timeout_ms: ms(timing.min_timeout),
                max_timeout_ms: ms(timing.max_timeout),
                retries: timing.retries,
            },
            list_every_port,
        }
    }

    /// Reads one request line and checks every bound; anything malformed,
    /// unknown or out of bounds is refused.
    pub fn parse(line: &[u8]) -> Result<Request, Refusal> {
        if line.len() > MAX_REQUEST_BYTES {
            return Err(Refusal(format!(
                "the request is longer than {MAX_REQUEST_BYTES} bytes"
            )));
        }
        let request: Request = serde_json::from_slice(line)
            .map_err(|error| Refusal(format!("the request is malformed: {error}")))?;
        request.validate()?;
        Ok(request)
    }

    fn validate(&self) -> Result<(), Refusal> {
        let refuse = |why: String| Err(Refusal(why));
        if self.version != PROTOCOL_VERSION {
            return refuse(format!(
                "protocol version {} is not {PROTOCOL_VERSION}",
                self.version
            ));
        }
        if self.hosts.is_empty() || self.hosts.len() > MAX_HOSTS {
            return refuse(format!(
                "{} addresses: between 1 and {MAX_HOSTS} are allowed",
                self.hosts.len()
            ));
        }
        let mut seen = HashSet::new();
        for host in &self.hosts {
            if !seen.insert(*host) {
                return refuse(format!("{host} is given twice"));
            }
            if !is_unicast(host) {
                return refuse(format!("{host} is not a unicast address"));
            }
        }
        if self.ports.is_empty() {
            return refuse("no ports".into());
        }
        let mut seen = HashSet::new();
        for port in &self.ports {
            if *port == 0 {
                return refuse("port 0 cannot be scanned".into());
            }
            if !seen.insert(*port) {
                return refuse(format!("port {port} is given twice"));
            }
        }
        let probes = self.hosts.len() as u64 * self.ports.len() as u64;
        if probes > MAX_PROBES {
            return refuse(format!(
                "{probes} probes: at most {MAX_PROBES} in one request"
            ));
        }
        let t = &self.timing;
        if t.max_in_flight == 0 || t.max_in_flight > MAX_IN_FLIGHT {
            return refuse(format!(
                "{} probes in flight: between 1 and {MAX_IN_FLIGHT}",
                t.max_in_flight
            ));
        }
        if t.max_rate.is_some_and(|rate| rate == 0 || rate > MAX_RATE) {
            return refuse(format!("a rate must be between 1 and {MAX_RATE} a second"));
        }
        let timeouts = [t.min_timeout_ms, t.initial_timeout_ms, t.max_timeout_ms];
        if timeouts.iter().any(|ms| *ms == 0 || *ms > MAX_TIMEOUT_MS)
            || t.min_timeout_ms > t.max_timeout_ms
        {
            return refuse(format!(
                "timeouts must be between 1 and {MAX_TIMEOUT_MS} ms, the least below the most"
            ));
        }
        if t.retries > MAX_RETRIES {
            return refuse(format!("{} retries: at most {MAX_RETRIES}", t.retries));
        }
        Ok(())
    }

    /// The request's timing, as the scan runs by it.
    pub fn timing(&self) -> Timing {
        let t = &self.timing;
        Timing {
            max_in_flight: t.max_in_flight,
            max_rate: t.max_rate,
            initial_timeout: Duration::from_millis(t.initial_timeout_ms),
            min_timeout: Duration::from_millis(t.min_timeout_ms),
            max_timeout: Duration::from_millis(t.max_timeout_ms),
            retries: t.retries,
        }
    }
}

/// Whether a SYN probe may go to `address`: not unspecified, multicast or
/// broadcast.
fn is_unicast(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => !(v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast()),
        IpAddr::V6(v6) => !(v6.is_unspecified() || v6.is_multicast()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timing::Profile;

    fn request() -> Request {
        Request::new(
            &["127.0.0.1".parse().unwrap()],
            &[22, 80],
            &Profile::Normal.timing(),
            false,
        )
    }

    fn line(request: &Request) -> Vec<u8> {
        serde_json::to_vec(request).unwrap()
    }

    #[test]
    fn a_well_formed_request_is_read_back_as_written() {
        let written = request();
        assert_eq!(Request::parse(&line(&written)).unwrap(), written);
        assert_eq!(written.timing(), Profile::Normal.timing());
    }

    #[test]
    fn malformed_and_unknown_requests_are_refused() {
        for bad in [&b""[..], b"not json", b"{}", b"{\"version\":1}", b"[1,2,3]"] {
            assert!(
                Request::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let mut extra: serde_json::Value = serde_json::to_value(request()).unwrap();
        extra["command"] = "rm -rf /".into();
        let refusal = Request::parse(&serde_json::to_vec(&extra).unwrap()).unwrap_err();
        assert!(refusal.0.contains("unknown field"), "{refusal}");
    }

    /// A change that puts a request out of bounds.
    type Change = Box<dyn Fn(&mut Request)>;

    #[test]
    fn requests_out_of_bounds_are_refused() {
        let cases: Vec<(&str, Change)> = vec![
            ("version", Box::new(|r| r.version = 2)),
            ("no hosts", Box::new(|r| r.hosts.clear())),
            (
                "broadcast",
                Box::new(|r| r.hosts = vec!["255.255.255.255".parse().unwrap()]),
            ),
            (
                "multicast",
                Box::new(|r| r.hosts = vec!["224.0.0.1".parse().unwrap()]),
            ),
            (
                "unspecified",
                Box::new(|r| r.hosts = vec!["::".parse().unwrap()]),
            ),
            (
                "twice",
                Box::new(|r| r.hosts.push("127.0.0.1".parse().unwrap())),
            ),
            ("no ports", Box::new(|r| r.ports.clear())),
            ("port 0", Box::new(|r| r.ports.push(0))),
            ("port twice", Box::new(|r| r.ports.push(22))),
            (
                "too many probes",
                Box::new(|r| {
                    r.hosts = (0..300u32)
                        .map(|i| IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0001 + i)))
                        .collect();
                    r.ports = (1..=65_535).collect();
                }),
            ),
            ("rate 0", Box::new(|r| r.timing.max_rate = Some(0))),
            (
                "rate too high",
                Box::new(|r| r.timing.max_rate = Some(MAX_RATE + 1)),
            ),
            ("in flight 0", Box::new(|r| r.timing.max_in_flight = 0)),
            (
                "timeout too long",
                Box::new(|r| r.timing.max_timeout_ms = MAX_TIMEOUT_MS + 1),
            ),
            (
                "timeouts reversed",
                Box::new(|r| r.timing.min_timeout_ms = r.timing.max_timeout_ms + 1),
            ),
            ("retries", Box::new(|r| r.timing.retries = MAX_RETRIES + 1)),
        ];
        for (name, change) in cases {
            let mut bad = request();
            change(&mut bad);
            assert!(Request::parse(&line(&bad)).is_err(), "{name} was accepted");
        }
        let long = vec![b' '; MAX_REQUEST_BYTES + 1];
        assert!(Request::parse(&long).unwrap_err().0.contains("longer"));
    }
}
