//! Looking after the database: backup, restore, and the audit log's check.

use crate::ids::AuditEntryId;
use serde::{Deserialize, Serialize};

/// How far a backup or restore has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyProgress {
    pub pages_done: u64,
    pub pages_total: u64,
}

/// What a finished backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSummary {
    pub path: String,
    pub pages: u64,
    pub bytes: u64,
    pub schema_version: i64,
}

/// What a finished restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreSummary {
    /// The schema version of the file restored (before any migration).
    pub restored_schema_version: i64,
    /// Where the database that was replaced was saved first.
    pub previous_saved_to: String,
}

/// The outcome of walking the audit log's hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// Rows checked (up to and including the first bad one).
    pub rows_checked: u64,
    /// The hash of the last row, when the whole chain is good: write it down
    /// somewhere else to detect a truncated tail later.
    pub head_hash: Option<String>,
    /// The first row that does not fit, and why.
    pub first_bad: Option<BadRow>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_bad.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub id: AuditEntryId,
    pub problem: ChainProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum ChainProblem {
    /// The row's content no longer matches its hash: it was edited.
    ContentChanged,
    /// The row does not point at the row before it: a row before it was
    /// removed, inserted or edited along with its hash.
    BrokenLink,
    /// Ids jump: rows before this one are missing.
    Gap { expected_id: AuditEntryId },
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problem {
            ChainProblem::ContentChanged => write!(
                f,
                "audit row {} was changed after it was written (its content does not match its hash)",
                self.id
            ),
            ChainProblem::BrokenLink => write!(
                f,
                "audit row {} does not follow the row before it (a row was removed, inserted or rewritten)",
                self.id
            ),
            ChainProblem::Gap { expected_id } => write!(
                f,
                "audit row {} follows a gap: rows from {} on are missing",
                self.id, expected_id
            ),
        }
    }
}
