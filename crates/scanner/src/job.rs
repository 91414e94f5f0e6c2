//! What the engine hands each scan method: the job to do and where its
//! events go. Its own module so that dependencies point one way: the
//! engine calls the methods (`connect`, `syn`, `discovery`), and they know
//! only this, not the engine.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use portcullis_model::scan::{HostReport, ScanEvent};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::targets::Target;
use crate::timing::Timing;

/// One scan method's work: which ports of which hosts, how, and where the
/// results go.
pub(crate) struct ScanJob<'a> {
    pub hosts: &'a [IpAddr],
    pub ports: &'a [u16],
    pub timing: &'a Timing,
    /// Report closed and filtered ports one by one, not only as counts.
    pub list_every_port: bool,
    pub events: &'a EventSink,
    pub cancel: &'a CancellationToken,
    /// Ports decided so far, for progress.
    pub probes_done: &'a Arc<AtomicU64>,
}

/// Sends events, never blocking the scan on a receiver that went away.
#[derive(Debug, Clone)]
pub(crate) struct EventSink(mpsc::Sender<ScanEvent>);

impl EventSink {
    pub(crate) fn new(sender: mpsc::Sender<ScanEvent>) -> EventSink {
        EventSink(sender)
    }

    pub(crate) async fn send(&self, event: ScanEvent) {
        // A dropped receiver means nobody listens; the scan will notice the
        // cancellation token, so the error is of no further use.
        let _ = self.0.send(event).await;
    }
}

/// Says a host is up or down.
pub(crate) fn host_event(target: &Target, up: bool, reason: String) -> ScanEvent {
    ScanEvent::Host(HostReport {
        address: target.address,
        name: target.name.clone(),
        up,
        reason,
    })
}
