//! The lower crates' errors as the layer's one error type.

use portcullis_compliance::DecisionError;
use portcullis_model::{AppError, ErrorKind};
use portcullis_scanner::ScanError;
use portcullis_store::{BackupError, StoreError};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// A store error: whose fault it is decides the kind.
pub(crate) fn from_store(error: StoreError) -> AppError {
    let message = error.to_string();
    match error {
        StoreError::NotFound { .. } => AppError::not_found(message),
        StoreError::Duplicate { .. } => AppError::conflict(message),
        StoreError::Invalid(_) => AppError::new(ErrorKind::BadInput, message),
        StoreError::Backup(backup) => from_backup(backup, message),
        StoreError::CreateDataDir { .. } | StoreError::Open { .. } | StoreError::Migrate { .. } => {
            AppError::new(ErrorKind::Unavailable, message)
        }
        StoreError::WriterLock { .. }
        | StoreError::Query(_)
        | StoreError::Read(_)
        | StoreError::Write(_)
        | StoreError::Corrupt(_) => AppError::internal(message),
    }
}

fn from_backup(error: BackupError, message: String) -> AppError {
    match error {
        BackupError::DestinationExists { .. }
        | BackupError::NoSuchFile { .. }
        | BackupError::NoSuchFolder { .. }
        | BackupError::Refused { .. } => AppError::bad_input("file", message),
        BackupError::ScanRunning { .. } | BackupError::Busy { .. } => {
            AppError::new(ErrorKind::Busy, message)
        }
        BackupError::Io { .. } | BackupError::Sqlite { .. } => AppError::internal(message),
        BackupError::Cancelled => AppError::new(ErrorKind::Cancelled, message),
    }
}

/// A decision the rules refused: the person's request is at fault.
pub(crate) fn from_decision(what: impl std::fmt::Display, error: DecisionError) -> AppError {
    let field = match error {
        DecisionError::NoJustification => Some("justification"),
        DecisionError::NoApprover => Some("approver"),
        DecisionError::UntilNotInFuture { .. } => Some("until"),
        DecisionError::NoEvidence => Some("evidence"),
        DecisionError::NoSubmitter => Some("submitted_by"),
        DecisionError::DisputeKindDoesNotApply(_) => Some("kind"),
        _ => None,
    };
    let error = AppError::new(ErrorKind::BadInput, format!("{what}: {error}"));
    match field {
        Some(field) => error.with_field(field),
        None => error,
    }
}

/// A scan that could not start.
pub(crate) fn from_scan(error: ScanError) -> AppError {
    match error {
        ScanError::Empty(_) => AppError::bad_input("targets", error.to_string()),
        ScanError::NotPrivileged(_) | ScanError::SynUnavailable => {
            AppError::new(ErrorKind::Unavailable, error.to_string()).with_field("method")
        }
    }
}
