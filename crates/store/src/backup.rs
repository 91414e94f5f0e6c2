//! Backup and restore through SQLite's online backup API (via rusqlite, on
//! the same libsqlite3-sys as sqlx, so there is one SQLite in the binary).
//!
//! A backup is a consistent copy of the live database even while a scan
//! writes to it: the API restarts when the source changes under it. It is
//! written beside its destination and renamed into place only when complete
//! and checked, so a half-written backup never carries the name asked for.
//!
//! A restore trusts nothing it is given: the candidate must pass
//! `PRAGMA integrity_check` and carry a schema this build knows, and no scan
//! may be writing. The live database is first copied aside, then the
//! candidate is copied into the live file in one write transaction that
//! SQLite commits only at the end, so a crash leaves the old database whole.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use portcullis_model::maintenance::{BackupSummary, CopyProgress, RestoreSummary};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::database::{MIGRATOR, Store};
use crate::error::{BackupError, StoreError};
use crate::time::now_rfc3339;

/// Pages copied per step: small enough that a writer waits at most a few
/// milliseconds, large enough that a big database is not slowed down.
const PAGES_PER_STEP: i32 = 1_024;
/// How long to wait before retrying a step that found the database busy.
const BUSY_PAUSE: Duration = Duration::from_millis(20);
/// How long a step may keep finding the database busy before we give up.
const BUSY_GIVE_UP: Duration = Duration::from_secs(30);

impl Store {
    /// Copies the live database to `destination`, which must not exist,
    /// calling `progress` after every step; when it answers `Break`, the
    /// copy stops and nothing is left at the destination.
    pub async fn backup_to(
        &self,
        destination: &Path,
        progress: impl FnMut(CopyProgress) -> ControlFlow<()> + Send + 'static,
    ) -> Result<BackupSummary, StoreError> {
        let live = self.path().to_path_buf();
        let destination = std::path::absolute(destination).map_err(|source| BackupError::Io {
            path: destination.to_path_buf(),
            source,
        })?;
        let summary = run_blocking(move || backup_file(&live, &destination, progress)).await?;
        Ok(summary)
    }

    /// Replaces the live database with the backup at `candidate`, after
    /// checking it, then brings its schema up to date. When `progress`
    /// answers `Break`, the copy stops and the live database stays as it
    /// was.
    pub async fn restore_from(
        &self,
        candidate: &Path,
        progress: impl FnMut(CopyProgress) -> ControlFlow<()> + Send + 'static,
    ) -> Result<RestoreSummary, StoreError> {
        let candidate = std::path::absolute(candidate).map_err(|source| BackupError::Io {
            path: candidate.to_path_buf(),
            source,
        })?;
        let checked = {
            let candidate = candidate.clone();
            run_blocking(move || check_candidate(&candidate)).await?
        };
        if let Some(scan_id) = self.scan_being_written().await? {
            return Err(BackupError::ScanRunning { scan_id }.into());
        }
        let previous_saved_to = self.save_before_restore().await?;
        let live = self.path().to_path_buf();
        self.readers().clear();
        run_blocking(move || copy_into_live(&candidate, &live, progress)).await?;
        self.after_restore().await?;
        Ok(RestoreSummary {
            restored_schema_version: checked.schema_version,
            previous_saved_to: previous_saved_to.display().to_string(),
        })
    }

    /// Copies the live database into `backups/` in the data directory before
    /// a restore replaces it: a restore of the wrong file can be undone.
    async fn save_before_restore(&self) -> Result<PathBuf, StoreError> {
        let dir = self.data_dir().join("backups");
        std::fs::create_dir_all(&dir).map_err(|source| BackupError::Io {
            path: dir.clone(),
            source,
        })?;
        let stamp = now_rfc3339().replace([':', '.'], "-");
        let path = dir.join(format!("before-restore-{stamp}.sqlite3"));
        self.backup_to(&path, |_| ControlFlow::Continue(())).await?;
        Ok(path)
    }

    /// After a restore: migrate an older schema forward and settle scans the
    /// backup caught mid-way.
    async fn after_restore(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(self.pool())
            .await
            .map_err(|source| StoreError::Migrate {
                path: self.path().to_path_buf(),
                source,
            })?;
        self.interrupt_abandoned_scans().await?;
        Ok(())
    }
}

/// Runs blocking rusqlite work off the async runtime's threads.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))
}

fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The backup proper: copy into a temporary file beside `destination`,
/// switch the copy to a single self-contained file (no WAL), check it, sync
/// it, then rename it into place.
fn backup_file(
    live: &Path,
    destination: &Path,
    progress: impl FnMut(CopyProgress) -> ControlFlow<()>,
) -> Result<BackupSummary, BackupError> {
    if destination.exists() {
        return Err(BackupError::DestinationExists {
            path: destination.to_path_buf(),
        });
    }
    if let Some(folder) = destination.parent()
        && !folder.is_dir()
    {
        return Err(BackupError::NoSuchFolder {
            path: destination.to_path_buf(),
            folder: folder.to_path_buf(),
        });
    }
    let partial = partial_path(destination);
    let (pages, schema_version) = copy_check_and_place(live, &partial, destination, progress)
        .inspect_err(|_| {
            // Whatever step failed, no half-made copy is left behind.
            let _ = std::fs::remove_file(&partial);
        })?;
    let bytes = std::fs::metadata(destination)
        .map_err(io_error(destination))?
        .len();
    Ok(BackupSummary {
        path: destination.display().to_string(),
        pages,
        bytes,
        schema_version,
    })
}

/// Writes the copy to `partial`, checks it, syncs it and gives it the
/// destination's name; returns its pages and schema version.
fn copy_check_and_place(
    live: &Path,
    partial: &Path,
    destination: &Path,
    progress: impl FnMut(CopyProgress) -> ControlFlow<()>,
) -> Result<(u64, i64), BackupError> {
    let pages = write_partial(live, partial, progress)?;
    let schema_version = check_candidate(partial)?.schema_version;
    std::fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .map_err(io_error(partial))?;
    move_into_place(partial, destination)?;
    Ok((pages, schema_version))
}

/// Gives the finished copy its name. A hard link, unlike a rename, never
/// replaces a file someone created meanwhile; file systems without links
/// (FAT on a USB stick) get a rename after a last look.
fn move_into_place(partial: &Path, destination: &Path) -> Result<(), BackupError> {
    match std::fs::hard_link(partial, destination) {
        Ok(()) => std::fs::remove_file(partial).map_err(io_error(partial)),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::DestinationExists {
                path: destination.to_path_buf(),
            })
        }
        Err(_) if !destination.exists() => {
            std::fs::rename(partial, destination).map_err(io_error(destination))
        }
        Err(source) => Err(BackupError::Io {
            path: destination.to_path_buf(),
            source,
        }),
    }
}

/// `FILE.partial-PID` beside `destination`.
fn partial_path(destination: &Path) -> PathBuf {
    let mut name = destination.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    destination.with_file_name(name)
}

fn write_partial(
    live: &Path,
    partial: &Path,
    progress: impl FnMut(CopyProgress) -> ControlFlow<()>,
) -> Result<u64, BackupError> {
    let source = Connection::open_with_flags(live, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(sqlite_error(live))?;
    // A leftover from a crashed backup of an earlier process with our pid.
    let _ = std::fs::remove_file(partial);
    let mut copy = Connection::open(partial).map_err(sqlite_error(partial))?;
    let pages = copy_pages(&source, &mut copy, partial, progress)?;
    // The copy carries the live file's WAL flag; a backup is one file.
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sqlite_error(partial))?;
    copy.close().map_err(|(_, e)| sqlite_error(partial)(e))?;
    Ok(pages)
}

/// Steps the backup API to the end, retrying busy steps for a while, and
/// reports progress after each step, stopping when `progress` says so. Returns the pages copied; SQLite's
/// errors name `to_path`, the file being written.
fn copy_pages(
    from: &Connection,
    to: &mut Connection,
    to_path: &Path,
    mut progress: impl FnMut(CopyProgress) -> ControlFlow<()>,
) -> Result<u64, BackupError> {
    let backup = Backup::new(from, to).map_err(sqlite_error(to_path))?;
    let mut busy_since: Option<std::time::Instant> = None;
    loop {
        let step = backup.step(PAGES_PER_STEP).map_err(sqlite_error(to_path))?;
        let state = backup.progress();
        let total = u64::try_from(state.pagecount).unwrap_or(0);
        let remaining = u64::try_from(state.remaining).unwrap_or(0);
        let asked = progress(CopyProgress {
            pages_done: total.saturating_sub(remaining),
            pages_total: total,
        });
        if asked.is_break() && !matches!(step, StepResult::Done) {
            // Dropping the unfinished backup rolls back what the
            // destination's transaction wrote.
            return Err(BackupError::Cancelled);
        }
        match step {
            StepResult::Done => return Ok(total),
            StepResult::More => busy_since = None,
            // Busy or Locked (and any future transient result): wait, retry.
            _ => {
                let since = *busy_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() > BUSY_GIVE_UP {
                    return Err(BackupError::Busy {
                        seconds: BUSY_GIVE_UP.as_secs(),
                    });
                }
                std::thread::sleep(BUSY_PAUSE);
            }
        }
    }
}

/// A candidate that passed the checks.
struct CheckedCandidate {
    schema_version: i64,
}

/// Opens `candidate` read-only and checks that it is whole and that its
/// schema is one this build knows (every migration it applied is one of
/// ours, with the same checksum).
fn check_candidate(candidate: &Path) -> Result<CheckedCandidate, BackupError> {
    let refuse = |reason: String| BackupError::Refused {
        path: candidate.to_path_buf(),
        reason,
    };
    if !candidate.is_file() {
        return Err(BackupError::NoSuchFile {
            path: candidate.to_path_buf(),
        });
    }
    let conn = Connection::open_with_flags(
        candidate,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| refuse(format!("it cannot be opened as a database ({e})")))?;
    check_integrity(&conn).map_err(refuse)?;
    let schema_version = check_schema(&conn).map_err(refuse)?;
    Ok(CheckedCandidate { schema_version })
}

/// `PRAGMA integrity_check` must answer exactly "ok".
fn check_integrity(conn: &Connection) -> Result<(), String> {
    let mut statement = conn
        .prepare("PRAGMA integrity_check")
        .map_err(|e| format!("it is not a readable SQLite database ({e})"))?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| format!("it is not a readable SQLite database ({e})"))?;
    if problems == ["ok"] {
        Ok(())
    } else {
        let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
        Err(format!(
            "its integrity check failed: {}{}",
            shown.join("; "),
            if problems.len() > 3 { "; ..." } else { "" }
        ))
    }
}

/// Every applied migration must be one of ours; returns the newest.
fn check_schema(conn: &Connection) -> Result<i64, String> {
    let mut statement = conn
        .prepare("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
        .map_err(|_| "it is not a Portcullis database (it has no schema history)".to_owned())?;
    let applied: Vec<(i64, Vec<u8>)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| format!("its schema history cannot be read ({e})"))?;
    let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    for (version, checksum) in &applied {
        match MIGRATOR.iter().find(|m| m.version == *version) {
            None if *version > newest_known => {
                return Err(format!(
                    "its schema version {version} is newer than this Portcullis knows \
                     (up to {newest_known}); restore it with a newer Portcullis"
                ));
            }
            None => return Err(format!("its schema has a migration {version} unknown here")),
            Some(ours) if ours.checksum.as_ref() != checksum.as_slice() => {
                return Err(format!(
                    "its schema migration {version} differs from this build's"
                ));
            }
            Some(_) => {}
        }
    }
    applied
        .last()
        .map(|(version, _)| *version)
        .ok_or_else(|| "it is not a Portcullis database (no schema applied)".to_owned())
}

/// Copies the checked candidate into the live file. The backup API holds
/// one write transaction on the destination from the first step to the
/// last, so readers see the old database or the new one, never a mixture,
/// and a crash part-way leaves the old one.
fn copy_into_live(
    candidate: &Path,
    live: &Path,
    progress: impl FnMut(CopyProgress) -> ControlFlow<()>,
) -> Result<(), BackupError> {
    let from = Connection::open_with_flags(candidate, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite_error(candidate))?;
    let mut to = Connection::open_with_flags(live, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(sqlite_error(live))?;
    to.busy_timeout(BUSY_GIVE_UP).map_err(sqlite_error(live))?;
    let page_size = |conn: &Connection, path: &Path| {
        conn.pragma_query_value(None, "page_size", |row| row.get::<_, i64>(0))
            .map_err(sqlite_error(path))
    };
    let (from_size, to_size) = (page_size(&from, candidate)?, page_size(&to, live)?);
    if from_size != to_size {
        return Err(BackupError::Refused {
            path: candidate.to_path_buf(),
            reason: format!(
                "its page size ({from_size} bytes) differs from the live database's ({to_size})"
            ),
        });
    }
    copy_pages(&from, &mut to, live, progress)?;
    // The restored pages carry the backup's rollback-journal flag; the live
    // database stays in WAL mode, as Store::open sets it.
    to.pragma_update(None, "journal_mode", "WAL")
        .map_err(sqlite_error(live))?;
    Ok(())
}
