//! `netlab-delayer QUEUE MILLISECONDS`: holds every packet netfilter puts
//! on queue QUEUE for a fixed time, then lets it go on, in order.
//!
//! The netlab's stand-in for `tc qdisc ... netem delay`: this kernel has no
//! netem, but it has NFQUEUE, so delay is added in user space. The netlab
//! starts it inside the scanner's namespace and feeds it with an iptables
//! rule (see `portcullis_netlab::impair`).

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nfq::{Queue, Verdict};

/// How often held packets are looked at: the delay is exact to about this.
const TICK: Duration = Duration::from_micros(200);

/// Room for a whole full-port scan's worth of packets in flight.
const QUEUE_LENGTH: u32 = 1 << 17;

fn main() -> Result<()> {
    let (queue_number, delay) = arguments()?;
    let mut queue = Queue::open().context("cannot open a netfilter queue socket")?;
    queue
        .bind(queue_number)
        .with_context(|| format!("cannot bind queue {queue_number}"))?;
    queue.set_queue_max_len(queue_number, QUEUE_LENGTH)?;
    // Only the verdict is needed, never the bytes.
    queue.set_copy_range(queue_number, 0)?;
    queue.set_nonblocking(true);
    let mut held = VecDeque::new();
    loop {
        loop {
            match queue.recv() {
                Ok(message) => held.push_back((Instant::now() + delay, message)),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) => return Err(error).context("reading the queue"),
            }
        }
        let now = Instant::now();
        while held.front().is_some_and(|(due, _)| *due <= now) {
            let (_, mut message) = held.pop_front().expect("checked above");
            message.set_verdict(Verdict::Accept);
            queue.verdict(message).context("releasing a packet")?;
        }
        let next = held.front().map_or(TICK, |(due, _)| {
            due.saturating_duration_since(now).min(TICK)
        });
        std::thread::sleep(next);
    }
}

fn arguments() -> Result<(u16, Duration)> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [queue, milliseconds] = arguments.as_slice() else {
        bail!("usage: netlab-delayer QUEUE MILLISECONDS");
    };
    let queue = queue
        .parse()
        .with_context(|| format!("queue {queue:?} is not a number from 0 to 65535"))?;
    let milliseconds: u64 = milliseconds
        .parse()
        .with_context(|| format!("delay {milliseconds:?} is not a number of milliseconds"))?;
    Ok((queue, Duration::from_millis(milliseconds)))
}
