//! The helper's side: read one request, run the SYN scan's rounds, write
//! what they find. Linux only, as the SYN scan is.
//!
//! The helper's `main` (crates/rawscan) drops its capabilities first and
//! then calls [`serve`] with its standard input and output; nothing here
//! reads a file, runs a program or opens anything but the SYN scan's
//! sockets.

use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use portcullis_model::scan::ScanEvent;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{MAX_REQUEST_BYTES, Reply, Request};
use crate::job::{EventSink, ScanJob};

/// How the helper ended, for its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The scan ran (whole, or cancelled part-way) and `Done` was written.
    Scanned,
    /// The request was refused; nothing was sent.
    Refused,
    /// The scan could not run, or the caller went away.
    Failed,
}

/// Serves one request from `input`, writing replies to `output`. After the
/// request, the end of `input` cancels the scan.
pub fn serve(
    mut input: impl BufRead + Send + 'static,
    mut output: impl Write + Send + 'static,
) -> Outcome {
    let request = match read_request(&mut input) {
        Ok(request) => request,
        Err(reason) => {
            let _ = write_line(&mut output, &Reply::Refused { reason });
            return Outcome::Refused;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let error = format!("cannot start: {error}");
            let _ = write_line(&mut output, &Reply::Failed { error });
            return Outcome::Failed;
        }
    };
    let cancel = CancellationToken::new();
    watch_for_hang_up(input, cancel.clone());
    runtime.block_on(scan(request, output, cancel))
}

/// One line of at most [`MAX_REQUEST_BYTES`], parsed and checked.
fn read_request(input: &mut impl BufRead) -> Result<Request, String> {
    let mut line = Vec::new();
    let limit = MAX_REQUEST_BYTES as u64 + 1;
    input
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(|error| format!("cannot read the request: {error}"))?;
    if line.last() != Some(&b'\n') {
        return Err(if line.len() as u64 >= limit {
            format!("the request is longer than {MAX_REQUEST_BYTES} bytes")
        } else {
            "the request must end with a new line".into()
        });
    }
    line.pop();
    Request::parse(&line).map_err(|refusal| refusal.0)
}

/// Cancels the scan when the caller closes our standard input (or sends
/// anything more: a request is one line). A plain thread: a read that never
/// returns must not hold the runtime open.
fn watch_for_hang_up(mut input: impl Read + Send + 'static, cancel: CancellationToken) {
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let _ = input.read(&mut byte);
        cancel.cancel();
    });
}

async fn scan(request: Request, mut output: impl Write, cancel: CancellationToken) -> Outcome {
    let (sender, mut events) = mpsc::channel(1024);
    let probes_done = Arc::new(AtomicU64::new(0));
    let timing = request.timing();
    let scanning = {
        let (cancel, probes_done) = (cancel.clone(), probes_done.clone());
        let request = &request;
        async move {
            let sink = EventSink::new(sender);
            let job = ScanJob {
                hosts: &request.hosts,
                ports: &request.ports,
                timing: &timing,
                list_every_port: request.list_every_port,
                events: &sink,
                cancel: &cancel,
                probes_done: &probes_done,
            };
            crate::syn::scan(job).await
            // The sink is dropped here, which ends the event loop below.
        }
    };
    let writing = async {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut written_ok = true;
        loop {
            let reply = tokio::select! {
                event = events.recv() => match event {
                    Some(ScanEvent::Port(port)) => Reply::Port(port),
                    Some(ScanEvent::Warning { message }) => Reply::Warning { message },
                    Some(_) => continue,
                    None => break,
                },
                _ = tick.tick() => Reply::Progress {
                    probes_done: probes_done.load(Ordering::Relaxed),
                },
            };
            if written_ok && write_line(&mut output, &reply).is_err() {
                // Nobody reads: stop probing, but keep draining.
                written_ok = false;
                cancel.cancel();
            }
        }
        written_ok
    };
    let (result, written_ok) = tokio::join!(scanning, writing);
    let reply = match result {
        Ok(tallies) => Reply::Done {
            hosts: tallies.into_iter().map(|tally| tally.into_done()).collect(),
        },
        Err(error) => Reply::Failed {
            error: error.to_string(),
        },
    };
    let failed = matches!(reply, Reply::Failed { .. });
    if !written_ok || write_line(&mut output, &reply).is_err() || failed {
        return Outcome::Failed;
    }
    Outcome::Scanned
}

fn write_line(output: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(reply).map_err(std::io::Error::other)?;
    line.push(b'\n');
    output.write_all(&line)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// What the helper wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn replies(input: &[u8]) -> (Outcome, Vec<Reply>) {
        let captured = Captured::default();
        let outcome = serve(std::io::Cursor::new(input.to_vec()), captured.clone());
        let bytes = captured.0.lock().unwrap().clone();
        let replies = bytes
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        (outcome, replies)
    }

    #[test]
    fn a_malformed_request_is_refused_and_nothing_else_is_said() {
        for input in [
            &b"{\"version\":1,\"hosts\":[\"127.0.0.1\"]}\n"[..],
            b"garbage\n",
            b"",
            // No new line: a request is one whole line.
            b"{\"version\":1}",
        ] {
            let (outcome, replies) = replies(input);
            assert_eq!(outcome, Outcome::Refused);
            assert!(
                matches!(replies.as_slice(), [Reply::Refused { .. }]),
                "{replies:?}"
            );
        }
    }

    #[test]
    fn an_endless_request_is_refused_after_the_bound() {
        let input = vec![b'x'; MAX_REQUEST_BYTES + 10];
        let (outcome, replies) = replies(&input);
        assert_eq!(outcome, Outcome::Refused);
        let [Reply::Refused { reason }] = replies.as_slice() else {
            panic!("{replies:?}");
        };
        assert!(reason.contains("longer"), "{reason}");
    }
}
