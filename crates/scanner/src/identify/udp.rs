//! Identifying the UDP services that answer a datagram: DNS (53), SNMP
//! (161) and NTP (123). Every request for a port goes out at once on one
//! socket; answers are read until the reply time passes, and the requests
//! are sent once more if nothing came.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use portcullis_model::scan::Protocol;
use portcullis_model::service::{OpenAccess, OpenAccessKind};
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::clock::Clock;
use super::found::Found;
use super::probes::PortContext;
use super::protocols::{Identified, Proto, dns, ntp, snmp};
use super::tcp::{Identification, recognised, unidentified};

/// The most datagrams read from one port.
const MAX_DATAGRAMS: usize = 8;

/// The UDP services identification asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Dns,
    Snmp,
    Ntp,
}

impl Service {
    /// The service identification asks on `port`, if any.
    fn on_port(port: u16) -> Option<Service> {
        match port {
            53 => Some(Service::Dns),
            161 => Some(Service::Snmp),
            123 => Some(Service::Ntp),
            _ => None,
        }
    }
}

/// Whether identification has probes for UDP `port`.
pub(crate) fn has_probes(port: u16) -> bool {
    Service::on_port(port).is_some()
}

/// Identifies the UDP port in `ctx`.
pub(crate) async fn identify(ctx: &PortContext, budget: Duration) -> Identification {
    let port = ctx.address.port();
    match Service::on_port(port) {
        Some(service) => identify_as(ctx, service, budget).await,
        None => Identification {
            identity: unidentified(
                port,
                Protocol::Udp,
                "UDP identification covers DNS, SNMP and NTP only",
                &[],
                Vec::new(),
            ),
            found: None,
        },
    }
}

/// Asks the port in `ctx` as `service`.
async fn identify_as(ctx: &PortContext, service: Service, budget: Duration) -> Identification {
    let deadline = Instant::now() + budget;
    let port = ctx.address.port();
    let (name, requests): (&str, Vec<Vec<u8>>) = match service {
        Service::Dns => (
            "dns-version-bind",
            vec![dns::version_query(), dns::plain_query()],
        ),
        Service::Snmp => (
            "snmp-get-public",
            vec![
                snmp::get_sys_descr(1, 1),
                snmp::get_sys_descr(0, 2),
                snmp::v3_discovery(3),
            ],
        ),
        Service::Ntp => (
            "ntp-client",
            vec![ntp::client_request(), ntp::readvar_request()],
        ),
    };
    let mut datagrams = Vec::new();
    for _attempt in 0..2 {
        datagrams = exchange(ctx, &requests, deadline).await;
        if !datagrams.is_empty() || Instant::now() >= deadline {
            break;
        }
    }
    let tried = vec![name.to_owned()];
    let found = match service {
        Service::Dns => dns_found(&datagrams),
        Service::Snmp => snmp_found(&datagrams),
        Service::Ntp => ntp_found(&datagrams),
    };
    let identity = match &found {
        Some(found) => {
            let identified = found.identified.as_ref().expect("UDP finds are identified");
            recognised(port, found, identified, identified.extra.clone(), tried)
        }
        None => {
            let why = if datagrams.is_empty() {
                "no answer to the probe"
            } else {
                "answered, but not in the expected protocol"
            };
            let evidence = datagrams.first().map(Vec::as_slice).unwrap_or_default();
            unidentified(port, Protocol::Udp, why, evidence, tried)
        }
    };
    Identification { identity, found }
}

/// Sends every request, then collects answers until the reply time.
async fn exchange(ctx: &PortContext, requests: &[Vec<u8>], deadline: Instant) -> Vec<Vec<u8>> {
    let local: SocketAddr = if ctx.address.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let Ok(socket) = UdpSocket::bind(local).await else {
        return Vec::new();
    };
    if socket.connect(ctx.address).await.is_err() {
        return Vec::new();
    }
    for request in requests {
        if socket.send(request).await.is_err() {
            return Vec::new();
        }
    }
    // The first answer may take a reply time; once one came, the others
    // (to requests sent at the same moment) come within a quiet pause, or
    // not at all: a well-kept SNMP agent answers v3 discovery and ignores
    // the community "public", and waiting a whole reply time for that
    // silence cost seconds.
    let mut until = Clock::until(ctx.clock.reply(), deadline);
    let mut datagrams = Vec::new();
    let mut buffer = vec![0u8; 4096];
    while datagrams.len() < MAX_DATAGRAMS.min(requests.len() * 2) {
        match timeout_at(until, socket.recv(&mut buffer)).await {
            Ok(Ok(length)) => datagrams.push(buffer[..length].to_vec()),
            _ => break,
        }
        if datagrams.len() >= requests.len() {
            break;
        }
        until = until.min(Clock::until(ctx.clock.quiet(), deadline));
    }
    datagrams
}

fn dns_found(datagrams: &[Vec<u8>]) -> Option<Found> {
    let answers: Vec<(dns::DnsAnswer, &Vec<u8>)> = datagrams
        .iter()
        .filter_map(|d| dns::parse_response(d).map(|a| (a, d)))
        .collect();
    let (_, evidence) = answers.first()?;
    let version = answers
        .iter()
        .find(|(a, _)| a.id == dns::VERSION_ID)
        .map(|(a, _)| a);
    Some(Found::identified(
        dns::identify(version),
        (*evidence).clone(),
    ))
}

fn snmp_found(datagrams: &[Vec<u8>]) -> Option<Found> {
    let community = datagrams
        .iter()
        .find_map(|d| snmp::parse_response(d).map(|a| (a, d)));
    let engine = datagrams
        .iter()
        .find_map(|d| snmp::parse_v3_engine(d).map(|e| (e, d)));
    let mut identified = match engine {
        Some(((_, Some(product)), _)) => Identified::product(Proto::Snmp, product, None),
        _ => Identified::protocol(Proto::Snmp),
    };
    if let Some(((enterprise, _), _)) = engine {
        identified.add_extra(format!("SNMPv3 engine of enterprise {enterprise}"));
    }
    let Some((answer, evidence)) = community else {
        let (_, evidence) = engine?;
        return Some(Found::identified(identified, evidence.clone()));
    };
    snmp::add_answer(&mut identified, &answer);
    let mut found = Found::identified(identified, evidence.clone());
    found.facts.open_access.push(OpenAccess {
        kind: OpenAccessKind::SnmpPublicCommunity,
        detail: format!(
            "SNMP{} answered the community \"public\"{}",
            answer.version,
            answer
                .sys_descr
                .as_deref()
                .map(|d| format!(": sysDescr {d}"))
                .unwrap_or_default()
        ),
    });
    Some(found)
}

fn ntp_found(datagrams: &[Vec<u8>]) -> Option<Found> {
    let mut answer = ntp::NtpAnswer::default();
    let mut evidence: Option<&Vec<u8>> = None;
    for datagram in datagrams {
        if ntp::parse_datagram(datagram, &mut answer) {
            evidence.get_or_insert(datagram);
        }
    }
    let identified: Identified = ntp::identify(&answer);
    Some(Found::identified(identified, evidence?.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::clock::Clock;
    use portcullis_model::service::Confidence;

    /// A UDP server on an ephemeral port answering every datagram with
    /// `answer(request)`.
    async fn udp_server(answer: fn(&[u8]) -> Option<Vec<u8>>) -> SocketAddr {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let address = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buffer = [0u8; 2048];
            while let Ok((length, from)) = socket.recv_from(&mut buffer).await {
                if let Some(reply) = answer(&buffer[..length]) {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        address
    }

    fn context(address: SocketAddr) -> PortContext {
        PortContext {
            address,
            host_name: None,
            clock: Clock::new(Some(Duration::from_micros(100))),
            hint: None,
            banner_expected: false,
        }
    }

    #[tokio::test]
    async fn dnsmasq_answers_version_bind() {
        let address = udp_server(|request| {
            // Answer the version.bind query (its id) with dnsmasq's words.
            (request[..2] == dns::VERSION_ID.to_be_bytes()).then(|| {
                include_bytes!("../../tests/identify_captures/dnsmasq-version-bind.bin").to_vec()
            })
        })
        .await;
        let found = identify_as(&context(address), Service::Dns, Duration::from_secs(5)).await;
        assert_eq!(found.identity.service, "domain");
        assert_eq!(found.identity.product.as_deref(), Some("dnsmasq"));
        assert_eq!(found.identity.version.as_deref(), Some("2.90"));
        assert_eq!(found.identity.probes_tried, ["dns-version-bind"]);
    }

    #[tokio::test]
    async fn snmp_public_is_open_access() {
        let address = udp_server(|request| {
            // Only the v2c request (version 1) is answered, as captured.
            (request.get(4) == Some(&1)).then(|| {
                include_bytes!("../../tests/identify_captures/snmpd-sysdescr.bin").to_vec()
            })
        })
        .await;
        let found = identify_as(&context(address), Service::Snmp, Duration::from_secs(5)).await;
        assert_eq!(found.identity.service, "snmp");
        let open = &found.found.unwrap().facts.open_access;
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].kind, OpenAccessKind::SnmpPublicCommunity);
        assert!(
            open[0].detail.contains("Portcullis lab snmpd"),
            "{}",
            open[0].detail
        );
    }

    #[tokio::test]
    async fn ntp_server_and_silence() {
        let address = udp_server(|request| {
            (request.len() == 48).then(|| {
                let mut reply = vec![0u8; 48];
                reply[0] = 0x24; // version 4, server
                reply[1] = 1;
                reply[12..16].copy_from_slice(b"GPS\0");
                reply
            })
        })
        .await;
        let found = identify_as(&context(address), Service::Ntp, Duration::from_secs(5)).await;
        assert_eq!(found.identity.service, "ntp");
        assert_eq!(
            found.identity.extra.as_deref(),
            Some("NTPv4, stratum 1; reference GPS")
        );
        let silent = udp_server(|_| None).await;
        let nothing = identify_as(&context(silent), Service::Dns, Duration::from_secs(2)).await;
        assert_eq!(nothing.identity.confidence, Confidence::PortOnly);
        assert_eq!(
            nothing.identity.extra.as_deref(),
            Some("no answer to the probe")
        );
    }
}
