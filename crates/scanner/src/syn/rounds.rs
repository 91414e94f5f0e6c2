//! The round driver: each round sends every probe still pending, split
//! between the sending threads, then waits for the stragglers; rounds go on
//! while the profile's retries last, and beyond them while retransmissions
//! still get answered.

use std::io;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use super::board::Board;
use super::senders::Wire;
use crate::batch::Inbox;

/// Rounds beyond the profile's retries, sent only while the previous round
/// still found lost probes: on a lossy path the last few unanswered probes
/// are more likely lost than filtered, and an open port must never be
/// missed for want of one more try. A filtered host answers no
/// retransmission, so it never gets these.
const EXTRA_ROUNDS_UNDER_LOSS: u8 = 4;

/// Below this many probes a round, one sending thread is enough.
const PROBES_PER_EXTRA_SENDER: usize = 4096;

/// One sending thread per core, up to four.
pub(super) fn sending_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// What the rounds leave: the board, the probes a local firewall refused
/// to send, and how often the pacer slowed down.
pub(super) struct Outcome {
    pub(super) board: Board,
    pub(super) refused: u64,
    pub(super) slowdowns: u32,
}

impl Wire {
    /// Sends every round and waits for its replies. A large round is split
    /// between one thread per core: on a fast link each send costs mostly
    /// the kernel's work of carrying the packet (and, on a local network,
    /// the reply) through the stack, which runs on the sending core.
    pub(super) fn run(self) -> io::Result<Outcome> {
        let senders = sending_threads();
        let mut refused = 0u64;
        let mut inbox = Inbox::new();
        for attempt in 0..=self.timing.retries + EXTRA_ROUNDS_UNDER_LOSS {
            let targets = self.board().pending_targets();
            if targets.is_empty() || self.cancel.is_cancelled() {
                break;
            }
            if attempt > self.timing.retries && !self.board().loss_seen_last_round() {
                break;
            }
            self.board().start_round();
            let round_started = Instant::now();
            let probes = targets.len();
            let threads = (probes / PROBES_PER_EXTRA_SENDER).clamp(1, senders);
            let share = probes.div_ceil(threads);
            refused += std::thread::scope(|scope| {
                let workers: Vec<_> = targets
                    .chunks(share)
                    .enumerate()
                    .map(|(sender, part)| {
                        let wire = &self;
                        scope.spawn(move || wire.send_all(part, sender))
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().expect("a sending thread panicked"))
                    .sum::<io::Result<u64>>()
            })?;
            let sent_in = round_started.elapsed();
            // Wait for the stragglers, but not for answers already in.
            let backoff = 1u32 << attempt.min(4);
            let deadline = Instant::now() + self.board().longest_timeout() * backoff;
            loop {
                self.drain(&mut inbox);
                let now = Instant::now();
                if self.board().outstanding == 0 || now >= deadline || self.cancel.is_cancelled() {
                    break;
                }
                std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
            }
            let (unanswered, rate) = {
                let board = self.board();
                (board.outstanding, board.pacer.rate())
            };
            tracing::debug!(
                attempt,
                probes,
                threads,
                ?sent_in,
                waited = ?round_started.elapsed() - sent_in,
                unanswered,
                rate = ?rate,
                "SYN round done"
            );
        }
        let board = self
            .board
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(Outcome {
            slowdowns: board.pacer.cuts(),
            board,
            refused,
        })
    }
}
