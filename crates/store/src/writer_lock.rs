//! Telling a running scan from one whose writer died.
//!
//! The desktop app and the CLI may both have the database open, and either
//! may be recording a scan. A scan row says "running" from its first write
//! to its last; if the writer is killed, the row stays "running" for ever.
//! Whoever opens the database next must mark such a scan interrupted, but
//! must not do so to a scan another live process is still writing.
//!
//! A pid alone cannot tell (pids are reused; the writer may run on another
//! user's session), so each writer holds an exclusive OS lock on a file of
//! its own for as long as its scan runs, and the scan row names that file.
//! The OS drops the lock when the process dies, however it dies, so "the
//! lock can be taken" means "the writer is gone". Locks are advisory
//! `flock`/`LockFileEx` locks through `std::fs::File::try_lock`.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// The directory, inside the data directory, that holds the lock files.
const LOCK_DIR: &str = "scan-locks";

/// A lock held by this process while it writes one scan. Dropping it
/// releases the lock and removes the file.
#[derive(Debug)]
pub(crate) struct WriterLock {
    file: Option<File>,
    path: PathBuf,
    name: String,
}

impl WriterLock {
    /// Creates and locks a new lock file, named after this process and the
    /// time so that no two writers share one.
    pub fn acquire(data_dir: &Path) -> io::Result<WriterLock> {
        let dir = data_dir.join(LOCK_DIR);
        std::fs::create_dir_all(&dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let name = format!("scan-{}-{nanos}.lock", std::process::id());
        let path = dir.join(&name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.try_lock().map_err(|error| match error {
            TryLockError::Error(error) => error,
            TryLockError::WouldBlock => io::Error::other("a new lock file is already locked"),
        })?;
        Ok(WriterLock {
            file: Some(file),
            path,
            name,
        })
    }

    /// The name the scan row records.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            // Unlock before removing: Windows refuses to delete a locked file.
            let _ = file.unlock();
            drop(file);
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether some live process still holds the lock `name`. A missing file
/// means its writer finished or died; so does a lock we can take (which we
/// then release, and remove the file).
pub(crate) fn is_held(data_dir: &Path, name: &str) -> bool {
    // A name from the database is only ever a plain file name; anything
    // else was not written by us and protects nothing.
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return false;
    }
    let path = data_dir.join(LOCK_DIR).join(name);
    let Ok(file) = OpenOptions::new().write(true).open(&path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            drop(file);
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        // Cannot tell: assume alive, so that a live scan is never marked
        // interrupted. The next open will look again.
        Err(TryLockError::Error(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_seen_and_a_released_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let lock = WriterLock::acquire(dir.path()).unwrap();
        let name = lock.name().to_owned();
        assert!(is_held(dir.path(), &name));
        drop(lock);
        assert!(!is_held(dir.path(), &name));
        assert!(!dir.path().join(LOCK_DIR).join(&name).exists());
    }

    #[test]
    fn names_that_leave_the_lock_directory_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_held(dir.path(), "../portcullis.sqlite3"));
    }
}
