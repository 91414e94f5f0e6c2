//! Host discovery: which targets are up before their ports are scanned.
//!
//! Where raw packets may be sent (Linux, root or CAP_NET_RAW), a host is up
//! when it answers any of: an ICMP echo request, a TCP SYN to 443, a TCP
//! ACK to 80, or (on a directly connected subnet) an ARP request. Without
//! that privilege, a host is up when it answers a TCP connection attempt on
//! 443 or 80 in any way (a completed handshake or a refusal both prove
//! something is there). Turning discovery off (`ScanRequest::discover`)
//! skips all this and treats every target as up, for hosts that drop
//! everything discovery sends.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::job::{EventSink, host_event};
use crate::targets::Target;
use crate::timing::Timing;

/// The ports probed, in order: HTTPS first, as most exposed systems have it.
const PROBE_PORTS: [u16; 2] = [443, 80];

/// How many hosts are probed at once.
const PARALLEL_HOSTS: usize = 256;

/// A target with discovery's verdict.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    pub address: IpAddr,
    pub up: bool,
}

/// Decides which targets are up, sending a `Host` event for each.
pub(crate) async fn discover(
    targets: &[Target],
    probe: bool,
    timing: &Timing,
    events: &EventSink,
    cancel: &CancellationToken,
) -> Vec<Discovered> {
    let mut verdicts = Vec::with_capacity(targets.len());
    if !probe {
        for target in targets {
            events
                .send(host_event(
                    target,
                    true,
                    "treated as up: discovery was turned off".into(),
                ))
                .await;
            verdicts.push(Discovered {
                address: target.address,
                up: true,
            });
        }
        return verdicts;
    }
    // Twice the initial timeout: discovery happens before any RTT is known,
    // and a host wrongly called down loses all its ports.
    let wait = timing.initial_timeout * 2;
    // Asked once: the answer opens a socket, and it holds for the scan.
    let raw = raw_packets_allowed();
    for chunk in targets.chunks(PARALLEL_HOSTS) {
        let addresses = chunk.iter().map(|t| t.address).collect();
        let mut answers = tokio::select! {
            answers = sweep(addresses, wait, raw) => answers,
            _ = cancel.cancelled() => HashMap::new(),
        };
        for target in chunk {
            let answers = answers.remove(&target.address).unwrap_or_default();
            let up = !answers.is_empty();
            let reason = if up {
                answers.join("; ")
            } else if raw {
                format!("no answer to ping, ARP, a SYN to 443 or an ACK to 80 within {wait:?}")
            } else {
                format!("no answer on TCP ports {PROBE_PORTS:?} within {wait:?}")
            };
            events.send(host_event(target, up, reason)).await;
            verdicts.push(Discovered {
                address: target.address,
                up,
            });
        }
    }
    verdicts
}

fn raw_packets_allowed() -> bool {
    cfg!(target_os = "linux") && crate::privilege::can_use_raw_sockets()
}

/// Every answer each target gave: to the raw probes where `raw` packets are
/// allowed, else to TCP connections on the probe ports.
async fn sweep(targets: Vec<IpAddr>, wait: Duration, raw: bool) -> HashMap<IpAddr, Vec<String>> {
    #[cfg(target_os = "linux")]
    if raw {
        return raw_sweep(targets, wait).await;
    }
    let _ = raw;
    connect_sweep(targets, wait).await
}

/// The raw probes (echo, SYN to 443, ACK to 80, ARP), all sent at once.
#[cfg(target_os = "linux")]
async fn raw_sweep(targets: Vec<IpAddr>, wait: Duration) -> HashMap<IpAddr, Vec<String>> {
    let (tcp_targets, arp_targets) = (targets.clone(), targets.clone());
    let tcp = tokio::task::spawn_blocking(move || {
        crate::raw_discovery::tcp_sweep(&tcp_targets, wait).unwrap_or_default()
    });
    let arp =
        tokio::task::spawn_blocking(move || crate::raw_discovery::arp_sweep(&arp_targets, wait));
    let echoed = crate::icmp::echo_sweep(&targets, wait)
        .await
        .unwrap_or_default();
    let mut answers: HashMap<IpAddr, Vec<String>> = HashMap::new();
    for host in echoed {
        answers.entry(host).or_default().push("echo-reply".into());
    }
    for found in [tcp.await, arp.await].into_iter().flatten() {
        for (host, how) in found {
            answers.entry(host).or_default().push(how);
        }
    }
    answers
}

/// A TCP connection to each probe port of every target, all at once.
async fn connect_sweep(targets: Vec<IpAddr>, wait: Duration) -> HashMap<IpAddr, Vec<String>> {
    let mut tasks = JoinSet::new();
    for address in targets {
        tasks.spawn(async move { (address, probe_host(address, wait).await) });
    }
    let mut answers = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((address, Some(reason))) = joined {
            answers.insert(address, vec![reason]);
        }
    }
    answers
}

/// `Some(reason)` when the host answered on one of the probe ports.
async fn probe_host(address: IpAddr, wait: Duration) -> Option<String> {
    let mut attempts = JoinSet::new();
    for port in PROBE_PORTS {
        attempts.spawn(async move {
            let target = SocketAddr::new(address, port);
            match tokio::time::timeout(wait, TcpStream::connect(target)).await {
                Ok(Ok(_)) => Some(format!("connected to port {port}")),
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    Some(format!("port {port} refused the connection"))
                }
                _ => None,
            }
        });
    }
    while let Some(joined) = attempts.join_next().await {
        if let Ok(Some(reason)) = joined {
            return Some(reason);
        }
    }
    None
}
