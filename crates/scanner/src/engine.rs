//! Running a scan: the request, the handle, and the task that drives the
//! chosen methods and turns their results into the event stream.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portcullis_model::scan::{
    MethodChoice, Progress, Protocol, ScanEvent, ScanMethod, ScanSummary,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connect;
use crate::discovery;
use crate::job::{EventSink, ScanJob};
use crate::ports::PortSpec;
use crate::results::HostTally;
use crate::targets::Target;
use crate::timing::Timing;

/// Which TCP method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpMethod {
    /// SYN when privileged, connect otherwise.
    Auto,
    Syn,
    Connect,
}

/// Everything a scan needs to know.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub targets: Vec<Target>,
    pub ports: PortSpec,
    /// `None` to skip TCP (a UDP-only scan).
    pub tcp: Option<TcpMethod>,
    /// Scan the specification's UDP ports too.
    pub udp: bool,
    pub timing: Timing,
    /// Probe hosts before scanning them; `false` treats every target as up.
    pub discover: bool,
    /// Report closed and filtered ports one by one, not only as counts.
    pub list_every_port: bool,
    /// Identify the service behind every open port (`-sV`), as the scan
    /// goes; `None` for a port scan only.
    pub identify: Option<crate::identify::IdentifyOptions>,
}

/// A running scan: its events, and the means to stop it.
#[derive(Debug)]
pub struct ScanHandle {
    pub events: mpsc::Receiver<ScanEvent>,
    cancel: CancellationToken,
}

impl ScanHandle {
    /// Stops sending probes at once; the scan ends with a partial
    /// `Finished` event.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels this scan, for another task (a Ctrl-C handler).
    pub fn canceller(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// How a scan failed before it could start.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The sentence says why (no helper, or one without the capability).
    #[error(
        "SYN scanning needs raw sockets, and {0}: install Portcullis's package (its helper holds CAP_NET_RAW), run as root, or use the connect scan"
    )]
    NotPrivileged(String),
    #[error("SYN scanning is built for Linux only; use the connect scan")]
    SynUnavailable,
    #[error("nothing to scan: {0}")]
    Empty(&'static str),
}

/// Starts a scan on the current tokio runtime.
pub fn start(request: ScanRequest) -> Result<ScanHandle, ScanError> {
    if request.targets.is_empty() {
        return Err(ScanError::Empty("no targets"));
    }
    let (method, syn_helper) = match choose_tcp_method(request.tcp)? {
        Some((method, helper)) => (Some(method), helper),
        None => (None, None),
    };
    if method.is_none() && !request.udp {
        return Err(ScanError::Empty("neither TCP nor UDP was asked for"));
    }
    let (events, receiver) = mpsc::channel(4096);
    let cancel = CancellationToken::new();
    let receiver = match request.identify.clone() {
        Some(options) => {
            crate::identify::relay::relay(receiver, &request.targets, options, cancel.clone())
        }
        None => receiver,
    };
    let scan = Scan {
        request,
        tcp_method: method,
        syn_helper,
        events: EventSink::new(events),
        cancel: cancel.clone(),
        probes_done: Arc::new(AtomicU64::new(0)),
    };
    tokio::spawn(scan.run());
    Ok(ScanHandle {
        events: receiver,
        cancel,
    })
}

/// The TCP method to run and why, and the raw-socket helper to run a SYN
/// scan through when this process cannot send raw packets itself.
fn choose_tcp_method(
    requested: Option<TcpMethod>,
) -> Result<Option<(MethodChoice, Option<PathBuf>)>, ScanError> {
    use crate::privilege::RawAccess;
    let choice = |method, why: String, helper| Ok(Some((MethodChoice { method, why }, helper)));
    let access = match requested {
        None => return Ok(None),
        Some(TcpMethod::Connect) => {
            return choice(ScanMethod::Connect, "connect scan requested".into(), None);
        }
        Some(_) => crate::privilege::raw_access(),
    };
    let syn_built = cfg!(target_os = "linux");
    match (requested, access) {
        (Some(TcpMethod::Syn), _) if !syn_built => Err(ScanError::SynUnavailable),
        (Some(TcpMethod::Syn), RawAccess::Unavailable(why)) => Err(ScanError::NotPrivileged(why)),
        (Some(TcpMethod::Syn), RawAccess::InProcess) => {
            choice(ScanMethod::Syn, "SYN scan requested".into(), None)
        }
        (Some(TcpMethod::Syn), RawAccess::Helper(helper)) => choice(
            ScanMethod::Syn,
            format!(
                "SYN scan requested, through the raw-socket helper {}",
                helper.display()
            ),
            Some(helper),
        ),
        (_, RawAccess::InProcess) => choice(
            ScanMethod::Syn,
            "auto: raw sockets are available, so SYN scan".into(),
            None,
        ),
        (_, RawAccess::Helper(helper)) => choice(
            ScanMethod::Syn,
            format!(
                "auto: the raw-socket helper {} holds CAP_NET_RAW, so SYN scan through it",
                helper.display()
            ),
            Some(helper),
        ),
        (_, RawAccess::Unavailable(why)) if syn_built => choice(
            ScanMethod::Connect,
            format!(
                "auto: no raw-socket privilege (not root, no CAP_NET_RAW) and {why}, so connect scan"
            ),
            None,
        ),
        (_, RawAccess::Unavailable(_)) => choice(
            ScanMethod::Connect,
            "auto: SYN scanning is built for Linux only, so connect scan".into(),
            None,
        ),
    }
}

struct Scan {
    request: ScanRequest,
    tcp_method: Option<MethodChoice>,
    /// Run the SYN scan through this helper, not in this process.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    syn_helper: Option<PathBuf>,
    events: EventSink,
    cancel: CancellationToken,
    probes_done: Arc<AtomicU64>,
}

impl Scan {
    async fn run(self) {
        let started = Instant::now();
        let hosts = discovery::discover(
            &self.request.targets,
            self.request.discover,
            &self.request.timing,
            &self.events,
            &self.cancel,
        )
        .await;
        let up: Vec<IpAddr> = hosts.iter().filter(|h| h.up).map(|h| h.address).collect();
        let tcp_ports = match self.tcp_method {
            Some(_) => self.request.ports.ports(Protocol::Tcp),
            None => Vec::new(),
        };
        let udp_ports = match self.request.udp {
            true => self.request.ports.ports(Protocol::Udp),
            false => Vec::new(),
        };
        let total = (up.len() * (tcp_ports.len() + udp_ports.len())) as u64;
        let progress = self.spawn_progress_reporter(total);

        let mut tallies = if tcp_ports.is_empty() {
            up.iter().map(|host| HostTally::new(*host)).collect()
        } else {
            self.scan_tcp(&up, &tcp_ports).await
        };
        if !udp_ports.is_empty() && !self.cancel.is_cancelled() {
            let udp = connect::scan(Protocol::Udp, self.job(&up, &udp_ports)).await;
            merge_tallies(&mut tallies, udp);
        }
        progress.cancel();

        let partial = self.cancel.is_cancelled();
        let open_ports = self.report_hosts(tallies, partial).await;
        let hosts_up = up.len() as u32;
        let mut methods: Vec<MethodChoice> = self.tcp_method.iter().cloned().collect();
        if self.request.udp {
            methods.push(MethodChoice {
                method: ScanMethod::Udp,
                why: "UDP scan requested".into(),
            });
        }
        self.events
            .send(ScanEvent::Finished(ScanSummary {
                methods,
                hosts_up,
                hosts_down: hosts.len() as u32 - hosts_up,
                open_ports,
                elapsed_seconds: started.elapsed().as_secs_f64(),
                partial,
            }))
            .await;
    }

    /// Runs the chosen TCP method. A SYN scan that fails to start (raw
    /// sockets refused after all) is reported and ends the scan partial.
    async fn scan_tcp(&self, hosts: &[IpAddr], ports: &[u16]) -> Vec<HostTally> {
        let syn = self
            .tcp_method
            .as_ref()
            .is_some_and(|m| m.method == ScanMethod::Syn);
        if syn {
            #[cfg(target_os = "linux")]
            let scanned = match &self.syn_helper {
                Some(helper) => crate::rawscan::client::scan(helper, self.job(hosts, ports)).await,
                None => crate::syn::scan(self.job(hosts, ports)).await,
            };
            #[cfg(target_os = "linux")]
            match scanned {
                Ok(tallies) => return tallies,
                Err(error) => {
                    self.events
                        .send(ScanEvent::Warning {
                            message: format!("the SYN scan failed: {error}"),
                        })
                        .await;
                    self.cancel.cancel();
                    return Vec::new();
                }
            }
        }
        connect::scan(Protocol::Tcp, self.job(hosts, ports)).await
    }

    /// What every scan method needs to know.
    fn job<'a>(&'a self, hosts: &'a [IpAddr], ports: &'a [u16]) -> ScanJob<'a> {
        ScanJob {
            hosts,
            ports,
            timing: &self.request.timing,
            list_every_port: self.request.list_every_port,
            events: &self.events,
            cancel: &self.cancel,
            probes_done: &self.probes_done,
        }
    }

    /// Sends each host's counts; returns the number of open ports.
    async fn report_hosts(&self, tallies: Vec<HostTally>, partial: bool) -> u32 {
        let mut open = 0;
        for tally in tallies {
            open += tally.open_count();
            if !partial {
                self.events
                    .send(ScanEvent::HostDone(tally.into_done()))
                    .await;
            }
        }
        open
    }

    /// Emits a `Progress` event every quarter second until cancelled.
    fn spawn_progress_reporter(&self, total: u64) -> CancellationToken {
        let stop = self.cancel.child_token();
        let (events, done, stop_here) =
            (self.events.clone(), self.probes_done.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            let (mut last_done, mut last_at) = (0u64, Instant::now());
            loop {
                tokio::select! {
                    _ = stop_here.cancelled() => break,
                    _ = tick.tick() => {}
                }
                let now_done = done.load(Ordering::Relaxed);
                let seconds = last_at.elapsed().as_secs_f64().max(1e-3);
                let rate = (now_done - last_done) as f64 / seconds;
                (last_done, last_at) = (now_done, Instant::now());
                let eta_seconds =
                    (rate > 0.0).then(|| (total.saturating_sub(now_done)) as f64 / rate);
                events
                    .send(ScanEvent::Progress(Progress {
                        probes_done: now_done,
                        probes_total: total,
                        rate,
                        eta_seconds,
                    }))
                    .await;
            }
        });
        stop
    }
}

/// Adds each host's counts from `more` to its tally in `tallies`.
fn merge_tallies(tallies: &mut Vec<HostTally>, more: Vec<HostTally>) {
    for extra in more {
        match tallies.iter_mut().find(|t| t.address() == extra.address()) {
            Some(tally) => tally.merge(extra),
            None => tallies.push(extra),
        }
    }
}
