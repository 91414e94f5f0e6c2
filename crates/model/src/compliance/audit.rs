//! The audit trail (PCI DSS 10.2): one entry per change, hash-chained so
//! that an edited or removed row shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of the append-only audit log (PCI DSS 10.2): who changed what,
/// when, and how it looked before and after. Each row's `hash` covers the
/// previous row's hash and the row's own content, so editing or removing a
/// row breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What happened, e.g. "inventory.add", "finding.accept".
    pub action: String,
    /// The kind of thing changed, e.g. "inventory_entry", "finding",
    /// "system".
    pub entity: String,
    /// The changed thing's id, as text (a row id or a setting's key).
    pub entity_id: String,
    /// The thing before the change, as JSON; `None`: it did not exist.
    pub before: Option<String>,
    /// The thing after the change, as JSON; `None`: it was removed.
    pub after: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}
