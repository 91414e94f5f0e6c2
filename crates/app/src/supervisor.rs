//! The owner of every running scan.
//!
//! In the manner of tokio's mini-redis: a bounded number of scans at once
//! (a semaphore), each cancellable by its id, all cancelled when the
//! supervisor is dropped or shut down, and the shutdown waits until each
//! has written its outcome (cancelled, with what it found). A scan does
//! not belong to whoever started it: a window that reloads attaches to it
//! again by id and receives everything found so far, then the rest.
//!
//! What a run found is kept in an append-only log; each subscriber reads
//! it from its own cursor, at most once every [`UPDATE_INTERVAL`], so a
//! 65,535-port scan reaches a window as a few dozen messages, and nothing
//! is lost or sent twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portcullis_model::AppError;
use portcullis_model::ErrorKind;
use portcullis_model::scan::{HostDone, HostReport, PortResult, Progress, ScanEvent, ScanSummary};
use portcullis_model::scan_record::{RunId, RunState, RunningScan, ScanId, ScanUpdate};
use portcullis_model::service::ServiceReport;
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The shortest time between two updates to one subscriber: ten a second
/// is as fast as a person reads, and what a webview can take while it
/// stays responsive.
pub const UPDATE_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub(crate) struct Supervisor {
    slots: Arc<Semaphore>,
    runs: Arc<Mutex<HashMap<RunId, Arc<Run>>>>,
    next_id: AtomicU64,
    shutdown: CancellationToken,
    tracker: TaskTracker,
}

impl Supervisor {
    pub(crate) fn new(slots: usize) -> Supervisor {
        Supervisor {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            runs: Arc::new(Mutex::new(HashMap::new())),
            next_id: AtomicU64::new(1),
            shutdown: CancellationToken::new(),
            tracker: TaskTracker::new(),
        }
    }

    /// Takes a slot for a new run, or says none is free.
    pub(crate) fn admit(&self, targets: String) -> Result<Admission, AppError> {
        if self.shutdown.is_cancelled() {
            return Err(AppError::new(
                ErrorKind::Unavailable,
                "Portcullis is shutting down; no new scan starts",
            ));
        }
        let permit = self.slots.clone().try_acquire_owned().map_err(|_| {
            AppError::new(
                ErrorKind::Busy,
                "as many scans as allowed are running; wait for one to finish or cancel one",
            )
        })?;
        let id = RunId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let run = Arc::new(Run::new(id, targets, self.shutdown.child_token()));
        self.runs
            .lock()
            .expect("runs lock")
            .insert(id, Arc::clone(&run));
        Ok(Admission {
            run,
            runs: Arc::clone(&self.runs),
            _permit: permit,
        })
    }

    /// Runs `work` for an admitted run on the supervisor's tracker; the run
    /// leaves the list of running scans, and frees its slot, when `work`
    /// ends.
    pub(crate) fn spawn<F>(&self, admission: Admission, work: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(async move {
            // Whatever happens to `work` (a panic included), the run ends
            // and its subscribers hear of it.
            let _ended = EndGuard(Arc::clone(&admission.run));
            work.await;
            drop(admission);
        });
    }

    pub(crate) fn run(&self, id: RunId) -> Result<Arc<Run>, AppError> {
        self.runs
            .lock()
            .expect("runs lock")
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::not_found(format!("no scan {id} is running")))
    }

    pub(crate) fn running(&self) -> Vec<RunningScan> {
        let mut running: Vec<RunningScan> = self
            .runs
            .lock()
            .expect("runs lock")
            .values()
            .map(|run| run.describe())
            .collect();
        running.sort_by_key(|run| run.run);
        running
    }

    /// Cancels every run and waits until each has written its outcome.
    pub(crate) async fn shutdown(&self) {
        self.shutdown.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for Supervisor {
    /// Dropping the supervisor cancels its scans; their tasks go on until
    /// each has recorded itself cancelled.
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Ends a run that its task left running: subscribers never wait for a
/// run nobody drives.
struct EndGuard(Arc<Run>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        let running = self
            .0
            .log
            .lock()
            .map(|log| log.state == Some(RunState::Running));
        if running.unwrap_or(true) {
            self.0.end(
                RunState::Failed,
                Some("the scan stopped unexpectedly; what it found so far is kept".into()),
            );
        }
    }
}

/// A slot taken for a run, and the run's place in the list of running
/// scans: both are given back when it is dropped, whether the run ran to
/// its end or never started.
pub(crate) struct Admission {
    pub(crate) run: Arc<Run>,
    runs: Arc<Mutex<HashMap<RunId, Arc<Run>>>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(&self.run.id);
        }
    }
}

/// One supervised scan: its cancel token and what it found so far.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) id: RunId,
    targets: String,
    pub(crate) cancel: CancellationToken,
    /// Cancelled when the run ends: a subscriber pacing its updates wakes
    /// at once for the last one.
    ended: CancellationToken,
    log: Mutex<RunLog>,
    /// Bumped on every change; subscribers wait on it.
    version: watch::Sender<u64>,
}

/// Everything a run found, in arrival order, and its latest state.
#[derive(Debug, Default)]
struct RunLog {
    scan_id: Option<ScanId>,
    state: Option<RunState>,
    progress: Option<Progress>,
    /// How many progress events arrived: the log keeps only the newest.
    progress_count: u64,
    hosts: Vec<HostReport>,
    ports: Vec<PortResult>,
    services: Vec<ServiceReport>,
    hosts_done: Vec<HostDone>,
    warnings: Vec<String>,
    summary: Option<ScanSummary>,
    error: Option<String>,
}

/// What `list` holds after `from`, moving `from` to its end.
fn rest<T: Clone>(list: &[T], from: &mut usize) -> Vec<T> {
    let out = list[*from..].to_vec();
    *from = list.len();
    out
}

/// How far a subscriber has read each list of the log.
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    hosts: usize,
    ports: usize,
    services: usize,
    hosts_done: usize,
    warnings: usize,
    progress_count: u64,
}

impl Run {
    fn new(id: RunId, targets: String, cancel: CancellationToken) -> Run {
        Run {
            id,
            targets,
            cancel,
            ended: CancellationToken::new(),
            log: Mutex::new(RunLog {
                state: Some(RunState::Running),
                ..RunLog::default()
            }),
            version: watch::channel(0).0,
        }
    }

    fn change(&self, apply: impl FnOnce(&mut RunLog)) {
        apply(&mut self.log.lock().expect("run log lock"));
        self.version.send_modify(|version| *version += 1);
    }

    pub(crate) fn set_scan_id(&self, scan_id: ScanId) {
        self.change(|log| log.scan_id = Some(scan_id));
    }

    /// Adds one event of the scan to the log.
    pub(crate) fn record(&self, event: &ScanEvent) {
        self.change(|log| match event {
            ScanEvent::Host(host) => log.hosts.push(host.clone()),
            ScanEvent::Port(port) => log.ports.push(port.clone()),
            ScanEvent::Service(service) => log.services.push((**service).clone()),
            ScanEvent::HostDone(done) => log.hosts_done.push(done.clone()),
            ScanEvent::Progress(progress) => {
                log.progress = Some(progress.clone());
                log.progress_count += 1;
            }
            ScanEvent::Warning { message } => log.warnings.push(message.clone()),
            ScanEvent::Finished(summary) => log.summary = Some(summary.clone()),
        });
    }

    /// The run is over.
    pub(crate) fn end(&self, state: RunState, error: Option<String>) {
        self.change(|log| {
            log.state = Some(state);
            log.error = error;
        });
        self.ended.cancel();
    }

    fn describe(&self) -> RunningScan {
        let log = self.log.lock().expect("run log lock");
        RunningScan {
            run: self.id,
            scan_id: log.scan_id,
            targets: self.targets.clone(),
            state: log.state.unwrap_or(RunState::Running),
        }
    }

    /// Everything after `cursor`, moving it to the end; `None` when there
    /// is nothing new and the run goes on.
    fn delta(&self, cursor: &mut Cursor) -> Option<ScanUpdate> {
        let log = self.log.lock().expect("run log lock");
        let state = log.state.unwrap_or(RunState::Running);
        let mut update = ScanUpdate::new(self.id, log.scan_id, state);
        update.hosts = rest(&log.hosts, &mut cursor.hosts);
        update.ports = rest(&log.ports, &mut cursor.ports);
        update.services = rest(&log.services, &mut cursor.services);
        update.hosts_done = rest(&log.hosts_done, &mut cursor.hosts_done);
        update.warnings = rest(&log.warnings, &mut cursor.warnings);
        update.progress = log.progress.clone();
        let progressed = cursor.progress_count != log.progress_count;
        cursor.progress_count = log.progress_count;
        if state != RunState::Running {
            update.summary = log.summary.clone();
            update.error = log.error.clone();
            return Some(update);
        }
        let appended = !(update.hosts.is_empty()
            && update.ports.is_empty()
            && update.services.is_empty()
            && update.hosts_done.is_empty()
            && update.warnings.is_empty());
        (appended || progressed).then_some(update)
    }

    /// An update with no news: the run's id, record and state.
    fn snapshot_header(&self) -> ScanUpdate {
        let log = self.log.lock().expect("run log lock");
        ScanUpdate::new(self.id, log.scan_id, log.state.unwrap_or(RunState::Running))
    }

    pub(crate) fn subscribe(self: &Arc<Self>) -> Subscription {
        Subscription {
            run: Arc::clone(self),
            changes: self.version.subscribe(),
            cursor: Cursor::default(),
            last_sent: None,
            done: false,
        }
    }
}

/// A subscriber's view of one run: [`Subscription::next`] gives what is
/// new, at most once every [`UPDATE_INTERVAL`]; the first update carries
/// everything found before the subscription began.
#[derive(Debug)]
pub struct Subscription {
    run: Arc<Run>,
    changes: watch::Receiver<u64>,
    cursor: Cursor,
    last_sent: Option<tokio::time::Instant>,
    done: bool,
}

impl Subscription {
    pub fn run_id(&self) -> RunId {
        self.run.id
    }

    /// The next update; `None` after the last one (the scan ended). The
    /// first comes at once, with everything found so far.
    pub async fn next(&mut self) -> Option<ScanUpdate> {
        if self.done {
            return None;
        }
        match self.last_sent {
            Some(last) => {
                // The pace holds while the run goes on; its end comes at
                // once.
                tokio::select! {
                    () = tokio::time::sleep_until(last + UPDATE_INTERVAL) => {}
                    () = self.run.ended.cancelled() => {}
                }
            }
            None => {
                self.changes.borrow_and_update();
                let first = self.run.delta(&mut self.cursor);
                return Some(self.sent(first.unwrap_or_else(|| self.run.snapshot_header())));
            }
        }
        loop {
            self.changes.borrow_and_update();
            if let Some(update) = self.run.delta(&mut self.cursor) {
                return Some(self.sent(update));
            }
            if self.changes.changed().await.is_err() {
                // The run was dropped without ending (its task panicked).
                self.done = true;
                let mut update = self.run.snapshot_header();
                update.state = RunState::Failed;
                update.error = Some("the scan ended without a result".into());
                return Some(update);
            }
        }
    }

    fn sent(&mut self, update: ScanUpdate) -> ScanUpdate {
        self.done = update.state != RunState::Running;
        self.last_sent = Some(tokio::time::Instant::now());
        update
    }
}

/// A scan started through the workspace.
#[derive(Debug)]
pub struct ScanRun {
    pub(crate) run: Arc<Run>,
    pub(crate) outcome: tokio::sync::oneshot::Receiver<Result<crate::scans::ScanOutcome, AppError>>,
}

impl ScanRun {
    pub fn id(&self) -> RunId {
        self.run.id
    }

    /// Updates from the start of the scan.
    pub fn subscribe(&self) -> Subscription {
        self.run.subscribe()
    }

    /// Stops the scan; it ends with what it found, marked partial.
    pub fn cancel(&self) {
        self.run.cancel.cancel();
    }

    /// A token that cancels the scan, for another task (a Ctrl-C handler).
    pub fn canceller(&self) -> CancellationToken {
        self.run.cancel.clone()
    }

    /// Waits for the scan's end: its report, and its record and judgement
    /// when it was recorded.
    pub async fn outcome(self) -> Result<crate::scans::ScanOutcome, AppError> {
        self.outcome.await.unwrap_or_else(|_| {
            Err(AppError::internal(
                "the scan's task ended without an outcome",
            ))
        })
    }
}
