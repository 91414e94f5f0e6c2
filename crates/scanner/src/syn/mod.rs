//! The SYN scan: half-open probes with raw packets. A SYN goes out; a
//! SYN/ACK back means open, a RST closed, an ICMP destination unreachable
//! quoting the probe filtered (with its type and code as the reason), and
//! silence after retries filtered too. The kernel answers the SYN/ACK with a
//! RST of its own, since no socket of its own made the connection, so no
//! handshake is ever completed.
//!
//! Packets are built and read with `pnet_packet`, and go through raw
//! sockets opened with socket2, in batches (`crate::batch`). Replies are
//! matched without per-probe state: each probe's sequence number is a keyed
//! hash of its target, and a reply counts only if it acknowledges that
//! number (or, for an ICMP error, quotes it).
//!
//! Linux only: BSD kernels never hand TCP replies to raw sockets, and
//! Windows cannot send TCP over them.
//!
//! The parts, one concern each: [`rounds`] drives the rounds, [`senders`]
//! is what the sending threads share and do, [`board`] keeps every probe's
//! verdict and send time, [`packet`] builds the probes and recognises the
//! replies, and [`sockets`] opens the raw sockets and sends through them.
//! What host discovery shares with this scan is in [`crate::raw`].

mod board;
mod packet;
mod rounds;
mod senders;
mod sockets;

use std::io;
use std::sync::Mutex;

use portcullis_model::scan::ScanEvent;
use tokio::sync::mpsc;

use crate::job::ScanJob;
use crate::results::HostTally;

use board::Board;
use rounds::sending_threads;
use senders::Wire;
use sockets::Prober;

/// Scans every port of every host; returns each host's tally, in the hosts'
/// order. Open ports are sent as events as soon as their SYN/ACK arrives.
///
/// The packets are sent and read by blocking threads (one per core for a
/// large round) that alternate between a burst of sends and draining what
/// has arrived, with sockets no event loop watches. On a fast link that
/// matters more than anything else: an async socket wakes the reactor on
/// another core for every reply and every sent buffer freed, and those
/// cross-core wake-ups cost more than the packets themselves (measured:
/// 9.5 µs a probe through tokio, see ARCHITECTURE.md).
pub(crate) async fn scan(job: ScanJob<'_>) -> io::Result<Vec<HostTally>> {
    let (found_tx, mut found) = mpsc::unbounded_channel();
    let wire = Wire {
        prober: Prober::open(job.hosts, sending_threads())?,
        board: Mutex::new(Board::new(job.hosts, job.ports, job.timing)),
        timing: *job.timing,
        cancel: job.cancel.clone(),
        probes_done: job.probes_done.clone(),
        list_every_port: job.list_every_port,
        found: found_tx,
    };
    let worker = tokio::task::spawn_blocking(move || wire.run());
    while let Some(port) = found.recv().await {
        job.events.send(ScanEvent::Port(port)).await;
    }
    let outcome = worker.await.map_err(io::Error::other)??;
    if outcome.refused > 0 {
        job.events
            .send(ScanEvent::Warning {
                message: format!(
                    "a firewall on this computer refused to send {} probes; they were retried, but ports may show as filtered because of it",
                    outcome.refused
                ),
            })
            .await;
    }
    if outcome.slowdowns > 0 {
        job.events
            .send(ScanEvent::Warning {
                message: format!(
                    "replies were lost, so the scan slowed down {} times; every unanswered probe was sent again",
                    outcome.slowdowns,
                ),
            })
            .await;
    }
    Ok(outcome.board.finish(&job).await)
}
