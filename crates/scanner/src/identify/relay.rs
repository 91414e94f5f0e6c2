//! The engine's hook: identification runs inside the scan's event stream.
//!
//! The relay sits between the scan and its reader. Every event passes
//! through unchanged; each open port (TCP, and UDP 53/123/161) starts its
//! identification at once, while the scan goes on, and its report follows
//! as a `Service` event. The scan's `Finished` is held until every
//! identification is done (or the scan is cancelled), and its elapsed time
//! then covers identification too.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use portcullis_model::scan::{PortState, Protocol, ScanEvent};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{IdentifyOptions, IdentifyTarget, Pool};
use crate::targets::Target;

/// The UDP ports identification has probes for.
const UDP_IDENTIFIED: [u16; 3] = [53, 123, 161];

/// Wraps the scan's event stream: returns the stream the reader sees.
pub(crate) fn relay(
    mut upstream: mpsc::Receiver<ScanEvent>,
    targets: &[Target],
    options: IdentifyOptions,
    cancel: CancellationToken,
) -> mpsc::Receiver<ScanEvent> {
    let names: HashMap<IpAddr, String> = targets
        .iter()
        .filter_map(|t| t.name.clone().map(|name| (t.address, name)))
        .collect();
    let (sender, receiver) = mpsc::channel(4096);
    tokio::spawn(async move {
        let pool = Pool::new(&options);
        let mut tasks = JoinSet::new();
        let mut finished = None;
        while let Some(event) = upstream.recv().await {
            if let ScanEvent::Port(port) = &event
                && port.state == PortState::Open
                && (port.protocol == Protocol::Tcp || UDP_IDENTIFIED.contains(&port.port))
            {
                let target = IdentifyTarget {
                    address: port.address,
                    host_name: names.get(&port.address).cloned(),
                    port: port.port,
                    protocol: port.protocol,
                    rtt: port.rtt_micros.map(Duration::from_micros),
                };
                pool.spawn(
                    &mut tasks,
                    target,
                    sender.clone(),
                    |report| ScanEvent::Service(Box::new(report)),
                    cancel.clone(),
                );
            }
            if let ScanEvent::Finished(summary) = event {
                finished = Some(summary);
                break;
            }
            if sender.send(event).await.is_err() {
                cancel.cancel();
            }
        }
        let waited = Instant::now();
        tokio::select! {
            _ = async { while tasks.join_next().await.is_some() {} } => {}
            _ = cancel.cancelled() => tasks.abort_all(),
        }
        if let Some(mut summary) = finished {
            summary.elapsed_seconds += waited.elapsed().as_secs_f64();
            summary.partial |= cancel.is_cancelled();
            let _ = sender.send(ScanEvent::Finished(summary)).await;
        }
    });
    receiver
}
