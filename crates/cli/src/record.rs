//! `portcullis scan --save`: the scan recorded in the database as it
//! streams, then judged against the systems and the inventory.

use portcullis_model::compliance::{Exposure, PortRange, ScanCoverage};
use portcullis_model::scan::{ScanEvent, ScanSummary};
use portcullis_store::{NewScan, ScanStatus, ScanWriter, Store};

use crate::context::{Session, store_failure};
use crate::{Failure, judge};

/// What `scan` tells the recorder about the scan it is about to start.
#[derive(Debug, Clone)]
pub struct ScanDescription {
    pub targets: String,
    /// The ports as scanned, e.g. `T:1-1024,U:53`.
    pub ports: String,
    /// The TCP method asked for: auto, syn, connect, none.
    pub requested_method: &'static str,
    pub profile: &'static str,
    pub external: bool,
    /// TCP ports probed (empty when no TCP scan), UDP likewise.
    pub tcp_ports: Vec<u16>,
    pub udp_ports: Vec<u16>,
    /// Whether service identification runs on the open ports.
    pub identification: bool,
    /// Whether posture checks run.
    pub posture: bool,
}

/// A scan being recorded.
pub struct Recorder {
    store: Store,
    writer: ScanWriter,
    actor: String,
}

impl Recorder {
    /// Opens the database and writes the scan's row, "running", before the
    /// first probe: a database problem stops the scan before it starts.
    pub async fn start(session: &Session, scan: ScanDescription) -> Result<Recorder, Failure> {
        let store = session.open().await?;
        let new_scan = NewScan {
            actor: session.actor.clone(),
            targets: scan.targets,
            ports: scan.ports,
            requested_method: scan.requested_method.to_owned(),
            profile: scan.profile.to_owned(),
            origin: if scan.external {
                Exposure::External
            } else {
                Exposure::Internal
            },
            coverage: ScanCoverage {
                tcp: ranges(&scan.tcp_ports),
                udp: ranges(&scan.udp_ports),
                identification: scan.identification,
                posture: scan.posture,
            },
        };
        let writer = store.begin_scan(&new_scan).await.map_err(store_failure)?;
        Ok(Recorder {
            store,
            writer,
            actor: session.actor.clone(),
        })
    }

    pub async fn record(&mut self, event: &ScanEvent) -> Result<(), Failure> {
        self.writer.record(event).await.map_err(store_failure)
    }

    /// Writes the rest and the outcome; judges a complete scan and says, on
    /// standard error (standard output carries the report), what changed.
    pub async fn finish(self, summary: Option<&ScanSummary>) -> Result<(), Failure> {
        let scan = self.writer.finish(summary).await.map_err(store_failure)?;
        if scan.status == ScanStatus::Finished {
            let saved = judge::evaluate_and_save(&self.store, &self.actor, scan.id)
                .await
                .map_err(store_failure)?;
            eprintln!("{}", judge::describe(scan.id, &saved));
        } else {
            eprintln!(
                "Saved as scan {} ({}): a partial scan is kept but not judged, \
                 since ports it did not reach would look closed.",
                scan.id,
                scan.status.as_str()
            );
        }
        self.store.close().await;
        Ok(())
    }
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
}
