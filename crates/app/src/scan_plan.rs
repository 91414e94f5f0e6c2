//! A scan planned from a person's settings: targets parsed and resolved,
//! ports parsed, the method and timing chosen, and the coverage (what the
//! scan will look at) derived once, for the record and the rules.

use portcullis_model::AppError;
use portcullis_model::compliance::{PortRange, ScanCoverage};
use portcullis_model::scan::Protocol;
use portcullis_model::scan_record::{ScanProfile, ScanSettings, TcpChoice};
use portcullis_scanner::identify::IdentifyOptions;
use portcullis_scanner::ports::compress_ranges;
use portcullis_scanner::{PortSpec, Profile, ScanRequest, TargetSpec, TcpMethod};

use crate::error::Result;

/// Scans with at most this many ports per host list closed and filtered
/// ports one by one; larger ones only count them, as nmap does.
pub const LIST_EVERY_PORT_UP_TO: usize = 100;

/// A scan ready to start.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    pub(crate) request: ScanRequest,
    pub settings: ScanSettings,
    /// The targets as the record names them (with the targets file).
    pub targets: String,
    /// The ports as scanned, e.g. `T:1-1024,U:53,161`.
    pub ports: String,
    /// What the scan will look at.
    pub coverage: ScanCoverage,
    /// Addresses after resolution.
    pub address_count: usize,
    /// TCP ports per host (0 when no TCP scan), UDP likewise.
    pub tcp_port_count: usize,
    pub udp_port_count: usize,
}

impl ScanPlan {
    /// The first address the scan will probe, once resolved.
    pub(crate) fn first_address(&self) -> Option<std::net::IpAddr> {
        self.request.targets.first().map(|target| target.address)
    }
}

/// Parses and resolves `settings`; each error names the field at fault.
pub(crate) async fn plan(settings: ScanSettings) -> Result<ScanPlan> {
    let ports = PortSpec::parse(&settings.ports)
        .map_err(|error| AppError::bad_input("ports", error.to_string()))?;
    let spec = read_targets(&settings)?;
    let targets = portcullis_scanner::targets::resolve(&spec)
        .await
        .map_err(|error| AppError::bad_input("targets", error.to_string()))?;
    let tcp = match settings.tcp {
        TcpChoice::Auto => Some(TcpMethod::Auto),
        TcpChoice::Syn => Some(TcpMethod::Syn),
        TcpChoice::Connect => Some(TcpMethod::Connect),
        TcpChoice::None => None,
    };
    if tcp.is_none() && !settings.udp {
        return Err(AppError::bad_input(
            "tcp",
            "neither TCP nor UDP was asked for: choose at least one",
        ));
    }
    let mut timing = profile(settings.profile).timing();
    if let Some(rate) = settings.max_rate {
        if rate == 0 {
            return Err(AppError::bad_input(
                "max_rate",
                "the rate must be at least 1 probe a second",
            ));
        }
        timing.max_rate = Some(rate);
    }
    let scanned = |protocol, on: bool| {
        if on {
            ports.ports(protocol)
        } else {
            Vec::new()
        }
    };
    let tcp_ports = scanned(Protocol::Tcp, tcp.is_some());
    let udp_ports = scanned(Protocol::Udp, settings.udp);
    let identify = settings.identify || settings.posture;
    let extra_roots = read_trusted_cas(&settings)?;
    let request = ScanRequest {
        targets,
        ports,
        tcp,
        udp: settings.udp,
        timing,
        discover: settings.discover,
        list_every_port: tcp_ports.len().max(udp_ports.len()) <= LIST_EVERY_PORT_UP_TO,
        identify: identify.then(|| IdentifyOptions {
            extra_roots: extra_roots.into(),
            ..IdentifyOptions::for_timing(&timing, settings.posture)
        }),
    };
    Ok(ScanPlan {
        address_count: request.targets.len(),
        targets: describe_targets(&settings),
        ports: describe_ports(&tcp_ports, &udp_ports, tcp.is_some(), settings.udp),
        coverage: ScanCoverage {
            tcp: ranges(&tcp_ports),
            udp: ranges(&udp_ports),
            identification: identify,
            posture: settings.posture,
            reported_checks: false,
        },
        tcp_port_count: tcp_ports.len(),
        udp_port_count: udp_ports.len(),
        request,
        settings,
    })
}

fn profile(profile: ScanProfile) -> Profile {
    match profile {
        ScanProfile::Polite => Profile::Polite,
        ScanProfile::Normal => Profile::Normal,
        ScanProfile::Fast => Profile::Fast,
    }
}

/// The targets given inline and in the targets file, parsed.
fn read_targets(settings: &ScanSettings) -> Result<TargetSpec> {
    let mut spec = TargetSpec::parse(&settings.targets)
        .map_err(|error| AppError::bad_input("targets", error.to_string()))?;
    if let Some(path) = &settings.targets_file {
        let contents = std::fs::read_to_string(path).map_err(|error| {
            AppError::bad_input(
                "targets_file",
                format!("cannot read the targets file {path}: {error}"),
            )
        })?;
        spec.extend(
            TargetSpec::parse_file_contents(path, &contents)
                .map_err(|error| AppError::bad_input("targets_file", error.to_string()))?,
        );
    }
    if spec.is_empty() {
        return Err(AppError::bad_input(
            "targets",
            "no targets: name at least one address, range or host name",
        ));
    }
    Ok(spec)
}

/// A file of certificate authorities is a few kilobytes; this is plenty.
const MOST_CA_FILE_BYTES: u64 = 1024 * 1024;

/// The certificate authorities the settings' files name, as DER; a file
/// that cannot be read or holds no usable root is bad input, named.
fn read_trusted_cas(settings: &ScanSettings) -> Result<Vec<Vec<u8>>> {
    let mut roots = Vec::new();
    for path in &settings.trusted_ca_files {
        let refuse = |why: String| {
            AppError::bad_input(
                "trusted_ca_files",
                format!("the certificate authority file {path}: {why}"),
            )
        };
        let size = std::fs::metadata(path)
            .map_err(|error| refuse(format!("cannot be read: {error}")))?
            .len();
        if size > MOST_CA_FILE_BYTES {
            return Err(refuse(format!(
                "is {size} bytes; a file of certificate authorities is at most {MOST_CA_FILE_BYTES}"
            )));
        }
        let pem =
            std::fs::read(path).map_err(|error| refuse(format!("cannot be read: {error}")))?;
        roots.extend(
            portcullis_scanner::identify::trust_anchors_from_pem(&pem)
                .map_err(|error| refuse(error.to_string()))?,
        );
    }
    Ok(roots)
}

/// The targets as the record names them.
fn describe_targets(settings: &ScanSettings) -> String {
    let inline = settings.targets.join(" ");
    match &settings.targets_file {
        Some(file) => format!("{inline} -i {file}").trim().to_owned(),
        None => inline,
    }
}

/// The ports as scanned, e.g. `T:1-1024,U:53,161`.
fn describe_ports(tcp_ports: &[u16], udp_ports: &[u16], tcp: bool, udp: bool) -> String {
    let mut parts = Vec::new();
    if tcp {
        parts.push(format!("T:{}", compress_ranges(tcp_ports)));
    }
    if udp {
        parts.push(format!("U:{}", compress_ranges(udp_ports)));
    }
    parts.join(",")
}

/// Sorted ports as inclusive ranges: 1,2,3,5 is 1-3 and 5.
fn ranges(ports: &[u16]) -> Vec<PortRange> {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<PortRange> = Vec::new();
    for port in sorted {
        match ranges.last_mut() {
            Some(last) if u32::from(last.last) + 1 == u32::from(port) => last.last = port,
            _ => ranges.push(PortRange::single(port)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_become_ranges() {
        let got = ranges(&[5, 1, 2, 3, 65535, 65534]);
        assert_eq!(
            got,
            [
                PortRange { first: 1, last: 3 },
                PortRange::single(5),
                PortRange {
                    first: 65534,
                    last: 65535
                }
            ]
        );
        assert!(ranges(&[]).is_empty());
    }

    #[tokio::test]
    async fn each_bad_setting_names_its_field() {
        let field = |settings: ScanSettings| async move {
            plan(settings).await.err().and_then(|error| error.field)
        };
        let base = ScanSettings {
            targets: vec!["127.0.0.1".into()],
            ..ScanSettings::default()
        };
        assert_eq!(
            field(ScanSettings {
                ports: "70000".into(),
                ..base.clone()
            })
            .await
            .as_deref(),
            Some("ports")
        );
        assert_eq!(
            field(ScanSettings {
                targets: vec!["300.1.1.1".into()],
                ..base.clone()
            })
            .await
            .as_deref(),
            Some("targets")
        );
        assert_eq!(
            field(ScanSettings {
                targets: Vec::new(),
                ..base.clone()
            })
            .await
            .as_deref(),
            Some("targets")
        );
        assert_eq!(
            field(ScanSettings {
                tcp: TcpChoice::None,
                ..base.clone()
            })
            .await
            .as_deref(),
            Some("tcp")
        );
        let planned = plan(ScanSettings {
            ports: "22,80,U:53".into(),
            udp: true,
            ..base
        })
        .await
        .unwrap();
        assert_eq!(planned.ports, "T:22,80,U:22,53,80");
        assert_eq!(
            planned.coverage.tcp,
            [PortRange::single(22), PortRange::single(80)]
        );
        assert!(planned.request.list_every_port);
    }
}
