//! The guided check's Scan and Verify steps: the scan a depth means for
//! the systems in scope, what may spoil it, and the rescan that proves
//! exactly what was fixed.

use std::collections::BTreeSet;
use std::net::IpAddr;

use portcullis_model::AppError;
use portcullis_model::FindingId;
use portcullis_model::compliance::{FindingRecord, Scope, System};
use portcullis_model::guided::{LocalNetwork, MethodNote, Readiness, ReadinessNote};
use portcullis_model::scan::Protocol;
use portcullis_model::scan_record::{ScanSettings, TcpChoice};
use portcullis_model::wizard::{Hosting, ScanDepth};

use portcullis_scanner::privilege::RawAccess;
use portcullis_scanner::rawscan::INSTALLED_HELPER;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The common ports a quick scan looks at.
const QUICK_PORTS: &str = "top:1000";
/// Every TCP port and the common UDP ones: a full scan.
const FULL_PORTS: &str = "T:1-65535,U:top:100";

impl Workspace {
    /// The scan `depth` means for every system in scope: their addresses,
    /// with identification and posture checks so that the findings can say
    /// what runs there, at the pace chosen in Settings.
    pub async fn guided_scan_settings(&self, depth: ScanDepth) -> Result<ScanSettings> {
        let mut settings = self.in_scope_scan_settings(depth).await?;
        settings.profile = self.scan_profile(None).await?;
        Ok(settings)
    }

    /// [`Self::guided_scan_settings`] at the default pace: for monitoring,
    /// which sets its own polite rate and reads nothing more per run.
    pub(crate) async fn in_scope_scan_settings(&self, depth: ScanDepth) -> Result<ScanSettings> {
        let systems = self.store.systems().await.map_err(from_store)?;
        let targets: Vec<String> = systems
            .iter()
            .filter(|system| system.scope != Scope::OutOfScope)
            .flat_map(|system| system.addresses.iter().cloned())
            .collect();
        if targets.is_empty() {
            return Err(AppError::bad_input(
                "systems",
                "there is no system in scope to scan: add one in the Your systems step first",
            ));
        }
        let (ports, udp) = match depth {
            ScanDepth::Quick => (QUICK_PORTS, false),
            ScanDepth::Full => (FULL_PORTS, true),
        };
        Ok(ScanSettings {
            targets,
            ports: ports.into(),
            tcp: TcpChoice::Auto,
            udp,
            identify: true,
            posture: true,
            ..ScanSettings::default()
        })
    }

    /// The networks this computer is on, for the Your systems step to
    /// offer: read from its own interfaces, so nothing is sent or probed.
    pub async fn local_networks(&self) -> Result<Vec<LocalNetwork>> {
        Ok(portcullis_scanner::local_networks::local_networks())
    }

    /// What the Scan step says before the merchant starts: which method
    /// will run and why, and what may spoil the result.
    pub async fn scan_readiness(&self) -> Result<Readiness> {
        let (systems, progress) = tokio::try_join!(
            async { self.store.systems().await.map_err(from_store) },
            self.wizard_progress(),
        )?;
        let hosting = progress.business.and_then(|business| business.hosting);
        Ok(Readiness {
            method: method_note(&portcullis_scanner::privilege::raw_access()),
            notes: readiness_notes(&systems, hosting)
                .into_iter()
                .chain(self.advisory_data().warning.map(|message| ReadinessNote {
                    system: None,
                    message,
                }))
                .collect(),
        })
    }

    /// The rescan that proves `findings` fixed: their addresses and ports
    /// only, with identification and posture checks when a finding is
    /// about what runs on the port rather than the port itself.
    pub async fn verification_settings(&self, findings: Vec<FindingId>) -> Result<ScanSettings> {
        if findings.is_empty() {
            return Err(AppError::bad_input(
                "findings",
                "choose at least one finding to verify",
            ));
        }
        let mut records = Vec::with_capacity(findings.len());
        for id in findings {
            records.push(self.store.finding(id).await.map_err(from_store)?);
        }
        verification_scan(&records)
    }
}

fn method_note(access: &RawAccess) -> MethodNote {
    let sentence = match access {
        RawAccess::InProcess => {
            "A fast SYN scan will run: this computer lets Portcullis send the raw packets it needs."
        }
        RawAccess::Helper(_) => {
            "A fast SYN scan will run: Portcullis's small raw-packet helper is allowed to send the \
             packets it needs, so the app itself needs no special permission."
        }
        RawAccess::Unavailable(_) => {
            return MethodNote {
                syn: false,
                sentence: "A connect scan will run: it is slower than a SYN scan but finds open \
                           ports just as exactly. The faster scan needs permission to send raw \
                           packets."
                    .into(),
                how_to_grant: Some(how_to_grant()),
            };
        }
    };
    MethodNote {
        syn: true,
        sentence: sentence.into(),
        how_to_grant: None,
    }
}

/// How to let Portcullis send raw packets on this OS. On Linux only the
/// raw-socket helper is ever given the capability, never the app.
fn how_to_grant() -> String {
    if cfg!(target_os = "linux") {
        format!(
            "On Linux, Portcullis's package gives its small raw-packet helper, and only it, that \
             permission when it is installed. If Portcullis was installed another way, give the \
             helper the permission once, in a terminal: sudo setcap cap_net_raw+ep {INSTALLED_HELPER}. \
             Then start the scan again."
        )
    } else if cfg!(target_os = "macos") {
        "On macOS, raw packets need administrator rights, which the desktop app does not \
         take: it uses the connect scan."
            .into()
    } else {
        "On Windows, Portcullis uses the connect scan; the faster scan is not available there."
            .into()
    }
}

fn readiness_notes(systems: &[System], hosting: Option<Hosting>) -> Vec<ReadinessNote> {
    let mut notes = Vec::new();
    if hosting == Some(Hosting::Shared) {
        notes.push(ReadinessNote {
            system: None,
            message: "Your site is on shared hosting. Hosting companies' terms often forbid \
                      scanning their servers: check yours, or ask them for their own PCI DSS \
                      attestation instead."
                .into(),
        });
    }
    for system in systems.iter().filter(|s| s.scope != Scope::OutOfScope) {
        if system.addresses.iter().any(|a| is_host_name(a)) {
            notes.push(ReadinessNote {
                system: Some(system.name.clone()),
                message: "It is given by name. If that name points at a CDN or a web firewall \
                          service (Cloudflare, Akamai, Fastly and the like), the scan sees that \
                          service, not your server: add the server's own address too."
                    .into(),
            });
        }
        if system.exposure == portcullis_model::compliance::Exposure::External {
            notes.push(ReadinessNote {
                system: Some(system.name.clone()),
                message: "It faces the internet. A web firewall or intrusion prevention in front \
                          of it may block the scan part-way, and ports then look filtered: if \
                          the result looks empty, ask your host to let this computer's address \
                          through for the scan."
                    .into(),
            });
        }
    }
    notes
}

/// Whether an address field holds a host name rather than an address or
/// a block of addresses.
fn is_host_name(address: &str) -> bool {
    let address = address.trim();
    let first = address.split(['/', '-']).next().unwrap_or(address);
    first.parse::<IpAddr>().is_err()
}

fn verification_scan(records: &[FindingRecord]) -> Result<ScanSettings> {
    let mut addresses = BTreeSet::new();
    let mut tcp = BTreeSet::new();
    let mut udp = BTreeSet::new();
    let mut posture = false;
    for record in records {
        let finding = &record.finding;
        let (Some(address), Some(protocol), Some(port)) =
            (finding.address, finding.protocol, finding.port)
        else {
            return Err(AppError::bad_input(
                "findings",
                format!(
                    "finding {} is not about a port, so no rescan can prove it fixed: {}",
                    record.id, finding.title
                ),
            ));
        };
        addresses.insert(address);
        match protocol {
            Protocol::Tcp => tcp.insert(port),
            Protocol::Udp => udp.insert(port),
        };
        posture |= !matches!(
            finding.kind,
            portcullis_model::compliance::FindingKind::UnlistedOpenPort
        );
    }
    let list = |ports: &BTreeSet<u16>| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut ports = Vec::new();
    if !tcp.is_empty() {
        ports.push(format!("T:{}", list(&tcp)));
    }
    if !udp.is_empty() {
        ports.push(format!("U:{}", list(&udp)));
    }
    Ok(ScanSettings {
        targets: addresses.iter().map(IpAddr::to_string).collect(),
        ports: ports.join(","),
        tcp: if tcp.is_empty() {
            TcpChoice::None
        } else {
            TcpChoice::Auto
        },
        udp: !udp.is_empty(),
        discover: false,
        identify: posture,
        posture,
        ..ScanSettings::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_from_addresses_and_blocks() {
        assert!(is_host_name("shop.example.com"));
        assert!(!is_host_name("198.18.0.10"));
        assert!(!is_host_name("198.18.0.0/24"));
        assert!(!is_host_name("2001:db8::1"));
    }

    #[test]
    fn shared_hosting_is_warned_about_once() {
        let notes = readiness_notes(&[], Some(Hosting::Shared));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("shared hosting"));
        assert!(readiness_notes(&[], Some(Hosting::RentedServer)).is_empty());
    }

    #[test]
    fn without_raw_packets_the_note_says_connect_and_how_to_grant() {
        let note = method_note(&RawAccess::Unavailable("no helper".into()));
        assert!(!note.syn);
        assert!(note.sentence.starts_with("A connect scan will run"));
        let how = note.how_to_grant.unwrap();
        if cfg!(target_os = "linux") {
            // Only the helper is ever given the capability, never the app.
            assert!(how.contains(INSTALLED_HELPER), "{how}");
            assert!(!how.contains("portcullis-desktop"), "{how}");
        }
        assert!(method_note(&RawAccess::InProcess).how_to_grant.is_none());
        let helper = method_note(&RawAccess::Helper(INSTALLED_HELPER.into()));
        assert!(helper.syn && helper.sentence.contains("helper"));
    }
}
