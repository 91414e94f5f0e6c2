//! Service identification and posture: what answers behind each open port,
//! which version, and whether it is configured the way an ASV scan wants.
//!
//! Identification follows a plan per port ([`plan`]): listen for a banner,
//! or send the request the port number suggests, then fall through to the
//! other probes until one is recognised. Every probe is written from its
//! protocol's RFC or documentation ([`protocols`]), every read is bounded
//! in bytes and time ([`wire`]), and everything kept from a server is
//! sanitised ([`evidence`]). A port that accepts and never speaks costs at
//! most the port budget (5 s) and is reported as open, service unknown,
//! with the probes tried.
//!
//! Posture ([`posture`]) then asks the questions that apply: TLS versions
//! and weak suites with hand-built hellos ([`tls`]), the certificate, SSH
//! algorithms and login methods, HTTP redirects and exposed pages,
//! services open without authentication, and known-vulnerable versions
//! from `assets/advisories/versions.toml`.
//!
//! Entry points: [`identify_ports`] streams reports for many ports with
//! bounded concurrency and cancellation; [`identify_one`] does one port.
//! The engine calls them for every open port when a scan asks
//! (`ScanRequest::identify`).

#[cfg(test)]
mod captured;
mod clock;
mod evidence;
mod found;
pub mod fuzzing;
mod plan;
mod posture;
mod probes;
pub(crate) mod protocols;
pub(crate) mod relay;
mod tcp;
mod tls;
mod udp;
mod wire;

pub use posture::advisories::{
    AdvisorySet, STALE_AFTER_DAYS, built_in as built_in_advisories, current as current_advisories,
    install as install_advisories, install_from_path as install_advisories_from_path,
};
pub use tls::trust::{TrustError, trust_anchors_from_pem};

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use portcullis_model::scan::Protocol;
use portcullis_model::service::{Posture, ServiceReport};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use clock::Clock;
use probes::PortContext;

/// One open port to identify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyTarget {
    pub address: IpAddr,
    /// The host name the user gave, for HTTP Host, TLS SNI and the
    /// certificate name check.
    pub host_name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
    /// The round trip the port scan measured; waits are a few of these.
    pub rtt: Option<Duration>,
}

/// How identification runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyOptions {
    /// Run the posture checks too.
    pub posture: bool,
    /// Ports identified at once (each holds one connection at a time).
    pub max_connections: usize,
    /// The most time identification spends on one port.
    pub port_budget: Duration,
    /// The most time the posture checks spend on one port.
    pub posture_budget: Duration,
    /// Certificate authorities (DER) trusted besides the public roots, as
    /// [`trust_anchors_from_pem`] reads them.
    pub extra_roots: Arc<[Vec<u8>]>,
}

impl Default for IdentifyOptions {
    fn default() -> IdentifyOptions {
        IdentifyOptions {
            posture: false,
            max_connections: 64,
            port_budget: Duration::from_secs(5),
            posture_budget: Duration::from_secs(20),
            extra_roots: Vec::new().into(),
        }
    }
}

impl IdentifyOptions {
    /// Options matching a scan profile: as many ports at once as the
    /// profile's connection budget comfortably allows (a polite scan
    /// identifies 8 ports at a time, others up to 128).
    pub fn for_timing(timing: &crate::timing::Timing, posture: bool) -> IdentifyOptions {
        IdentifyOptions {
            posture,
            max_connections: (timing.max_in_flight / 8).clamp(4, 128),
            ..IdentifyOptions::default()
        }
    }
}

/// Identifies one port (and runs its posture checks when asked).
pub async fn identify_one(target: &IdentifyTarget, options: &IdentifyOptions) -> ServiceReport {
    let plan = plan::for_port(target.port);
    let ctx = PortContext {
        address: SocketAddr::new(target.address, target.port),
        host_name: target.host_name.clone(),
        clock: Clock::new(target.rtt),
        hint: plan.hint,
        banner_expected: plan.banner_expected,
    };
    let identification = match target.protocol {
        Protocol::Tcp => tcp::identify(&ctx, plan.probes, options.port_budget).await,
        Protocol::Udp => udp::identify(&ctx, options.port_budget).await,
    };
    let posture = match (&identification.found, options.posture) {
        (Some(found), true) => {
            let deadline = Instant::now() + options.posture_budget;
            posture::assess(&ctx, found, deadline, &options.extra_roots).await
        }
        _ => Posture::default(),
    };
    ServiceReport {
        address: target.address,
        port: target.port,
        protocol: target.protocol,
        identity: identification.identity,
        posture,
    }
}

/// Identifies every target, at most `options.max_connections` at once,
/// sending each report as it is ready. The channel closes when all are
/// done or `cancel` fires (then unfinished ports are dropped).
pub fn identify_ports(
    targets: Vec<IdentifyTarget>,
    options: IdentifyOptions,
    cancel: CancellationToken,
) -> mpsc::Receiver<ServiceReport> {
    let (sender, receiver) = mpsc::channel(256);
    tokio::spawn(async move {
        let pool = Pool::new(&options);
        let mut tasks = JoinSet::new();
        for target in targets {
            pool.spawn(
                &mut tasks,
                target,
                sender.clone(),
                std::convert::identity,
                cancel.clone(),
            );
        }
        drop(sender);
        tokio::select! {
            _ = async { while tasks.join_next().await.is_some() {} } => {}
            _ = cancel.cancelled() => tasks.abort_all(),
        }
    });
    receiver
}

/// Bounded concurrency shared by the ports of one run.
#[derive(Clone)]
pub(crate) struct Pool {
    permits: Arc<Semaphore>,
    options: Arc<IdentifyOptions>,
}

impl Pool {
    pub(crate) fn new(options: &IdentifyOptions) -> Pool {
        Pool {
            permits: Arc::new(Semaphore::new(options.max_connections.max(1))),
            options: Arc::new(options.clone()),
        }
    }

    /// Starts identifying `target` once a permit is free; the report goes
    /// to `sender`, wrapped by `wrap`.
    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        tasks: &mut JoinSet<()>,
        target: IdentifyTarget,
        sender: mpsc::Sender<T>,
        wrap: fn(ServiceReport) -> T,
        cancel: CancellationToken,
    ) {
        let (permits, options) = (self.permits.clone(), self.options.clone());
        tasks.spawn(async move {
            let work = async {
                let _permit = permits.acquire_owned().await.ok()?;
                Some(identify_one(&target, &options).await)
            };
            let report = tokio::select! {
                report = work => report,
                _ = cancel.cancelled() => None,
            };
            if let Some(report) = report {
                let _ = sender.send(wrap(report)).await;
            }
        });
    }
}
