//! The caller's side: start the helper, hand it the job, and turn its
//! replies back into the scan's events and tallies, trusting none of them
//! beyond what was asked.

use std::collections::HashSet;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::Duration;

use portcullis_model::scan::{Protocol, ScanEvent};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::{MAX_REPLY_BYTES, Reply, Request};
use crate::job::ScanJob;
use crate::results::HostTally;

/// How long the helper has to send its counts after a cancellation.
const AFTER_CANCEL: Duration = Duration::from_secs(5);

/// Warnings kept from one helper; more are dropped.
const MAX_WARNINGS: usize = 16;

/// Scans `job` through the helper at `helper`; returns each host's tally,
/// in the hosts' order, as `crate::syn::scan` does in-process.
pub(crate) async fn scan(helper: &Path, job: ScanJob<'_>) -> io::Result<Vec<HostTally>> {
    let mut child = Command::new(helper)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let stdout = child.stdout.take().expect("stdout was piped");
    let request = Request::new(job.hosts, job.ports, job.timing, job.list_every_port);
    let mut line = serde_json::to_vec(&request).map_err(io::Error::other)?;
    line.push(b'\n');
    stdin.write_all(&line).await?;
    stdin.flush().await?;

    let mut replies = Replies::new(stdout, &job);
    let mut stdin = Some(stdin);
    let outcome = loop {
        let next = tokio::select! {
            next = replies.next() => next,
            _ = job.cancel.cancelled(), if stdin.is_some() => {
                // Closing its input tells the helper to stop and count,
                // which it has a few seconds to do.
                stdin = None;
                replies.cancelled_at = Some(tokio::time::Instant::now());
                continue;
            }
        };
        match next {
            Ok(Some(Reply::Port(port))) => job.events.send(ScanEvent::Port(port)).await,
            Ok(Some(Reply::Warning { message })) => {
                job.events.send(ScanEvent::Warning { message }).await;
            }
            Ok(Some(Reply::Progress { probes_done })) => {
                job.probes_done.store(probes_done, Ordering::Relaxed);
            }
            Ok(Some(Reply::Done { hosts })) => break replies.tallies(hosts),
            Ok(Some(Reply::Refused { reason })) => {
                break Err(io::Error::other(format!(
                    "the raw-socket helper refused the scan: {reason}"
                )));
            }
            Ok(Some(Reply::Failed { error })) => break Err(io::Error::other(error)),
            Ok(None) => {
                break Err(io::Error::other(
                    "the raw-socket helper ended without its results",
                ));
            }
            Err(error) => break Err(error),
        }
    };
    drop(stdin);
    // It has said all it will: make sure it is gone.
    let _ = child.kill().await;
    outcome
}

/// The helper's reply lines, each bounded, each checked against the job.
struct Replies<'a, R> {
    reader: BufReader<R>,
    job: &'a ScanJob<'a>,
    hosts: HashSet<IpAddr>,
    ports: HashSet<u16>,
    /// Ports reported so far, never more than were asked about.
    ports_seen: u64,
    warnings: usize,
    cancelled_at: Option<tokio::time::Instant>,
}

impl<'a, R: AsyncRead + Unpin> Replies<'a, R> {
    fn new(output: R, job: &'a ScanJob<'a>) -> Self {
        Replies {
            reader: BufReader::new(output),
            job,
            hosts: job.hosts.iter().copied().collect(),
            ports: job.ports.iter().copied().collect(),
            ports_seen: 0,
            warnings: 0,
            cancelled_at: None,
        }
    }

    /// The next reply worth passing on; `None` at the end of the output.
    async fn next(&mut self) -> io::Result<Option<Reply>> {
        loop {
            let Some(reply) = self.read_line().await? else {
                return Ok(None);
            };
            match &reply {
                Reply::Port(port) => {
                    self.ports_seen += 1;
                    let total = (self.hosts.len() * self.ports.len()) as u64;
                    if port.protocol != Protocol::Tcp
                        || !self.hosts.contains(&port.address)
                        || !self.ports.contains(&port.port)
                        || self.ports_seen > total
                        || port.identity.is_some()
                        || port.posture.is_some()
                    {
                        return Err(invalid("a port that was not asked about"));
                    }
                }
                Reply::Warning { .. } => {
                    self.warnings += 1;
                    if self.warnings > MAX_WARNINGS {
                        continue;
                    }
                }
                _ => {}
            }
            return Ok(Some(reply));
        }
    }

    /// One line of at most [`MAX_REPLY_BYTES`], as a reply.
    async fn read_line(&mut self) -> io::Result<Option<Reply>> {
        let mut line = Vec::new();
        let mut limited = (&mut self.reader).take(MAX_REPLY_BYTES as u64 + 1);
        let reading = limited.read_until(b'\n', &mut line);
        let read = match self.cancelled_at {
            Some(at) => tokio::time::timeout_at(at + AFTER_CANCEL, reading)
                .await
                .map_err(|_| invalid("no results after the scan was cancelled"))??,
            None => reading.await?,
        };
        if read == 0 {
            return Ok(None);
        }
        if line.pop() != Some(b'\n') {
            return Err(invalid("a reply line too long, or cut short"));
        }
        serde_json::from_slice(&line)
            .map(Some)
            .map_err(|_| invalid("a reply that is not the helper's protocol"))
    }

    /// The hosts' tallies from `Done`, in the job's order; each host once,
    /// only hosts that were asked about.
    fn tallies(&self, hosts: Vec<portcullis_model::scan::HostDone>) -> io::Result<Vec<HostTally>> {
        let mut tallies: Vec<HostTally> =
            self.job.hosts.iter().map(|h| HostTally::new(*h)).collect();
        let mut seen = HashSet::new();
        let limit = self.ports.len() as u64;
        for done in hosts {
            let Some(index) = self.job.hosts.iter().position(|h| *h == done.address) else {
                return Err(invalid("counts for a host that was not asked about"));
            };
            let counted: u64 = done.counts.iter().map(|c| u64::from(c.count)).sum();
            if !seen.insert(done.address) || counted > limit {
                return Err(invalid("counts that do not add up"));
            }
            tallies[index] = HostTally::from_done(done);
        }
        Ok(tallies)
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the raw-socket helper sent {what}"),
    )
}
