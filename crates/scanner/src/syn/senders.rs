//! The sending threads: the state they share ([`Wire`]), one thread's share
//! of a round sent in batches, and the draining of replies between them.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use portcullis_model::scan::PortResult;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::board::{Board, Target};
use super::packet::Answer;
use super::sockets::Prober;
use crate::batch::{BATCH, Inbox, Outbox};
use crate::raw::ipv4_payload;
use crate::timing::Timing;

/// The state the sending threads share.
pub(super) struct Wire {
    pub(super) prober: Prober,
    pub(super) board: Mutex<Board>,
    pub(super) timing: Timing,
    pub(super) cancel: CancellationToken,
    pub(super) probes_done: Arc<AtomicU64>,
    pub(super) list_every_port: bool,
    /// Port results for the async side to pass on as events.
    pub(super) found: mpsc::UnboundedSender<PortResult>,
}

impl Wire {
    pub(super) fn board(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One thread's share of a round, sent in batches, with the replies read
    /// after each; returns the probes a local firewall refused.
    ///
    /// The board's lock is taken once a batch to pace it and once to mark
    /// it sent, not once a probe: with a thread per core sending at full
    /// speed, a lock per probe had the threads queueing for it.
    pub(super) fn send_all(&self, targets: &[Target], sender: usize) -> io::Result<u64> {
        let mut inbox = Inbox::new();
        let mut outbox = Outbox::new();
        let mut refused = 0;
        let mut rest = targets;
        while !rest.is_empty() && !self.cancel.is_cancelled() {
            let (size, delay) = {
                let mut board = self.board();
                let size = board.pacer.batch(BATCH.min(rest.len()));
                (size, board.pacer.delay_for(size))
            };
            if !delay.is_zero() {
                self.drain(&mut inbox);
                std::thread::sleep(delay);
            }
            let (batch, after) = rest.split_at(size);
            rest = after;
            // Marked before they go: a reply can be read by another thread
            // before this one returns from sending.
            self.board()
                .launched(batch.iter().map(|target| target.index));
            let lost = self.prober.send_syns(batch, sender, &mut outbox)?;
            if !lost.is_empty() {
                let mut board = self.board();
                for index in &lost {
                    board.unlaunched(*index);
                }
                refused += lost.len() as u64;
            }
            self.drain(&mut inbox);
        }
        Ok(refused)
    }

    /// Reads every reply waiting on the sockets, without blocking.
    pub(super) fn drain(&self, inbox: &mut Inbox) {
        let mut replies = Vec::new();
        for v6 in [false, true] {
            if let Some(socket) = self.prober.icmp_socket(v6) {
                inbox.drain(socket, |_, message| {
                    replies.extend(self.prober.packets.match_unreachable(message, v6));
                });
            }
            let Some(socket) = self.prober.tcp_socket(v6) else {
                continue;
            };
            inbox.drain(socket, |from, datagram| {
                // A raw IPv6 socket hands over the TCP segment alone; an
                // IPv4 one, the whole datagram with its header.
                let parsed = if v6 {
                    from.map(|from| (from, datagram))
                } else {
                    ipv4_payload(datagram)
                };
                if let Some(reply) =
                    parsed.and_then(|(from, tcp)| self.prober.packets.match_reply(from, tcp))
                {
                    replies.push(reply);
                }
            });
        }
        if replies.is_empty() {
            return;
        }
        let mut decided = 0;
        let mut reported = Vec::new();
        {
            let mut board = self.board();
            for reply in replies {
                let Some(decision) = board.absorb(reply) else {
                    continue;
                };
                decided += 1;
                if decision.reply.answer == Answer::SynAck || self.list_every_port {
                    reported.push(decision);
                }
            }
        }
        self.probes_done.fetch_add(decided, Ordering::Relaxed);
        for decision in reported {
            let _ = self.found.send(decision.into_result());
        }
    }
}
