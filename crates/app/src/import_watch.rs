//! Following an import from another task: how much of the file has been
//! read, whether it is being judged, and a way to stop it. The window's
//! progress bar and its Cancel button hold one; the CLI passes a fresh one
//! and never looks.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use portcullis_model::import::{ImportProgress, ImportStage};

/// Shared between an import and whoever follows it; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct ImportWatch {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    read_bytes: AtomicU64,
    total_bytes: AtomicU64,
    judging: AtomicBool,
    cancelled: AtomicBool,
}

impl ImportWatch {
    /// Asks the import to stop. It stops at its next read of the file and
    /// keeps nothing; once the file is read it goes on to the end.
    pub fn cancel(&self) {
        self.shared.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.shared.cancelled.load(Ordering::Relaxed)
    }

    /// How far the import is.
    pub fn progress(&self) -> ImportProgress {
        let shared = &self.shared;
        ImportProgress {
            stage: if shared.judging.load(Ordering::Relaxed) {
                ImportStage::Judging
            } else {
                ImportStage::Reading
            },
            read_bytes: shared.read_bytes.load(Ordering::Relaxed),
            total_bytes: shared.total_bytes.load(Ordering::Relaxed),
        }
    }

    /// A file of `total_bytes` is about to be read.
    pub(crate) fn begin(&self, total_bytes: u64) {
        self.shared
            .total_bytes
            .store(total_bytes, Ordering::Relaxed);
        self.shared.read_bytes.store(0, Ordering::Relaxed);
    }

    /// The file is read and recorded; judging it is not cancelled.
    pub(crate) fn judging(&self) {
        self.shared.judging.store(true, Ordering::Relaxed);
    }

    /// `input`, counting what is read from it into this watch, and failing
    /// its reads once the watch is cancelled.
    pub(crate) fn counting<R: Read>(&self, input: R) -> Counted<R> {
        Counted {
            input,
            watch: self.clone(),
        }
    }
}

/// A reader that reports to an [`ImportWatch`].
pub(crate) struct Counted<R> {
    input: R,
    watch: ImportWatch,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.watch.is_cancelled() {
            // Not `Interrupted`: readers retry that one.
            return Err(std::io::Error::other("the import was cancelled"));
        }
        let read = self.input.read(buffer)?;
        self.watch
            .shared
            .read_bytes
            .fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_is_read_and_fails_once_cancelled() {
        let watch = ImportWatch::default();
        watch.begin(10);
        let mut reader = watch.counting(&b"0123456789"[..]);
        let mut buffer = [0u8; 4];
        assert_eq!(reader.read(&mut buffer).unwrap(), 4);
        assert_eq!(watch.progress().read_bytes, 4);
        assert_eq!(watch.progress().percent(), 40.0);
        assert_eq!(watch.progress().stage, ImportStage::Reading);
        watch.cancel();
        assert!(reader.read(&mut buffer).is_err());
        assert_eq!(watch.progress().read_bytes, 4);
        watch.judging();
        assert_eq!(watch.progress().stage, ImportStage::Judging);
    }
}
